// In-process PDF page count for well-formed files: xref (tables or streams) → /Root → page tree walk, strictly
// checked and byte/time capped. Any doubt (encryption, repairs needed, odd trees) answers "undecided" so qpdf decides.
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { inflate as inflateCb } from 'node:zlib';

const inflate = promisify(inflateCb);

/** Why the cheap parse gave up; the caller then asks qpdf (and Ghostscript), exactly as before. */
export class Undecided extends Error {}
/** The parser ran off the end of the bytes it was given: read a larger window and try again. */
class NeedMore extends Error {}

export interface PdfStructureLimits {
  /** bytes held: file blocks read (cached 64 KB blocks) plus decompressed streams */
  maxBytes: number;
  /** wall-clock budget */
  timeoutMs: number;
  /** page-tree nodes visited */
  maxNodes: number;
  /** one object stream / xref stream, decompressed */
  maxStreamBytes: number;
}

export const DEFAULT_STRUCTURE_LIMITS: PdfStructureLimits = {
  maxBytes: 16 * 1024 * 1024, timeoutMs: 1500, maxNodes: 50_000, maxStreamBytes: 8 * 1024 * 1024,
};

interface Ref { ref: [number, number] }
interface Stream { dict: Dict; dataAt: number }
type Value = number | string | boolean | null | Ref | Value[] | Dict | { str: true };
interface Dict { dict: Map<string, Value> }

const isRef = (v: Value | undefined): v is Ref => typeof v === 'object' && v !== null && 'ref' in v;
const isDict = (v: Value | undefined): v is Dict => typeof v === 'object' && v !== null && 'dict' in v;
const MAX_ARRAY = 100_000;
/** xref entries kept (a 1 MB xref stream could otherwise name millions of objects) */
const MAX_XREF_ENTRIES = 500_000;
const WS = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

/** A recursive-descent reader of PDF objects over a byte window; `base` is the window's file offset. */
class Lexer {
  constructor(readonly b: Buffer, public i: number, readonly atEof: boolean) {}

  private eof(): never {
    throw this.atEof ? new Undecided('unexpected end of file') : new NeedMore();
  }

  ws(): void {
    const b = this.b;
    for (;;) {
      while (this.i < b.length && WS.has(b[this.i])) this.i++;
      if (this.i < b.length && b[this.i] === 0x25) {
        while (this.i < b.length && b[this.i] !== 0x0a && b[this.i] !== 0x0d) this.i++;
        continue;
      }
      // Running out of bytes in whitespace only matters when more of the file could follow.
      if (this.i >= b.length && !this.atEof) throw new NeedMore();
      return;
    }
  }

  token(): string {
    this.ws();
    const s = this.i;
    while (this.i < this.b.length && !WS.has(this.b[this.i]) && !DELIM.has(this.b[this.i])) this.i++;
    // A token touching the window's end may continue past it; at the real end it is complete (or missing).
    if (this.i >= this.b.length && (!this.atEof || s === this.i)) this.eof();
    return this.b.toString('latin1', s, this.i);
  }

  expect(word: string): void {
    const t = this.token();
    if (t !== word) throw new Undecided(`expected ${word}, found ${t.slice(0, 20)}`);
  }

  int(): number {
    const t = this.token();
    if (!/^\d{1,10}$/.test(t)) throw new Undecided('expected a whole number');
    return Number(t);
  }

  value(depth = 0): Value {
    if (depth > 64) throw new Undecided('nesting too deep');
    this.ws();
    const b = this.b;
    const c = b[this.i];
    if (c === 0x2f) { // name
      const s = ++this.i;
      while (this.i < b.length && !WS.has(b[this.i]) && !DELIM.has(b[this.i])) this.i++;
      if (this.i >= b.length && !this.atEof) this.eof();
      return '/' + b.toString('latin1', s, this.i).replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    }
    if (c === 0x3c && b[this.i + 1] === 0x3c) { // dictionary
      this.i += 2;
      const dict = new Map<string, Value>();
      for (;;) {
        this.ws();
        if (b[this.i] === 0x3e) {
          if (this.i + 1 >= b.length) this.eof();
          if (b[this.i + 1] !== 0x3e) throw new Undecided('bad dictionary end');
          this.i += 2;
          return { dict };
        }
        const k = this.value(depth + 1);
        if (typeof k !== 'string' || !k.startsWith('/')) throw new Undecided('dictionary key is not a name');
        dict.set(k, this.value(depth + 1));
      }
    }
    if (c === 0x3c) { // hex string
      const end = b.indexOf(0x3e, this.i);
      if (end < 0) this.eof();
      if (!/^[0-9a-fA-F\s]*$/.test(b.toString('latin1', this.i + 1, end))) throw new Undecided('bad hex string');
      this.i = end + 1;
      return { str: true };
    }
    if (c === 0x28) { // literal string: balanced parentheses, backslash escapes
      let level = 0;
      for (; this.i < b.length; this.i++) {
        if (b[this.i] === 0x5c) { this.i++; continue; }
        if (b[this.i] === 0x28) level++;
        else if (b[this.i] === 0x29 && --level === 0) { this.i++; return { str: true }; }
      }
      this.eof();
    }
    if (c === 0x5b) { // array
      this.i++;
      const arr: Value[] = [];
      for (;;) {
        this.ws();
        if (b[this.i] === 0x5d) { this.i++; return arr; }
        // A hostile array of millions of references would cost far more memory than the bytes it came from.
        if (arr.length >= MAX_ARRAY) throw new Undecided('array too long');
        arr.push(this.value(depth + 1));
      }
    }
    const t = this.token();
    if (t === '') throw new Undecided(`unexpected character ${c}`);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (/^\d+$/.test(t)) {
      // "n g R" is a reference; look ahead without consuming when it is not.
      const save = this.i;
      try {
        const g = this.token();
        if (/^\d+$/.test(g) && this.token() === 'R') return { ref: [Number(t), Number(g)] };
      } catch (e) {
        // Not enough bytes to tell a reference from a number: read more. At the real end it is a number.
        if (e instanceof NeedMore) throw e;
      }
      this.i = save;
      return Number(t);
    }
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) return Number(t);
    throw new Undecided(`unexpected token ${t.slice(0, 20)}`);
  }
}

type XrefEntry = { type: 1; offset: number; gen: number } | { type: 2; stream: number; index: number } | { type: 0 };

/** PNG predictors (10–15) as xref streams use them; anything else is left to qpdf. */
function unpredict(data: Buffer, parms: Dict | undefined, columns: number): Buffer {
  const p = parms?.dict.get('/Predictor');
  if (p === undefined || p === 1) return data;
  if (typeof p !== 'number' || p < 10 || p > 15) throw new Undecided('unsupported predictor');
  const colors = parms?.dict.get('/Colors') ?? 1;
  const bpc = parms?.dict.get('/BitsPerComponent') ?? 8;
  const cols = parms?.dict.get('/Columns') ?? 1;
  if (colors !== 1 || bpc !== 8 || cols !== columns) throw new Undecided('unsupported predictor parameters');
  const row = columns;
  if (data.length % (row + 1) !== 0) throw new Undecided('predicted data has a partial row');
  const out = Buffer.alloc((data.length / (row + 1)) * row);
  for (let r = 0, o = 0; r * (row + 1) < data.length; r++, o += row) {
    const f = data[r * (row + 1)];
    const src = data.subarray(r * (row + 1) + 1, (r + 1) * (row + 1));
    for (let k = 0; k < row; k++) {
      const left = k > 0 ? out[o + k - 1] : 0;
      const up = r > 0 ? out[o - row + k] : 0;
      const ul = r > 0 && k > 0 ? out[o - row + k - 1] : 0;
      let v: number;
      if (f === 0) v = src[k];
      else if (f === 1) v = src[k] + left;
      else if (f === 2) v = src[k] + up;
      else if (f === 3) v = src[k] + ((left + up) >> 1);
      else if (f === 4) {
        const pa = Math.abs(up - ul);
        const pb = Math.abs(left - ul);
        const pc = Math.abs(left + up - 2 * ul);
        v = src[k] + (pa <= pb && pa <= pc ? left : pb <= pc ? up : ul);
      } else throw new Undecided('bad PNG filter type');
      out[o + k] = v & 0xff;
    }
  }
  return out;
}

/**
 * Count the pages of a well-formed, unencrypted PDF whose header is at offset 0, or throw `Undecided`.
 * Strict on purpose: every object must sit exactly where the xref says, every tree node must be typed, no node may
 * be reached twice, and the leaves counted must equal the root's /Count — otherwise qpdf (which repairs) decides.
 */
export async function countPdfPages(fh: FileHandle, size: number, limits: PdfStructureLimits = DEFAULT_STRUCTURE_LIMITS): Promise<number> {
  const deadline = Date.now() + limits.timeoutMs;
  const BLOCK = 64 * 1024;
  const blocks = new Map<number, Buffer>();
  let bytesRead = 0;

  const checkTime = () => { if (Date.now() > deadline) throw new Undecided('structure read took too long'); };

  /** File bytes [pos, pos+len) clipped to the file, through a cache of 64 KB blocks. */
  async function bytes(pos: number, len: number): Promise<Buffer> {
    checkTime();
    const end = Math.min(size, pos + len);
    if (pos >= end) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (let blk = Math.floor(pos / BLOCK); blk * BLOCK < end; blk++) {
      let b = blocks.get(blk);
      if (!b) {
        const n = Math.min(BLOCK, size - blk * BLOCK);
        bytesRead += n;
        if (bytesRead > limits.maxBytes) throw new Undecided('structure read exceeds the byte cap');
        b = Buffer.alloc(n);
        const r = await fh.read(b, 0, n, blk * BLOCK);
        if (r.bytesRead !== n) throw new Undecided('short read');
        blocks.set(blk, b);
      }
      const from = Math.max(pos, blk * BLOCK) - blk * BLOCK;
      const to = Math.min(end, (blk + 1) * BLOCK) - blk * BLOCK;
      parts.push(b.subarray(from, to));
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /** Run `parse` over a window at `pos`, growing the window while the parser runs off its end. */
  async function at<T>(pos: number, parse: (lx: Lexer) => T | Promise<T>): Promise<T> {
    for (let len = 4096; ; len *= 8) {
      const buf = await bytes(pos, len);
      const atEof = pos + buf.length >= size;
      try {
        return await parse(new Lexer(buf, 0, atEof));
      } catch (e) {
        if (!(e instanceof NeedMore) || atEof) throw e instanceof NeedMore ? new Undecided('truncated object') : e;
      }
    }
  }

  const header = await bytes(0, 8);
  if (!header.toString('latin1').startsWith('%PDF-')) throw new Undecided('header not at offset 0');

  // startxref from the last 1 KB (the caller already checked %%EOF is near the end).
  const tailLen = Math.min(size, 1024);
  const tail = (await bytes(size - tailLen, tailLen)).toString('latin1');
  const sx = /startxref\s+(\d{1,12})\s+%%EOF\s*$/.exec(tail);
  if (!sx) throw new Undecided('no startxref at the end');

  const xref = new Map<number, XrefEntry>();
  const trailers: Dict[] = [];
  const setEntry = (n: number, e: XrefEntry) => {
    if (xref.has(n)) return;
    if (xref.size >= MAX_XREF_ENTRIES) throw new Undecided('too many xref entries');
    xref.set(n, e);
  };

  /** Indirect object at a file offset: `n g obj <value> [stream]`, header checked against the expected number. */
  async function objectAt(offset: number, num: number | undefined, gen: number | undefined): Promise<{ value: Value; stream?: Stream; num: number }> {
    if (offset <= 0 || offset >= size) throw new Undecided('object offset outside the file');
    return at(offset, (lx) => {
      const n = lx.int();
      const g = lx.int();
      lx.expect('obj');
      if ((num !== undefined && n !== num) || (gen !== undefined && g !== gen)) throw new Undecided('xref points at the wrong object');
      const value = lx.value();
      if (!isDict(value)) return { value, num: n };
      lx.ws();
      if (lx.i + 8 > lx.b.length && !lx.atEof) throw new NeedMore();
      if (lx.b.toString('latin1', lx.i, lx.i + 6) !== 'stream') return { value, num: n };
      lx.i += 6;
      if (lx.b[lx.i] === 0x0d) lx.i++;
      if (lx.b[lx.i] !== 0x0a) throw new Undecided('stream keyword not followed by a line end');
      return { value, num: n, stream: { dict: value, dataAt: offset + lx.i + 1 } };
    });
  }

  async function streamData(s: Stream): Promise<Buffer> {
    const len = await resolve(s.dict.dict.get('/Length'));
    if (typeof len !== 'number' || !Number.isInteger(len) || len < 0 || s.dataAt + len > size) throw new Undecided('bad stream length');
    if (len > limits.maxStreamBytes) throw new Undecided('stream too large');
    const raw = await bytes(s.dataAt, len);
    const after = (await bytes(s.dataAt + len, 32)).toString('latin1');
    if (!/^\s*endstream/.test(after)) throw new Undecided('stream length does not reach endstream');
    const filter = s.dict.dict.get('/Filter');
    const f = Array.isArray(filter) && filter.length === 1 ? filter[0] : filter;
    if (f === undefined) return raw;
    if (f !== '/FlateDecode') throw new Undecided('unsupported stream filter');
    let out: Buffer;
    try {
      out = await inflate(raw, { maxOutputLength: limits.maxStreamBytes });
    } catch {
      throw new Undecided('stream does not decompress');
    }
    // Decompressed object streams are kept for the walk: they count against the same memory budget.
    bytesRead += out.length;
    if (bytesRead > limits.maxBytes) throw new Undecided('structure read exceeds the byte cap');
    return out;
  }

  async function readXrefTable(offset: number): Promise<Dict> {
    return at(offset, (lx) => {
      lx.expect('xref');
      for (;;) {
        const t = lx.token();
        if (t === 'trailer') break;
        if (!/^\d+$/.test(t)) throw new Undecided('bad xref subsection');
        const first = Number(t);
        const count = lx.int();
        if (first + count > 10_000_000) throw new Undecided('xref too large');
        for (let k = 0; k < count; k++) {
          const off = lx.token();
          const gen = lx.token();
          const kind = lx.token();
          if (!/^\d{10}$/.test(off) || !/^\d{5}$/.test(gen) || (kind !== 'n' && kind !== 'f')) throw new Undecided('bad xref entry');
          if (kind === 'n') setEntry(first + k, { type: 1, offset: Number(off), gen: Number(gen) });
          else setEntry(first + k, { type: 0 });
        }
      }
      const trailer = lx.value();
      if (!isDict(trailer)) throw new Undecided('trailer is not a dictionary');
      return trailer;
    });
  }

  async function readXrefStream(offset: number): Promise<Dict> {
    const o = await objectAt(offset, undefined, undefined);
    if (!o.stream || o.stream.dict.dict.get('/Type') !== '/XRef') throw new Undecided('startxref does not point at an xref');
    const d = o.stream.dict.dict;
    const w = d.get('/W');
    const sizeN = d.get('/Size');
    if (!Array.isArray(w) || w.length !== 3 || !w.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 8) || (w[1] as number) === 0) {
      throw new Undecided('bad /W');
    }
    if (typeof sizeN !== 'number') throw new Undecided('bad /Size');
    const idx = d.get('/Index') ?? [0, sizeN];
    if (!Array.isArray(idx) || idx.length % 2 !== 0 || !idx.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) throw new Undecided('bad /Index');
    const [w0, w1, w2] = w as number[];
    const rowLen = w0 + w1 + w2;
    const parms = d.get('/DecodeParms');
    const data = unpredict(await streamData(o.stream), isDict(parms) ? parms : undefined, rowLen);
    const rows = (idx as number[]).reduce((sum, x, k) => (k % 2 ? sum + x : sum), 0);
    if (rows * rowLen !== data.length) throw new Undecided('xref stream length does not match /Index');
    const field = (p: number, n: number) => { let v = 0; for (let k = 0; k < n; k++) v = v * 256 + data[p + k]; return v; };
    let p = 0;
    for (let s = 0; s < idx.length; s += 2) {
      const first = idx[s] as number;
      for (let k = 0; k < (idx[s + 1] as number); k++, p += rowLen) {
        const type = w0 === 0 ? 1 : field(p, w0);
        const a = field(p + w0, w1);
        const b = field(p + w0 + w1, w2);
        if (type === 0) setEntry(first + k, { type: 0 });
        else if (type === 1) setEntry(first + k, { type: 1, offset: a, gen: b });
        else if (type === 2) setEntry(first + k, { type: 2, stream: a, index: b });
        else throw new Undecided('unknown xref entry type');
      }
    }
    return o.stream.dict;
  }

  // The xref chain, newest first: entries already set win over older sections.
  const seenSections = new Set<number>();
  for (let off: number | undefined = Number(sx[1]); off !== undefined;) {
    if (seenSections.has(off) || seenSections.size >= 64) throw new Undecided('xref chain loops or is too long');
    seenSections.add(off);
    if (off <= 0 || off >= size) throw new Undecided('xref offset outside the file');
    const head: string = (await bytes(off, 4)).toString('latin1');
    const trailer: Dict = head === 'xref' ? await readXrefTable(off) : await readXrefStream(off);
    trailers.push(trailer);
    const stm = trailer.dict.get('/XRefStm');
    if (typeof stm === 'number') {
      if (seenSections.has(stm)) throw new Undecided('xref chain loops');
      seenSections.add(stm);
      await readXrefStream(stm);
    }
    const prev: Value | undefined = trailer.dict.get('/Prev');
    if (prev !== undefined && typeof prev !== 'number') throw new Undecided('bad /Prev');
    off = prev;
  }
  if (trailers.some((t) => t.dict.has('/Encrypt'))) throw new Undecided('encrypted');

  const objStms = new Map<number, { first: number; data: Buffer; offsets: Map<number, [number, number]> }>();
  async function fromObjStm(num: number, stmNum: number, index: number): Promise<Value> {
    let stm = objStms.get(stmNum);
    if (!stm) {
      const e = xref.get(stmNum);
      if (!e || e.type !== 1) throw new Undecided('object stream not found');
      const o = await objectAt(e.offset, stmNum, e.gen);
      if (!o.stream || o.stream.dict.dict.get('/Type') !== '/ObjStm') throw new Undecided('not an object stream');
      const n = o.stream.dict.dict.get('/N');
      const first = o.stream.dict.dict.get('/First');
      if (typeof n !== 'number' || typeof first !== 'number' || n > 100_000) throw new Undecided('bad object stream header');
      const data = await streamData(o.stream);
      const lx = new Lexer(data, 0, true);
      const offsets = new Map<number, [number, number]>();
      for (let k = 0; k < n; k++) {
        const objNum = lx.int();
        offsets.set(objNum, [k, lx.int()]);
      }
      stm = { first, data, offsets };
      objStms.set(stmNum, stm);
    }
    const where = stm.offsets.get(num);
    if (!where || where[0] !== index) throw new Undecided('object not where the xref says in its stream');
    return new Lexer(stm.data, stm.first + where[1], true).value();
  }

  async function resolve(v: Value | undefined): Promise<Value | undefined> {
    if (!isRef(v)) return v;
    const [num, gen] = v.ref;
    const e = xref.get(num);
    if (!e || e.type === 0) throw new Undecided('reference to a missing object');
    if (e.type === 2) {
      if (gen !== 0) throw new Undecided('compressed object with a generation');
      return fromObjStm(num, e.stream, e.index);
    }
    if (e.gen !== gen) throw new Undecided('generation mismatch');
    return (await objectAt(e.offset, num, gen)).value;
  }

  const root = await resolve(trailers[0].dict.get('/Root'));
  if (!isDict(root) || root.dict.get('/Type') !== '/Catalog') throw new Undecided('no catalog');
  const pagesRef = root.dict.get('/Pages');
  if (!isRef(pagesRef)) throw new Undecided('no page tree reference');
  const top = await resolve(pagesRef);
  if (!isDict(top) || top.dict.get('/Type') !== '/Pages') throw new Undecided('page tree root is not /Pages');
  const declared = top.dict.get('/Count');

  let pages = 0;
  const visited = new Set<number>();
  const stack: Ref[] = [pagesRef];
  while (stack.length) {
    checkTime();
    const ref = stack.pop()!;
    if (visited.has(ref.ref[0])) throw new Undecided('page tree node reached twice');
    visited.add(ref.ref[0]);
    if (visited.size > limits.maxNodes) throw new Undecided('page tree too large for the cheap walk');
    const node = await resolve(ref);
    if (!isDict(node)) throw new Undecided('page tree node is not a dictionary');
    const type = node.dict.get('/Type');
    if (type === '/Page') { pages++; continue; }
    if (type !== '/Pages') throw new Undecided('untyped page tree node');
    const kids = node.dict.get('/Kids');
    if (!Array.isArray(kids) || !kids.every(isRef)) throw new Undecided('bad /Kids');
    if (visited.size + stack.length + kids.length > limits.maxNodes) throw new Undecided('page tree too large for the cheap walk');
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k] as Ref);
  }
  if (pages === 0 || declared !== pages) throw new Undecided('/Count disagrees with the page tree');
  return pages;
}
