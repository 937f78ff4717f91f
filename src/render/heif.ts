// HEIC/HEIF (the iPhone's default photo format) → an upright PNG/TIFF the image path reads: Debian's libheif tools
// (heif-info, heif-convert) in a limited process (memory, wall clock, own process group), the pixel limit checked
// before decoding, only the primary image faxed, EXIF orientation applied when the file carries no HEIF transform.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type sharpType from 'sharp';
import { limitFailure, runLimited } from './proc.js';
import { parseTiff, TiffFormatError } from './tiff.js';
import { RenderFailure, type Budget } from './types.js';

/** EXIF Orientation (tag 0x0112 in IFD0) from raw EXIF bytes (with or without the "Exif\0\0"/offset prefix); 1 if none. */
export function exifOrientation(exif: Buffer): number {
  let t = exif.indexOf('MM\0*');
  const ii = exif.indexOf('II*\0');
  if (t < 0 || (ii >= 0 && ii < t)) t = ii;
  if (t < 0) return 1;
  // EXIF is a TIFF directory (offsets from its header): the project's one TIFF reader reads IFD0
  let v: number | undefined;
  try {
    v = parseTiff(exif.subarray(t), 1, 1)[0]?.orientation;
  } catch (e) {
    if (!(e instanceof TiffFormatError)) throw e;
  }
  return v !== undefined && v >= 1 && v <= 8 ? v : 1;
}

/**
 * Whether the HEIF file says how to turn its image (irot/imir properties): libheif applies those itself, and then
 * the EXIF orientation (which iPhones also write) must not be applied a second time. Read from the file's
 * metadata box, which HEIF writers put at the start.
 */
export function hasHeifTransform(file: Buffer): boolean {
  const head = file.subarray(0, Math.min(file.length, 256 * 1024));
  return head.includes('irot') || head.includes('imir');
}

/** Decode `file` into `workDir`; returns an image buffer for sharp, upright. Throws RenderFailure. */
export async function decodeHeif(file: string, workDir: string, budget: Budget, sharp: typeof sharpType): Promise<Buffer> {
  const env = { PATH: process.env.PATH, TMPDIR: workDir, HOME: workDir };
  const opts = { memoryMb: budget.limits.memoryMb, deadline: budget.deadline, cwd: workDir, env };
  const info = await runLimited('heif-info', [file], opts);
  const killed = limitFailure([info], budget, 'HEIF decoder (libheif)');
  if (killed) throw killed;
  if (info.code === -1 && /ENOENT/.test(info.stderr)) throw new RenderFailure('unsupported-type', 'the HEIF decoder (libheif) is not installed here');
  const size = /image:\s*(\d+)x(\d+)[^\n]*primary/.exec(info.stdout) ?? /image:\s*(\d+)x(\d+)/.exec(info.stdout);
  if (info.code !== 0 || !size) throw new RenderFailure('damaged', 'the HEIF image is damaged: its contents cannot be decoded');
  if (Number(size[1]) * Number(size[2]) > budget.limits.maxMegapixels * 1e6) {
    throw new RenderFailure('too-many-pixels', 'the image has more pixels than the limit allows');
  }
  const out = path.join(workDir, 'heif.png');
  const conv = await runLimited('heif-convert', ['--quiet', '--with-exif', '--', file, out], opts);
  const killedConv = limitFailure([conv], budget, 'HEIF decoder (libheif)');
  if (killedConv) throw killedConv;
  // several top-level images are written as heif-1.png, heif-2.png…; the first is the primary, like a GIF's frame 1
  const names = (await readdir(workDir)).filter((f) => /^heif(-\d+)?\.png$/.test(f)).sort((a, b) => a.length - b.length || a.localeCompare(b));
  if (conv.code !== 0 || names.length === 0) throw new RenderFailure('damaged', 'the HEIF image is damaged: its contents cannot be decoded');
  const png = await readFile(path.join(workDir, names[0]));
  // --with-exif writes heif.exif beside heif.png
  const exif = await readFile(path.join(workDir, names[0].replace(/\.png$/, '.exif'))).catch(() => undefined);
  const orientation = exif && !hasHeifTransform(await readFile(file)) ? exifOrientation(exif) : 1;
  if (orientation === 1) return png;
  // carried as a TIFF Orientation tag so the image path's autoOrient turns it like any photo's EXIF
  return sharp(png, { limitInputPixels: Math.floor(budget.limits.maxMegapixels * 1e6) }).withMetadata({ orientation }).tiff().toBuffer();
}
