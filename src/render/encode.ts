// Turns packed 1-bit pages (images, text) into CCITT strips, reusing page buffers. In-process: these documents have
// few pages, and PDFs are coded by Ghostscript itself.
import { encodeG3_2D, encodeG4, g3K } from './ccitt.js';
import type { FaxPage } from './tiff.js';
import type { Geometry } from './types.js';

export interface PageEncoder {
  /** `data` is packed rows, 1 = black; it is handed over (to a worker, then back to the buffer pool): do not reuse it */
  encode(data: Uint8Array, width: number, height: number, geom: Geometry): Promise<FaxPage>;
  /** a zeroed-or-not page buffer of `size` bytes, recycled from earlier pages (fresh allocations cost GC and page faults) */
  take(size: number): Uint8Array;
  close(): Promise<void>;
}

/** Keeps a few page-sized buffers for reuse. */
function bufferPool() {
  const free: Uint8Array[] = [];
  return {
    take(size: number): Uint8Array {
      const i = free.findIndex((b) => b.byteLength === size);
      return i >= 0 ? free.splice(i, 1)[0] : new Uint8Array(size);
    },
    give(b: Uint8Array): void {
      if (free.length < 8 && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) free.push(b);
    },
  };
}

export function encodeSync(data: Uint8Array, width: number, height: number, geom: Geometry): FaxPage {
  const img = { width, height, data };
  const strip = geom.compression === 3 ? encodeG3_2D(img, g3K(geom.yres)) : encodeG4(img);
  return { width, height, compression: geom.compression, t4Options: geom.compression === 3 ? 1 : undefined, xres: geom.xres, yres: geom.yres, strip };
}

export function createInProcessEncoder(): PageEncoder {
  const pool = bufferPool();
  return {
    encode: async (data, width, height, geom) => {
      const page = encodeSync(data, width, height, geom);
      pool.give(data);
      return page;
    },
    take: pool.take,
    close: async () => {},
  };
}
