// Legal paper (8.5 × 14 in): documents sent with paper=legal become 1728-dot pages 14 in long at each resolution,
// and a page longer than letter keeps its length through the fax PDF; the CLI and the web service accept `legal`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { geometry } from '../../src/render/types.js';
import { tempDir } from '../helpers/tmp.js';
import { decodePage, inkBox, pdfFromPostScript, renderer, tiffinfoD } from './helpers.js';

const dir = tempDir();
const r = renderer(dir);
afterAll(() => r.close());

describe('legal paper', () => {
  it.each([['standard', 1372], ['fine', 2744], ['superfine', 5474]] as const)('%s resolution: %i rows of 1728 dots', (resolution, rows) => {
    expect(geometry({ resolution, paper: 'legal' })).toMatchObject({ width: 1728, height: rows });
  });

  it('a legal PDF sent on legal paper fills the page top to bottom, and its fax PDF page is 14 in long', async () => {
    // a mark at the very top and the very bottom of a 612 × 1008 pt page: letter paper would have to shrink it
    const ps = '%!PS\n<< /PageSize [612 1008] >> setpagedevice\n0 0 moveto 612 0 rlineto 0 20 rlineto -612 0 rlineto fill\n0 988 moveto 612 0 rlineto 0 20 rlineto -612 0 rlineto fill\nshowpage\n';
    const pdf = pdfFromPostScript(dir, 'legal', ps);
    const out = path.join(dir, 'legal.tif');
    expect(await r.renderDoc({ name: 'legal.pdf', path: pdf, detected: 'pdf', renderer: 'pdf' }, { resolution: 'fine', paper: 'legal' }, out)).toEqual({ pages: 1 });
    expect(await tiffinfoD(out)).toMatch(/Image Width: 1728 Image Length: 2744/);
    const box = inkBox(await decodePage(out, 0));
    expect(box!.y0).toBeLessThan(0.02);
    expect(box!.y1).toBeGreaterThan(0.98);
    const faxPdf = path.join(dir, 'legal-fax.pdf');
    await r.toPdf(out, faxPdf);
    const { width, height } = (await PDFDocument.load(readFileSync(faxPdf))).getPage(0).getSize();
    expect(width).toBeCloseTo((1728 / 204) * 72, 0); // the fax width, 8.47 in, as for every paper
    expect(height).toBeCloseTo(1008, 0);
  }, 60_000);

  it('text on legal paper gets more lines per page than on letter', async () => {
    const txt = path.join(dir, 'long.txt');
    writeFileSync(txt, Array.from({ length: 200 }, (_, i) => `line ${i + 1}`).join('\n'));
    const pages = async (paper: 'letter' | 'legal') =>
      (await r.renderDoc({ name: 'long.txt', path: txt, detected: 'txt', renderer: 'text' }, { resolution: 'fine', paper }, path.join(dir, `${paper}.tif`))).pages;
    expect(await pages('legal')).toBeLessThan(await pages('letter'));
  });
});
