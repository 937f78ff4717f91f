// The in-process PDF page count: agrees with qpdf on well-formed files it answers, and leaves every doubtful file to qpdf.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { countPdfPages, DEFAULT_STRUCTURE_LIMITS, Undecided, type PdfStructureLimits } from '../../src/attachments/pdf-structure.js';
import { preflightPdf } from '../../src/attachments/preflight.js';
import { tempDir, CORPUS } from '../helpers/tmp.js';

const dir = tempDir('faxgate-pdfstruct-');
const p = (name: string) => path.join(dir, name);
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const PS_PAGES = (n: number) => `/Helvetica findfont 24 scalefont setfont 1 1 ${n} { 72 700 moveto (Page ) show 3 string cvs show showpage } for`;

async function count(file: string, limits?: PdfStructureLimits): Promise<number | 'undecided'> {
  const fh = await open(file, 'r');
  try {
    return await countPdfPages(fh, statSync(file).size, limits);
  } catch (e) {
    if (e instanceof Undecided) return 'undecided';
    throw e;
  } finally {
    await fh.close();
  }
}

/** qpdf's own answer (null when it fails), the reference the cheap parse must never contradict. */
function qpdfPages(file: string): number | null {
  // Exit 3 is "succeeded with warnings" (it repaired something): preflight trusts that count too.
  const r = spawnSync('qpdf', ['--show-npages', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 || r.status === 3 ? Number(r.stdout.toString().trim()) : null;
}

/** Same-length byte edit, so every xref offset stays right and only the edited fact changes. */
function edit(src: string, dest: string, from: string, to: string): void {
  expect(to.length).toBe(from.length);
  const s = readFileSync(p(src)).toString('latin1');
  expect(s.includes(from)).toBe(true);
  writeFileSync(p(dest), Buffer.from(s.replace(from, to), 'latin1'));
}

/** Append a real incremental update whose new page tree root keeps only the first two pages. */
function incrementalDropPage(src: string, dest: string): void {
  const base = readFileSync(p(src));
  const text = base.toString('latin1');
  const m = /(\d+) 0 obj\s*<<((?:(?!endobj)[\s\S])*?\/Type\s*\/Pages[\s\S]*?)>>\s*endobj/.exec(text);
  expect(m).toBeTruthy();
  const kids = /\/Kids\s*\[([^\]]*)\]/.exec(m![2])![1].trim().split(/\s+/);
  const dict = m![2].replace(/\/Kids\s*\[[^\]]*\]/, `/Kids [ ${kids.slice(0, 6).join(' ')} ]`).replace(/\/Count\s+\d+/, '/Count 2');
  const prev = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)![1];
  const trailer = /trailer\s*<<([\s\S]*?)>>\s*startxref/.exec(text)![1];
  const root = /\/Root\s+\d+\s+\d+\s+R/.exec(trailer)![0];
  const size = /\/Size\s+\d+/.exec(trailer)![0];
  const obj = `${m![1]} 0 obj\n<<${dict}>>\nendobj\n`;
  const objAt = base.length;
  const xrefAt = objAt + obj.length;
  const xref = `xref\n${m![1]} 1\n${String(objAt).padStart(10, '0')} 00000 n \ntrailer\n<< ${size} ${root} /Prev ${prev} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  writeFileSync(p(dest), Buffer.concat([base, Buffer.from(obj + xref, 'latin1')]));
}

beforeAll(async () => {
  run('gs', ['-q', '-sDEVICE=pdfwrite', '-o', 'three.pdf', '-c', PS_PAGES(3)]);
  run('gs', ['-q', '-sDEVICE=pdfwrite', '-o', 'many.pdf', '-c', PS_PAGES(250)]);
  run('qpdf', ['--object-streams=generate', 'three.pdf', 'objstm.pdf']);
  run('qpdf', ['--linearize', 'three.pdf', 'linear.pdf']);
  run('qpdf', ['--linearize', '--object-streams=generate', 'three.pdf', 'linear-objstm.pdf']);
  run('qpdf', ['--empty', '--pages', 'three.pdf', 'many.pdf', 'three.pdf', '--', 'merged.pdf']);
  run('qpdf', ['--encrypt', '', 'owner', '256', '--', 'three.pdf', 'owner-only.pdf']);
  run('qpdf', ['--encrypt', 'secret', 'owner', '256', '--', 'three.pdf', 'user.pdf']);
  // pdf-lib writes xref streams with PNG predictors and object streams, like many web apps.
  const doc = await PDFDocument.create();
  for (let i = 0; i < 4; i++) doc.addPage([612, 792]);
  writeFileSync(p('pdflib.pdf'), await doc.save());
  run('qpdf', ['--object-streams=disable', '--compress-streams=n', 'three.pdf', 'plain.pdf']);
  incrementalDropPage('plain.pdf', 'incremental.pdf');
  run('qpdf', ['--qdf', '--object-streams=disable', 'three.pdf', 'qdf.pdf']);
  edit('qdf.pdf', 'count-lies.pdf', '/Count 3', '/Count 4');
  edit('qdf.pdf', 'untyped-page.pdf', '/Type /Page\n', '/Tipe /Page\n');
  const plain = readFileSync(p('plain.pdf'));
  // A comment inserted after the first object: every later xref offset is off (qpdf repairs it by reconstruction).
  const cut = plain.indexOf('endobj') + 7;
  writeFileSync(p('shifted.pdf'), Buffer.concat([plain.subarray(0, cut), Buffer.from('% shifted\n'), plain.subarray(cut)]));
  writeFileSync(p('junk-before-header.pdf'), Buffer.concat([Buffer.from('garbage from a mail gateway\n'), plain]));
});

describe('countPdfPages', () => {
  it.each([
    ['three.pdf', 3], ['many.pdf', 250], ['objstm.pdf', 3], ['linear.pdf', 3], ['linear-objstm.pdf', 3],
    ['merged.pdf', 256], ['plain.pdf', 3], ['pdflib.pdf', 4], ['qdf.pdf', 3],
  ])('%s: counted in-process, and qpdf agrees', async (name, pages) => {
    expect(await count(p(name))).toBe(pages);
    expect(qpdfPages(p(name))).toBe(pages);
  });

  it('an incremental update is read through /Prev, the newest trailer winning', async () => {
    const n = await count(p('incremental.pdf'));
    expect(n).toBe(qpdfPages(p('incremental.pdf')));
    expect(n).toBe(2);
  });

  it.each([
    ['owner-only.pdf', 'encryption is left to qpdf (empty user password or not)'],
    ['user.pdf', 'a password-protected file'],
    ['count-lies.pdf', '/Count disagrees with the leaves'],
    ['untyped-page.pdf', 'a tree node without /Type'],
    ['shifted.pdf', 'objects not where the xref says'],
    ['junk-before-header.pdf', 'bytes before the header shift every offset'],
  ])('%s is undecided: %s', async (name) => {
    expect(await count(p(name))).toBe('undecided');
  });

  it('caps: a tiny byte budget, node budget or time budget gives up rather than guess', async () => {
    expect(await count(p('many.pdf'), { ...DEFAULT_STRUCTURE_LIMITS, maxBytes: 4096 })).toBe('undecided');
    expect(await count(p('many.pdf'), { ...DEFAULT_STRUCTURE_LIMITS, maxNodes: 10 })).toBe('undecided');
    expect(await count(p('many.pdf'), { ...DEFAULT_STRUCTURE_LIMITS, timeoutMs: -1 })).toBe('undecided');
  });

  it('never contradicts qpdf on any corpus PDF it answers', async () => {
    const files = readdirSync(path.join(CORPUS, 'pdf')).map((f) => path.join(CORPUS, 'pdf', f));
    let answered = 0;
    for (const f of files) {
      const n = await count(f);
      if (n === 'undecided') continue;
      answered++;
      expect({ f, n }).toEqual({ f, n: qpdfPages(f) });
    }
    expect(answered).toBeGreaterThan(10);
  });
});

describe('preflightPdf falls back to qpdf for what the cheap parse leaves', () => {
  // Whatever qpdf answers is what preflight said before the cheap parse existed (qpdf --show-npages reads /Count).
  it.each(['count-lies.pdf', 'owner-only.pdf', 'shifted.pdf', 'junk-before-header.pdf'])('%s: qpdf\'s page count', async (name) => {
    const q = qpdfPages(p(name));
    expect(q).toBeGreaterThan(0);
    expect(await preflightPdf(p(name), statSync(p(name)).size, 10_000)).toMatchObject({ pages: q });
  });

  it('a user password is still found by qpdf', async () => {
    expect(await preflightPdf(p('user.pdf'), statSync(p('user.pdf')).size, 10_000)).toMatchObject({ encrypted: true });
  });
});
