// A PNG of a fax's first page (a receipt's proof of transmission), at its true shape: standard-resolution lines doubled.
import { readFile } from 'node:fs/promises';
import { loadSharp } from './image.js';
import { dpi, parseTiff } from './tiff.js';

/** Page 1 of a TIFF fax as a 1-bit-looking greyscale PNG, scaled to square pixels (204 × 98 dpi pages are otherwise squashed). */
export async function firstPagePng(tiffPath: string): Promise<Buffer> {
  const buf = await readFile(tiffPath);
  const p = parseTiff(buf)[0];
  const xres = dpi(p.xres, p.resUnit) || 204;
  const yres = dpi(p.yres, p.resUnit) || 196;
  const sharp = await loadSharp();
  const height = Math.max(1, Math.round((p.height * xres) / yres));
  return sharp(buf, { page: 0, limitInputPixels: false }).resize({ width: p.width, height, fit: 'fill' })
    .toColourspace('b-w').png({ compressionLevel: 9, palette: true, colours: 2 }).toBuffer();
}
