// Grey page → 1-bit fax page, decided per region from content: text and line art (black or coloured, printed or
// scanned) are thresholded into solid strokes, paper tone becomes white, and only areas of continuous tone (photos,
// grey fills) get the clustered-dot screen. Used for PDF pages that are not pure black and white, and for images.
import { placeBits, screenAt } from './bitmap.js';

/** Tunables, exported for the bench and the tests. */
export const TONE = {
  /** at or above this (after the paper is made white) a pixel is paper */
  paper: 253,
  /** darker than this outside tone regions is ink: hyperlink blue, red, mid-grey captions all count */
  ink: 200,
  /** a box with less paper than this share is continuous tone */
  maxPaperShare: 0.08,
  /** box half-size in fax pixels across (rows scaled by the pixel aspect): 25 px (3 mm) boxes, larger than a
   * blurred scanned glyph whose counters are not paper-white, smaller than a table cell's shading */
  radius: 12,
};

/**
 * Paper level: the brightest strong histogram peak, lowered by its spread so noisy off-white paper all maps to
 * white. Returns 255 (no stretch) when no light peak holds a large share of the page (a photo filling the page).
 */
export function paperLevel(grey: Uint8Array): number {
  const hist = new Uint32Array(256);
  const step = Math.max(1, Math.floor(grey.length / 400_000));
  let n = 0;
  for (let i = 0; i < grey.length; i += step) {
    hist[grey[i]]++;
    n++;
  }
  let mode = 255;
  for (let v = 254; v >= 200; v--) if (hist[v] > hist[mode]) mode = v;
  let peak = 0;
  for (let v = Math.max(0, mode - 12); v <= Math.min(255, mode + 12); v++) peak += hist[v];
  if (peak < n * 0.25) return 255;
  // walk down from the mode to where the peak falls below an eighth of its height: the paper's noise floor
  let lo = mode;
  while (lo > 180 && hist[lo - 1] * 8 > hist[mode]) lo--;
  return Math.max(180, lo);
}

/**
 * For every pixel, how many pixels of the 0/1 `mask` lie in the box of half-sizes rx×ry around it (clipped at the
 * edges): a running sum along each row, then a running sum of those rows down the page, both row by row so the
 * page is read in memory order (a 1728×2156 page in about 30 ms).
 */
export function boxCount(mask: Uint8Array, w: number, h: number, rx: number, ry: number): Uint16Array {
  const rowSums = new Uint16Array(w * h);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    let sum = 0;
    for (let x = 0; x < Math.min(rx, w); x++) sum += mask[o + x];
    for (let x = 0; x < w; x++) {
      if (x + rx < w) sum += mask[o + x + rx];
      if (x - rx - 1 >= 0) sum -= mask[o + x - rx - 1];
      rowSums[o + x] = sum;
    }
  }
  const out = new Uint16Array(w * h);
  const col = new Uint32Array(w);
  for (let y = 0; y < Math.min(ry, h); y++) for (let x = 0; x < w; x++) col[x] += rowSums[y * w + x];
  for (let y = 0; y < h; y++) {
    const add = y + ry < h ? (y + ry) * w : -1;
    const sub = y - ry - 1 >= 0 ? (y - ry - 1) * w : -1;
    const o = y * w;
    for (let x = 0; x < w; x++) {
      if (add >= 0) col[x] += rowSums[add + x];
      if (sub >= 0) col[x] -= rowSums[sub + x];
      out[o + x] = col[x];
    }
  }
  return out;
}

/** Clipped box widths along one axis: how many of the 2r+1 positions around i fall inside 0..n-1. */
function spans(n: number, r: number): Uint16Array {
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(n - 1, i + r) - Math.max(0, i - r) + 1;
  return out;
}

/**
 * Which pixels lie in continuous tone: the core is where a box holds almost no paper (text, however bold, sits on
 * paper; photos and fills do not) and is not solid black, grown by the box size so a region's edge pixels are
 * screened with it rather than drawn as a solid outline.
 */
export function toneMask(v: Uint8Array, w: number, h: number, rowScale: number): Uint8Array {
  const rx = TONE.radius;
  const ry = Math.max(1, Math.round(TONE.radius / rowScale));
  const paper = new Uint8Array(w * h);
  const black = new Uint8Array(w * h);
  for (let i = 0; i < v.length; i++) {
    if (v[i] >= TONE.paper) paper[i] = 1;
    else if (v[i] < 3) black[i] = 1; // pure ink only: a 98 % grey fill is still a tone
  }
  const sp = boxCount(paper, w, h, rx, ry);
  const sb = boxCount(black, w, h, rx, ry);
  const wx = spans(w, rx);
  const wy = spans(h, ry);
  const core = paper; // reused: paper is no longer needed
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const area = wx[x] * wy[y];
      core[i] = sp[i] < area * TONE.maxPaperShare && sb[i] <= area * 0.9 ? 1 : 0;
    }
  }
  const grown = boxCount(core, w, h, rx, ry);
  const out = black; // reused
  for (let i = 0; i < out.length; i++) out[i] = grown[i] > 0 ? 1 : 0;
  return out;
}

/**
 * Binarize a grey page region `grey` (w×h, 0 = black) onto a white page of pageW×pageH packed rows at (x0, y0);
 * rows MSB first, 1 = black. `rowScale` is xres/yres (it shapes the boxes and the screen's dots).
 */
export function binarizeRegions(
  grey: Uint8Array, w: number, h: number,
  page: { width: number; height: number }, x0: number, y0: number, rowScale: number,
): Uint8Array {
  const level = paperLevel(grey);
  const v = new Uint8Array(grey.length);
  if (level >= 255) v.set(grey);
  else {
    const lut = new Uint8Array(256);
    for (let i = 0; i < 256; i++) lut[i] = Math.min(255, Math.round((i * 255) / level));
    for (let i = 0; i < grey.length; i++) v[i] = lut[grey[i]];
  }
  const tone = toneMask(v, w, h, rowScale);
  const at = screenAt(rowScale);
  return placeBits(v, w, h, 1, page, x0, y0, (g, i, px, py) => g < TONE.paper && (tone[i] ? g < at(px, py) : g < TONE.ink));
}
