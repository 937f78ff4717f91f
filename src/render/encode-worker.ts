// Worker thread body for the encoder pool: packed 1-bit page in, CCITT strip out (transferred back).
import { parentPort } from 'node:worker_threads';
import { encodeG3_2D, encodeG4 } from './ccitt.js';

interface Msg { id: number; data: Uint8Array; width: number; height: number; compression: 3 | 4; k: number }

parentPort?.on('message', (m: Msg) => {
  try {
    const img = { width: m.width, height: m.height, data: m.data };
    const strip = m.compression === 3 ? encodeG3_2D(img, m.k) : encodeG4(img);
    // the page buffer goes back too, for reuse
    parentPort?.postMessage({ id: m.id, strip, data: m.data }, [strip.buffer as ArrayBuffer, m.data.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort?.postMessage({ id: m.id, error: (e as Error).message });
  }
});
