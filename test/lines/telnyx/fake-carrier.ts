// A fake Telnyx on loopback for the tests: a real HTTP server that follows fixtures/telnyx/fax-api.json, validating
// every request and its own answers, fetching the pages from the media_url, and posting Ed25519-signed webhooks.
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseTiff } from '../../../src/render/tiff.js';
import { eventSchema, operation, validate } from './schema.js';

/** How the carrier plays one outgoing fax, chosen by its `to` number. */
export interface Plan {
  outcome: 'delivered' | { failure: string };
  /**
   * normal order; every event twice; the final event first and the rest reversed; no webhook at all (poll only); or
   * `hold`: queued and sending only, the fax stays on the line until it is cancelled
   */
  webhooks?: 'normal' | 'duplicate' | 'reorder' | 'lost' | 'hold';
  durationSecs?: number;
  /** `drop`: the fax is created but the connection is cut before the POST is answered (the answer is lost) */
  answer?: 'drop';
}

interface FaxRecord {
  id: string; direction: 'inbound' | 'outbound'; status: string; connection_id: string; from: string; to: string; media_url?: string;
  quality?: string; webhook_url?: string; client_state?: string; failure_reason: string | null; created_at: string; updated_at: string;
  page_count?: number;
}

export interface FakeCarrier {
  readonly url: string;
  readonly publicKey: string;
  /** every request and answer that broke the contract (tests expect none) */
  readonly violations: string[];
  readonly requests: { method: string; path: string; body?: unknown }[];
  readonly faxes: Map<string, FaxRecord>;
  plan(to: string, p: Plan): void;
  /** Post a signed fax.received to `url` for a document held here; `expired` makes its first link answer 403. */
  receive(url: string, f: { from: string; to: string; tiff: Buffer; partial?: boolean; expired?: boolean }): Promise<{ faxId: string; status: number }>;
  /** Post an arbitrary delivery (forged, unsigned, stale …) and return the HTTP status. */
  post(url: string, body: string, headers: Record<string, string>): Promise<number>;
  signed(body: string, timestamp?: number): Record<string, string>;
  /** Wait until every scripted webhook was posted. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeCarrier(opts: { apiKey: string; connectionId: string; now?: () => number }): Promise<FakeCarrier> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const rawPublic = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('base64');
  const now = opts.now ?? (() => Date.now());
  const violations: string[] = [];
  const requests: FakeCarrier['requests'] = [];
  const faxes = new Map<string, FaxRecord>();
  const plans = new Map<string, Plan>();
  const media = new Map<string, { tiff: Buffer; expired: boolean }>();
  const running = new Set<Promise<void>>();
  let base = '';

  const signWith = (key: KeyObject, body: string, ts = Math.floor(now() / 1000)) => ({
    'content-type': 'application/json', 'telnyx-timestamp': String(ts),
    'telnyx-signature-ed25519': sign(null, Buffer.from(`${ts}|${body}`), key).toString('base64'),
  });

  async function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
    const r = await fetch(url, { method: 'POST', body, headers });
    await r.arrayBuffer();
    return r.status;
  }

  function event(type: string, fax: FaxRecord, extra: Record<string, unknown> = {}): string {
    const payload: Record<string, unknown> = {
      connection_id: fax.connection_id, direction: fax.direction, fax_id: fax.id, from: fax.from, to: fax.to, user_id: 'b3c5e1a2-0000-4000-8000-000000000001',
      status: type === 'fax.sending.started' ? 'sending' : type.replace(/^fax\./, ''), ...(fax.client_state ? { client_state: fax.client_state } : {}),
      ...(fax.direction === 'outbound' && fax.media_url ? { original_media_url: fax.media_url } : {}), ...extra,
    };
    const doc = { data: { record_type: 'event', id: randomUUID(), occurred_at: new Date(now()).toISOString(), event_type: type, payload }, meta: { attempt: 1, delivered_to: fax.webhook_url } };
    violations.push(...validate(eventSchema(type), doc, true));
    return JSON.stringify(doc);
  }

  async function play(fax: FaxRecord): Promise<void> {
    const plan = plans.get(fax.to) ?? { outcome: 'delivered' };
    // Media processing: Telnyx fetches the document from the media_url it was given.
    let pages = 0;
    try {
      const r = await fetch(fax.media_url!);
      const buf = Buffer.from(await r.arrayBuffer());
      if (r.status !== 200) throw new Error(`media_url answered ${r.status}: ${buf.toString("utf8").slice(0, 300)}`);
      pages = parseTiff(buf).length;
    } catch (e) {
      violations.push(`media fetch: ${(e as Error).message}`);
      plan.outcome = { failure: 'file_download_failed' };
    }
    const final = plan.outcome === 'delivered'
      ? event('fax.delivered', fax, { page_count: pages, call_duration_secs: plan.durationSecs ?? 20 + pages * 10 })
      : event('fax.failed', fax, { failure_reason: plan.outcome.failure, internal_failure_reason: `fs_${plan.outcome.failure}` });
    const steps = [event('fax.queued', fax), event('fax.media.processed', fax), event('fax.sending.started', fax), final];
    if (plan.webhooks === 'hold') {
      fax.status = 'sending';
      for (const body of steps.slice(0, 3)) await post(fax.webhook_url!, body, signWith(privateKey, body));
      return;
    }
    fax.status = plan.outcome === 'delivered' ? 'delivered' : 'failed';
    fax.failure_reason = plan.outcome === 'delivered' ? null : plan.outcome.failure;
    fax.page_count = pages;
    fax.updated_at = new Date(now()).toISOString();
    const mode = plan.webhooks ?? 'normal';
    const order = mode === 'lost' ? [] : mode === 'reorder' ? [final, ...steps.slice(0, 3).reverse()] : mode === 'duplicate' ? steps.flatMap((s) => [s, s]) : steps;
    for (const body of order) await post(fax.webhook_url!, body, signWith(privateKey, body));
  }

  const errors = (status: number, code: string, title: string, detail: string) => ({ status, body: { errors: [{ code, title, detail }] } });

  async function route(method: string, url: URL, body: unknown, auth: string | undefined): Promise<{ status: number; body?: unknown; raw?: Buffer; drop?: boolean }> {
    const m = /^\/media\/([A-Za-z0-9-]+)$/.exec(url.pathname);
    if (method === 'GET' && m) {
      const doc = media.get(m[1]);
      if (!doc) return errors(404, '10005', 'Resource not found', 'no such media');
      if (doc.expired) return errors(403, '10010', 'Authorization failed', 'the link has expired');
      return { status: 200, raw: doc.tiff };
    }
    if (auth !== `Bearer ${opts.apiKey}`) return errors(401, '10009', 'Authentication failed', 'The API key is missing or invalid');
    if (method === 'POST' && url.pathname === '/v2/faxes') {
      const op = operation('/faxes', 'post');
      const problems = validate(op.request!, body, true);
      const b = body as Record<string, string>;
      if (b.media_url && b.media_name) problems.push('media_url and media_name cannot be submitted together');
      if (!b.media_url && !b.media_name) problems.push('media_url or media_name is required');
      if (b.client_state && Buffer.from(b.client_state, 'base64').toString('base64') !== b.client_state) problems.push('client_state must be valid Base-64');
      if (b.connection_id !== opts.connectionId) problems.push('unknown connection_id');
      if (problems.length) {
        violations.push(...problems);
        return errors(422, '10015', 'Bad Request', problems.join('; '));
      }
      const at = new Date(now()).toISOString();
      const fax: FaxRecord = {
        id: randomUUID(), direction: 'outbound', status: 'queued', connection_id: b.connection_id, from: b.from, to: b.to, media_url: b.media_url,
        quality: b.quality, webhook_url: b.webhook_url, client_state: b.client_state, failure_reason: null, created_at: at, updated_at: at,
      };
      faxes.set(fax.id, fax);
      const p = play(fax).catch((e: unknown) => { violations.push(`play: ${(e as Error).message}`); }).finally(() => running.delete(p));
      running.add(p);
      return { status: 202, body: { data: view(fax) }, drop: plans.get(fax.to)?.answer === 'drop' };
    }
    if (method === 'GET' && url.pathname === '/v2/faxes') return { status: 200, body: { data: [...faxes.values()].slice(0, 1).map(view) } };
    const f = /^\/v2\/faxes\/([0-9a-f-]+)(\/actions\/(cancel|refresh))?$/.exec(url.pathname);
    const fax = f ? faxes.get(f[1]) : undefined;
    if (f && !fax) return errors(404, '10005', 'Resource not found', 'no such fax');
    if (fax && method === 'GET' && !f![2]) return { status: 200, body: { data: view(fax) } };
    if (fax && method === 'POST' && f![3] === 'cancel') {
      if (['delivered', 'failed'].includes(fax.status)) return errors(422, '10015', 'Bad Request', 'the fax can no longer be cancelled');
      fax.status = 'failed';
      fax.failure_reason = 'sender_canceled';
      const ev = event('fax.failed', fax, { failure_reason: 'sender_canceled' });
      const p = post(fax.webhook_url!, ev, signWith(privateKey, ev)).then(() => undefined, () => undefined).finally(() => running.delete(p));
      running.add(p);
      return { status: 200, body: { data: { result: 'ok' } } };
    }
    if (fax && method === 'POST' && f![3] === 'refresh') {
      const token = randomUUID();
      const old = [...media.entries()].find(([t]) => fax.media_url?.endsWith(t));
      if (old) media.set(token, { tiff: old[1].tiff, expired: false });
      fax.media_url = `${base}/media/${token}`;
      return { status: 200, body: { data: { result: 'ok' } } };
    }
    return errors(404, '10005', 'Resource not found', `${method} ${url.pathname}`);
  }

  function view(f: FaxRecord): Record<string, unknown> {
    const { page_count: _p, ...rest } = f;
    return { record_type: 'fax', ...rest };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', base);
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        if (text) {
          if (!String(req.headers['content-type']).startsWith('application/json')) violations.push(`${req.method} ${url.pathname}: body is not JSON`);
          try { body = JSON.parse(text); } catch { violations.push(`${req.method} ${url.pathname}: malformed JSON`); }
        }
        requests.push({ method: req.method!, path: url.pathname + url.search, body });
        const r = await route(req.method!, url, body, req.headers.authorization);
        if (r.drop) {
          req.socket.destroy();
          return;
        }
        if (r.raw) {
          res.writeHead(r.status, { 'content-type': 'image/tiff' }).end(r.raw);
          return;
        }
        // The fake's own answers are held to the contract too.
        const op = url.pathname === '/v2/faxes' ? operation('/faxes', req.method === 'POST' ? 'post' : 'get')
          : /^\/v2\/faxes\/[^/]+$/.test(url.pathname) ? operation('/faxes/{id}', 'get')
          : /\/actions\/cancel$/.test(url.pathname) ? operation('/faxes/{id}/actions/cancel', 'post')
          : /\/actions\/refresh$/.test(url.pathname) ? operation('/faxes/{id}/actions/refresh', 'post') : undefined;
        const schema = r.status >= 400 ? 'Errors' : op?.response(r.status);
        if (schema) violations.push(...validate(schema, r.body));
        res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body ?? {}));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base, publicKey: rawPublic, violations, requests, faxes,
    plan: (to, p) => { plans.set(to, p); },
    async receive(url, f) {
      const token = randomUUID();
      media.set(token, { tiff: f.tiff, expired: Boolean(f.expired) });
      const at = new Date(now()).toISOString();
      const fax: FaxRecord = {
        id: randomUUID(), direction: 'inbound', status: 'received', connection_id: opts.connectionId, from: f.from, to: f.to,
        media_url: `${base}/media/${token}`, failure_reason: null, created_at: at, updated_at: at, webhook_url: url,
      };
      faxes.set(fax.id, fax);
      const body = event('fax.received', fax, { media_url: fax.media_url, page_count: parseTiff(f.tiff).length, call_duration_secs: 30, partial_content: Boolean(f.partial) });
      return { faxId: fax.id, status: await post(url, body, signWith(privateKey, body)) };
    },
    post,
    signed: (body, ts) => signWith(privateKey, body, ts),
    async idle() {
      while (running.size) await Promise.all([...running]);
    },
    async close() {
      await Promise.all([...running]);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
