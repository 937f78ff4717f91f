// The Telnyx API v2 client: JSON calls to the configured carrier host and media downloads, on the project's undici.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Agent, request, type Dispatcher } from 'undici';

/** Telnyx answered with an error document ({ errors: [{ code, title, detail }] }) or a status without one. */
export class TelnyxApiError extends Error {
  override readonly name = 'TelnyxApiError';
  constructor(readonly status: number, readonly code: string | undefined, message: string) {
    super(message);
  }
}

/** Telnyx could not be reached or answered garbage: nothing is known about the request's effect. */
export class TelnyxUnreachableError extends Error {
  override readonly name = 'TelnyxUnreachableError';
}

export interface TelnyxApiOptions {
  apiBase: string;
  apiKey: string;
  timeoutMs?: number;
  /**
   * The SSRF-guarded dispatcher (src/feedback's) for any host other than the carrier's: a received fax's media link
   * may point anywhere. Without one, only the carrier host is fetched from.
   */
  guarded?: Dispatcher;
}

export interface TelnyxApi {
  call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, signal?: AbortSignal): Promise<T>;
  /** Download a link into a file; resolves with the content type. Rejects with TelnyxApiError on a non-2xx status. */
  download(url: string, file: string, maxBytes: number, signal?: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

function describeErrors(status: number, text: string): TelnyxApiError {
  try {
    const doc = JSON.parse(text) as { errors?: { code?: string; title?: string; detail?: string }[] };
    const e = doc.errors?.[0];
    if (e) return new TelnyxApiError(status, e.code, `${status} ${e.title ?? ''}${e.detail ? `: ${e.detail}` : ''}`.trim());
  } catch { /* not JSON: the status says enough */ }
  return new TelnyxApiError(status, undefined, `HTTP ${status}`);
}

export function createTelnyxApi(opts: TelnyxApiOptions): TelnyxApi {
  const base = new URL(opts.apiBase);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  // The carrier host is the one the operator configured: the guard is off for it alone (tests run it on loopback).
  const carrier = new Agent({ connect: { timeout: timeoutMs } });
  const dispatcherFor = (u: URL): Dispatcher => {
    if (u.host === base.host) return carrier;
    if (!opts.guarded) throw new TelnyxUnreachableError(`refusing to fetch from ${u.host}: only the carrier host ${base.host} is allowed`);
    return opts.guarded;
  };

  async function call<T>(method: 'GET' | 'POST' | 'DELETE', p: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const url = new URL(`/v2${p}`, base);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method, dispatcher: carrier, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
        headers: { authorization: `Bearer ${opts.apiKey}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      if ((e as { name?: string }).name === 'AbortError') throw e;
      throw new TelnyxUnreachableError(`${method} ${p}: ${(e as Error).message}`);
    }
    const text = await res.body.text().catch(() => '');
    if (res.statusCode < 200 || res.statusCode > 299) throw describeErrors(res.statusCode, text);
    if (!text) return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new TelnyxUnreachableError(`${method} ${p}: the answer is not JSON`);
    }
  }

  async function download(link: string, file: string, maxBytes: number, signal?: AbortSignal): Promise<string> {
    const u = new URL(link);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new TelnyxUnreachableError('the media link is not http(s)');
    let res: Dispatcher.ResponseData;
    try {
      res = await request(u, { method: 'GET', dispatcher: dispatcherFor(u), signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    } catch (e) {
      if ((e as { name?: string }).name === 'AbortError' || e instanceof TelnyxUnreachableError) throw e;
      throw new TelnyxUnreachableError(`GET media: ${(e as Error).message}`);
    }
    if (res.statusCode < 200 || res.statusCode > 299) {
      const text = await res.body.text().catch(() => '');
      throw describeErrors(res.statusCode, text);
    }
    let seen = 0;
    res.body.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen > maxBytes) res.body.destroy(new TelnyxApiError(413, undefined, `the received document is over ${maxBytes} bytes`));
    });
    await pipeline(res.body, createWriteStream(file, { mode: 0o600 }));
    return String(res.headers['content-type'] ?? '');
  }

  return { call, download, close: () => carrier.close() };
}
