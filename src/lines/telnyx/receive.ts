// Receiving on a Telnyx line: each fax.received event (kept in telnyx_events until done) is fetched from its media link
// (refreshed once it expired) and handed to src/inbound, which stores it as Class F and announces it.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { isE164 } from '../../domain/numbers.js';
import type { InboundFax } from '../../inbound/types.js';
import type { ReceiveInput } from '../../inbound/service.js';
import type { Logger } from '../../logger.js';
import { TelnyxApiError, type TelnyxApi } from './api.js';
import type { PendingReception, TelnyxStore } from './store.js';

export interface InboundPort { receive(input: ReceiveInput): Promise<InboundFax | null> }

/** `from` of a caller who withheld the number (src/inbound's ANONYMOUS_CALLER; a literal so no import cycle forms). */
const ANONYMOUS = 'anonymous';
/** Attempts before a reception is given up (logged; the event row keeps the last error). */
const MAX_ATTEMPTS = 10;

export interface TelnyxReceiver {
  /** Look at the waiting receptions now (after a webhook, at start). */
  kick(): void;
  stop(): Promise<void>;
}

export interface ReceiverDeps {
  line: string;
  lineNumber: string;
  store: TelnyxStore;
  api: TelnyxApi;
  inbound: InboundPort;
  defaultCountry?: string;
  tmpDir: string;
  maxBytes: number;
  logger: Logger;
  /** wait before a failed reception is tried again (default 60 s) */
  retryMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Link refused as expired or gone: Telnyx's links live 10 minutes, after that actions/refresh makes a new one. */
const expired = (e: unknown) => e instanceof TelnyxApiError && (e.status === 403 || e.status === 404 || e.status === 410);

export function createTelnyxReceiver(deps: ReceiverDeps): TelnyxReceiver {
  const { store, api, logger } = deps;
  const retryMs = deps.retryMs ?? 60_000;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function fetchMedia(p: Record<string, unknown>, file: string): Promise<string> {
    const faxId = String(p.fax_id ?? '');
    let link = typeof p.media_url === 'string' ? p.media_url : undefined;
    for (let refreshed = false; ; refreshed = true) {
      try {
        if (!link) throw new TelnyxApiError(410, undefined, 'the event carries no media link');
        return await api.download(link, file, deps.maxBytes);
      } catch (e) {
        if (!expired(e) || refreshed || !faxId) throw e;
        logger.info({ faxId }, 'received fax media link expired: asking Telnyx for a new one');
        await api.call('POST', `/faxes/${encodeURIComponent(faxId)}/actions/refresh`);
        const r = await api.call<{ data?: { media_url?: string } }>('GET', `/faxes/${encodeURIComponent(faxId)}`);
        link = r.data?.media_url;
      }
    }
  }

  async function one(r: PendingReception): Promise<void> {
    const p = r.payload;
    const faxId = String(p.fax_id ?? r.eventId);
    const dir = path.join(deps.tmpDir, `telnyx-${randomBytes(6).toString('hex')}`);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      const file = path.join(dir, 'received');
      const type = await fetchMedia(p, file);
      const name = /pdf/i.test(type) ? 'fax.pdf' : 'fax.tif';
      const to = typeof p.to === 'string' && isE164(p.to) ? p.to : deps.lineNumber;
      const from = typeof p.from === 'string' && isE164(p.from) ? p.from : ANONYMOUS;
      const partial = p.partial_content === true;
      const stored = await deps.inbound.receive({ to, from, path: file, name, lineKey: `telnyx:${faxId}`, ...(partial ? { partial } : {}) });
      store.receptionDone(r.eventId);
      logger.info({ event: 'inbound.telnyx', faxId, inboundId: stored?.id ?? null, partial }, stored ? 'received fax stored' : 'received fax for nobody: discarded');
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  async function scan(): Promise<void> {
    let failed = false;
    for (const r of store.pending(deps.line)) {
      if (stopped) return;
      try {
        await one(r);
      } catch (e) {
        const giveUp = r.attempts + 1 >= MAX_ATTEMPTS;
        store.receptionFailed(r.eventId, (e as Error).message, giveUp);
        logger[giveUp ? 'error' : 'warn']({ event: 'inbound.telnyx.failed', eventId: r.eventId, err: (e as Error).message, giveUp }, 'fetching a received fax failed');
        failed = !giveUp || failed;
      }
    }
    if (failed && !stopped) {
      clearTimeout(timer);
      timer = setTimeout(kick, retryMs);
      timer.unref();
    }
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await scan();
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
  }

  return {
    kick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
