// The CCITT coders round-trip through independent decoders (libvips/libtiff) pixel for pixel, and the Class F
// writer's tags are what docs/rendering.md asks for.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeG3_2D, encodeG4 } from '../../src/render/ccitt.js';
import { buildClassF, parseTiff, type FaxPage } from '../../src/render/tiff.js';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../helpers/tmp.js';
import { decodePage, tiffinfoD } from './helpers.js';

const dir = tempDir();

/** Deterministic pseudo-random generator so failures reproduce. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const W = 1728;
const H = 300;
const stride = W / 8;

function pattern(kind: string): Uint8Array {
  const r = rng(kind.length * 7919);
  const d = new Uint8Array(stride * H);
  const set = (x: number, y: number) => { d[y * stride + (x >> 3)] |= 0x80 >> (x & 7); };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let black = false;
      if (kind === 'noise') black = r() < 0.5;
      else if (kind === 'sparse') black = r() < 0.01;
      else if (kind === 'stripes') black = ((x >> 2) + (y >> 3)) % 3 === 0;
      else if (kind === 'edges') black = x === 0 || x === W - 1 || y === 0 || x > W - 70;
      else if (kind === 'long-runs') black = y % 2 === 0 ? x < 1700 : x > 3;
      else if (kind === 'text-like') black = (y % 40 < 25) && ((x * 7 + y * 3) % 23 < 4 || (x % 97 < 2));
      if (black) set(x, y);
    }
  }
  return d;
}

describe('CCITT coders', () => {
  const kinds = ['blank', 'noise', 'sparse', 'stripes', 'edges', 'long-runs', 'text-like'];
  for (const compression of [4, 3] as const) {
    it.each(kinds)(`${compression === 4 ? 'G4' : 'G3 2-D'} round-trips %s exactly`, async (kind) => {
      const data = pattern(kind);
      const strip = compression === 4 ? encodeG4({ width: W, height: H, data }) : encodeG3_2D({ width: W, height: H, data }, 4);
      const page: FaxPage = { width: W, height: H, compression, t4Options: compression === 3 ? 1 : undefined, xres: 204, yres: 196, strip };
      const file = path.join(dir, `${kind}-${compression}.tif`);
      writeFileSync(file, buildClassF([page, page]));
      await tiffinfoD(file);
      for (const p of [0, 1]) {
        const dec = await decodePage(file, p);
        expect([dec.width, dec.height]).toEqual([W, H]);
        let diff = 0;
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            const bit = (data[y * stride + (x >> 3)] >> (7 - (x & 7))) & 1;
            if (bit !== dec.ink[y * W + x]) diff++;
          }
        }
        expect(diff).toBe(0);
      }
    });
  }

  it('writes Class F tags on every page: NewSubfileType 2, PageNumber n/total, 204 dpi, min-is-white, one strip', () => {
    const data = pattern('sparse');
    const strip = encodeG4({ width: W, height: H, data });
    const pages = [0, 1, 2].map(() => ({ width: W, height: H, compression: 4 as const, xres: 204, yres: 391, strip }));
    const parsed = parseTiff(buildClassF(pages));
    expect(parsed).toHaveLength(3);
    for (const p of parsed) {
      expect(p).toMatchObject({ width: 1728, bitsPerSample: 1, compression: 4, photometric: 0, fillOrder: 1, xres: 204, yres: 391, resUnit: 2 });
      expect(p.stripOffsets).toHaveLength(1);
    }
  });
});
