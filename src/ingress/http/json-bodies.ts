// Large JSON bodies (base64 files): admitted a few at a time, per account and in all, and decoded off the event loop (#12.7).
import { errorCodes, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { FaxError } from '../../domain/errors.js';
import { essence } from './media-type.js';
import { decodeHere, workerDecoder, type DecodedBody, type DecodedFile } from './json-decode.js';

export interface JsonBodyLimits {
  /** large JSON bodies being received or decoded at once, in all accounts */
  maxConcurrent: number;
  /** the same, for one account */
  maxPerAccount: number;
  /** a JSON body above this many bytes (or of unknown length) is large: gated and decoded in a worker */
  largeBytes: number;
}

/** Seconds a refused client is asked to wait: about what one large body takes to receive and decode. */
export const RETRY_AFTER_SECONDS = 5;

declare module 'fastify' {
  interface FastifyRequest {
    /** `files[i]` of a JSON body decoded by the worker (their `data` fields were emptied). */
    jsonFiles?: (DecodedFile | undefined)[];
  }
}

function isJson(req: FastifyRequest): boolean {
  return essence(req.headers['content-type']) === 'application/json';
}

/** Declared too large to be small, or of unknown length (chunked): the gate counts it. */
function isLarge(req: FastifyRequest, largeBytes: number): boolean {
  const len = Number(req.headers['content-length']);
  if (req.headers['content-length'] !== undefined && Number.isFinite(len)) return len > largeBytes;
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * Read a body chunk by chunk under the limit, as fastify's own reader does: past the limit the listeners are
 * removed (the stream is not destroyed, so the 413 can still be answered) and the error handler closes the connection.
 */
function readBody(payload: NodeJS.ReadableStream, limit: number, onChunk: (chunk: Buffer) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const stop = () => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
    };
    const onData = (c: Buffer | string) => {
      const chunk = typeof c === 'string' ? Buffer.from(c) : c;
      size += chunk.length;
      if (size > limit) {
        stop();
        reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        return;
      }
      onChunk(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(size);
    };
    const onError = (e: Error) => {
      stop();
      // A broken upload (the client went away) is the client's fault, as fastify's reader treats it.
      const status = (e as { statusCode?: unknown }).statusCode;
      reject(typeof status === 'number' && status >= 400 ? e : Object.assign(e, { statusCode: 400 }));
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}

export function createJsonBodies(limits: JsonBodyLimits) {
  let total = 0;
  let workerDecodes = 0;
  const perAccount = new Map<string, number>();

  function refuse(reply: FastifyReply, err: FaxError): never {
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    // Answered before the body is read; closing spares reading megabytes nobody will use.
    reply.header('connection', 'close');
    throw err;
  }

  return {
    limits,
    /** Large JSON bodies admitted right now (in all, and per account), and how many bodies a worker has decoded. */
    inUse: () => ({ total, perAccount: Object.fromEntries(perAccount), workerDecodes }),

    /**
     * onRequest hook, after authentication (it needs the account): admit a large JSON body or refuse it before a
     * byte of it is read — 429 too-many-uploads for the account's share, 503 server-busy for the whole server.
     * The slot is given back when the response ends or the connection drops, whatever happened in between.
     */
    async admit(req: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (!isJson(req) || !isLarge(req, limits.largeBytes)) return;
      const account = req.account?.id;
      if (!account) throw new FaxError('unauthorized');
      const mine = perAccount.get(account) ?? 0;
      if (mine >= limits.maxPerAccount) {
        refuse(reply, new FaxError('too-many-uploads', `at most ${limits.maxPerAccount} large JSON requests at once per account; retry in ${RETRY_AFTER_SECONDS} s`));
      }
      if (total >= limits.maxConcurrent) {
        refuse(reply, new FaxError('server-busy', `the server is receiving ${limits.maxConcurrent} large JSON requests already; retry in ${RETRY_AFTER_SECONDS} s`));
      }
      total += 1;
      perAccount.set(account, mine + 1);
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        total -= 1;
        const left = (perAccount.get(account) ?? 1) - 1;
        if (left > 0) perAccount.set(account, left);
        else perAccount.delete(account);
      };
      reply.raw.once('close', release);
      reply.raw.once('finish', release);
    },

    /**
     * Replace the scope's application/json parser. A small body is read and parsed here as before; a large one (or
     * one of unknown length) is streamed chunk by chunk into a worker thread, which parses it and decodes and hashes
     * the base64 files (the heavy part) — the event loop neither holds the whole body nor parses it.
     */
    install(scope: FastifyInstance): void {
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', async (req: FastifyRequest, payload: NodeJS.ReadableStream) => {
        const limit = req.routeOptions.bodyLimit;
        const declared = req.headers['content-length'] === undefined ? NaN : Number(req.headers['content-length']);
        if (declared > limit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
        const small = Number.isFinite(declared) && declared <= limits.largeBytes;
        const worker = small ? undefined : workerDecoder(Number.isFinite(declared) ? declared : undefined);
        const chunks: Buffer[] = [];
        try {
          const size = await readBody(payload, limit, (chunk) => (worker ? worker.push(chunk) : chunks.push(chunk)));
          if (Number.isFinite(declared) && size !== declared) throw new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH();
        } catch (e) {
          worker?.abort();
          throw e;
        }
        let decoded: DecodedBody;
        if (worker) {
          workerDecodes += 1;
          decoded = await worker.end();
        } else {
          decoded = decodeHere(Buffer.concat(chunks));
        }
        req.jsonFiles = decoded.files;
        return decoded.body;
      });
    },
  };
}

export type JsonBodies = ReturnType<typeof createJsonBodies>;
