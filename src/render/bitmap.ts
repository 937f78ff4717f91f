// Grey → 1-bit for fax: threshold for text and line art, Floyd–Steinberg error diffusion for photos, placed on a page.

/** Share of clearly mid-tone pixels (sampled): photos have many, scans of text and drawings very few. */
export function looksLikePhoto(grey: Uint8Array, width: number, height: number): boolean {
  const n = width * height;
  if (n === 0) return false;
  const step = Math.max(1, Math.floor(n / 200_000));
  let mid = 0;
  let total = 0;
  for (let i = 0; i < n; i += step) {
    const v = grey[i];
    if (v > 40 && v < 215) mid++;
    total++;
  }
  return mid / total > 0.12;
}

/**
 * Binarize `grey` (w×h, 0 = black) onto a white page of pageW×pageH packed rows at (x0, y0).
 * Returns packed rows, MSB first, 1 = black.
 */
export function toPage(
  grey: Uint8Array, w: number, h: number,
  page: { width: number; height: number }, x0: number, y0: number,
  mode: 'threshold' | 'dither', threshold = 128,
): Uint8Array {
  const stride = (page.width + 7) >> 3;
  const out = new Uint8Array(stride * page.height);
  const rows = Math.min(h, page.height - y0);
  const cols = Math.min(w, page.width - x0);
  if (mode === 'threshold') {
    for (let y = 0; y < rows; y++) {
      const src = y * w;
      const dst = (y + y0) * stride;
      for (let x = 0; x < cols; x++) {
        if (grey[src + x] < threshold) {
          const px = x + x0;
          out[dst + (px >> 3)] |= 0x80 >> (px & 7);
        }
      }
    }
    return out;
  }
  // Floyd–Steinberg, serpentine, errors in 1/16ths carried in two row buffers
  let errCur = new Int32Array(cols + 2);
  let errNext = new Int32Array(cols + 2);
  for (let y = 0; y < rows; y++) {
    const src = y * w;
    const dst = (y + y0) * stride;
    const ltr = (y & 1) === 0;
    for (let k = 0; k < cols; k++) {
      const x = ltr ? k : cols - 1 - k;
      const v = grey[src + x] + (errCur[x + 1] >> 4);
      const black = v < 128;
      const e = black ? v : v - 255;
      if (black) {
        const px = x + x0;
        out[dst + (px >> 3)] |= 0x80 >> (px & 7);
      }
      if (ltr) {
        errCur[x + 2] += e * 7;
        errNext[x] += e * 3;
        errNext[x + 1] += e * 5;
        errNext[x + 2] += e;
      } else {
        errCur[x] += e * 7;
        errNext[x + 2] += e * 3;
        errNext[x + 1] += e * 5;
        errNext[x] += e;
      }
    }
    const t = errCur;
    errCur = errNext;
    errNext = t;
    errNext.fill(0);
  }
  return out;
}

/**
 * Target size of an image of physW×physH inches fitted (aspect kept, never cropped) into a fax page whose pixels
 * are 1/xres × 1/yres inch.
 */
export function fitSize(physW: number, physH: number, page: { width: number; height: number; xres: number; yres: number }) {
  const s = Math.min(page.width / page.xres / physW, page.height / page.yres / physH);
  return {
    width: Math.max(1, Math.min(page.width, Math.round(physW * s * page.xres))),
    height: Math.max(1, Math.min(page.height, Math.round(physH * s * page.yres))),
  };
}
