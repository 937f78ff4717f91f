// CCITT T.6 (Group 4) and T.4 2-D (Group 3) encoders for 1-bit rows: our own because Ghostscript's G4 output
// costs twice its rasterizing, and images/text rendered by sharp need fax coding too.
// Rows are packed 1 bit per pixel, MSB first, 1 = black (PBM convention, matching TIFF min-is-white).

type Code = readonly [bits: number, len: number];

// T.4 Table 2: terminating codes 0..63, as [code, length].
const WHITE_TERM: Code[] = [
  [0x35, 8], [0x7, 6], [0x7, 4], [0x8, 4], [0xb, 4], [0xc, 4], [0xe, 4], [0xf, 4],
  [0x13, 5], [0x14, 5], [0x7, 5], [0x8, 5], [0x8, 6], [0x3, 6], [0x34, 6], [0x35, 6],
  [0x2a, 6], [0x2b, 6], [0x27, 7], [0xc, 7], [0x8, 7], [0x17, 7], [0x3, 7], [0x4, 7],
  [0x28, 7], [0x2b, 7], [0x13, 7], [0x24, 7], [0x18, 7], [0x2, 8], [0x3, 8], [0x1a, 8],
  [0x1b, 8], [0x12, 8], [0x13, 8], [0x14, 8], [0x15, 8], [0x16, 8], [0x17, 8], [0x28, 8],
  [0x29, 8], [0x2a, 8], [0x2b, 8], [0x2c, 8], [0x2d, 8], [0x4, 8], [0x5, 8], [0xa, 8],
  [0xb, 8], [0x52, 8], [0x53, 8], [0x54, 8], [0x55, 8], [0x24, 8], [0x25, 8], [0x58, 8],
  [0x59, 8], [0x5a, 8], [0x5b, 8], [0x4a, 8], [0x4b, 8], [0x32, 8], [0x33, 8], [0x34, 8],
];
const BLACK_TERM: Code[] = [
  [0x37, 10], [0x2, 3], [0x3, 2], [0x2, 2], [0x3, 3], [0x3, 4], [0x2, 4], [0x3, 5],
  [0x5, 6], [0x4, 6], [0x4, 7], [0x5, 7], [0x7, 7], [0x4, 8], [0x7, 8], [0x18, 9],
  [0x17, 10], [0x18, 10], [0x8, 10], [0x67, 11], [0x68, 11], [0x6c, 11], [0x37, 11], [0x28, 11],
  [0x17, 11], [0x18, 11], [0xca, 12], [0xcb, 12], [0xcc, 12], [0xcd, 12], [0x68, 12], [0x69, 12],
  [0x6a, 12], [0x6b, 12], [0xd2, 12], [0xd3, 12], [0xd4, 12], [0xd5, 12], [0xd6, 12], [0xd7, 12],
  [0x6c, 12], [0x6d, 12], [0xda, 12], [0xdb, 12], [0x54, 12], [0x55, 12], [0x56, 12], [0x57, 12],
  [0x64, 12], [0x65, 12], [0x52, 12], [0x53, 12], [0x24, 12], [0x37, 12], [0x38, 12], [0x27, 12],
  [0x28, 12], [0x58, 12], [0x59, 12], [0x2b, 12], [0x2c, 12], [0x5a, 12], [0x66, 12], [0x67, 12],
];
// T.4 Table 3: make-up codes 64..1728 (index = run / 64 - 1).
const WHITE_MAKEUP: Code[] = [
  [0x1b, 5], [0x12, 5], [0x17, 6], [0x37, 7], [0x36, 8], [0x37, 8], [0x64, 8], [0x65, 8],
  [0x68, 8], [0x67, 8], [0xcc, 9], [0xcd, 9], [0xd2, 9], [0xd3, 9], [0xd4, 9], [0xd5, 9],
  [0xd6, 9], [0xd7, 9], [0xd8, 9], [0xd9, 9], [0xda, 9], [0xdb, 9], [0x98, 9], [0x99, 9],
  [0x9a, 9], [0x18, 6], [0x9b, 9],
];
const BLACK_MAKEUP: Code[] = [
  [0xf, 10], [0xc8, 12], [0xc9, 12], [0x5b, 12], [0x33, 12], [0x34, 12], [0x35, 12], [0x6c, 13],
  [0x6d, 13], [0x4a, 13], [0x4b, 13], [0x4c, 13], [0x4d, 13], [0x72, 13], [0x73, 13], [0x74, 13],
  [0x75, 13], [0x76, 13], [0x77, 13], [0x52, 13], [0x53, 13], [0x54, 13], [0x55, 13], [0x5a, 13],
  [0x5b, 13], [0x64, 13], [0x65, 13],
];
// Extended make-up codes 1792..2560, shared by both colours.
const EXT_MAKEUP: Code[] = [
  [0x8, 11], [0xc, 11], [0xd, 11], [0x12, 12], [0x13, 12], [0x14, 12], [0x15, 12],
  [0x16, 12], [0x17, 12], [0x1c, 12], [0x1d, 12], [0x1e, 12], [0x1f, 12],
];

/** Combined make-up + terminating code for every run length below 2560+64 (at most 25 bits). */
const RUN_LIMIT = 2560 + 64;
function buildRunTable(term: Code[], makeup: Code[]): { code: Int32Array; len: Uint8Array } {
  const code = new Int32Array(RUN_LIMIT);
  const len = new Uint8Array(RUN_LIMIT);
  for (let r = 0; r < RUN_LIMIT; r++) {
    const m = r >> 6;
    const t = term[r & 63];
    if (m > 0) {
      const c = m <= 27 ? makeup[m - 1] : EXT_MAKEUP[m - 28];
      code[r] = (c[0] << t[1]) | t[0];
      len[r] = c[1] + t[1];
    } else {
      code[r] = t[0];
      len[r] = t[1];
    }
  }
  return { code, len };
}
const WHITE = buildRunTable(WHITE_TERM, WHITE_MAKEUP);
const BLACK = buildRunTable(BLACK_TERM, BLACK_MAKEUP);
/** Vertical mode codes indexed by a1 - b1 + 3 (VL3..VR3). */
const V_CODE = [0x2, 0x2, 0x2, 0x1, 0x3, 0x3, 0x3];
const V_LEN = [7, 6, 3, 1, 3, 6, 7];

/**
 * MSB-first bit sink. The hot loops copy its fields into locals and write them back once per row, because
 * property traffic per code dominated the encoder's time. At most 7 bits are pending between codes, and a
 * single code is at most 25 bits, so `acc` (a 32-bit int whose high garbage is never read) never loses bits.
 */
class BitSink {
  buf: Uint8Array;
  pos = 0;
  acc = 0;
  nb = 0;
  constructor(initial: number, private readonly rowBudget: number) {
    this.buf = new Uint8Array(Math.max(4096, initial));
  }
  /** Make room for one more row's worth of codes. */
  reserve(): void {
    if (this.pos + this.rowBudget > this.buf.length) {
      const b = new Uint8Array((this.buf.length + this.rowBudget) * 2);
      b.set(this.buf.subarray(0, this.pos));
      this.buf = b;
    }
  }
  put(bits: number, len: number): void {
    this.acc = (this.acc << len) | bits;
    this.nb += len;
    while (this.nb >= 8) {
      this.nb -= 8;
      this.buf[this.pos++] = this.acc >>> this.nb;
    }
  }
  /** A run longer than the table: extended make-up 2560 codes first. */
  longRun(r: number): number {
    while (r >= RUN_LIMIT) {
      this.put(0x1f, 12);
      r -= 2560;
    }
    return r;
  }
  finish(): Uint8Array {
    if (this.nb > 0) this.put(0, 8 - this.nb);
    return this.buf.slice(0, this.pos);
  }
}

/**
 * Changing elements of one row: positions where the colour differs from the pixel before (pixel -1 is white),
 * followed by three `width` sentinels. Returns the count written (excluding sentinels).
 */
export function changingElements(data: Uint8Array, rowStart: number, width: number, out: Int32Array): number {
  let n = 0;
  let black = false;
  const bytes = (width + 7) >> 3;
  const words = bytes >> 2;
  // 32 pixels at a time: most of a fax row is long runs
  for (let i = 0; i < words; i++) {
    const o = rowStart + (i << 2);
    let v = (data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | data[o + 3];
    if (black) v = ~v;
    if (v === 0) continue;
    const base = i << 5;
    for (;;) {
      const p = Math.clz32(v); // first pixel differing from the current colour
      out[n++] = base + p;
      black = !black;
      if (p >= 31) break;
      // flip the remaining bits so we look for the next change, and drop the ones already consumed
      v = ~v & (0xffffffff >>> (p + 1));
      if (v === 0) break;
    }
  }
  for (let i = words << 2; i < bytes; i++) {
    const b = data[rowStart + i];
    let v = black ? (~b & 0xff) : b;
    while (v !== 0) {
      const p = Math.clz32(v) - 24;
      const x = (i << 3) + p;
      if (x >= width) break;
      out[n++] = x;
      black = !black;
      if (p >= 7) break;
      v = ~v & (0xff >> (p + 1));
    }
  }
  // three sentinels: b2 may be read one past the second when b1 is itself a sentinel
  out[n] = width;
  out[n + 1] = width;
  out[n + 2] = width;
  return n;
}

/** Encode one row in 2-D mode against the reference row's changing elements (T.6 §2.2 / T.4 §4.2). */
function encode2D(w: BitSink, cur: Int32Array, ref: Int32Array, width: number): void {
  const buf = w.buf;
  let pos = w.pos;
  let acc = w.acc;
  let nb = w.nb;
  let a0 = -1;
  let black = false;
  let ia = 0; // index of first coding element > a0
  let ib = 0; // index of first reference element > a0
  for (;;) {
    while (cur[ia] <= a0) ia++;
    const a1 = cur[ia];
    while (ref[ib] <= a0) ib++;
    // b1 must have the colour opposite to a0: even indices are white→black (black) elements
    let kb = ib;
    if ((kb & 1) !== (black ? 1 : 0)) kb++;
    const b1 = ref[kb];
    const b2 = ref[kb + 1];
    if (b2 < a1) {
      acc = (acc << 4) | 1; // pass
      nb += 4;
      a0 = b2;
    } else {
      const d = a1 - b1;
      if (d >= -3 && d <= 3) {
        acc = (acc << V_LEN[d + 3]) | V_CODE[d + 3];
        nb += V_LEN[d + 3];
        a0 = a1;
        black = !black;
      } else {
        const a2 = cur[ia + 1];
        let r1 = a1 - (a0 < 0 ? 0 : a0);
        let r2 = a2 - a1;
        acc = (acc << 3) | 1; // horizontal
        nb += 3;
        if (r1 >= RUN_LIMIT || r2 >= RUN_LIMIT) {
          // rare (rows wider than 2623 px): go through the sink's slow path
          w.pos = pos; w.acc = acc; w.nb = nb;
          r1 = w.longRun(r1);
          pos = w.pos; acc = w.acc; nb = w.nb;
        }
        const t1 = black ? BLACK : WHITE;
        while (nb >= 8) { nb -= 8; buf[pos++] = acc >>> nb; }
        acc = (acc << t1.len[r1]) | t1.code[r1];
        nb += t1.len[r1];
        while (nb >= 8) { nb -= 8; buf[pos++] = acc >>> nb; }
        if (r2 >= RUN_LIMIT) {
          w.pos = pos; w.acc = acc; w.nb = nb;
          r2 = w.longRun(r2);
          pos = w.pos; acc = w.acc; nb = w.nb;
        }
        const t2 = black ? WHITE : BLACK;
        acc = (acc << t2.len[r2]) | t2.code[r2];
        nb += t2.len[r2];
        a0 = a2;
      }
    }
    while (nb >= 8) { nb -= 8; buf[pos++] = acc >>> nb; }
    if (a0 >= width) break;
  }
  w.pos = pos;
  w.acc = acc;
  w.nb = nb;
}

/** Encode one row in 1-D Modified Huffman (T.4 §4.1), for the first line of each Group 3 K-block. */
function encode1D(w: BitSink, cur: Int32Array, n: number, width: number): void {
  let x = 0;
  let black = false;
  for (let i = 0; i <= n; i++) {
    const r = w.longRun((i < n ? cur[i] : width) - x);
    const t = black ? BLACK : WHITE;
    w.put(t.code[r], t.len[r]);
    if (i < n) x = cur[i];
    black = !black;
  }
}

export interface Bilevel {
  width: number;
  height: number;
  /** packed rows, (width+7)>>3 bytes each, MSB first, 1 = black */
  data: Uint8Array;
}

/** T.6 (Group 4) stream for a whole page, ending with EOFB. */
export function encodeG4(img: Bilevel): Uint8Array {
  const { width, height, data } = img;
  const stride = (width + 7) >> 3;
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const w = new BitSink((stride * height) / 3, width * 2 + 64); // dense text pages code to ~1/8 of raw
  let ref = new Int32Array(width + 4);
  let cur = new Int32Array(width + 4);
  ref.fill(width, 0, 3);
  let refN = 0;
  for (let y = 0; y < height; y++) {
    const start = y * stride;
    w.reserve();
    // A row equal to the one above codes as one V0 per changing element plus the final one: n+1 one-bits.
    if (y > 0 && bytes.compare(bytes, start - stride, start, start, start + stride) === 0) {
      let ones = refN + 1;
      while (ones >= 8) {
        w.put(0xff, 8);
        ones -= 8;
      }
      if (ones) w.put((1 << ones) - 1, ones);
      continue;
    }
    refN = changingElements(data, start, width, cur);
    encode2D(w, cur, ref, width);
    const t = ref; ref = cur; cur = t;
  }
  w.put(0x1, 12); // EOFB
  w.put(0x1, 12);
  return w.finish();
}

/**
 * T.4 two-dimensional (Group 3 2-D) stream: every line starts with EOL + a tag bit (1 = 1-D line, 0 = 2-D),
 * a 1-D line every `k` lines so errors on a noisy phone line do not propagate. No fill bits (T4Options = 1).
 */
export function encodeG3_2D(img: Bilevel, k: number): Uint8Array {
  const { width, height, data } = img;
  const stride = (width + 7) >> 3;
  const w = new BitSink(stride * height >> 3, width * 2 + 64);
  let ref = new Int32Array(width + 4);
  let cur = new Int32Array(width + 4);
  for (let y = 0; y < height; y++) {
    const n = changingElements(data, y * stride, width, cur);
    w.reserve();
    if (y % k === 0) {
      w.put(0x3, 13); // EOL + 1
      encode1D(w, cur, n, width);
    } else {
      w.put(0x2, 13); // EOL + 0
      encode2D(w, cur, ref, width);
    }
    const t = ref; ref = cur; cur = t;
  }
  return w.finish();
}

/** The K parameter a fax machine would use at this vertical resolution (T.4 §4.2.1). */
export function g3K(yres: number): number {
  return yres < 150 ? 2 : yres < 300 ? 4 : 8;
}
