// Rendering judged on content: greys halftoned, landscape turned portrait, EXIF applied, alpha on white, exact page
// counts and order, geometry per resolution/paper, limits as per-file reasons, assembly and the CCITT-passthrough PDF.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { RenderFailure, readTiffPages } from '../../src/render/index.js';
import { parseTiff } from '../../src/render/tiff.js';
import { CORPUS, tempDir } from '../helpers/tmp.js';
import { decodePage, inkBox, inkIn, LIMITS, pdfFromPostScript, rejection, renderer, run, tiffinfoD } from './helpers.js';

const dir = tempDir();
const r = renderer(dir);
afterAll(() => r.close());
const fine = { resolution: 'fine', paper: 'letter' } as const;
let n = 0;
const out = () => path.join(dir, `out-${++n}.tif`);

const failure = (p: Promise<unknown>) => rejection(p, RenderFailure);

describe('PDF pages', () => {
  it('halftones greys: a light fill stays visible, a dark one is not solid black; text stays', async () => {
    const pdf = await pdfFromPostScript(dir, 'grey', `%!PS
<< /PageSize [612 792] >> setpagedevice
0.9 setgray 72 450 200 250 rectfill
0.15 setgray 340 450 200 250 rectfill
0 setgray /Helvetica findfont 40 scalefont setfont 72 200 moveto (Hello fax) show
showpage`);
    const o = out();
    expect(await r.renderDoc({ name: 'grey.pdf', path: pdf, detected: 'pdf', renderer: 'pdf' }, fine, o)).toEqual({ pages: 1 });
    await tiffinfoD(o);
    const p = await decodePage(o);
    expect([p.width, p.height]).toEqual([1728, 2156]);
    const light = inkIn(p, 0.15, 0.15, 0.4, 0.4);
    const dark = inkIn(p, 0.6, 0.15, 0.85, 0.4);
    expect(light).toBeGreaterThan(0.02);
    expect(light).toBeLessThan(0.3);
    expect(dark).toBeGreaterThan(0.5);
    expect(dark).toBeLessThan(0.97);
    expect(inkIn(p, 0.1, 0.65, 0.6, 0.8)).toBeGreaterThan(0.01); // the text
    expect(inkIn(p, 0.05, 0.85, 0.95, 0.98)).toBe(0); // nothing else
  });

  it('turns a landscape page portrait without cropping', async () => {
    // a wide bar across a landscape page: once turned, its ink box is tall and narrow
    const pdf = await pdfFromPostScript(dir, 'landscape', `%!PS
<< /PageSize [792 612] >> setpagedevice
0 setgray 50 280 692 50 rectfill
showpage`);
    const o = out();
    await r.renderDoc({ name: 'l.pdf', path: pdf, detected: 'pdf', renderer: 'pdf' }, fine, o);
    const p = await decodePage(o);
    expect([p.width, p.height]).toEqual([1728, 2156]);
    const box = inkBox(p)!;
    // physical height of the box exceeds its width
    expect((box.y1 - box.y0) * 11).toBeGreaterThan((box.x1 - box.x0) * 8.47 * 3);
    expect(box.y1 - box.y0).toBeGreaterThan(0.7);
  });

  it('keeps exact page counts and order, also when split across two Ghostscript processes', async () => {
    // page i has a black square whose vertical position grows with i
    const pdf = await pdfFromPostScript(dir, 'nine', `%!PS
1 1 9 { /i exch def << /PageSize [612 792] >> setpagedevice 0 setgray 250 720 i 70 mul sub 100 50 rectfill showpage } for`);
    const o = out();
    expect(await r.renderDoc({ name: 'nine.pdf', path: pdf, detected: 'pdf', renderer: 'pdf' }, fine, o)).toEqual({ pages: 9 });
    await tiffinfoD(o);
    let last = 0;
    for (let i = 0; i < 9; i++) {
      const box = inkBox(await decodePage(o, i))!;
      expect(box.y0).toBeGreaterThan(last);
      last = box.y0;
    }
    const parsed = parseTiff(readFileSync(o));
    expect(parsed).toHaveLength(9);
  });

  it.each([
    ['standard', 'letter', 98, 1078], ['fine', 'a4', 196, 2292], ['superfine', 'letter', 391, 4301],
  ] as const)('geometry %s/%s: 1728 wide, %i dpi, %i rows', async (resolution, paper, yres, rows) => {
    const o = out();
    await r.renderDoc({ name: 'three.pdf', path: path.join(CORPUS, 'pdf/pdf_three_pages.pdf'), detected: 'pdf', renderer: 'pdf' }, { resolution, paper }, o);
    const info = await tiffinfoD(o);
    expect(info).toContain(`Image Width: 1728 Image Length: ${rows}`);
    expect(info).toContain(`Resolution: 204, ${yres} pixels/inch`);
    expect(info.match(/Subfile Type: multi-page document/g)).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect(info).toContain(`Page Number: ${i}-3`);
  });

  it('writes Group 3 2-D when asked, readable by libtiff', async () => {
    const o = out();
    await r.renderDoc({ name: 'three.pdf', path: path.join(CORPUS, 'pdf/pdf_three_pages.pdf'), detected: 'pdf', renderer: 'pdf' }, { ...fine, compression: 'g3' }, o);
    const info = await tiffinfoD(o);
    expect(info).toContain('CCITT Group 3');
    expect(info).toContain('2-d encoding');
  });

  it('refuses password-protected PDFs as encrypted (Ghostscript would exit 0 with no pages)', async () => {
    const plain = await pdfFromPostScript(dir, 'secret', '%!PS\n/Helvetica findfont 20 scalefont setfont 72 700 moveto (secret) show showpage');
    const enc = path.join(dir, 'secret-enc.pdf');
    await run('qpdf', ['--encrypt', 'user', 'owner', '256', '--', plain, enc]);
    const o = out();
    expect((await failure(r.renderDoc({ name: 's.pdf', path: enc, detected: 'pdf', renderer: 'pdf' }, fine, o))).reason).toBe('encrypted');
  });

  it('refuses a PDF over the page limit as too-many-pages', async () => {
    const small = renderer(dir, { ...LIMITS, maxPages: 2 });
    const f = await failure(small.renderDoc({ name: 'three.pdf', path: path.join(CORPUS, 'pdf/pdf_three_pages.pdf'), detected: 'pdf', renderer: 'pdf' }, fine, out()));
    expect(f.reason).toBe('too-many-pages');
    await small.close();
  });
});

describe('images', () => {
  it('applies EXIF orientation: a portrait photo stored sideways ends upright', async () => {
    // upright: 400×600 with a black top quarter; stored rotated 90° clockwise with EXIF 6 (display = rotate back)
    const upright = await sharp({ create: { width: 400, height: 600, channels: 3, background: '#fff' } })
      .composite([{ input: { create: { width: 400, height: 150, channels: 3, background: '#000' } }, top: 0, left: 0 }])
      .png().toBuffer();
    const stored = await sharp(upright).rotate(-90).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const file = path.join(dir, 'exif6.jpg');
    writeFileSync(file, stored);
    expect((await sharp(file).metadata()).orientation).toBe(6);
    const o = out();
    await r.renderDoc({ name: 'exif6.jpg', path: file, detected: 'jpeg', renderer: 'image' }, fine, o);
    const p = await decodePage(o);
    expect(inkIn(p, 0.1, 0.02, 0.9, 0.15)).toBeGreaterThan(0.9); // black band at the top
    expect(inkIn(p, 0.1, 0.5, 0.9, 0.9)).toBeLessThan(0.02);
  });

  it('turns a landscape image to portrait', async () => {
    const file = path.join(dir, 'wide.png');
    await sharp({ create: { width: 900, height: 300, channels: 3, background: '#fff' } })
      .composite([{ input: { create: { width: 900, height: 60, channels: 3, background: '#000' } }, top: 120, left: 0 }])
      .png().toFile(file);
    const o = out();
    await r.renderDoc({ name: 'wide.png', path: file, detected: 'png', renderer: 'image' }, fine, o);
    const p = await decodePage(o);
    expect([p.width, p.height]).toEqual([1728, 2156]);
    const box = inkBox(p)!;
    expect(box.y1 - box.y0).toBeGreaterThan(0.8); // the bar now runs down the page
    expect(box.x1 - box.x0).toBeLessThan(0.3);
  });

  it.each([
    ['images/png_fully_transparent.png', 'png'],
    ['images/png_palette_with_alpha.png', 'png'],
    ['images/webp_alpha.webp', 'webp'],
  ])('renders transparency on white, not black: %s', async (f, detected) => {
    const o = out();
    await r.renderDoc({ name: f, path: path.join(CORPUS, f), detected, renderer: 'image' }, fine, o);
    const p = await decodePage(o);
    expect(inkIn(p, 0, 0, 1, 1)).toBeLessThan(0.5);
    if (f.includes('fully')) expect(inkIn(p, 0, 0, 1, 1)).toBe(0);
  });

  it('dithers a photo-like gradient (mid-tones keep both black and white), thresholds line art', async () => {
    const grad = Buffer.alloc(600 * 800);
    for (let y = 0; y < 800; y++) for (let x = 0; x < 600; x++) grad[y * 600 + x] = Math.round((x / 599) * 255);
    const file = path.join(dir, 'grad.png');
    await sharp(grad, { raw: { width: 600, height: 800, channels: 1 } }).png().toFile(file);
    const o = out();
    await r.renderDoc({ name: 'grad.png', path: file, detected: 'png', renderer: 'image' }, fine, o);
    const p = await decodePage(o);
    const mid = inkIn(p, 0.45, 0.2, 0.55, 0.6);
    expect(mid).toBeGreaterThan(0.3);
    expect(mid).toBeLessThan(0.7);
    expect(inkIn(p, 0.02, 0.2, 0.08, 0.6)).toBeGreaterThan(0.8);
    expect(inkIn(p, 0.92, 0.2, 0.98, 0.6)).toBeLessThan(0.2);
  });

  it('re-paginates an existing fax TIFF without loss and keeps all its pages', async () => {
    const src = path.join(CORPUS, 'tiff/g3_fax_3pages_204x196dpi_pagecount0.tif');
    const o = out();
    expect(await r.renderDoc({ name: 'fax.tif', path: src, detected: 'tiff', renderer: 'tiff' }, fine, o)).toEqual({ pages: 3 });
    await tiffinfoD(o);
    for (let i = 0; i < 3; i++) {
      const a = await decodePage(src, i);
      const b = await decodePage(o, i);
      expect([b.width, b.height]).toEqual([a.width, a.height]);
      let diff = 0;
      for (let k = 0; k < a.ink.length; k++) if (a.ink[k] !== b.ink[k]) diff++;
      expect(diff).toBe(0);
    }
  });

  it('reads LSB-first G4 and standard-resolution G3 faxes (no noise from bit order)', async () => {
    const o = out();
    await r.renderDoc({ name: 'lsb.tif', path: path.join(CORPUS, 'tiff/g4_fillorder_lsb.tif'), detected: 'tiff', renderer: 'tiff' }, fine, o);
    const p = await decodePage(o);
    const ink = inkIn(p, 0, 0, 1, 1);
    expect(ink).toBeGreaterThan(0.001);
    expect(ink).toBeLessThan(0.3);
  });

  it('faxes only the first frame of an animated GIF', async () => {
    const o = out();
    expect(await r.renderDoc({ name: 'a.gif', path: path.join(CORPUS, 'images/gif_animated_loop3.gif'), detected: 'gif', renderer: 'image' }, fine, o)).toEqual({ pages: 1 });
  });

  it('refuses a pixel bomb as too-many-pixels', async () => {
    const f = await failure(r.renderDoc({ name: 'bomb.png', path: path.join(CORPUS, 'images/png_65536x65536_1bit_bomb.png'), detected: 'png', renderer: 'image' }, fine, out()));
    expect(f.reason).toBe('too-many-pixels');
  });
});

describe('text and body pages', () => {
  it('lays out every script with real glyphs and paginates long text', async () => {
    const scripts = ['Latin àéü', 'Ελληνικά', 'Кириллица', '中文字符', 'עברית', 'العربية'];
    const text = `${scripts.join('\n')}\n${Array.from({ length: 150 }, (_, i) => `line ${i + 1}`).join('\n')}`;
    const o = out();
    const res = await r.renderText(text, fine, o);
    expect(res.pages).toBe(3);
    await tiffinfoD(o);
    // each script line carries ink (no empty tofu-free blank): compare rows band by band
    const p = await decodePage(o);
    const lineRows = (12 / 72) * 196;
    const top = 0.5 * 196;
    for (let i = 0; i < scripts.length; i++) {
      const y0 = (top + i * lineRows) / p.height;
      expect(inkIn(p, 0, y0, 1, y0 + lineRows / p.height)).toBeGreaterThan(0.002);
    }
  });

  it('wraps long lines instead of cutting them', async () => {
    const o = out();
    await r.renderText('word '.repeat(100), fine, o);
    const box = inkBox(await decodePage(o))!;
    expect(box.x1).toBeLessThan(0.97);
    expect(box.y1 - box.y0).toBeGreaterThan(0.02); // more than one line
  });

  it('builds the body page with its header', async () => {
    const o = out();
    const res = await r.renderBody({ from: 'Alice <a@example.com>', to: '+15551234567@fax.example', subject: 'Report', date: 'Sat, 28 Nov 2026 07:00:00 +0000', text: 'Hello\n\nRegards' }, fine, o);
    expect(res.pages).toBe(1);
    const p = await decodePage(o);
    expect(inkIn(p, 0, 0.04, 1, 0.2)).toBeGreaterThan(0.005);
  });
});

describe('assembly, renderAll and the fax PDF', () => {
  it('renders body + documents in order, reports per-file pages and failures, and assembles parts', async () => {
    const o = out();
    const res = await r.renderAll({
      body: { from: 'a@example.com', to: 'fax', subject: 's', date: 'd', text: 'body' },
      docs: [
        { name: 'three.pdf', path: path.join(CORPUS, 'pdf/pdf_three_pages.pdf'), detected: 'pdf', renderer: 'pdf' },
        { name: 'locked.pdf', path: path.join(CORPUS, 'pdf/pdf_password_user_abc.pdf'), detected: 'pdf', renderer: 'pdf' },
        { name: 'scan.tif', path: path.join(CORPUS, 'tiff/g4_multipage_400dpi_a4.tif'), detected: 'tiff', renderer: 'tiff' },
      ],
    }, fine, o);
    expect(res.pages).toBe(1 + 3 + 3);
    expect(res.docs.map((d) => [d.name, d.pages, d.failure?.reason])).toEqual([
      ['three.pdf', 3, undefined], ['locked.pdf', 0, 'encrypted'], ['scan.tif', 3, undefined],
    ]);
    const info = await tiffinfoD(o);
    for (let i = 0; i < 7; i++) expect(info).toContain(`Page Number: ${i}-7`);
    const pages = await readTiffPages(o);
    expect(pages).toHaveLength(7);
    expect(pages[0]).toMatchObject({ pages: 7, width: 1728, xres: 204, yres: 196 });

    const joined = out();
    expect(await r.assemble([o, o], fine, joined)).toEqual({ pages: 14 });
    const jinfo = await tiffinfoD(joined);
    expect(jinfo).toContain('Page Number: 13-14');
  });

  it('makes a PDF of the same pages by CCITT passthrough', async () => {
    const o = out();
    await r.renderDoc({ name: 'three.pdf', path: path.join(CORPUS, 'pdf/pdf_three_pages.pdf'), detected: 'pdf', renderer: 'pdf' }, fine, o);
    const pdf = path.join(dir, 'fax.pdf');
    await r.toPdf(o, pdf);
    const bytes = readFileSync(pdf);
    expect(bytes.toString('latin1')).toContain('/CCITTFaxDecode');
    const { stdout } = await run('pdfinfo', [pdf]);
    expect(stdout).toMatch(/Pages:\s+3/);
    // rasterize the PDF back at fax resolution: same pixels as the TIFF page
    await run('pdftoppm', ['-rx', '204', '-ry', '196', '-gray', '-png', '-aa', 'no', '-aaVector', 'no', '-f', '1', '-l', '1', pdf, path.join(dir, 'back')]);
    const back = await sharp(path.join(dir, 'back-1.png')).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    const page = await decodePage(o);
    // poppler rounds the page box up by at most a pixel
    expect(Math.abs(back.info.width - page.width)).toBeLessThanOrEqual(1);
    expect(Math.abs(back.info.height - page.height)).toBeLessThanOrEqual(1);
    let diff = 0;
    for (let y = 0; y < Math.min(page.height, back.info.height); y++) {
      for (let x = 0; x < Math.min(page.width, back.info.width); x++) {
        const b = back.data[(y * back.info.width + x) * back.info.channels] < 128 ? 1 : 0;
        if (b !== page.ink[y * page.width + x]) diff++;
      }
    }
    expect(diff / page.ink.length).toBeLessThan(0.001);
  });
});

describe('Group 3 passthrough', () => {
  it('makes a PDF from a G3 2-D fax that renders the same pages', async () => {
    const o = path.join(dir, 'g3.tif');
    await r.renderDoc({ name: 'three.pdf', path: path.join(CORPUS, 'pdf/pdf_three_pages.pdf'), detected: 'pdf', renderer: 'pdf' }, { ...fine, compression: 'g3' }, o);
    const pdf = path.join(dir, 'g3.pdf');
    await r.toPdf(o, pdf);
    await run('pdftoppm', ['-rx', '204', '-ry', '196', '-gray', '-png', '-f', '1', '-l', '1', pdf, path.join(dir, 'g3back')]);
    const back = await sharp(path.join(dir, 'g3back-1.png')).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    const page = await decodePage(o);
    let diff = 0;
    let ink = 0;
    for (let y = 0; y < Math.min(page.height, back.info.height); y++) {
      for (let x = 0; x < Math.min(page.width, back.info.width); x++) {
        const b = back.data[(y * back.info.width + x) * back.info.channels] < 128 ? 1 : 0;
        ink += page.ink[y * page.width + x];
        if (b !== page.ink[y * page.width + x]) diff++;
      }
    }
    expect(ink).toBeGreaterThan(1000);
    expect(diff / page.ink.length).toBeLessThan(0.001);
  });
});

describe('budgets and text decoding', () => {
  it('ends a render that overruns its time budget with a reason instead of hanging', async () => {
    const hurried = renderer(dir, { ...LIMITS, timeoutMs: 20 });
    const f = await failure(hurried.renderDoc({ name: 'three.pdf', path: path.join(CORPUS, 'pdf/pdf_three_pages.pdf'), detected: 'pdf', renderer: 'pdf' }, fine, out()));
    expect(f.reason).toBe('damaged');
    await hurried.close();
  });

  it('refuses a document that would push the fax past the page limit, keeping the rest', async () => {
    const small = renderer(dir, { ...LIMITS, maxPages: 4 });
    const o = out();
    const res = await small.renderAll({ docs: [
      { name: 'a.pdf', path: path.join(CORPUS, 'pdf/pdf_three_pages.pdf'), detected: 'pdf', renderer: 'pdf' },
      { name: 'b.pdf', path: path.join(CORPUS, 'pdf/pdf_three_pages.pdf'), detected: 'pdf', renderer: 'pdf' },
    ] }, fine, o);
    expect(res.pages).toBe(3);
    expect(res.docs[1].failure?.reason).toBe('too-many-pages');
    await small.close();
  });

  it.each([
    ['utf-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Grüße')]), undefined, 'Grüße'],
    ['utf-16le with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Ελλάδα', 'utf16le')]), undefined, 'Ελλάδα'],
    ['declared koi8-r', Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]), 'koi8-r', 'Привет'],
    ['undeclared latin-1', Buffer.from([0x63, 0x61, 0x66, 0xe9]), undefined, 'café'],
  ])('decodes %s text', async (_label, bytes, charset, expected) => {
    const { decodeText } = await import('../../src/render/text.js');
    expect(await decodeText(bytes, charset)).toBe(expected);
  });
});
