// Issue #12.3: PDF compression bombs are refused by the preflight (`too-complex`), legitimate near-limit files are not.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDetector } from '../../src/attachments/detect.js';
import { deflateSync } from 'node:zlib';
import { MAX_PDF_STREAMS, measurePdfStreams } from '../../src/attachments/pdf-inflate.js';
import { screen, type ScreenContext } from '../../src/attachments/screen.js';
import { createTypeRegistry, type Availability } from '../../src/attachments/registry.js';
import { openDatabase } from '../../src/store/db.js';
import { makeDrawingPdf, makeFlateBombPdf } from '../../fixtures/generate.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('faxgate-bomb-');
const p = (name: string) => path.join(dir, name);
const AVAIL: Availability = {
  pdf: { available: true }, image: { available: true }, tiff: { available: true }, heif: { available: true }, avif: { available: true }, text: { available: true }, office: { available: false }, html: { available: false },
};
const registry = createTypeRegistry({ db: openDatabase(tempDir()), clock: { now: () => new Date() }, availability: AVAIL });
const MB = 1024 * 1024;

async function verdictOf(file: string, maxPdfInflatedMb = 64): Promise<{ verdict: string; reason?: string; pages?: number }> {
  const detector = createDetector({ limits: { maxPages: 200, maxMegapixels: 40, timeoutMs: 10_000, maxPdfInflatedMb } });
  const facts = await detector.detect({ name: path.basename(file), path: file });
  const ctx: ScreenContext = { policy: 'ignore', hasBodyText: false, limits: { maxPages: 200, maxMegapixels: 40, maxPdfInflatedMb } };
  const r = screen([facts], registry.list(), ctx).files[0];
  return { verdict: r.verdict, ...(r.reason ? { reason: r.reason } : {}), ...(r.pages !== undefined ? { pages: r.pages } : {}) };
}

beforeAll(() => {
  // 4 GB of full-page fills in a 10 MB file; Ghostscript draws 10 MB of them in about half a minute.
  makeFlateBombPdf(p('fills.pdf'), { inflatedMb: 4096 });
  // 1 GB of line ends: a lower ratio than Deflate's best, so the document budget (not the ratio) refuses it.
  makeFlateBombPdf(p('fills-small.pdf'), { inflatedMb: 100 });
  makeFlateBombPdf(p('twice.pdf'), { inflatedMb: 4096, twice: true });
  makeFlateBombPdf(p('blank.pdf'), { inflatedMb: 1024, pattern: '\n' });
  makeFlateBombPdf(p('image.pdf'), { inflatedMb: 2048, kind: 'image' });
  makeFlateBombPdf(p('small-image.pdf'), { inflatedMb: 64, kind: 'image' });
  makeDrawingPdf(p('drawing.pdf'), 1.9);
  makeDrawingPdf(p('drawing-over.pdf'), 2.1);
});

describe('PDF compression bombs', () => {
  it('the generated bombs are valid one-page PDFs (qpdf checks every stream)', () => {
    for (const f of ['fills.pdf', 'fills-small.pdf', 'twice.pdf', 'blank.pdf', 'image.pdf']) {
      expect(execFileSync('qpdf', ['--show-npages', p(f)]).toString().trim()).toBe('1');
      expect(statSync(p(f)).size).toBeLessThan(11 * MB);
    }
  });

  it('a content stream of repeated fills is refused as too-complex, not accepted as one page', async () => {
    expect(await verdictOf(p('fills.pdf'))).toMatchObject({ verdict: 'too-complex', reason: 'PDF content expands to more than 64 MB when decompressed' });
    // Small enough to stay under the budget: its thousand-fold expansion gives it away.
    expect(await verdictOf(p('fills-small.pdf'))).toMatchObject({ verdict: 'too-complex', reason: 'PDF content expands more than 100-fold when decompressed (a compression bomb)' });
  });

  it('a content stream past the document budget is refused with the limit named', async () => {
    expect(await verdictOf(p('blank.pdf'))).toMatchObject({ verdict: 'too-complex', reason: 'PDF content expands to more than 64 MB when decompressed' });
  });

  it('counting stops just past the budget: the output is never held, and never counted to the end', async () => {
    const m = await measurePdfStreams(p('blank.pdf'), statSync(p('blank.pdf')).size, { maxInflatedBytes: 8 * MB, timeoutMs: 10_000 });
    expect(m.inflatedBytes).toBeGreaterThan(8 * MB);
    expect(m.inflatedBytes).toBeLessThan(9 * MB);
  });

  it('an image declaring absurd dimensions is refused as too-many-pixels; an ordinary large one is not', async () => {
    expect(await verdictOf(p('image.pdf'))).toMatchObject({ verdict: 'too-many-pixels' });
    expect(await verdictOf(p('small-image.pdf'))).toEqual({ verdict: 'accepted', pages: 1 });
  });

  it('a file only qpdf can open (broken xref offset) is measured too', async () => {
    const s = readFileSync(p('fills.pdf'));
    const at = s.lastIndexOf('startxref\n') + 'startxref\n'.length;
    const broken = Buffer.from(s);
    broken[at] = broken[at] === 0x31 ? 0x32 : 0x31;
    writeFileSync(p('fills-broken.pdf'), broken);
    expect(await verdictOf(p('fills-broken.pdf'))).toMatchObject({ verdict: 'too-complex' });
  });

  it('a double-Flate stream (a bomb inside a bomb) is inflated through both stages', async () => {
    expect(statSync(p('twice.pdf')).size).toBeLessThan(64 * 1024);
    expect(await verdictOf(p('twice.pdf'))).toMatchObject({ verdict: 'too-complex' });
  });

  it('a legitimate drawing just under the limit is accepted; just over it is refused', async () => {
    expect(await verdictOf(p('drawing.pdf'), 2)).toEqual({ verdict: 'accepted', pages: 1 });
    expect(await verdictOf(p('drawing-over.pdf'), 2)).toMatchObject({ verdict: 'too-complex' });
  });

  it('a file of more streams than are measured stops the scan at the cap (which the screen refuses), so decoys cannot hide a bomb', async () => {
    const z = deflateSync(Buffer.from('0 0 m 1 1 l S\n')).toString('latin1');
    const parts = ['%PDF-1.4\n'];
    for (let k = 0; k <= MAX_PDF_STREAMS; k++) parts.push(`${k + 1} 0 obj\n<< /Length ${z.length} /Filter /FlateDecode >>\nstream\n${z}\nendstream\nendobj\n`);
    writeFileSync(p('decoys.pdf'), Buffer.from(parts.join('') + '%%EOF\n', 'latin1'));
    const m = await measurePdfStreams(p('decoys.pdf'), statSync(p('decoys.pdf')).size, { maxInflatedBytes: 64 * MB, timeoutMs: 60_000 });
    expect(m.streams).toBe(MAX_PDF_STREAMS + 1);
    expect(m.timedOut).toBeUndefined();
  });

  it('the scan has its own deadline: out of time, it says so rather than judging a part as the whole', async () => {
    const m = await measurePdfStreams(p('fills.pdf'), statSync(p('fills.pdf')).size, { maxInflatedBytes: 64 * MB, timeoutMs: -1 });
    expect(m).toMatchObject({ timedOut: true, inflatedBytes: 0 });
  });
});
