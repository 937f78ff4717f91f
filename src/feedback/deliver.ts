// One feedback delivery attempt: signed POST through the SSRF-guarded agent, no redirects, bounded time and reply.
import { performance } from 'node:perf_hooks';
import { request, type Dispatcher } from 'undici';
import { BLOCKED_CODE } from './ssrf.js';
import { hasSoapFault } from './format.js';

export type AttemptOutcome = 'delivered' | 'failed' | 'blocked' | 'gone';

export interface AttemptResult {
  outcome: AttemptOutcome;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

export interface AttemptRequest {
  url: string;
  body: string;
  contentType: string;
  soapAction?: string;
  headers: Record<string, string>;
}

/** Only this much of a reply is read (enough to spot a SOAP Fault); the rest is discarded. */
const MAX_REPLY_BYTES = 64 * 1024;

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (code === BLOCKED_CODE) return BLOCKED_CODE;
    cur = (cur as { cause?: unknown }).cause;
  }
  return (e as { code?: string })?.code;
}

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    const b = c as Buffer;
    chunks.push(b);
    n += b.length;
    if (n >= MAX_REPLY_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_REPLY_BYTES).toString('utf8');
}

/**
 * POST once. 2xx is success (for SOAP only without a Fault), 410 stops retries, 3xx is a failure and is never
 * followed, anything else (other status, timeout, network error) is a failure to retry. An address refused by
 * the SSRF guard is `blocked`. `signal` aborts early (dispatcher shutting down): that rejects, not resolves.
 */
export async function attemptDelivery(
  agent: Dispatcher, req: AttemptRequest, timeoutMs: number, signal?: AbortSignal,
): Promise<AttemptResult> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
  const soap = req.soapAction !== undefined;
  try {
    const headers: Record<string, string> = {
      'content-type': req.contentType,
      'user-agent': 'faxgate-feedback/1',
      ...req.headers,
    };
    if (soap) headers.soapaction = req.soapAction as string;
    const res = await request(req.url, {
      method: 'POST', body: req.body, headers, dispatcher: agent, signal: combined,
      headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
    });
    const status = res.statusCode;
    if (status >= 200 && status < 300) {
      if (soap) {
        const text = await readCapped(res.body);
        if (hasSoapFault(text)) return { outcome: 'failed', statusCode: status, error: 'SOAP Fault in reply', durationMs: took() };
      } else {
        await res.body.dump({ limit: MAX_REPLY_BYTES }).catch(() => undefined);
      }
      return { outcome: 'delivered', statusCode: status, durationMs: took() };
    }
    await res.body.dump({ limit: MAX_REPLY_BYTES }).catch(() => undefined);
    if (status === 410) return { outcome: 'gone', statusCode: status, error: '410 Gone: no further retries', durationMs: took() };
    if (status >= 300 && status < 400) {
      return { outcome: 'failed', statusCode: status, error: 'redirect not followed', durationMs: took() };
    }
    return { outcome: 'failed', statusCode: status, error: `HTTP ${status}`, durationMs: took() };
  } catch (e) {
    if (signal?.aborted) throw e;
    if (errorCode(e) === BLOCKED_CODE) {
      return { outcome: 'blocked', error: 'destination address is not public (SSRF guard)', durationMs: took() };
    }
    if (timeout.aborted || /TIMEOUT/.test(errorCode(e) ?? '')) {
      return { outcome: 'failed', error: `timeout after ${timeoutMs} ms`, durationMs: took() };
    }
    const msg = (e as Error).message || String(e);
    return { outcome: 'failed', error: `${errorCode(e) ?? 'error'}: ${msg}`.slice(0, 300), durationMs: took() };
  }
}
