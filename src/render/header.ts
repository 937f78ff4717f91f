// The header line stamped on every page when it is sent (47 U.S.C. 227(d)(1)(B)): time sent, sender, numbers, page n/N,
// in a band at the top; the page's content is left alone, moved down or scaled so the band never covers it.
import { readFile } from 'node:fs/promises';
import { encodeSync } from './encode.js';
import { placeBits } from './bitmap.js';
import { formatHeader, type HeaderFields } from './header-format.js';
import { loadSharp } from './image.js';
import { dpi, parseTiff, writeClassF, type FaxPage } from './tiff.js';
import { TEXT_FONT } from './text.js';
import type { Geometry } from './types.js';

/** What a submission stored about its header line (the account's settings at intake). */
export interface HeaderSpec {
  format: string;
  timezone: string;
  senderName: string;
  senderNumber: string;
  csid: string;
  subject?: string;
}

/** Per send: the recipient and the moment of sending (each recipient, each attempt gets its own). */
export interface StampContext { to: string; at: Date; jobId: string }

/** Band height and the gap below it, in inches: 0.2 in is 20 rows at standard, 39 at fine, 78 at superfine. */
export const BAND_IN = 0.2;
const GAP_IN = 0.04;
const FONT = `${TEXT_FONT} Bold 8`;
/** Glyphs are drawn square at the fax's horizontal resolution, then scaled to the page's vertical one. */
const TEXT_DPI = 204;
const SIDE_IN = 0.15;

export function bandRows(yres: number): { band: number; gap: number } {
  return { band: Math.round(BAND_IN * yres), gap: Math.max(1, Math.round(GAP_IN * yres)) };
}

/** A packed 1-bit page (rows MSB first, 1 = black). */
interface Bits { width: number; height: number; stride: number; data: Uint8Array }

const rowBlank = (b: Bits, y: number) => {
  for (let i = y * b.stride, end = i + b.stride; i < end; i++) if (b.data[i]) return false;
  return true;
};
const rowsBlank = (b: Bits, from: number, to: number) => {
  for (let y = Math.max(0, from); y < Math.min(b.height, to); y++) if (!rowBlank(b, y)) return false;
  return true;
};

function pack(grey: Uint8Array, w: number, h: number, channels: number, threshold = 128): Bits {
  return { width: w, height: h, stride: (w + 7) >> 3, data: placeBits(grey, w, h, channels, { width: w, height: h }, 0, 0, (g) => g < threshold) };
}

/** Copy `src` onto `dst` at (x0, y0), ink only (OR). */
function blit(dst: Bits, src: Bits, x0: number, y0: number): void {
  for (let y = 0; y < src.height; y++) {
    const dy = y + y0;
    if (dy < 0 || dy >= dst.height) continue;
    for (let x = 0; x < src.width; x++) {
      const dx = x + x0;
      if (dx < 0 || dx >= dst.width) continue;
      if (src.data[y * src.stride + (x >> 3)] & (0x80 >> (x & 7))) dst.data[dy * dst.stride + (dx >> 3)] |= 0x80 >> (dx & 7);
    }
  }
}

/** One field of text as a bitmap at the page's resolution, at most `maxW` wide (squeezed when longer). */
async function textBits(text: string, yres: number, maxW: number, maxH: number): Promise<Bits | null> {
  if (!text) return null;
  const sharp = await loadSharp();
  const esc = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const r = await sharp({ text: { text: esc, font: FONT, dpi: TEXT_DPI, rgba: false } }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  const w = Math.max(1, Math.min(maxW, r.info.width));
  const h = Math.max(1, Math.min(maxH, Math.round((r.info.height * yres) / TEXT_DPI)));
  const scaled = await sharp(r.data, { raw: { width: r.info.width, height: r.info.height, channels: 1 } })
    .negate() // Pango draws ink as white on black
    .resize(w, h, { fit: 'fill', kernel: 'linear' })
    .toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  // a lower threshold keeps thin strokes at standard resolution, where a glyph has about 10 rows
  return pack(scaled.data, scaled.info.width, scaled.info.height, scaled.info.channels, 170);
}

/** The band: fields spread over the width, first left, last right, the rest centred (HylaFAX centres every field). */
async function bandBits(fields: string[], width: number, yres: number): Promise<Bits> {
  const { band } = bandRows(yres);
  const stride = (width + 7) >> 3;
  const out: Bits = { width, height: band, stride, data: new Uint8Array(stride * band) };
  const side = Math.round(SIDE_IN * 204);
  const n = Math.max(1, fields.length);
  const region = Math.floor((width - 2 * side) / n);
  for (let i = 0; i < fields.length; i++) {
    const t = await textBits(fields[i], yres, region - 8, band);
    if (!t) continue;
    const left = side + i * region;
    const x = n === 1 || i === 0 ? left : i === n - 1 ? left + region - t.width : left + Math.floor((region - t.width) / 2);
    blit(out, t, x, Math.max(0, Math.floor((band - t.height) / 2)));
  }
  return out;
}

/** Decode one page of a TIFF to packed bits (libvips reads every CCITT coding and fill order). */
async function pageBits(buf: Buffer, page: number): Promise<Bits> {
  const sharp = await loadSharp();
  const r = await sharp(buf, { page }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  return pack(r.data, r.info.width, r.info.height, r.info.channels);
}

/**
 * Make room for the band: content that already leaves the top free stays where it is; content with room at the
 * bottom moves down; a page full to both edges is scaled (aspect kept, centred) into what is left.
 */
async function makeRoom(p: Bits, top: number): Promise<{ bits: Bits; how: 'kept' | 'moved' | 'scaled' }> {
  if (rowsBlank(p, 0, top)) return { bits: p, how: 'kept' };
  const out: Bits = { ...p, data: new Uint8Array(p.data.length) };
  if (rowsBlank(p, p.height - top, p.height)) {
    out.data.set(p.data.subarray(0, (p.height - top) * p.stride), top * p.stride);
    return { bits: out, how: 'moved' };
  }
  const sharp = await loadSharp();
  const grey = new Uint8Array(p.width * p.height);
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) grey[y * p.width + x] = p.data[y * p.stride + (x >> 3)] & (0x80 >> (x & 7)) ? 0 : 255;
  }
  const h = p.height - top;
  const w = Math.max(1, Math.round((p.width * h) / p.height));
  const r = await sharp(grey, { raw: { width: p.width, height: p.height, channels: 1 } })
    .resize(w, h, { fit: 'fill', kernel: 'linear' }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  blit(out, pack(r.data, r.info.width, r.info.height, r.info.channels), Math.floor((p.width - w) / 2), top);
  return { bits: out, how: 'scaled' };
}

export interface StampResult { pages: number; how: ('kept' | 'moved' | 'scaled')[] }

/** Stamp every page of the fax at `inPath` into a new Class F file at `outPath` (same coding, resolution, page count). */
export async function stampHeader(inPath: string, outPath: string, spec: HeaderSpec, ctx: StampContext): Promise<StampResult> {
  const buf = await readFile(inPath);
  const dirs = parseTiff(buf);
  const out: FaxPage[] = [];
  const how: StampResult['how'] = [];
  for (let i = 0; i < dirs.length; i++) {
    const d = dirs[i];
    const yres = dpi(d.yres, d.resUnit) || 196;
    const xres = dpi(d.xres, d.resUnit) || 204;
    const { band, gap } = bandRows(yres);
    const fields: HeaderFields = {
      at: ctx.at, timezone: spec.timezone, senderName: spec.senderName, senderNumber: spec.senderNumber, csid: spec.csid,
      to: ctx.to, subject: spec.subject ?? '', jobId: ctx.jobId, page: i + 1, pages: dirs.length,
    };
    const page = await pageBits(buf, i);
    const room = await makeRoom(page, band + gap);
    blit(room.bits, await bandBits(formatHeader(spec.format, fields), page.width, yres), 0, 0);
    const compression: 3 | 4 = d.compression === 3 ? 3 : 4;
    const geom: Geometry = { width: page.width, height: page.height, xres, yres, compression };
    out.push(encodeSync(room.bits.data, page.width, page.height, geom));
    how.push(room.how);
  }
  await writeClassF(outPath, out);
  return { pages: out.length, how };
}
