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
 */
export function decodeJsonBody(bytes: Uint8Array, hash: Hasher): DecodedBody {
  if (bytes.length === 0) throw Object.assign(new Error('empty body'), { kind: 'empty' });
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
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
    throw Object.assign(new Error((e as Error).message), { kind: 'invalid' });
  }
  const files: (DecodedFile | undefined)[] = [];
  const list = body !== null && typeof body === 'object' ? (body as { files?: unknown }).files : undefined;
  if (Array.isArray(list)) {
    list.forEach((f: unknown, i: number) => {
      if (f === null || typeof f !== 'object' || typeof (f as { data?: unknown }).data !== 'string') return;
      const entry = f as { data: string };
      const data = entry.data.replace(/\s+/g, '');
      entry.data = '';
      if (data.length % 4 === 1 || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
        files[i] = { ok: false };
        return;
      }
      // Decoded straight into an ArrayBuffer of its own, so it can be transferred back without a copy.
      const out = new Uint8Array(new ArrayBuffer(Buffer.byteLength(data, 'base64')));
      const n = Buffer.from(out.buffer).write(data, 'base64');
      const decoded = n === out.length ? out : out.subarray(0, n);
      files[i] = { ok: true, bytes: decoded, sha256: hash('sha256').update(decoded).digest('hex') };
    });
  }
  return { body, files };
}

// The worker receives the body chunk by chunk while it arrives (the event loop never holds or copies the whole of it),
// then 'end': it joins, parses, decodes and hashes, and hands the decoded bytes back without a copy.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const decodeJsonBody = ${decodeJsonBody.toString()};
const chunks = [];
let size = 0;
parentPort.on('message', (msg) => {
  if (msg !== 'end') {
    chunks.push(msg);
    size += msg.length;
    return;
  }
  try {
    const out = decodeJsonBody(Buffer.concat(chunks, size), createHash);
    chunks.length = 0;
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
  /** Hand one chunk of the body over (copied: a socket's chunk may share memory with others). */
  push(chunk: Uint8Array): void;
  /** The body is complete: decode it. */
  end(): Promise<DecodedBody>;
  /** The request failed or was refused: stop the worker, drop what it holds. */
  abort(): void;
}

/** A fresh worker thread for one large body, ended as soon as it has answered (or the request is given up). */
export function workerDecoder(): WorkerDecoder {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
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
      worker.postMessage(chunk);
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
