// The Telnyx Programmable Fax line: POST /v2/faxes with a signed link to the pages, followed by signed webhooks (polled
// when they stay away), cancelled with actions/cancel; its webhook endpoint also brings received faxes (./receive.ts).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { Clock } from '../../domain/types.js';
import type { Logger } from '../../logger.js';
import type { DB } from '../../store/db.js';
import type { TelnyxLineConfig } from '../config.js';
import {
  LineJobUnknownError, LineUnavailableError,
  type FaxLine, type LineHealth, type LineJobRef, type LineOutcome, type OutgoingFax, type SubmitHooks,
} from '../types.js';
import { createTelnyxApi, TelnyxApiError, type TelnyxApi } from './api.js';
import { telnyxReason } from './reasons.js';
import { createTelnyxReceiver, type InboundPort, type TelnyxReceiver } from './receive.js';
import { checkTelnyxSignature, ed25519PublicKey } from './signature.js';
import { createSqliteTelnyxStore, FINAL, RANK, type FaxState, type TelnyxFaxRow, type TelnyxStore } from './store.js';

export interface TelnyxLineDeps {
  db: DB;
  clock: Clock;
  logger: Logger;
  /** the SSRF-guarded dispatcher for media links on hosts other than the carrier's */
  guarded?: Dispatcher;
  /** silence (no webhook, no poll) on a fax, by the injected clock, before GET /v2/faxes/{id} is asked (default 60 s) */
  pollAfterMs?: number;
  /** how often a tracked fax looks at the clock when no webhook wakes it (default 1 s) */
  tickMs?: number;
  /** a fax whose POST got no answer waits this long for a webhook naming it before it is given up as lost (15 min) */
  lostAfterMs?: number;
  /** how long the signed link to a fax's pages is valid (30 min) */
  mediaTtlMs?: number;
  /** where received documents are downloaded to (then handed to src/inbound) */
  tmpDir: string;
  maxReceiveBytes?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface WebhookAnswer {
  status: number;
  code?: 'webhook-unsigned' | 'webhook-signature-invalid' | 'webhook-stale' | 'invalid-request';
  message?: string;
  duplicate?: boolean;
}

/** What faxgate's HTTP server needs of a carrier line: its webhook and its documents' signed links. */
export interface CarrierEndpoint {
  readonly name: string;
  webhook(headers: Record<string, string | string[] | undefined>, raw: Buffer): WebhookAnswer;
  /** The TIFF a signed link names, while its fax is on its way; undefined for a bad, expired or finished link. */
  media(token: string): { path: string } | undefined;
}

export interface TelnyxLine extends FaxLine, CarrierEndpoint {
  readonly kind: 'telnyx';
  /** Start handing received faxes to src/inbound (those waiting from before first). */
  attachInbound(inbound: InboundPort, defaultCountry?: string): void;
  stop(): Promise<void>;
}

const PREFIX = 'telnyx:';
/** faxgate's key of an attempt: the line reference, and (base64) the client_state every webhook of the fax carries. */
export const telnyxKey = (fax: Pick<OutgoingFax, 'jobId' | 'attempt'>) => `${fax.jobId}.${Math.max(0, Math.trunc(fax.attempt))}`;
const keyOf = (ref: LineJobRef) => (ref.startsWith(PREFIX) ? ref.slice(PREFIX.length) : undefined);

const abortError = () => Object.assign(new Error('aborted'), { name: 'AbortError' });

/** A Fax object's status as one of the line's states (inbound states are not outgoing faxes'). */
function stateOf(status: unknown): FaxState | undefined {
  return typeof status === 'string' && status in RANK && status !== 'submitted' && status !== 'cancelled' ? status as FaxState : undefined;
}

const EVENT_STATE: Record<string, FaxState> = {
  'fax.queued': 'queued', 'fax.media.processed': 'media.processed', 'fax.sending.started': 'sending', 'fax.delivered': 'delivered', 'fax.failed': 'failed',
};

interface FaxObject { id?: string; status?: string; failure_reason?: string | null; media_url?: string; client_state?: string }

export function createTelnyxLine(cfg: TelnyxLineConfig, deps: TelnyxLineDeps): TelnyxLine {
  const { clock } = deps;
  const log = deps.logger.child({ line: cfg.name });
  const store: TelnyxStore = createSqliteTelnyxStore(deps.db);
  const api: TelnyxApi = createTelnyxApi({ apiBase: cfg.apiBase, apiKey: cfg.apiKey, guarded: deps.guarded });
  const publicKey = ed25519PublicKey(cfg.publicKey);
  const pollAfterMs = deps.pollAfterMs ?? 60_000;
  const tickMs = deps.tickMs ?? 1000;
  const lostAfterMs = deps.lostAfterMs ?? 15 * 60_000;
  const mediaTtlMs = deps.mediaTtlMs ?? 30 * 60_000;
  const base = `${cfg.webhookBaseUrl}/v1/carrier/${cfg.name}`;
  const linkKey = createHash('sha256').update(`faxgate telnyx media link|${cfg.name}|${cfg.apiKey}`).digest();
  const now = () => clock.now().getTime();
  const iso = () => clock.now().toISOString();
  const waiters = new Map<string, Set<() => void>>();
  let receiver: TelnyxReceiver | undefined;

  const wake = (key: string) => {
    for (const w of waiters.get(key) ?? []) w();
  };

  /** Until a webhook about `key` arrives, `ms` pass (real time), or the signal aborts. */
  function wait(key: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const set = waiters.get(key) ?? new Set();
      waiters.set(key, set);
      const done = () => {
        clearTimeout(t);
        set.delete(done);
        if (set.size === 0) waiters.delete(key);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        done();
        reject(abortError());
      };
      const t = setTimeout(done, ms);
      set.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** `key.expiry.mac`, short enough for a path segment (Fastify caps them at 100 characters): a 128-bit HMAC. */
  const mac = (body: string) => createHmac('sha256', linkKey).update(body).digest().subarray(0, 16);

  function sign(key: string): string {
    const body = `${Buffer.from(key, 'utf8').toString('base64url')}.${Math.ceil((now() + mediaTtlMs) / 1000).toString(36)}`;
    return `${body}.${mac(body).toString('base64url')}`;
  }

  function media(token: string): { path: string } | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const body = `${parts[0]}.${parts[1]}`;
    const got = Buffer.from(parts[2], 'base64url');
    const want = mac(body);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    if (parseInt(parts[1], 36) * 1000 < now()) return undefined;
    const row = store.byKey(Buffer.from(parts[0], 'base64url').toString('utf8'));
    // Only while the fax is on its way: once it ended, the link shows nothing (even inside its lifetime).
    if (!row || row.line !== cfg.name || FINAL.has(row.state)) return undefined;
    return { path: row.tiffPath };
  }

  async function submit(fax: OutgoingFax, hooks: SubmitHooks, signal?: AbortSignal): Promise<LineJobRef | undefined> {
    signal?.throwIfAborted();
    const key = telnyxKey(fax);
    const ref = `${PREFIX}${key}`;
    store.addFax({ key, line: cfg.name, jobId: fax.jobId, tiffPath: fax.tiffPath, pages: fax.pages, at: iso() });
    // Recorded before Telnyx hears of it: a crash before this leaves nothing with Telnyx; one after it is tracked under
    // the key (Telnyx's fax id is bound to it from the POST answer or from the first webhook's client_state).
    if (!hooks.handedOver(ref)) {
      store.submitFailed(key, 'the claim was lost before the fax was handed over', iso());
      return undefined;
    }
    const body = {
      connection_id: cfg.connectionId, from: cfg.from, to: fax.to, media_url: `${base}/media/${sign(key)}`, quality: cfg.quality,
      webhook_url: `${base}/webhook`, client_state: Buffer.from(key, 'utf8').toString('base64'),
    };
    try {
      const r = await api.call<{ data?: FaxObject }>('POST', '/faxes', body);
      if (r.data?.id) {
        store.bindFaxId(key, r.data.id, iso());
        const st = stateOf(r.data.status);
        if (st) store.advance(key, st, iso());
      }
      log.info({ jobId: fax.jobId, faxId: r.data?.id }, 'fax handed to Telnyx');
    } catch (e) {
      if (e instanceof TelnyxApiError) {
        // Telnyx refused the request: no fax exists there. Its own trouble or ours with the account is retried later;
        // a refusal of this fax (a number it will not call, 4xx) ends it.
        const retry = e.status === 401 || e.status === 403 || e.status === 408 || e.status === 429 || e.status >= 500;
        store.submitFailed(key, e.message, iso());
        if (retry) throw new LineUnavailableError(`Telnyx refused the fax: ${e.message}`);
        return ref;
      }
      // No answer: it may or may not exist. Tracked (never sent again) until a webhook names it or lostAfterMs passes.
      log.warn({ jobId: fax.jobId, err: (e as Error).message }, 'no answer from Telnyx to POST /v2/faxes: waiting for its webhooks');
    }
    return ref;
  }

  function outcome(row: TelnyxFaxRow): LineOutcome {
    const pagesTotal = row.pages;
    if (row.submitError) {
      return { result: 'rejected', pagesSent: 0, pagesTotal, lineCode: 'refused', lineText: row.submitError, message: `rejected: Telnyx refused the fax (${row.submitError})` };
    }
    if (row.state === 'delivered') {
      const pages = row.pageCount ?? row.pages;
      const dur = row.durationSecs ?? undefined;
      return {
        result: 'sent', pagesSent: pages, pagesTotal, ...(dur !== undefined ? { durationSeconds: dur } : {}), lineCode: 'delivered',
        lineText: row.pageCount === null ? 'delivered (status polled: pages as rendered)' : `delivered, ${pages} pages`,
        message: `delivered: ${pages} page${pages === 1 ? '' : 's'}${dur !== undefined ? ` in ${dur} s` : ''}`,
      };
    }
    if (row.state === 'cancelled') return { result: 'cancelled', pagesSent: 0, pagesTotal, lineCode: 'cancelled', message: 'cancelled' };
    const m = telnyxReason(row.failureReason);
    return { result: m.reason, pagesSent: 0, pagesTotal, lineCode: row.failureReason ?? 'failed', lineText: m.text, message: `${m.reason}: ${m.text}` };
  }

  /** GET /v2/faxes/{id}: the fallback when webhooks stay away. */
  async function poll(row: TelnyxFaxRow): Promise<void> {
    try {
      const r = await api.call<{ data?: FaxObject }>('GET', `/faxes/${encodeURIComponent(row.faxId!)}`);
      const st = stateOf(r.data?.status);
      if (st) store.advance(row.key, st, iso(), st === 'failed' ? { failureReason: r.data?.failure_reason ?? undefined } : {});
    } catch (e) {
      if (e instanceof TelnyxApiError && e.status === 404) throw new LineJobUnknownError(`Telnyx has no fax ${row.faxId}`);
      log.warn({ faxId: row.faxId, err: (e as Error).message }, 'Telnyx unreachable while polling a fax; still waiting');
    }
  }

  async function track(ref: LineJobRef, _fax: OutgoingFax, signal?: AbortSignal): Promise<LineOutcome> {
    const key = keyOf(ref);
    if (!key) throw new LineJobUnknownError(`not a Telnyx reference: ${ref}`);
    let lastPoll = 0;
    for (;;) {
      if (signal?.aborted) throw abortError();
      const row = store.byKey(key);
      if (!row || row.line !== cfg.name) throw new LineJobUnknownError(`no Telnyx fax under ${key}`);
      if (FINAL.has(row.state)) return outcome(row);
      const quietSince = Math.max(Date.parse(row.updatedAt), lastPoll);
      if (!row.faxId) {
        if (now() - Date.parse(row.createdAt) > lostAfterMs) throw new LineJobUnknownError(`Telnyx never named a fax for ${key}`);
      } else if (now() - quietSince >= pollAfterMs) {
        lastPoll = now();
        await poll(row);
        continue;
      }
      await wait(key, tickMs, signal);
    }
  }

  async function cancel(ref: LineJobRef): Promise<'cancelled' | 'finished' | 'unknown'> {
    const key = keyOf(ref);
    const row = key ? store.byKey(key) : undefined;
    if (!row || !row.faxId) return 'unknown';
    if (FINAL.has(row.state)) return 'finished';
    try {
      await api.call('POST', `/faxes/${encodeURIComponent(row.faxId)}/actions/cancel`);
      store.advance(row.key, 'cancelled', iso());
      wake(row.key);
      return 'cancelled';
    } catch (e) {
      if (e instanceof TelnyxApiError && e.status === 404) return 'unknown';
      if (e instanceof TelnyxApiError && e.status === 422) return 'finished';
      throw e;
    }
  }

  async function check(): Promise<LineHealth> {
    try {
      await api.call('GET', '/faxes?page[size]=1');
      return { ok: true, detail: `Telnyx ${new URL(cfg.apiBase).host}: API key accepted, sending from ${cfg.from}` };
    } catch (e) {
      return { ok: false, detail: `Telnyx ${new URL(cfg.apiBase).host}: ${(e as Error).message}` };
    }
  }

  function webhook(headers: Record<string, string | string[] | undefined>, raw: Buffer): WebhookAnswer {
    const sig = checkTelnyxSignature(publicKey, headers, raw, now());
    if (!sig.ok) {
      log.warn({ event: 'telnyx.webhook.refused', code: sig.code }, `webhook refused: ${sig.message}`);
      return { status: 401, code: sig.code, message: sig.message };
    }
    let data: { id?: unknown; event_type?: unknown; occurred_at?: unknown; payload?: Record<string, unknown> };
    try {
      data = (JSON.parse(raw.toString('utf8')) as { data?: typeof data }).data ?? {};
    } catch {
      return { status: 400, code: 'invalid-request', message: 'the body is not JSON' };
    }
    const p = data.payload ?? {};
    if (typeof data.id !== 'string' || typeof data.event_type !== 'string') return { status: 400, code: 'invalid-request', message: 'data.id and data.event_type are required' };
    const type = data.event_type;
    const faxId = typeof p.fax_id === 'string' ? p.fax_id : undefined;
    const inbound = type === 'fax.received';
    const first = deps.db.transaction(() => {
      if (!store.claimEvent({ eventId: data.id as string, line: cfg.name, type, faxId, occurredAt: String(data.occurred_at ?? ''), at: iso(), ...(inbound ? { pending: p } : {}) })) return false;
      const state = EVENT_STATE[type];
      if (!state || p.direction === 'inbound') return true;
      let row = faxId ? store.byFaxId(faxId) : undefined;
      if (!row && typeof p.client_state === 'string') {
        // The POST's answer was lost (or not yet written): the client_state names faxgate's key.
        const key = Buffer.from(p.client_state, 'base64').toString('utf8');
        const mine = store.byKey(key);
        if (mine && mine.line === cfg.name && faxId) {
          store.bindFaxId(key, faxId, iso());
          row = store.byKey(key);
        }
      }
      if (!row || row.line !== cfg.name) {
        log.info({ event: 'telnyx.webhook.unknown-fax', type, faxId }, 'webhook about a fax this line did not send: ignored');
        return true;
      }
      const facts = type === 'fax.delivered'
        ? { pageCount: Number.isInteger(p.page_count) ? p.page_count as number : undefined, durationSecs: Number.isInteger(p.call_duration_secs) ? p.call_duration_secs as number : undefined }
        : type === 'fax.failed' ? { failureReason: typeof p.failure_reason === 'string' ? p.failure_reason : 'unknown' } : {};
      if (store.advance(row.key, state, iso(), facts)) wake(row.key);
      return true;
    })();
    if (!first) return { status: 200, duplicate: true };
    if (inbound) receiver?.kick();
    return { status: 200 };
  }

  return {
    name: cfg.name, kind: 'telnyx', durable: true, submit, track, cancel, check, webhook, media,
    attachInbound(inbound, defaultCountry) {
      receiver = createTelnyxReceiver({ line: cfg.name, lineNumber: cfg.from, store, api, inbound, defaultCountry, tmpDir: deps.tmpDir, maxBytes: deps.maxReceiveBytes ?? 50 * 1024 * 1024, logger: log, sleep: deps.sleep });
      receiver.kick();
    },
    async stop() {
      await receiver?.stop();
      await api.close();
    },
  };
}

