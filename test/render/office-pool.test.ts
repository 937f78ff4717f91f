// The warm LibreOffice pool (real soffice through python3-uno): documents become the same fax pages as a cold
// conversion, instances are reused, recycled after N documents and after any failure, never convert two documents
// at once, keep the per-document limits, and leave no process behind when the pool closes.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { listProcesses, treeMembers } from '../../src/proc/memory.js';
import { RenderFailure, createRenderer } from '../../src/render/index.js';
import { createOfficePool, type OfficePool } from '../../src/render/office-pool.js';
import { CORPUS, tempDir } from '../helpers/tmp.js';
import { LIMITS, decodePage, inkBox, tiffinfoD } from './helpers.js';

const dir = tempDir();
const office = (f: string) => path.join(CORPUS, 'office', f);
const doc = (file: string, detected: string) => ({ name: file, path: office(file), detected, renderer: 'office' as const });
const pools: OfficePool[] = [];
const pool = (o: Partial<Parameters<typeof createOfficePool>[0]> = {}) => {
  const p = createOfficePool({ size: 1, recycleAfter: 50, tmpDir: dir, logger: silentLogger, ...o });
  pools.push(p);
  return p;
};
afterAll(async () => { for (const p of pools) await p.close(); });
// running, not a zombie waiting for a reaper
const alive = (pid: number) => { try { return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'latin1')); } catch { return false; } };
const members = (p: OfficePool) => { const procs = listProcesses(); return p.pids().flatMap((pid) => treeMembers(pid, procs)); };
const fail = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as RenderFailure);

describe('warm office pool with real LibreOffice', () => {
  const p = pool({ recycleAfter: 3 });
  const r = createRenderer({ limits: { ...LIMITS, timeoutMs: 120_000 }, logger: silentLogger, tmpDir: dir, office: p });
  afterAll(() => r.close());

  it('converts documents of each kind to the same pages as a cold conversion, one instance for several, recycled after N', async () => {
    const cases: [string, string, number][] = [['word_2007.docx', 'docx', 2], ['excel_2007.xlsx', 'xlsx', 1], ['powerpoint_2007.pptx', 'pptx', 3], ['rtf_japanese.rtf', 'rtf', 2]];
    for (const [file, detected, pages] of cases) {
      const out = path.join(dir, `${file}.tif`);
      const res = await r.renderDoc(doc(file, detected), { resolution: 'fine', paper: 'a4' }, out);
      expect(res.pages).toBe(pages);
      expect(await tiffinfoD(out)).toMatch(/Image Width: 1728 Image Length: 2292/);
      expect(inkBox(await decodePage(out, 0))).not.toBeNull();
    }
    // 4 documents, recycled after 3: the second instance took the fourth
    expect(p.stats()).toMatchObject({ started: 2, converted: 4, recycled: 1, maxBusy: 1 });
  }, 240_000);

  it('refuses what a cold conversion refuses, with the same reasons', async () => {
    const BAD: [string, string, string][] = [
      ['opendocument_encrypted.odt', 'odt', 'encrypted'], ['word_password_protected.docx', 'docx', 'encrypted'],
      ['word_truncated_763b.docx', 'docx', 'damaged'], ['opendocument_not_a_zip_24b.odt', 'odt', 'damaged'],
    ];
    for (const [file, detected, reason] of BAD) {
      const err = await fail(r.renderDoc(doc(file, detected), { resolution: 'fine', paper: 'letter' }, path.join(dir, `${file}.tif`)));
      expect(err, file).toBeInstanceOf(RenderFailure);
      expect(err!.reason, file).toBe(reason);
    }
  }, 120_000);

  it('runs a macro-enabled document for its content only, and never two documents in one instance at once', async () => {
    const done = () => p.stats().converted + p.stats().coldRetries;
    const before = done();
    const files: [string, string][] = [['word_macro_enabled.docm', 'docx'], ['word_6.doc', 'doc'], ['opendocument_text.odt', 'odt']];
    const res = await Promise.all(files.map(([f, d], i) => r.renderDoc(doc(f, d), { resolution: 'fine', paper: 'letter' }, path.join(dir, `c${i}.tif`))));
    expect(res.map((x) => x.pages)).toEqual([1, 1, 2]);
    // (the .odt crashes a warm LibreOffice 7.4 -nogui and is converted cold: see coldFallback)
    expect(done() - before).toBe(3);
    expect(p.stats().maxBusy).toBe(1); // size 1: the three queued for the one instance
  }, 240_000);

  it('a document past the memory ceiling kills its instance and is reported as out of memory', async () => {
    // a warm LibreOffice is past 64 MB resident whatever the document
    const small = createRenderer({ limits: { ...LIMITS, memoryMb: 64, timeoutMs: 120_000 }, logger: silentLogger, tmpDir: dir, office: p });
    const started = p.stats().started;
    const err = await fail(small.renderDoc(doc('word_2007.docx', 'docx'), { resolution: 'fine', paper: 'letter' }, path.join(dir, 'm.tif')));
    expect(err?.message).toMatch(/office converter ran out of its 64 MB memory budget/);
    // and the next document gets a fresh instance
    await r.renderDoc(doc('word_6.doc', 'doc'), { resolution: 'fine', paper: 'letter' }, path.join(dir, 'after.tif'));
    expect(p.stats().started).toBeGreaterThan(started);
    await small.close();
  }, 240_000);

  it('close ends every LibreOffice process of the pool', async () => {
    await p.warm();
    const procs = members(p);
    expect(procs.length).toBeGreaterThanOrEqual(3); // the bridge, soffice's launcher and soffice.bin at least
    await p.close();
    await expect.poll(() => procs.filter(alive), { timeout: 10_000 }).toEqual([]);
    expect(p.pids()).toEqual([]);
  }, 120_000);
});

describe('failures recycle the instance (stand-in bridges, so outcomes never depend on machine speed)', () => {
  // a bridge that says it is ready and then does what `body` says with each request line
  const standIn = (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\necho "$$" >> '${file}.pids'\necho '{"ready": true}'\nwhile read -r line; do\n${body}\ndone\n`);
    chmodSync(file, 0o755);
    return { cmd: file, args: [] as string[] };
  };
  const renderWith = (p: OfficePool, timeoutMs = 30_000) =>
    createRenderer({ limits: { ...LIMITS, timeoutMs }, logger: silentLogger, tmpDir: dir, office: p }).renderDoc(doc('word_2007.docx', 'docx'), { resolution: 'fine', paper: 'letter' }, path.join(dir, 'f.tif'));

  it('a conversion past the time limit ends its instance with its process group and reads as over the limit', async () => {
    const b = standIn('hang-bridge', 'sleep 600 & sleep 600');
    const p = pool({ bridge: b });
    const err = await fail(renderWith(p, 1000));
    expect(err?.reason).toBe('damaged');
    expect(err?.message).toMatch(/1 s limit/);
    const started = readFileSync(`${b.cmd}.pids`, 'utf8').trim().split('\n').map(Number);
    await expect.poll(() => started.filter(alive), { timeout: 10_000 }).toEqual([]);
    expect(p.pids()).toEqual([]);
  });

  it('an instance that dies during a conversion is reported as a crash, and the next document gets a new one', async () => {
    const p = pool({ bridge: standIn('crash-bridge', 'kill -KILL $$'), coldFallback: false });
    const err = await fail(renderWith(p));
    expect(err?.message).toMatch(/office converter crashed on this file \(SIGKILL\)/);
    await fail(renderWith(p));
    expect(p.stats().started).toBe(2);
  });

  it('with the cold fallback, a document whose warm instance crashed gets the cold conversion\'s pages', async () => {
    const p = pool({ bridge: standIn('crash-bridge2', 'kill -KILL $$') });
    await expect(renderWith(p, 120_000)).resolves.toEqual({ pages: 2 });
    expect(p.stats().coldRetries).toBe(1);
  }, 120_000);

  it('a document the instance could not open is damaged, and the instance is replaced', async () => {
    const p = pool({ bridge: standIn('refuse-bridge', `echo '{"ok": false, "error": "IOException"}'`) });
    for (let i = 0; i < 2; i++) {
      const err = await fail(renderWith(p));
      expect(err?.message).toBe('the document is damaged: the office converter could not open it');
    }
    expect(p.stats()).toMatchObject({ started: 2, recycled: 2, converted: 0 });
  });

  it('an instance that cannot start is reported as the converter missing, not as a damaged document', async () => {
    const file = path.join(dir, 'no-start');
    writeFileSync(file, '#!/bin/sh\necho \'{"ready": false, "error": "no soffice"}\'\n');
    chmodSync(file, 0o755);
    const err = await fail(renderWith(pool({ bridge: { cmd: file, args: [] } })));
    expect(err?.reason).toBe('unsupported-type');
    expect(err?.message).toMatch(/could not be started.*no soffice/);
  });
});
