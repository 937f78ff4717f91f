// Turns packed 1-bit pages into CCITT strips, on worker threads when the compiled worker is present so a long
// document's coding runs on every core; in-process otherwise (tests run from TypeScript sources).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
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

interface Job {
  id: number;
  resolve: (p: FaxPage) => void;
  reject: (e: Error) => void;
  geom: Geometry;
  width: number;
  height: number;
}

/**
 * A small pool of encoder threads, started lazily on first use. Falls back to in-process coding when the
 * compiled worker file is absent.
 */
export function createEncoderPool(size: number): PageEncoder {
  const workerFile = fileURLToPath(new URL('./encode-worker.js', import.meta.url));
  if (size < 1 || !existsSync(workerFile)) return createInProcessEncoder();
  const pool = bufferPool();
  const workers: { w: Worker; busy: number }[] = [];
  const jobs = new Map<number, Job>();
  let nextId = 1;
  const start = () => {
    for (let i = 0; i < size; i++) {
      const w = new Worker(workerFile);
      const slot = { w, busy: 0 };
      w.unref();
      w.on('message', (m: { id: number; strip?: Uint8Array; data?: Uint8Array; error?: string }) => {
        if (m.data) pool.give(m.data);
        const job = jobs.get(m.id);
        if (!job) return;
        jobs.delete(m.id);
        slot.busy--;
        if (m.error || !m.strip) job.reject(new Error(m.error ?? 'encoder failed'));
        else {
          const { geom } = job;
          job.resolve({
            width: job.width, height: job.height, compression: geom.compression,
            t4Options: geom.compression === 3 ? 1 : undefined, xres: geom.xres, yres: geom.yres, strip: m.strip,
          });
        }
      });
      w.on('error', (e) => {
        for (const [id, job] of jobs) {
          jobs.delete(id);
          job.reject(e);
        }
      });
      workers.push(slot);
    }
  };
  return {
    encode(data, width, height, geom) {
      if (workers.length === 0) start();
      const slot = workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      slot.busy++;
      const id = nextId++;
      return new Promise<FaxPage>((resolve, reject) => {
        jobs.set(id, { id, resolve, reject, geom, width, height });
        // copy into a transferable buffer when the view does not own its whole buffer
        const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
        slot.w.postMessage({ id, data: own, width, height, compression: geom.compression, k: g3K(geom.yres) }, [own.buffer as ArrayBuffer]);
      });
    },
    take: pool.take,
    async close() {
      await Promise.all(workers.map((s) => s.w.terminate()));
      workers.length = 0;
    },
  };
}
