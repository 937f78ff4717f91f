// Grey → 1-bit for fax: threshold for text and line art, a clustered-dot screen for photos, placed on a page.

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
 * Pixels per screen period along each axis at 204 dpi: a 45° round-dot screen of about 18 lines per inch (dot pitch
 * 16/√2 ≈ 11 px) with 128 grey levels per dot. Why a clustered screen and not error diffusion: a fax page's coded
 * size is its call time, and T.4/T.6 code runs; Floyd–Steinberg's isolated pixels made ~1 MB of G4 per photo page
 * (about ten minutes at 14.4 kbit/s). Measured on the corpus photos at fine (T.30 simulation, V.17, 16.6 s of call
 * set-up excluded): period 8 → 263–288 KB, ~150 s; 12 → 163–183 KB, ~106 s; 16 → 120–130 KB, ~75 s. Periods whose
 * half is odd (10, 14) code worse than 12. 16 is the one that keeps a photo page within 90 s; bench/fidelity has
 * the figures per resolution.
 */
export const SCREEN_PERIOD = 16;

const tiles = new Map<string, { w: number; h: number; t: Uint8Array }>();

/**
 * The threshold tile of the screen: `rowScale` is how many square-pixel rows one page row spans (xres/yres: 2 at
 * standard, 1 at fine, 0.5 at superfine), so dots stay round on the paper at every resolution. Each pixel's threshold
 * is the rank of its round-dot spot value in the tile, so every grey level darkens a fixed share of pixels.
 */
export function screenTile(rowScale: number, period = SCREEN_PERIOD): { w: number; h: number; t: Uint8Array } {
  const scale = Math.round(rowScale * 2) / 2 || 1;
  const key = `${scale}/${period}`;
  const cached = tiles.get(key);
  if (cached) return cached;
  const P = period;
  const w = P;
  const h = Math.round(P / scale);
  const spots: { i: number; v: number }[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const yy = (y + 0.5) * scale;
      const xx = x + 0.5;
      const u = (xx + yy) / P;
      const v = (xx - yy) / P;
      // cos+cos round dot: highest at the dot centre, so the centre turns black first
      spots.push({ i: y * w + x, v: Math.cos(2 * Math.PI * u) + Math.cos(2 * Math.PI * v) + 1e-6 * ((x * 7 + y * 13) % 17) });
    }
  }
  spots.sort((a, b) => b.v - a.v);
  const t = new Uint8Array(w * h);
  spots.forEach((s, rank) => { t[s.i] = Math.min(255, Math.round(((rank + 0.5) / spots.length) * 256)); });
  const tile = { w, h, t };
  tiles.set(key, tile);
  return tile;
}

/**
 * The one placement loop: grey pixels (w×h, `channels` per pixel, first one read, 0 = black) onto a white page of
 * page.width×page.height packed rows at (x0, y0), MSB first, 1 = black, where `ink(g, i, px, py)` says a pixel of grey
 * `g` (source index `i`, page position px, py) is black. Threshold, screen and per-region binarization differ only
 * in that rule.
 */
export function placeBits(
  grey: Uint8Array, w: number, h: number, channels: number,
  page: { width: number; height: number }, x0: number, y0: number,
  ink: (g: number, i: number, px: number, py: number) => boolean,
): Uint8Array {
  const stride = (page.width + 7) >> 3;
  const out = new Uint8Array(stride * page.height);
  const rows = Math.min(h, page.height - y0);
  const cols = Math.min(w, page.width - x0);
  for (let y = 0; y < rows; y++) {
    const src = y * w;
    const py = y + y0;
    const dst = py * stride;
    for (let x = 0; x < cols; x++) {
      const px = x + x0;
      if (ink(grey[(src + x) * channels], src + x, px, py)) out[dst + (px >> 3)] |= 0x80 >> (px & 7);
    }
  }
  return out;
}

/** The screen's threshold at page position (px, py). */
export function screenAt(rowScale: number): (px: number, py: number) => number {
  const tile = screenTile(rowScale);
  return (px, py) => tile.t[(py % tile.h) * tile.w + (px % tile.w)];
}

/**
 * Binarize `grey` (w×h, 0 = black) onto a white page of pageW×pageH packed rows at (x0, y0).
 * Returns packed rows, MSB first, 1 = black. `rowScale` (xres/yres) shapes the photo screen's dots.
 */
export function toPage(
  grey: Uint8Array, w: number, h: number,
  page: { width: number; height: number }, x0: number, y0: number,
  mode: 'threshold' | 'screen', threshold = 128, rowScale = 1,
): Uint8Array {
  if (mode === 'threshold') return placeBits(grey, w, h, 1, page, x0, y0, (g) => g < threshold);
  const at = screenAt(rowScale);
  return placeBits(grey, w, h, 1, page, x0, y0, (g, _i, px, py) => g < at(px, py));
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
