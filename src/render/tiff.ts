// TIFF reading (IFD walk with loop and bounds guards) and the TIFF Class F writer that copies CCITT strips as-is.
import { open, readFile } from 'node:fs/promises';

export const TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  FillOrder: 266,
  StripOffsets: 273,
  Orientation: 274,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  PlanarConfig: 284,
  T4Options: 292,
  T6Options: 293,
  ResolutionUnit: 296,
  PageNumber: 297,
  Software: 305,
  TileWidth: 322,
} as const;

/** One directory (page) of a TIFF, with the facts the fax path needs. */
export interface TiffPage {
  width: number;
  height: number;
  bitsPerSample: number;
  samplesPerPixel: number;
  compression: number;
  photometric: number;
  fillOrder: number;
  orientation: number;
  t4Options: number;
  xres: number;
  yres: number;
  /** 2 = inch, 3 = centimetre, 1 = none */
  resUnit: number;
  tiled: boolean;
  stripOffsets: number[];
  stripByteCounts: number[];
  rowsPerStrip: number;
}

export class TiffFormatError extends Error {}

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 16: 8 };
/** A real fax never has this many pages; a bigger chain is a hostile file. */
const MAX_DIRECTORIES = 10_000;

/**
 * Walk a classic TIFF's IFD chain. Rejects BigTIFF and malformed files with TiffFormatError (callers fall back to
 * libvips). `stopAfter` ends the walk after that many directories without judging the rest of the chain (an EXIF
 * block needs only IFD0; its thumbnail IFD may point anywhere).
 */
export function parseTiff(buf: Buffer, maxPages = MAX_DIRECTORIES, stopAfter = Infinity): TiffPage[] {
  if (buf.length < 8) throw new TiffFormatError('too short for a TIFF header');
  const order = buf.toString('latin1', 0, 2);
  const le = order === 'II';
  if (!le && order !== 'MM') throw new TiffFormatError('not a TIFF');
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const magic = u16(2);
  if (magic === 43) throw new TiffFormatError('BigTIFF');
  if (magic !== 42) throw new TiffFormatError('bad TIFF magic');
  const pages: TiffPage[] = [];
  const seen = new Set<number>();
  let ifd = u32(4);
  while (ifd !== 0) {
    if (seen.has(ifd)) throw new TiffFormatError('IFD chain loops');
    if (pages.length >= maxPages) throw new TiffFormatError(`more than ${maxPages} directories`);
    seen.add(ifd);
    if (ifd + 2 > buf.length) throw new TiffFormatError('IFD offset past end of file');
    const count = u16(ifd);
    if (ifd + 2 + count * 12 + 4 > buf.length) throw new TiffFormatError('IFD runs past end of file');
    const vals = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const e = ifd + 2 + i * 12;
      const tag = u16(e);
      const type = u16(e + 2);
      const n = u32(e + 4);
      const size = TYPE_SIZE[type];
      if (!size || n > 1_000_000) continue;
      const total = size * n;
      const at = total <= 4 ? e + 8 : u32(e + 8);
      if (at + total > buf.length) continue;
      const out: number[] = [];
      for (let k = 0; k < n; k++) {
        const o = at + k * size;
        if (type === 3 || type === 8) out.push(u16(o));
        else if (type === 4 || type === 9) out.push(u32(o));
        else if (type === 5 || type === 10) {
          const den = u32(o + 4);
          out.push(den ? u32(o) / den : 0);
        } else if (type === 1 || type === 6 || type === 7 || type === 2) out.push(buf[o]);
        else out.push(0);
      }
      vals.set(tag, out);
    }
    const one = (tag: number, def: number) => vals.get(tag)?.[0] ?? def;
    const width = one(TAG.ImageWidth, 0);
    const height = one(TAG.ImageLength, 0);
    pages.push({
      width,
      height,
      bitsPerSample: one(TAG.BitsPerSample, 1),
      samplesPerPixel: one(TAG.SamplesPerPixel, 1),
      compression: one(TAG.Compression, 1),
      photometric: one(TAG.Photometric, 0),
      fillOrder: one(TAG.FillOrder, 1),
      orientation: one(TAG.Orientation, 1),
      t4Options: one(TAG.T4Options, 0),
      xres: one(TAG.XResolution, 0),
      yres: one(TAG.YResolution, 0),
      resUnit: one(TAG.ResolutionUnit, 2),
      tiled: vals.has(TAG.TileWidth),
      stripOffsets: vals.get(TAG.StripOffsets) ?? [],
      stripByteCounts: vals.get(TAG.StripByteCounts) ?? [],
      rowsPerStrip: one(TAG.RowsPerStrip, height),
    });
    if (pages.length >= stopAfter) break;
    ifd = u32(ifd + 2 + count * 12);
  }
  return pages;
}

/** Resolution in dots per inch whatever unit the file used (0 when absent). */
export function dpi(value: number, resUnit: number): number {
  return resUnit === 3 ? value * 2.54 : value;
}

/** A page ready to be written: one CCITT strip. */
export interface FaxPage {
  width: number;
  height: number;
  /** 4 = T.6 (G4), 3 = T.4 */
  compression: 3 | 4;
  t4Options?: number;
  xres: number;
  yres: number;
  strip: Uint8Array;
}

/** Is this page a single MSB-first CCITT strip we can copy into a Class F file without re-encoding? */
export function isCopyable(p: TiffPage, compression: 3 | 4): boolean {
  return p.compression === compression && p.width === 1728 && p.bitsPerSample === 1 && p.samplesPerPixel === 1
    && p.photometric === 0 && p.fillOrder === 1 && p.orientation === 1 && !p.tiled
    && p.stripOffsets.length === 1 && p.stripByteCounts.length === 1
    // G3: 1-D or 2-D, with or without EOL fill bits (bit 2); never uncompressed mode (bit 1)
    && (compression === 4 || (p.t4Options & 2) === 0);
}

/** Extract the strip of a copyable page. */
export function pageStrip(buf: Buffer, p: TiffPage): Uint8Array {
  const off = p.stripOffsets[0];
  const len = p.stripByteCounts[0];
  if (off + len > buf.length) throw new TiffFormatError('strip runs past end of file');
  return buf.subarray(off, off + len);
}

/** Serialize pages as TIFF Class F (RFC 2306): little-endian, NewSubfileType 2 and PageNumber n/total on every page. */
export function buildClassF(pages: FaxPage[]): Buffer {
  return Buffer.concat(classFChunks(pages));
}

/** The file as a list of chunks (strips are not copied), ready for a gathered write. */
function classFChunks(pages: FaxPage[]): Buffer[] {
  const total = pages.length;
  const chunks: Buffer[] = [];
  const header = Buffer.alloc(8);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  chunks.push(header);
  let pos = 8;
  // where the previous "next IFD" pointer lives: the header for the first page, then each IFD's last word
  let prev = { buf: header, at: 4 };
  for (let i = 0; i < total; i++) {
    const p = pages[i];
    const stripAt = pos;
    chunks.push(Buffer.from(p.strip.buffer, p.strip.byteOffset, p.strip.byteLength));
    pos += p.strip.byteLength;
    if (pos & 1) {
      chunks.push(Buffer.alloc(1));
      pos++;
    }
    type Entry = [tag: number, type: number, count: number, value: number | number[]];
    const entries: Entry[] = [
      [TAG.NewSubfileType, 4, 1, 2],
      [TAG.ImageWidth, 4, 1, p.width],
      [TAG.ImageLength, 4, 1, p.height],
      [TAG.BitsPerSample, 3, 1, 1],
      [TAG.Compression, 3, 1, p.compression],
      [TAG.Photometric, 3, 1, 0],
      [TAG.FillOrder, 3, 1, 1],
      [TAG.StripOffsets, 4, 1, stripAt],
      [TAG.SamplesPerPixel, 3, 1, 1],
      [TAG.RowsPerStrip, 4, 1, p.height],
      [TAG.StripByteCounts, 4, 1, p.strip.byteLength],
      [TAG.XResolution, 5, 1, -1],
      [TAG.YResolution, 5, 1, -2],
      [TAG.PlanarConfig, 3, 1, 1],
      p.compression === 3 ? [TAG.T4Options, 4, 1, p.t4Options ?? 1] : [TAG.T6Options, 4, 1, 0],
      [TAG.ResolutionUnit, 3, 1, 2],
      [TAG.PageNumber, 3, 2, [i, total]],
    ];
    const ifdAt = pos;
    const ifdSize = 2 + entries.length * 12 + 4;
    const ratAt = ifdAt + ifdSize;
    const ifd = Buffer.alloc(ifdSize + 16);
    ifd.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, count, value], k) => {
      const e = 2 + k * 12;
      ifd.writeUInt16LE(tag, e);
      ifd.writeUInt16LE(type, e + 2);
      ifd.writeUInt32LE(count, e + 4);
      if (Array.isArray(value)) {
        ifd.writeUInt16LE(value[0], e + 8);
        ifd.writeUInt16LE(value[1], e + 10);
      } else if (type === 5) {
        ifd.writeUInt32LE(value === -1 ? ratAt : ratAt + 8, e + 8);
      } else if (type === 3) {
        ifd.writeUInt16LE(value, e + 8);
      } else {
        ifd.writeUInt32LE(value, e + 8);
      }
    });
    ifd.writeUInt32LE(0, ifdSize - 4);
    // resolutions as exact rationals (x1000 so 391 and 195.58 alike survive)
    ifd.writeUInt32LE(Math.round(p.xres * 1000), ifdSize);
    ifd.writeUInt32LE(1000, ifdSize + 4);
    ifd.writeUInt32LE(Math.round(p.yres * 1000), ifdSize + 8);
    ifd.writeUInt32LE(1000, ifdSize + 12);
    prev.buf.writeUInt32LE(ifdAt, prev.at);
    prev = { buf: ifd, at: ifdSize - 4 };
    chunks.push(ifd);
    pos += ifd.length;
  }
  return chunks;
}

/** Write a Class F file with gathered writes: a 200-page fax is not first concatenated in memory. */
export async function writeClassF(path: string, pages: FaxPage[]): Promise<void> {
  const chunks = classFChunks(pages);
  const fh = await open(path, 'w');
  try {
    for (let i = 0; i < chunks.length; i += 512) await fh.writev(chunks.slice(i, i + 512));
  } finally {
    await fh.close();
  }
}

/** Read a Class F file we (or a fax line) wrote back into copyable pages. */
export async function readFaxPages(path: string): Promise<{ buf: Buffer; pages: TiffPage[] }> {
  const buf = await readFile(path);
  return { buf, pages: parseTiff(buf) };
}
