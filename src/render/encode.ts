// Turns packed 1-bit pages (images, text) into CCITT strips in-process: these documents have few pages, and PDFs are
// coded by Ghostscript itself.
import { encodeG3_2D, encodeG4, g3K } from './ccitt.js';
import type { FaxPage } from './tiff.js';
import type { Geometry } from './types.js';

export interface PageEncoder {
  /** `data` is packed rows, 1 = black */
  encode(data: Uint8Array, width: number, height: number, geom: Geometry): Promise<FaxPage>;
  close(): Promise<void>;
}

export function encodeSync(data: Uint8Array, width: number, height: number, geom: Geometry): FaxPage {
  const img = { width, height, data };
  const strip = geom.compression === 3 ? encodeG3_2D(img, g3K(geom.yres)) : encodeG4(img);
  return { width, height, compression: geom.compression, t4Options: geom.compression === 3 ? 1 : undefined, xres: geom.xres, yres: geom.yres, strip };
}

export function createInProcessEncoder(): PageEncoder {
  return {
    encode: async (data, width, height, geom) => encodeSync(data, width, height, geom),
    close: async () => {},
  };
}
