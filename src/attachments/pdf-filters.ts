// The PDF stream filters a bomb can hide behind (LZW, run-length, ASCII85/hex in front of Flate), decoded with a cap.
import { constants as zc, inflateSync } from 'node:zlib';

/** Output would pass the cap: the caller counts the stream as `cap` bytes and stops. */
export class OverCap extends Error {}

/** Full names for the abbreviations (inline-image style) that readers accept in stream dictionaries too. */
const NAMES: Record<string, string> = {
  '/Fl': '/FlateDecode', '/LZW': '/LZWDecode', '/RL': '/RunLengthDecode', '/AHx': '/ASCIIHexDecode', '/A85': '/ASCII85Decode',
};
export const MEASURED_FILTERS = new Set(['/FlateDecode', '/LZWDecode', '/RunLengthDecode', '/ASCIIHexDecode', '/ASCII85Decode']);

/** The /Filter names of a stream dictionary's text, in order ([] when it has none). */
export function filterNames(dict: string): string[] {
  const m = /\/Filter\s*(\[[^\]]*\]|\/[A-Za-z0-9]+)/.exec(dict);
  if (!m) return [];
  return (m[1].match(/\/[A-Za-z0-9]+/g) ?? []).map((n) => NAMES[n] ?? n);
}

/** A byte sink that refuses to grow past `cap`. */
class Out {
  private buf: Buffer;
  n = 0;
  constructor(private readonly cap: number) { this.buf = Buffer.alloc(Math.min(cap, 64 * 1024)); }
  private room(k: number): void {
    if (this.n + k > this.cap) throw new OverCap();
    if (this.n + k > this.buf.length) {
      const next = Buffer.alloc(Math.min(this.cap, Math.max(this.buf.length * 2, this.n + k)));
      this.buf.copy(next, 0, 0, this.n);
      this.buf = next;
    }
  }
  byte(b: number): void { this.room(1); this.buf[this.n++] = b; }
  bytes(src: Buffer, from: number, to: number): void { this.room(to - from); src.copy(this.buf, this.n, from, to); this.n += to - from; }
  fill(b: number, k: number): void { this.room(k); this.buf.fill(b, this.n, this.n + k); this.n += k; }
  done(): Buffer { return this.buf.subarray(0, this.n); }
}

function asciiHex(data: Buffer, cap: number): Buffer {
  const out = new Out(cap);
  let hi = -1;
  for (const c of data) {
    if (c === 0x3e) break;
    const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
    if (v < 0) continue;
    if (hi < 0) hi = v;
    else { out.byte(hi * 16 + v); hi = -1; }
  }
  if (hi >= 0) out.byte(hi * 16);
  return out.done();
}

function ascii85(data: Buffer, cap: number): Buffer {
  const out = new Out(cap);
  const group: number[] = [];
  const flush = (n: number) => {
    let v = 0;
    for (let k = 0; k < 5; k++) v = v * 85 + (k < n ? group[k] : 84);
    for (let k = 0; k < n - 1; k++) out.byte(Math.floor(v / 256 ** (3 - k)) % 256);
  };
  let i = data[0] === 0x3c && data[1] === 0x7e ? 2 : 0;
  for (; i < data.length; i++) {
    const c = data[i];
    if (c === 0x7e) break;
    if (c === 0x7a && group.length === 0) { out.fill(0, 4); continue; }
    if (c < 0x21 || c > 0x75) continue;
    group.push(c - 0x21);
    if (group.length === 5) { flush(5); group.length = 0; }
  }
  if (group.length > 1) flush(group.length);
  return out.done();
}

function runLength(data: Buffer, cap: number): Buffer {
  const out = new Out(cap);
  for (let i = 0; i < data.length;) {
    const n = data[i++];
    if (n === 128) break;
    if (n < 128) { out.bytes(data, i, Math.min(data.length, i + n + 1)); i += n + 1; } else if (i < data.length) out.fill(data[i++], 257 - n);
  }
  return out.done();
}

/** PDF LZW: MSB-first codes of 9 to 12 bits, 256 = clear, 257 = end, code widths change one code early by default. */
function lzw(data: Buffer, cap: number, earlyChange: number): Buffer {
  const out = new Out(cap);
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  for (let k = 0; k < 256; k++) { suffix[k] = k; prefix[k] = -1; }
  const stack = new Uint8Array(4096);
  let next = 258;
  let width = 9;
  let prev = -1;
  let acc = 0;
  let bits = 0;
  const emit = (code: number): number => {
    let sp = 0;
    for (let c = code; c >= 0; c = prefix[c]) stack[sp++] = suffix[c];
    for (let k = sp - 1; k >= 0; k--) out.byte(stack[k]);
    return stack[sp - 1];
  };
  for (let i = 0; i < data.length; i++) {
    acc = ((acc << 8) | data[i]) & 0xffffff;
    bits += 8;
    while (bits >= width) {
      const code = (acc >> (bits - width)) & ((1 << width) - 1);
      bits -= width;
      if (code === 256) { next = 258; width = 9; prev = -1; continue; }
      if (code === 257) return out.done();
      if (prev < 0) {
        if (code > 255) return out.done();
        emit(code);
      } else if (code < next) {
        const first = emit(code);
        if (next < 4096) { prefix[next] = prev; suffix[next] = first; next++; }
      } else if (code === next && next < 4096) {
        // The code being defined right now: the previous string plus its own first byte.
        let c = prev;
        while (prefix[c] >= 0) c = prefix[c];
        prefix[next] = prev; suffix[next] = suffix[c]; next++;
        emit(code);
      } else return out.done();
      prev = code;
      if (next + earlyChange >= 1 << width && width < 12) width++;
    }
  }
  return out.done();
}

/**
 * Decode one stage, never producing more than `cap` bytes (OverCap past it). `parms` is the stage's dictionary text,
 * read only for LZW's /EarlyChange. Damaged data ends a stage where it breaks, as a renderer would stop there.
 */
export function decodeStage(name: string, data: Buffer, cap: number, parms = ''): Buffer {
  switch (name) {
    case '/FlateDecode':
      try {
        return inflateSync(data, { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: cap });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new OverCap();
        return Buffer.alloc(0);
      }
    case '/LZWDecode': return lzw(data, cap, /\/EarlyChange\s+0/.test(parms) ? 0 : 1);
    case '/RunLengthDecode': return runLength(data, cap);
    case '/ASCIIHexDecode': return asciiHex(data, cap);
    case '/ASCII85Decode': return ascii85(data, cap);
    default: throw new Error(`not a measured filter: ${name}`);
  }
}
