// Office documents (real LibreOffice, corpus files) become TIFF Class F fax pages through the PDF path; password-
// protected, truncated and mislabelled files are refused with their reason instead of converting or hanging.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { RenderFailure, createRenderer } from '../../src/render/index.js';
import { ipcSocket } from '../../src/render/office.js';
import { CORPUS, tempDir } from '../helpers/tmp.js';
import { LIMITS, decodePage, inkBox, renderer, tiffinfoD } from './helpers.js';

const dir = tempDir();
const r = renderer(dir, { maxPages: 200, maxMegapixels: 40, timeoutMs: 60_000, memoryMb: 512 });
afterAll(() => r.close());
const office = (f: string) => path.join(CORPUS, 'office', f);

// [file, registry id, pages LibreOffice lays it out on]
const GOOD: [string, string, number][] = [
  ['word_2007.docx', 'docx', 2],
  ['opendocument_text.odt', 'odt', 2],
  ['excel_2007.xlsx', 'xlsx', 1],
  ['powerpoint_2007.pptx', 'pptx', 3],
  ['rtf_japanese.rtf', 'rtf', 2],
  ['word_97.doc', 'doc', 2],
  ['word_6.doc', 'doc', 1],
  ['rtf_invalid_unicode.rtf', 'rtf', 1],
  ['rtf_with_images.rtf', 'rtf', 1],
  ['word_embedded_pdf.docx', 'docx', 2],
  ['word_macro_enabled.docm', 'docx', 1], // converted for its content; headless conversion runs no macro
  ['wordperfect.wpd', 'wpd', 1], // off by default, converts once switched on
];

describe('office documents render through LibreOffice', () => {
  it.each(GOOD)('%s → fax pages with content', async (file, detected, pages) => {
    const out = path.join(dir, `${file}.tif`);
    const res = await r.renderDoc({ name: file, path: office(file), detected, renderer: 'office' }, { resolution: 'fine', paper: 'a4' }, out);
    expect(res.pages).toBe(pages);
    const info = await tiffinfoD(out);
    expect(info).toMatch(/Image Width: 1728 Image Length: 2292/); // A4 at 196 dpi
    expect(info).toMatch(/Resolution: 204, 196 pixels\/inch/);
    expect(info).toMatch(/CCITT Group 4/);
    const p = await decodePage(out, 0);
    expect(p.width).toBe(1728);
    expect(inkBox(p)).not.toBeNull();
  }, 120_000);

  it('lays out an RTF the test writes, at standard resolution on letter paper', async () => {
    const src = path.join(dir, 'letter.rtf');
    await writeFile(src, '{\\rtf1\\ansi{\\fonttbl{\\f0 DejaVu Sans;}}\\f0\\fs96 Faxed by faxgate\\par}');
    const out = path.join(dir, 'letter.tif');
    const res = await r.renderDoc({ name: 'letter.rtf', path: src, detected: 'rtf', renderer: 'office' }, { resolution: 'standard', paper: 'letter' }, out);
    expect(res.pages).toBe(1);
    expect(await tiffinfoD(out)).toMatch(/Image Width: 1728 Image Length: 1078/); // 11 in at 98 dpi
    const box = inkBox(await decodePage(out, 0));
    // one line of big text near the top of the page
    expect(box).not.toBeNull();
    expect(box!.y1).toBeLessThan(0.3);
  }, 120_000);
});

describe('office documents that cannot be faxed are refused, not hung', () => {
  const BAD: [string, string, string][] = [
    ['opendocument_encrypted.odt', 'odt', 'encrypted'],
    ['word_password_protected.docx', 'docx', 'encrypted'], // an encrypted OOXML package, handed over as docx
    ['word_truncated_763b.docx', 'docx', 'damaged'],
    ['opendocument_not_a_zip_24b.odt', 'odt', 'damaged'], // LibreOffice would import it as plain text
  ];
  it.each(BAD)('%s → %s', async (file, detected, reason) => {
    const err = await r.renderDoc({ name: file, path: office(file), detected, renderer: 'office' }, { resolution: 'fine', paper: 'letter' }, path.join(dir, `${file}.tif`))
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RenderFailure);
    expect((err as RenderFailure).reason).toBe(reason);
  });

  // Stand-in converters, slow or dying by construction, so the outcome never depends on how fast this machine is.
  const standIn = (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  // running, not a zombie waiting for a reaper (a SIGKILLed orphan is reaped by init in its own time)
  const alive = (pid: number) => { try { return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'latin1')); } catch { return false; } };
  const word = { name: 'w.docx', path: office('word_2007.docx'), detected: 'docx', renderer: 'office' as const };

  it('a conversion past the time limit is ended with its whole process group and reported as over the limit', async () => {
    const pids = path.join(dir, 'slow.pids');
    // a converter that never finishes, and a helper it started: both must be gone once the limit has passed
    const slow = standIn('slow-soffice', `sleep 600 & echo $! > '${pids}'; echo $$ >> '${pids}'; exec sleep 600`);
    const quick = createRenderer({ limits: { ...LIMITS, timeoutMs: 1000 }, logger: silentLogger, tmpDir: dir, officeCommand: slow });
    try {
      const err = await quick.renderDoc(word, { resolution: 'fine', paper: 'letter' }, path.join(dir, 't.tif')).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(RenderFailure);
      expect((err as RenderFailure).reason).toBe('damaged');
      expect((err as RenderFailure).message).toMatch(/1 s limit/);
      const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
      expect(started).toHaveLength(2);
      // SIGKILL is delivered at once but a process takes a moment to exit: wait for that, bounded
      await expect.poll(() => started.filter(alive), { timeout: 10_000 }).toEqual([]);
    } finally {
      await quick.close();
    }
  });

  it('LibreOffice dying after it made its socket is reported as a crash, and its socket is removed', async () => {
    const seen = path.join(dir, 'crash.seen');
    // Real LibreOffice, started idle on the conversion's own profile (no document, so it never finishes); once its
    // single-instance socket is there, the whole tree dies as a crash would.
    const dying = standIn('dying-soffice', [
      `ls /tmp > '${seen}.before'`,
      `soffice "$1" --headless --invisible --norestore --nolockcheck --nodefault --nologo &`,
      // other tests run LibreOffice at the same time: the socket to watch is the new one a process of ours holds open
      'mine() { for s in $(ls /tmp | grep "^OSL_PIPE_" | grep -vxF -f "$1"); do',
      '  ino=$(awk -v p="/tmp/$s" \'$8 == p { print $7; exit }\' /proc/net/unix)',
      '  [ -n "$ino" ] || continue',
      '  for p in $(pgrep -g $$); do ls -l /proc/$p/fd 2>/dev/null | grep -qF "socket:[$ino]" && { echo "$s"; return; }; done',
      'done; }',
      `until sock=$(mine '${seen}.before') && [ -n "$sock" ]; do sleep 0.1; done`,
      `printf '%s\\n%s\\n' "\${1#-env:UserInstallation=}" "/tmp/$sock" > '${seen}'`,
      'kill -KILL -$$',
    ].join('\n'));
    const r2 = createRenderer({ limits: LIMITS, logger: silentLogger, tmpDir: dir, officeCommand: dying });
    try {
      const err = await r2.renderDoc(word, { resolution: 'fine', paper: 'letter' }, path.join(dir, 'c.tif')).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(RenderFailure);
      expect((err as RenderFailure).reason).toBe('damaged');
      expect((err as RenderFailure).message).toMatch(/office converter crashed/);
      const [profileUrl, socket] = readFileSync(seen, 'utf8').trim().split('\n');
      // the name we compute is the one LibreOffice made, and it is gone
      expect(ipcSocket(profileUrl)).toBe(socket);
      expect(existsSync(socket)).toBe(false);
    } finally {
      await r2.close();
    }
  });

  it('LibreOffice past the memory ceiling is killed and reported as out of memory, not as a damaged file', async () => {
    // LibreOffice's resident size passes 150 MB on any document (about 210 MB measured by bench/tool-memory)
    const small = createRenderer({ limits: { ...LIMITS, memoryMb: 64 }, logger: silentLogger, tmpDir: dir });
    try {
      const err = await small.renderDoc(word, { resolution: 'fine', paper: 'letter' }, path.join(dir, 'm.tif')).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(RenderFailure);
      expect((err as RenderFailure).reason).toBe('damaged');
      expect((err as RenderFailure).message).toMatch(/office converter ran out of its 64 MB memory budget/);
    } finally {
      await small.close();
    }
  }, 120_000);

  it('renderAll keeps going past a refused office file', async () => {
    const out = path.join(dir, 'all.tif');
    const res = await r.renderAll({
      docs: [
        { name: 'locked.odt', path: office('opendocument_encrypted.odt'), detected: 'odt', renderer: 'office' },
        { name: 'letter.rtf', path: office('rtf_japanese.rtf'), detected: 'rtf', renderer: 'office' },
      ],
    }, { resolution: 'fine', paper: 'letter' }, out);
    expect(res.docs.map((d) => d.failure?.reason ?? d.pages)).toEqual(['encrypted', 2]);
    expect(res.pages).toBe(2);
  }, 120_000);
});
