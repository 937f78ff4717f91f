// Test helpers for rendered faxes: decode pages with libvips (an independent CCITT decoder), validate with libtiff,
// and measure ink in regions so tests judge content, not just headers.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { silentLogger } from '../../src/logger.js';
import { createRenderer } from '../../src/render/index.js';

export const run = promisify(execFile);

/** The fax compliance helper scripts/setup.sh builds (native/t30check). */
export const T30CHECK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native/build/t30check');

export const LIMITS = { maxPages: 200, maxMegapixels: 40, timeoutMs: 30_000, memoryMb: 512 };

export function renderer(tmpDir: string, limits = LIMITS) {
  return createRenderer({ limits, logger: silentLogger, tmpDir });
}

export interface Page { width: number; height: number; ink: Uint8Array }

/** Decode one page: ink[i] = 1 where the pixel is black. */
export async function decodePage(file: string, page = 0): Promise<Page> {
  const { data, info } = await sharp(file, { page }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  const ink = new Uint8Array(info.width * info.height);
  for (let i = 0; i < ink.length; i++) ink[i] = data[i * info.channels] < 128 ? 1 : 0;
  return { width: info.width, height: info.height, ink };
}

/** Fraction of black pixels in a rectangle given as fractions of the page (x0, y0, x1, y1 in 0..1). */
export function inkIn(p: Page, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  let b = 0;
  for (let y = Math.floor(y0 * p.height); y < Math.floor(y1 * p.height); y++) {
    for (let x = Math.floor(x0 * p.width); x < Math.floor(x1 * p.width); x++) {
      n++;
      b += p.ink[y * p.width + x];
    }
  }
  return n ? b / n : 0;
}

/** Bounding box of ink as fractions of the page, or null for a blank page. */
export function inkBox(p: Page): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = p.width, y0 = p.height, x1 = -1, y1 = -1;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      if (p.ink[y * p.width + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0: x0 / p.width, y0: y0 / p.height, x1: (x1 + 1) / p.width, y1: (y1 + 1) / p.height };
}

/** The error `p` rejects with, which must be a `type` (anything else, or no rejection, fails the test). */
export async function rejection<E extends Error>(p: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await p;
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error(`expected a ${type.name}`);
}

/** libtiff decodes every page without complaint; returns the tiffinfo text. */
export async function tiffinfoD(file: string): Promise<string> {
  const { stdout, stderr } = await run('tiffinfo', ['-D', file], { maxBuffer: 64 * 1024 * 1024 });
  if (/error|warning/i.test(stderr)) throw new Error(`tiffinfo -D: ${stderr}`);
  return stdout;
}

export { pdfFromPostScript } from '../../fixtures/generate.js';
