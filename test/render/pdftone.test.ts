// The gate before the grey probe: it may say "tone" too often (the probe then looks), never too rarely — a PDF it
// passes as black-and-white must have no page the probe would send down the grey path.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { greyPages } from '../../src/render/pdfgrey.js';
import { pdfMayHaveTone } from '../../src/render/pdftone.js';
import { CORPUS, tempDir } from '../helpers/tmp.js';

const dir = tempDir();

/** A one-page PDF made by Ghostscript's pdfwrite from PostScript that draws with `paint` before its text. */
function pdfFrom(name: string, paint: string): Buffer {
  const ps = path.join(dir, `${name}.ps`);
  const out = path.join(dir, `${name}.pdf`);
  writeFileSync(ps, `/Times-Roman findfont 24 scalefont setfont ${paint} 72 700 moveto (Referral letter) show 72 600 200 20 rectfill showpage\n`);
  execFileSync('gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=pdfwrite', `-sOutputFile=${out}`, ps]);
  return readFileSync(out);
}

describe('pdfMayHaveTone', () => {
  it.each([
    ['black text and a black bar', '0 setgray', false],
    ['white-on-default (1 setgray) then black', '1 setgray 0 setgray', false],
    ['grey text', '0.5 setgray', true],
    ['red text', '1 0 0 setrgbcolor', true],
    ['cmyk black (0 0 0 1)', '0 0 0 1 setcmykcolor', false],
    ['cmyk cyan', '1 0 0 0 setcmykcolor', true],
    ['a grey image', '72 72 translate 100 100 scale 2 2 8 [2 0 0 2 0 0] {<00ff80c0>} image 0 setgray', true],
  ] as const)('%s (%s) → tone: %s', (name, paint, tone) => {
    expect(pdfMayHaveTone(pdfFrom(name.replace(/\W+/g, '-'), paint))).toBe(tone);
  });

  it('says tone for what it cannot read: encrypted, unknown filters, truncated streams', () => {
    expect(pdfMayHaveTone(Buffer.from('%PDF-1.4\n1 0 obj << /Encrypt 2 0 R >> endobj\n'))).toBe(true);
    expect(pdfMayHaveTone(Buffer.from('%PDF-1.4\n1 0 obj << /Length 4 /Filter /LZWDecode >>\nstream\nabcd\nendstream endobj\n'))).toBe(true);
    expect(pdfMayHaveTone(Buffer.from('%PDF-1.4\n1 0 obj << /Length 4 /Filter 3 0 R >>\nstream\nabcd\nendstream endobj\n'))).toBe(true);
    expect(pdfMayHaveTone(Buffer.from('%PDF-1.4\n1 0 obj << /Length 4 /Filter /FlateDecode >>\nstream\nnot deflate\nendstream endobj\n'))).toBe(true);
    expect(pdfMayHaveTone(Buffer.from('%PDF-1.4\n1 0 obj << /Length 99 >>\nstream\n0 g BT (x) Tj ET'))).toBe(true);
  });

  it('reads a long run of hex glyph ids in one pass (LibreOffice PDFs: the scan once backtracked for minutes)', () => {
    const tj = `BT 1 0 0 1 72 700 Tm <${'0012003400560078'.repeat(20_000)}> Tj ET 0 g`;
    expect(pdfMayHaveTone(Buffer.from(`%PDF-1.4\n1 0 obj << /Length 9 >>\nstream\n${tj}\nendstream endobj\n`))).toBe(false);
  }, 10_000);

  it('never passes a corpus PDF on which the probe finds a grey page', async () => {
    const passed: string[] = [];
    for (const f of readdirSync(path.join(CORPUS, 'pdf'))) {
      const file = path.join(CORPUS, 'pdf', f);
      if (pdfMayHaveTone(readFileSync(file))) continue;
      passed.push(f);
      const d = mkdtempSync(path.join(dir, 'probe-'));
      try {
        execFileSync('gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=pgmraw', '-r25.5x24.5', '-g216x270', '-dFIXEDMEDIA', '-dPDFFitPage',
          '-dLastPage=20', `-sOutputFile=${path.join(d, 'probe-%05d.pgm')}`, '-f', file], { stdio: 'ignore', timeout: 20_000 });
      } catch { /* damaged files: whatever pages came out are judged */ }
      expect(await greyPages(d), f).toEqual([]);
    }
    expect(passed.length).toBeGreaterThan(3);
  }, 120_000);
});
