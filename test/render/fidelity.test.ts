// Pages people can read, held on generated pages (fixtures/fidelity.ts) at every resolution: scans thresholded
// (white paper, solid letters), coloured text solid, grey fills visible but never solid, photos small enough to fax,
// and nothing larger than Ghostscript's own rendering (the HylaFAX way) for text and scan pages.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePage, measure, pageSpecs, truthMask, type PageSpec } from '../../fixtures/fidelity.js';
import { parseTiff } from '../../src/render/tiff.js';
import { CORPUS, tempDir } from '../helpers/tmp.js';
import { decodePage, renderer } from './helpers.js';

const dir = tempDir();
const r = renderer(dir);
afterAll(() => r.close());
const ROWS = { standard: 1078, fine: 2156, superfine: 4301 } as const;
const YRES = { standard: 98, fine: 196, superfine: 391 } as const;
type Res = keyof typeof ROWS;

const specs = new Map<string, PageSpec>(pageSpecs().map((s) => [s.name, s]));
const pdfs = new Map<string, string>();
beforeAll(async () => {
  for (const s of specs.values()) pdfs.set(s.name, await makePage(s, dir));
}, 300_000); // a hang guard: making the pages is a few seconds of Ghostscript and sharp

let n = 0;
async function rendered(name: string, res: Res) {
  const spec = specs.get(name)!;
  const o = path.join(dir, `fid-${++n}.tif`);
  await r.renderDoc({ name: `${name}.pdf`, path: pdfs.get(name)!, detected: 'pdf', renderer: 'pdf' }, { resolution: res, paper: 'letter' }, o);
  const geom = { width: 1728, height: ROWS[res], xres: 204, yres: YRES[res] };
  const page = await decodePage(o);
  expect([page.width, page.height]).toEqual([1728, ROWS[res]]);
  const bytes = parseTiff(readFileSync(o), 2)[0].stripByteCounts.reduce((a, b) => a + b, 0);
  return { spec, geom, bytes, figures: measure(spec, page.ink, geom, truthMask(spec, geom, dir)) };
}

/** Ghostscript's own G4 size for the same page: no text or scan page of ours may be larger. */
function gsBytes(name: string, res: Res): number {
  const o = path.join(dir, `gs-${++n}.tif`);
  execFileSync('gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=tiffg4', `-r204x${YRES[res]}`, `-g1728x${ROWS[res]}`,
    '-dFIXEDMEDIA', '-dPDFFitPage', `-sOutputFile=${o}`, pdfs.get(name)!]);
  return parseTiff(readFileSync(o), 2)[0].stripByteCounts.reduce((a, b) => a + b, 0);
}

const cases: [string, Res][] = [
  ['scan 150 dpi', 'standard'], ['scan 150 dpi', 'fine'], ['scan 150 dpi', 'superfine'], ['scan 200 dpi', 'fine'], ['scan 300 dpi', 'fine'],
  ['coloured text', 'standard'], ['coloured text', 'fine'], ['coloured text', 'superfine'], ['mixed', 'standard'],
];

describe('text and scans', () => {
  it.each(cases)('%s at %s: blank paper white, glyphs solid, no larger than Ghostscript', async (name, res) => {
    const { figures, bytes } = await rendered(name, res);
    expect(figures.paper).toBeLessThan(0.002);
    // scans are blurred at 150 dpi; vector text (black or coloured) must be all ink
    expect(figures.solid).toBeGreaterThan(name.startsWith('scan') ? 0.75 : 0.97);
    expect(bytes).toBeLessThanOrEqual(gsBytes(name, res));
  }, 60_000);
});

describe('grey fills and photos', () => {
  it.each(['standard', 'fine', 'superfine'] as Res[])('grey fills at %s stay visible: light 2–45 percent black, dark 55–98 percent', async (res) => {
    const { figures } = await rendered('grey fills', res);
    for (const f of figures.fills) {
      if (f.level < 50) expect(f.black, `${f.level} % fill`).toBeGreaterThan(0.02);
      if (f.level < 50) expect(f.black, `${f.level} % fill`).toBeLessThan(0.45);
      if (f.level > 50) expect(f.black, `${f.level} % fill`).toBeGreaterThan(0.55);
      if (f.level > 50) expect(f.black, `${f.level} % fill`).toBeLessThan(0.98);
      // and near the level asked for
      expect(Math.abs(f.black - f.level / 100), `${f.level} % fill`).toBeLessThan(0.06);
    }
  }, 60_000);

  it('a mixed page keeps its fills and its photo in tone next to solid text', async () => {
    const { figures } = await rendered('mixed', 'fine');
    expect(figures.fills.map((f) => f.level)).toEqual([15, 75]);
    for (const f of figures.fills) expect(Math.abs(f.black - f.level / 100), `${f.level} percent fill`).toBeLessThan(0.04);
    expect(figures.solid).toBeGreaterThan(0.97);
  }, 60_000);

  it('a photo page at fine codes within 90 s of a 14.4 kbit/s line (about 160 KB of G4)', async () => {
    const { bytes } = await rendered('photo', 'fine');
    expect(bytes).toBeGreaterThan(10_000); // the photo is there
    expect((bytes * 8) / 14_400).toBeLessThan(90);
  }, 60_000);

  it.each(['jpeg_progressive.jpg', 'gif_crash_test_photo.gif', 'jpeg_cmyk_no_icc.jpg'])('the corpus photo %s fills a fine page within 90 s at 14.4 kbit/s', async (file) => {
    const o = path.join(dir, `photo-${++n}.tif`);
    await r.renderDoc({ name: file, path: path.join(CORPUS, 'images', file), detected: file.endsWith('.gif') ? 'gif' : 'jpeg', renderer: 'image' }, { resolution: 'fine', paper: 'letter' }, o);
    const bytes = parseTiff(readFileSync(o), 2)[0].stripByteCounts.reduce((a, b) => a + b, 0);
    expect(bytes).toBeGreaterThan(50_000);
    expect((bytes * 8) / 14_400).toBeLessThan(90);
  }, 60_000);
});
