// Header-level integrity checks for images (truncation, undecodable TIFF compressions), reading only what they need.
import type { FileHandle } from 'node:fs/promises';
import { readAt } from '../formats/bytes.js';

/** Reads through a 64 KB window, so walking many small blocks costs few system calls. */
function windowed(fh: FileHandle, size: number) {
  let start = -1;
  let win: Buffer = Buffer.alloc(0);
  return async (p: number, n: number): Promise<Buffer> => {
    if (p >= size) return Buffer.alloc(0);
    if (p < start || p + n > start + win.length) {
      start = p;
      win = await readAt(fh, p, Math.max(n, 64 * 1024));
    }
    return win.subarray(p - start, p - start + n);
  };
}

/** JPEG: walk the segments to the first scan, then an end-of-image marker must follow (else it was cut short). */
export async function jpegTruncated(fh: FileHandle, size: number): Promise<boolean> {
  let pos = 2;
  for (let i = 0; i < 10_000 && pos + 4 <= size; i++) {
    const h = await readAt(fh, pos, 4);
    if (h[0] !== 0xff) return false; // unusual layout: leave it to the decoder
    const marker = h[1];
    if (marker === 0xff) { pos++; continue; }
    if (marker === 0xd9) return false;
    if (marker === 0xda) break;
    if (marker >= 0xd0 && marker <= 0xd7) { pos += 2; continue; }
    pos += 2 + h.readUInt16BE(2);
  }
  // Scan from the first SOS: FF D9 only occurs as a marker in entropy-coded data (FF is byte-stuffed).
  const buf = Buffer.alloc(1024 * 1024);
  for (let p = pos; p < size;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, p);
    if (bytesRead < 2) break;
    if (buf.subarray(0, bytesRead).indexOf(Buffer.from([0xff, 0xd9])) >= 0) return false;
    p += bytesRead - 1;
  }
  return true;
}

/** PNG: every chunk must fit inside the file and IEND must be reached. */
export async function pngTruncated(fh: FileHandle, size: number): Promise<boolean> {
  const at = windowed(fh, size);
  let pos = 8;
  for (let i = 0; i < 1_000_000 && pos + 8 <= size; i++) {
    const h = await at(pos, 8);
    const len = h.readUInt32BE(0);
    if (pos + 12 + len > size) return true;
    if (h.subarray(4, 8).toString('latin1') === 'IEND') return false;
    pos += 12 + len;
  }
  return true;
}

/** GIF: walk the blocks of the first image; running out of bytes inside them means the file was cut. */
export async function gifTruncated(fh: FileHandle, size: number): Promise<boolean> {
  const h = await readAt(fh, 0, 13);
  if (h.length < 13) return true;
  let pos = 13 + (h[10] & 0x80 ? 3 * (2 << (h[10] & 7)) : 0);
  const at = windowed(fh, size);
  const byteAt = async (p: number) => (await at(p, 1))[0] ?? -1;
  const skipSubBlocks = async (): Promise<boolean> => {
    for (let i = 0; i < 1_000_000; i++) {
      const n = await byteAt(pos);
      if (n < 0) return false;
      pos += 1 + n;
      if (n === 0) return pos <= size;
    }
    return false;
  };
  for (let i = 0; i < 10_000; i++) {
    const b = await byteAt(pos);
    if (b < 0) return true;
    if (b === 0x3b) return false;
    if (b === 0x21) { pos += 2; if (!(await skipSubBlocks())) return true; continue; }
    if (b !== 0x2c) return false; // unknown block: leave it to the decoder
    const d = await readAt(fh, pos, 10);
    if (d.length < 10) return true;
    pos += 10 + (d[9] & 0x80 ? 3 * (2 << (d[9] & 7)) : 0) + 1;
    if (!(await skipSubBlocks())) return true;
    return false; // the first frame (the one faxed) is complete
  }
  return false;
}

/** WebP: the RIFF length must fit in the file. */
export async function webpTruncated(fh: FileHandle, size: number): Promise<boolean> {
  const h = await readAt(fh, 0, 12);
  return h.length < 12 || h.readUInt32LE(4) + 8 > size;
}

/** BMP: sharp has no BMP loader, so read the dimensions ourselves; uncompressed pixel rows must all be present. */
export function bmpHeader(h: Buffer, size: number): { width?: number; height?: number; pages?: number; damaged?: boolean; note?: string } {
  if (h.length < 26 || h.toString('latin1', 0, 2) !== 'BM') return { damaged: true, note: 'the BMP header is incomplete' };
  const dib = h.readUInt32LE(14);
  const core = dib === 12;
  const width = core ? h.readUInt16LE(18) : h.readInt32LE(18);
  const height = Math.abs(core ? h.readUInt16LE(20) : h.readInt32LE(22));
  if (width <= 0 || height <= 0) return { damaged: true, note: `the BMP header claims ${width}×${height} pixels` };
  const facts = { width, height, pages: 1 };
  const bpp = core ? h.readUInt16LE(24) : h.length >= 30 ? h.readUInt16LE(28) : 0;
  const compression = core || h.length < 34 ? 0 : h.readUInt32LE(30);
  const dataOffset = h.readUInt32LE(10);
  if ((compression === 0 || compression === 3) && bpp > 0 && width * height <= 1e9) {
    const need = dataOffset + Math.floor((bpp * width + 31) / 32) * 4 * height;
    if (need > size) return { ...facts, damaged: true, note: 'the BMP data is cut short (truncated file)' };
  }
  return facts;
}

const TIFF_UNSUPPORTED: Record<number, string> = {
  6: 'old-style JPEG (OJPEG)', 34925: 'LZMA', 34712: 'JPEG 2000', 34661: 'JBIG', 34676: 'SGI LogLuv', 34677: 'SGI LogLuv',
};

/**
 * TIFF: walk the directory chain (loops and runaway chains bounded) and check each directory's compression and that
 * its strips or tiles lie inside the file.
 */
export async function inspectTiff(fh: FileHandle, size: number): Promise<{ unsupported?: string; truncated?: boolean }> {
  const h = await readAt(fh, 0, 16);
  if (h.length < 8) return { truncated: true };
  const le = h[0] === 0x49;
  const big = (le ? h.readUInt16LE(2) : h.readUInt16BE(2)) === 43;
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number) => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const TYPE_SIZE: Record<number, number> = { 3: 2, 4: 4, 16: 8 };
  const read = (b: Buffer, o: number, type: number) => (type === 3 ? u16(b, o) : type === 4 ? u32(b, o) : u64(b, o));
  let ifd = big ? u64(h, 8) : u32(h, 4);
  const seen = new Set<number>();
  for (let page = 0; ifd && !seen.has(ifd) && page < 10_000; page++) {
    seen.add(ifd);
    if (ifd + 8 > size) return { truncated: page === 0 };
    const cnt = await readAt(fh, ifd, 8);
    const n = Math.min(big ? u64(cnt, 0) : u16(cnt, 0), 4096);
    const entSize = big ? 20 : 12;
    const start = ifd + (big ? 8 : 2);
    const body = await readAt(fh, start, n * entSize + (big ? 8 : 4));
    if (body.length < n * entSize) return { truncated: true };
    const values = async (i: number): Promise<number[]> => {
      const type = u16(body, i + 2);
      const count = Math.min(big ? u64(body, i + 4) : u32(body, i + 4), 1_000_000);
      const ts = TYPE_SIZE[type];
      if (!ts) return [];
      const inline = count * ts <= (big ? 8 : 4);
      const src = inline ? body.subarray(i + (big ? 12 : 8)) : await readAt(fh, big ? u64(body, i + 12) : u32(body, i + 8), count * ts);
      const out: number[] = [];
      for (let k = 0; k + ts <= src.length && out.length < count; k += ts) out.push(read(src, k, type));
      return out;
    };
    let offsets: number[] = [];
    let counts: number[] = [];
    for (let i = 0; i < n * entSize; i += entSize) {
      const tag = u16(body, i);
      if (tag === 259) {
        const c = (await values(i))[0];
        if (c !== undefined && TIFF_UNSUPPORTED[c]) return { unsupported: TIFF_UNSUPPORTED[c] };
      } else if (tag === 273 || tag === 324) offsets = await values(i);
      else if (tag === 279 || tag === 325) counts = await values(i);
    }
    for (let k = 0; k < Math.min(offsets.length, counts.length); k++) if (offsets[k] + counts[k] > size) return { truncated: true };
    const nextAt = n * entSize;
    ifd = body.length >= nextAt + (big ? 8 : 4) ? (big ? u64(body, nextAt) : u32(body, nextAt)) : 0;
  }
  return {};
}
