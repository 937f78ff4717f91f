// Images → fax pages with sharp: orientation applied, alpha on white, landscape turned, fitted with fax pixel
// aspect, then screened (photos) or binarized per region (scans, drawings: tone.ts). Multi-page TIFF gives every
// page; GIF/WebP the first.
import { readFile } from 'node:fs/promises';
import type sharpType from 'sharp';
import type { SharpOptions } from 'sharp';
import { decodeBmp } from './bmp.js';
import { decodeHeif } from './heif.js';
import { fitSize, looksLikePhoto, toPage } from './bitmap.js';
import { binarizeRegions } from './tone.js';
import type { PageEncoder } from './encode.js';
import { dpi, isCopyable, pageStrip, parseTiff, type FaxPage, type TiffPage } from './tiff.js';
import { RenderFailure, overBudget, type Budget, type Geometry } from './types.js';

type SharpFn = typeof sharpType;
let sharpMod: SharpFn | undefined;
/** sharp is loaded on first use so a PDF-only CLI run does not pay for libvips start-up. */
export async function loadSharp(): Promise<SharpFn> {
  if (!sharpMod) sharpMod = (await import('sharp')).default;
  return sharpMod;
}

/** Map a libvips/sharp error to the per-file reason. */
export function imageFailure(e: unknown): RenderFailure {
  if (e instanceof RenderFailure) return e;
  const msg = (e as Error)?.message ?? String(e);
  if (/pixel limit/i.test(msg)) return new RenderFailure('too-many-pixels', 'the image has more pixels than the limit allows');
  if (/not configured|not supported/i.test(msg)) {
    return new RenderFailure('unsupported-type', `this image variant cannot be decoded here (${firstLine(msg)})`);
  }
  if (/unsupported image format/i.test(msg)) return new RenderFailure('damaged', 'the image is damaged: its contents cannot be decoded');
  if (/timeout/i.test(msg)) return new RenderFailure('damaged', 'the image took too long to decode');
  return new RenderFailure('damaged', `the image is damaged (${firstLine(msg)})`);
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 160);
}

interface Source {
  input: Buffer;
  opts: SharpOptions;
  /** per-page resolution in dpi when the file states it (TIFF), for non-square source pixels */
  res?: { x: number; y: number }[];
  tiffPages?: TiffPage[];
}

/** Render one grey page (already oriented, flattened) to a fax page. */
async function fitAndCode(
  sharp: SharpFn, grey: Buffer, w: number, h: number, res: { x: number; y: number }, bilevel: boolean,
  geom: Geometry, encoder: PageEncoder, seconds: number,
): Promise<FaxPage> {
  let physW = w / res.x;
  let physH = h / res.y;
  let img = sharp(grey, { raw: { width: w, height: h, channels: 1 } });
  let rotated = false;
  if (physW > physH * 1.02) {
    // landscape: turn a quarter counter-clockwise, as printers and Ghostscript's fit do
    rotated = true;
    [physW, physH] = [physH, physW];
  }
  if (rotated) {
    const r = await img.rotate(270).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    img = sharp(r.data, { raw: { width: r.info.width, height: r.info.height, channels: 1 } });
  }
  const photo = !bilevel && looksLikePhoto(grey, w, h);
  const target = fitSize(physW, physH, geom);
  // gamma-aware scaling keeps photos' tones; line art is scaled plainly so thin strokes stay dark
  if (photo) img = img.gamma(2.2);
  const out = await img
    .resize(target.width, target.height, { fit: 'fill', kernel: bilevel ? 'linear' : 'lanczos3' })
    .toColourspace('b-w') // raw single-band input would otherwise come back as sRGB
    .timeout({ seconds })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const data = new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
  const x0 = Math.floor((geom.width - out.info.width) / 2);
  const rowScale = geom.xres / geom.yres;
  // photos are screened whole; scans and drawings decide per region (paper → white, ink → solid, tone → screen)
  const packed = photo ? toPage(data, out.info.width, out.info.height, geom, x0, 0, 'screen', 128, rowScale)
    : bilevel ? toPage(data, out.info.width, out.info.height, geom, x0, 0, 'threshold', 160)
      : binarizeRegions(data, out.info.width, out.info.height, geom, x0, 0, rowScale);
  return encoder.encode(packed, geom.width, geom.height, geom);
}

async function openSource(file: string, detected: string, budget: Budget, workDir?: string): Promise<Source> {
  const limitInputPixels = Math.floor(budget.limits.maxMegapixels * 1e6);
  if (detected === 'heic') {
    if (!workDir) throw new RenderFailure('unsupported-type', 'HEIC images need a scratch folder to decode');
    return { input: await decodeHeif(file, workDir, budget, await loadSharp()), opts: { limitInputPixels, failOn: 'error' } };
  }
  const input = await readFile(file);
  if (detected === 'bmp') {
    const bmp = decodeBmp(input, limitInputPixels);
    return { input: bmp.data, opts: { raw: { width: bmp.width, height: bmp.height, channels: 3 }, limitInputPixels } };
  }
  const src: Source = { input, opts: { limitInputPixels, failOn: 'error' } };
  if (detected === 'tiff') {
    try {
      src.tiffPages = parseTiff(input, budget.limits.maxPages + 1);
      src.res = src.tiffPages.map((p) => ({ x: dpi(p.xres, p.resUnit), y: dpi(p.yres, p.resUnit) }));
    } catch {
      // BigTIFF or a chain we refuse to walk: libvips decides, square pixels assumed
    }
  }
  return src;
}

/**
 * Render an image file (registry id png, jpeg, gif, bmp, webp, avif, tiff, heic) to fax pages. `workDir` (private,
 * removed by the caller) is needed for HEIC, which an outside decoder turns into a PNG. Throws RenderFailure.
 */
export async function renderImage(file: string, detected: string, geom: Geometry, budget: Budget, encoder: PageEncoder, workDir?: string): Promise<FaxPage[]> {
  const sharp = await loadSharp();
  const seconds = () => {
    const left = Math.ceil((budget.deadline - Date.now()) / 1000);
    if (left <= 0) throw overBudget(budget);
    return left;
  };
  try {
    const src = await openSource(file, detected, budget, workDir);
    const meta = await sharp(src.input, src.opts).metadata();
    // multi-page only for TIFF: an animated GIF/WebP means one picture, its first frame
    const pages = detected === 'tiff' ? Math.max(1, meta.pages ?? 1) : 1;
    if (pages > budget.limits.maxPages) {
      throw new RenderFailure('too-many-pages', `${pages} pages, more than the limit of ${budget.limits.maxPages}`);
    }
    const out: FaxPage[] = [];
    for (let i = 0; i < pages; i++) {
      const tp = src.tiffPages?.[i];
      // an existing fax page already in our coding and geometry is copied bit for bit
      if (tp && isCopyable(tp, geom.compression) && Math.abs(tp.yres - geom.yres) <= geom.yres * 0.02 && Math.abs(tp.height - geom.height) <= geom.height * 0.01) {
        out.push({ width: tp.width, height: tp.height, compression: geom.compression, t4Options: geom.compression === 3 ? tp.t4Options : undefined, xres: geom.xres, yres: geom.yres, strip: pageStrip(src.input, tp) });
        continue;
      }
      const opts: SharpOptions = detected === 'tiff' ? { ...src.opts, page: i } : src.opts;
      const { data, info } = await sharp(src.input, opts)
        .autoOrient()
        .flatten({ background: '#ffffff' })
        .toColourspace('b-w')
        .timeout({ seconds: seconds() })
        .raw()
        .toBuffer({ resolveWithObject: true });
      // orientation 5-8 swaps axes, and with them a non-square source resolution
      const swap = (meta.orientation ?? 1) >= 5 || (tp?.orientation ?? 1) >= 5;
      const r = src.res?.[i];
      let res = r && r.x > 0 && r.y > 0 ? r : { x: 1, y: 1 };
      if (swap) res = { x: res.y, y: res.x };
      const bilevel = (tp?.bitsPerSample ?? meta.bitsPerSample) === 1;
      out.push(await fitAndCode(sharp, data, info.width, info.height, res, bilevel, geom, encoder, seconds()));
    }
    return out;
  } catch (e) {
    throw imageFailure(e);
  }
}
