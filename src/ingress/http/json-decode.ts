// Parses a large JSON request and decodes its base64 files in a worker thread, so the event loop never does it (#12.7).
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { errorCodes } from 'fastify';
import { FaxError } from '../../domain/errors.js';

/** One `files[i]` of the body: its decoded bytes and their digest, or ok=false when `data` is not valid base64. */
export interface DecodedFile {
  ok: boolean;
  bytes?: Uint8Array;
  sha256?: string;
}

/** The body with every `files[i].data` string replaced by '' (the bytes are in `files`, index for index). */
export interface DecodedBody {
  body: unknown;
  files: (DecodedFile | undefined)[];
}

type Hasher = (alg: 'sha256') => { update(data: Uint8Array): { digest(enc: 'hex'): string } };

/**
 * The whole job, self-contained: it is run inside the worker from its source text (`toString()`), so it may use
 * only its arguments and globals — no imports, no helpers outside it. Throws `{ kind: 'empty' | 'invalid' }`.
 * Refuses `__proto__` and `constructor.prototype` keys exactly as fastify's own JSON parser does.
 *
 * Memory: a JSON string longer than `bigString` bytes without escapes is cut out of the text before JSON.parse (a
 * random marker stands in), so a 30 MB body never becomes a 30 MB JS string; a base64 `files[i].data` is then checked
 * and decoded straight from the bytes, a few megabytes at a time. Anything else keeps the plain string semantics.
 */
export function decodeJsonBody(bytes: Uint8Array, hash: Hasher, bigString = 64 * 1024): DecodedBody {
  if (bytes.length === 0) throw Object.assign(new Error('empty body'), { kind: 'empty' });
  const invalid = (why: string) => Object.assign(new Error(why), { kind: 'invalid' });
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const nonce = `${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}:`;
  // 1. The skeleton: every long unescaped string replaced by its marker (`ranges` says where its bytes are).
  const ranges: [number, number][] = [];
  const parts: string[] = [];
  let emitted = 0;
  let at = 0;
  for (;;) {
    const open = buf.indexOf(0x22, at);
    if (open < 0) break;
    let close = open + 1;
    for (;;) {
      close = buf.indexOf(0x22, close);
      if (close < 0) break;
      let slashes = 0;
      while (buf[close - 1 - slashes] === 0x5c) slashes++;
      if (slashes % 2 === 0) break;
      close += 1;
    }
    if (close < 0) break; // unterminated: JSON.parse below says so
    if (close - open - 1 > bigString) {
      const slash = buf.indexOf(0x5c, open + 1);
      let next = close + 1;
      while (buf[next] === 0x20 || buf[next] === 0x09 || buf[next] === 0x0a || buf[next] === 0x0d) next++;
      // Values only: a key (followed by ':') stays in the text.
      if ((slash < 0 || slash > close) && buf[next] !== 0x3a) {
        parts.push(buf.toString('utf8', emitted, open + 1), `\\u0000${nonce}${ranges.length}`);
        ranges.push([open + 1, close]);
        emitted = close;
      }
    }
    at = close + 1;
  }
  parts.push(buf.toString('utf8', emitted));
  const text = parts.join('');
  const cut = (v: unknown): number => (typeof v === 'string' && v.startsWith(`\u0000${nonce}`) ? Number(v.slice(nonce.length + 1)) : -1);
  /** A cut-out string as JSON.parse would have made it (raw control characters are not valid JSON). */
  const restore = (i: number): string => {
    const [a, b] = ranges[i];
    for (let k = a; k < b; k++) if (buf[k] < 0x20) throw invalid('control character in a string');
    return buf.toString('utf8', a, b);
  };
  let body: unknown;
  try {
    body = JSON.parse(text, (key: string, value: unknown) => {
      if (key === '__proto__') throw new Error('__proto__ key');
      if (key === 'constructor' && value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, 'prototype')) {
        throw new Error('constructor.prototype key');
      }
      return value;
    });
  } catch (e) {
    throw invalid((e as Error).message);
  }
  // 2. Each files[i].data: decoded (straight from the bytes when it was cut out and is plain base64) and hashed.
  const files: (DecodedFile | undefined)[] = [];
  const list = body !== null && typeof body === 'object' ? (body as { files?: unknown }).files : undefined;
  const B64 = new Uint8Array(256);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') B64[c.charCodeAt(0)] = 1;
  const decodeString = (s: string): DecodedFile => {
    const data = s.replace(/\s+/g, '');
    if (data.length % 4 === 1 || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) return { ok: false };
    // Decoded straight into an ArrayBuffer of its own, so it can be transferred back without a copy.
    const out = new Uint8Array(new ArrayBuffer(Buffer.byteLength(data, 'base64')));
    const n = Buffer.from(out.buffer).write(data, 'base64');
    const decoded = n === out.length ? out : out.subarray(0, n);
    return { ok: true, bytes: decoded, sha256: hash('sha256').update(decoded).digest('hex') };
  };
  const decodeRange = (i: number): DecodedFile => {
    const [a, b] = ranges[i];
    let end = b;
    while (end > a && b - end < 2 && buf[end - 1] === 0x3d) end--;
    let plain = true;
    for (let k = a; plain && k < end; k++) if (B64[buf[k]] !== 1) plain = false;
    if (!plain) return decodeString(restore(i)); // spaces, other characters: the JSON and string rules decide
    if ((b - a) % 4 === 1) return { ok: false };
    const size = Math.floor(((end - a) * 3) / 4);
    const out = new Uint8Array(new ArrayBuffer(size));
    const view = Buffer.from(out.buffer);
    const step = 4 * 1024 * 1024; // a multiple of 4: each slice decodes on its own
    let written = 0;
    for (let k = a; k < b; k += step) written += view.write(buf.toString('latin1', k, Math.min(k + step, b)), written, 'base64');
    const decoded = written === size ? out : out.subarray(0, written);
    return { ok: true, bytes: decoded, sha256: hash('sha256').update(decoded).digest('hex') };
  };
  if (Array.isArray(list)) {
    files.length = list.length;
    list.forEach((f: unknown, i: number) => {
      if (f === null || typeof f !== 'object' || typeof (f as { data?: unknown }).data !== 'string') return;
      const entry = f as { data: string };
      const r = cut(entry.data);
      files[i] = r >= 0 ? decodeRange(r) : decodeString(entry.data);
      entry.data = '';
    });
  }
  // 3. Any other cut-out string (a long name, cover text...) goes back as the string it was.
  const put = (v: unknown): unknown => {
    const r = cut(v);
    if (r >= 0) return restore(r);
    if (Array.isArray(v)) v.forEach((x, k) => { v[k] = put(x); });
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) (v as Record<string, unknown>)[k] = put((v as Record<string, unknown>)[k]);
    return v;
  };
  return { body: put(body), files };
}

// The worker receives the body chunk by chunk while it arrives (the event loop never holds or copies the whole of it),
// then 'end': it parses, decodes and hashes, and hands the decoded bytes back without a copy.
/** How much lower a decoding worker runs than the event loop (Linux nice value; elsewhere the OS default). */
const WORKER_NICE = 10;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const decodeJsonBody = ${decodeJsonBody.toString()};
// Decoding yields the CPU to the event loop: on Linux the nice value is per thread, so this lowers only this worker.
if (process.platform === 'linux') {
  try { require('node:os').setPriority(0, ${WORKER_NICE}); } catch {}
}
// The body is copied into one buffer as it comes (sized from Content-Length when known), never joined at the end.
let body = null;
let used = 0;
parentPort.on('message', (msg) => {
  if (typeof msg === 'number') {
    body = Buffer.allocUnsafe(msg);
    return;
  }
  if (msg !== 'end') {
    if (!body || used + msg.length > body.length) {
      const grown = Buffer.allocUnsafe(Math.max(used + msg.length, body ? body.length * 2 : 1 << 20));
      if (body) body.copy(grown, 0, 0, used);
      body = grown;
    }
    body.set(msg, used);
    used += msg.length;
    return;
  }
  try {
    const whole = body ? body.subarray(0, used) : Buffer.alloc(0);
    body = null;
    const out = decodeJsonBody(whole, createHash);
    parentPort.postMessage({ out }, out.files.filter((f) => f && f.bytes).map((f) => f.bytes.buffer));
  } catch (e) {
    parentPort.postMessage({ error: { kind: e && e.kind === 'empty' ? 'empty' : 'invalid' } });
  }
});
`;

/** Fastify's own errors for the same faults, so the answer is the same whichever parser ran. */
function parseError(kind: string): Error {
  return kind === 'empty' ? new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY() : new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY();
}

/** Decode on this thread (small bodies: cheaper than a worker's start). */
export function decodeHere(body: Buffer): DecodedBody {
  try {
    return decodeJsonBody(body, createHash);
  } catch (e) {
    throw parseError((e as { kind?: string }).kind ?? 'invalid');
  }
}

export interface WorkerDecoder {
  /** Hand one chunk of the body over. */
  push(chunk: Uint8Array): void;
  /** The body is complete: decode it. */
  end(): Promise<DecodedBody>;
  /** The request failed or was refused: stop the worker, drop what it holds. */
  abort(): void;
}

/** A fresh worker thread for one large body, ended as soon as it has answered (or the request is given up). */
export function workerDecoder(expectedBytes?: number): WorkerDecoder {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  if (expectedBytes !== undefined && Number.isSafeInteger(expectedBytes) && expectedBytes > 0) worker.postMessage(expectedBytes);
  let settle: ((r: { out?: DecodedBody; error?: Error }) => void) | undefined;
  let early: { out?: DecodedBody; error?: Error } | undefined;
  const answer = (r: { out?: DecodedBody; error?: Error }) => {
    void worker.terminate();
    if (settle) settle(r);
    else early ??= r;
  };
  worker.once('message', (msg: { out?: DecodedBody; error?: { kind: string } }) => {
    answer(msg.out ? { out: msg.out } : { error: parseError(msg.error?.kind ?? 'invalid') });
  });
  worker.once('error', (e) => answer({ error: new FaxError('internal', `the JSON body could not be decoded: ${e.message}`) }));
  worker.once('exit', () => answer({ error: new FaxError('internal', 'the JSON decoder stopped before answering') }));
  return {
    push(chunk) {
      // Copied once (memcpy) into memory of its own and transferred. Cloning the view instead copies all the socket
      // memory it shares, and `new Uint8Array(buffer)` copies byte by byte: both measured at ~4 ms per MB.
      const own = Buffer.allocUnsafeSlow(chunk.length);
      Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).copy(own);
      worker.postMessage(own, [own.buffer]);
    },
    end() {
      worker.postMessage('end');
      return new Promise<{ out?: DecodedBody; error?: Error }>((resolve) => {
        if (early) resolve(early);
        else settle = resolve;
      }).then((r) => {
        if (r.out) return r.out;
        throw r.error;
      });
    },
    abort() {
      void worker.terminate();
    },
  };
}
