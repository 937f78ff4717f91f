// Decides whether a received TIFF already is a fax (TIFF Class F) that can be stored byte for byte, by reading its
// directory tags with bounds and loop checks and then letting libtiff decode every strip (tiffinfo -D) under a timeout.
import { runProc } from '../attachments/proc.js';
import { promises as fsp } from 'node:fs';

export interface TiffPageTags {
  width: number;
  height: number;
  compression: number;
  bitsPerSample: number;
  samplesPerPixel: number;
  photometric: number;
  xRes: number;
  yRes: number;
  resUnit: number;
}

const MAX_IFDS = 10_000;

/** Read each page's tags; throws on anything malformed (bad magic, offsets out of range, IFD loops, BigTIFF). */
export async function readTiffTags(file: string): Promise<TiffPageTags[]> {
  const fh = await fsp.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const read = async (off: number, len: number): Promise<Buffer> => {
      if (off < 0 || off + len > size) throw new Error('offset out of range');
      const b = Buffer.alloc(len);
      await fh.read(b, 0, len, off);
      return b;
    };
    const head = await read(0, 8);
    const le = head.toString('latin1', 0, 2) === 'II';
    if (!le && head.toString('latin1', 0, 2) !== 'MM') throw new Error('not a TIFF');
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    if (u16(head, 2) !== 42) throw new Error('not a classic TIFF');
    const pages: TiffPageTags[] = [];
    const seen = new Set<number>();
    let ifd = u32(head, 4);
    while (ifd !== 0) {
      if (seen.has(ifd) || pages.length >= MAX_IFDS) throw new Error('IFD loop or too many pages');
      seen.add(ifd);
      const n = u16(await read(ifd, 2), 0);
      const entries = await read(ifd + 2, n * 12 + 4);
      const tags = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const e = i * 12;
        const tag = u16(entries, e);
        const type = u16(entries, e + 2);
        const count = u32(entries, e + 4);
        if (type === 3) tags.set(tag, u16(entries, e + 8));
        else if (type === 4) tags.set(tag, u32(entries, e + 8));
        else if (type === 5 && count === 1) {
          const r = await read(u32(entries, e + 8), 8);
          const den = u32(r, 4);
          tags.set(tag, den === 0 ? 0 : u32(r, 0) / den);
        }
      }
      pages.push({
        width: tags.get(256) ?? 0,
        height: tags.get(257) ?? 0,
        bitsPerSample: tags.get(258) ?? 1,
        compression: tags.get(259) ?? 1,
        photometric: tags.get(262) ?? -1,
        samplesPerPixel: tags.get(277) ?? 1,
        xRes: tags.get(282) ?? 0,
        yRes: tags.get(283) ?? 0,
        resUnit: tags.get(296) ?? 2,
      });
      ifd = u32(entries, n * 12);
    }
    return pages;
  } finally {
    await fh.close();
  }
}

const near = (v: number, target: number, tol = 0.03) => Math.abs(v - target) <= target * tol;

/** Class F as fax machines send it: bilevel CCITT G3/G4, 1728/2048/2432 wide, ~204 dpi across, 98/196/391 lines. */
export function isClassFPage(p: TiffPageTags): boolean {
  const perInch = p.resUnit === 3 ? 2.54 : 1;
  const x = p.xRes * perInch;
  const y = p.yRes * perInch;
  return (p.compression === 3 || p.compression === 4)
    && p.bitsPerSample === 1 && p.samplesPerPixel === 1 && (p.photometric === 0 || p.photometric === 1)
    && [1728, 2048, 2432].includes(p.width) && p.height > 0 && p.height <= 10_000
    && (near(x, 204) || near(x, 200)) && [98, 196, 391].some((r) => near(y, r) || near(y, r * 200 / 204));
}

/** Let libtiff decode every strip of every page; false on any error or after the timeout. */
export function decodesCleanly(file: string, timeoutMs: number): Promise<boolean> {
  // through runProc: a memory ceiling, and tiffinfo dies with the server like every other tool
  return runProc('tiffinfo', ['-D', file], { timeoutMs, maxOutput: 1 << 20 })
    .then((r) => r.code === 0 && !r.timedOut && !/error/i.test(r.stderr));
}

/** Page count when the whole file is already storable Class F, otherwise null (then it must be rendered). */
export async function classFPages(file: string, timeoutMs: number): Promise<number | null> {
  let pages: TiffPageTags[];
  try {
    pages = await readTiffTags(file);
  } catch {
    return null;
  }
  if (pages.length === 0 || !pages.every(isClassFPage)) return null;
  return (await decodesCleanly(file, timeoutMs)) ? pages.length : null;
}

/**
 * The paper a received page that must be re-rendered is laid out on: legal when any page is longer than letter
 * (past 11.5 in, so a letter page's rounding never counts), so a legal-length fax stays whole and at its size
 * instead of being shrunk onto letter. Pages whose length cannot be read count as letter.
 */
export function receivedPaper(pages: readonly TiffPageTags[]): 'letter' | 'legal' {
  const inches = (p: TiffPageTags) => {
    const perInch = p.resUnit === 3 ? 2.54 : 1;
    const y = p.yRes * perInch;
    return y > 0 ? p.height / y : 0;
  };
  return pages.some((p) => inches(p) > 11.5) ? 'legal' : 'letter';
}
