// Uploads to disk under the size limit: multipart parts are streamed, JSON base64 files written; both hash the request.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FaxError } from '../../domain/errors.js';
// The one cleaning of file names (submit() applies it for every ingress); used here too because the request digest
// for Idempotency-Key is taken over the names as they will be stored.
import { cleanFileName } from '../../intake/names.js';
import { MAX_RECIPIENTS } from '../../intake/rules.js';
import type { UploadedFile } from './deps.js';
import { decodeHere } from './json-decode.js';
import type { JsonBodies } from './json-bodies.js';

/** Most files / fields one request may carry; the recipient cap is intake's, the same for SMTP (src/intake/rules.ts). */
export const MAX_FILES = 50;
export { MAX_RECIPIENTS };
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_FIELDS = MAX_RECIPIENTS + 20;
/** Room for boundaries, part headers and text fields beyond the files themselves. */
const MULTIPART_OVERHEAD = 1024 * 1024;

/** A request's uploads on disk, the text fields beside them and a digest of the whole request (for idempotency). */
export interface ParsedUpload {
  dir: string;
  files: UploadedFile[];
  /** the name and content digest of each file, in order */
  digests: { name: string; declaredType?: string; sha256: string }[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Files of this request already on disk; removed when the response is done. */
    upload?: ParsedUpload;
  }
}

async function newUploadDir(dataDir: string): Promise<string> {
  const dir = path.join(dataDir, 'tmp', `http-${randomUUID()}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export async function removeUpload(upload: ParsedUpload | undefined): Promise<void> {
  if (upload) await rm(upload.dir, { recursive: true, force: true });
}

/** Counts and hashes the bytes that pass; fails with message-too-large once the request total passes the limit. */
class Meter extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly budget: { used: number; limit: number }) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.budget.used += chunk.length;
    if (this.budget.used > this.budget.limit) {
      cb(new FaxError('message-too-large', `the files are larger than the limit of ${this.budget.limit} bytes`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

/** Refuse early, before reading anything, when the declared length is already far beyond the limit. */
export function checkDeclaredLength(req: FastifyRequest, limit: number, overhead: number): void {
  const len = Number(req.headers['content-length']);
  if (Number.isFinite(len) && len > limit + overhead) {
    throw new FaxError('message-too-large', `the request (${len} bytes) is larger than the limit of ${limit} bytes`);
  }
}

/**
 * Stream a multipart request to disk. Returns the text fields as a body object for schema validation
 * (`file` lists the uploaded names) and sets `req.upload`. On any error the partial files are removed.
 */
export async function receiveMultipart(req: FastifyRequest, dataDir: string, limit: number): Promise<Record<string, unknown>> {
  checkDeclaredLength(req, limit, MULTIPART_OVERHEAD);
  const dir = await newUploadDir(dataDir);
  const upload: ParsedUpload = { dir, files: [], digests: [] };
  const body: Record<string, unknown> = {};
  const budget = { used: 0, limit };
  const add = (name: string, value: string) => {
    const prev = body[name];
    body[name] = prev === undefined ? [value] : [...(prev as string[]), value];
  };
  try {
    const parts = req.parts({
      limits: { fileSize: limit + 1, files: MAX_FILES, fields: MAX_FIELDS, parts: MAX_FILES + MAX_FIELDS, fieldSize: MAX_FIELD_BYTES },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        const index = upload.files.length;
        const name = cleanFileName(part.filename, index);
        const file = path.join(dir, String(index).padStart(3, '0'));
        const meter = new Meter(budget);
        await pipeline(part.file, meter, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
        if (part.file.truncated) throw new FaxError('message-too-large', `${name} is larger than the limit of ${limit} bytes`);
        const declaredType = part.mimetype && part.mimetype !== 'application/octet-stream' ? part.mimetype : undefined;
        upload.files.push({ name, path: file, size: meter.bytes, ...(declaredType ? { declaredType } : {}) });
        upload.digests.push({ name, ...(declaredType ? { declaredType } : {}), sha256: meter.hash.digest('hex') });
        add(part.fieldname, name);
      } else {
        if (part.valueTruncated) {
          throw new FaxError('invalid-request', `${part.fieldname} is longer than ${MAX_FIELD_BYTES} bytes`, {
            errors: [{ field: part.fieldname, message: `${part.fieldname} is longer than ${MAX_FIELD_BYTES} bytes` }],
          });
        }
        add(part.fieldname, String(part.value));
      }
    }
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  req.upload = upload;
  // Single-valued fields come back as scalars; `to` and `file` stay lists.
  for (const [k, v] of Object.entries(body)) {
    if (k !== 'to' && k !== 'file' && Array.isArray(v) && v.length === 1) body[k] = v[0];
  }
  return body;
}

export interface JsonFile {
  name?: string;
  contentType?: string;
  data: string;
}

/**
 * Write the JSON body's files to disk (same limit as multipart); sets `req.upload`. The JSON parser (json-bodies.ts)
 * has already decoded and hashed them (in a worker for a large body) into `req.jsonFiles`.
 */
export async function receiveJsonFiles(req: FastifyRequest, files: JsonFile[], dataDir: string, limit: number): Promise<ParsedUpload> {
  const errors: { field: string; message: string }[] = [];
  const buffers: Buffer[] = [];
  const sums: string[] = [];
  let total = 0;
  // A body read by another parser than json-bodies.ts still carries its base64: decode it the same way here.
  const decoded = req.jsonFiles ?? decodeHere(Buffer.from(JSON.stringify({ files }))).files;
  files.forEach((_f, i) => {
    const d = decoded[i];
    if (!d?.ok || !d.bytes || !d.sha256) {
      errors.push({ field: `files.${i}.data`, message: `files.${i}.data is not valid base64` });
      buffers.push(Buffer.alloc(0));
      sums.push('');
      return;
    }
    const buf = Buffer.from(d.bytes.buffer, d.bytes.byteOffset, d.bytes.length);
    total += buf.length;
    buffers.push(buf);
    sums.push(d.sha256);
  });
  if (errors.length) throw new FaxError('invalid-request', errors.map((e) => e.message).join('; '), { errors });
  if (total > limit) throw new FaxError('message-too-large', `the files (${total} bytes) are larger than the limit of ${limit} bytes`);
  const dir = await newUploadDir(dataDir);
  const upload: ParsedUpload = { dir, files: [], digests: [] };
  try {
    for (const [i, f] of files.entries()) {
      const name = cleanFileName(f.name, i);
      const file = path.join(dir, String(i).padStart(3, '0'));
      await writeFile(file, buffers[i], { flag: 'wx', mode: 0o600 });
      const declaredType = f.contentType || undefined;
      upload.files.push({ name, path: file, size: buffers[i].length, ...(declaredType ? { declaredType } : {}) });
      upload.digests.push({ name, ...(declaredType ? { declaredType } : {}), sha256: sums[i] });
    }
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  req.upload = upload;
  return upload;
}

/** Bytes a JSON request may have: the files' limit grown by base64 (4/3) plus room for the other fields. */
export function jsonBodyLimit(limit: number): number {
  return Math.ceil((limit * 4) / 3) + 256 * 1024;
}

export { MULTIPART_OVERHEAD };

/**
 * Route options every upload route shares: authentication then the large-JSON gate (both before the body is read),
 * the JSON body limit, and multipart streamed to disk under the same limit. The route's scope must also call
 * `jsonBodies.install(scope)` so its JSON bodies are decoded off the event loop.
 */
export function uploadRouteOptions(
  config: { dataDir: string; maxMessageBytes: number },
  auth: (req: FastifyRequest, reply: FastifyReply) => Promise<void>,
  jsonBodies: JsonBodies,
) {
  return {
    onRequest: [auth, jsonBodies.admit],
    bodyLimit: jsonBodyLimit(config.maxMessageBytes),
    preValidation: async (req: FastifyRequest) => {
      if (req.isMultipart()) req.body = await receiveMultipart(req, config.dataDir, config.maxMessageBytes);
    },
  };
}
