// The Telnyx line against the fake carrier (real HTTP on loopback, the published contract): hand-over, signed webhooks
// (duplicates, reordering, none at all: the poll on the injected clock), every failure_reason, cancel, receiving.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { createGuardedAgent } from '../../../src/feedback/index.js';
import { migrate, type DB } from '../../../src/store/db.js';
import { openTestDatabase } from '../../helpers/test-db.js';
import { createTelnyxLine, type TelnyxLine } from '../../../src/lines/telnyx/line.js';
import { FAILURE_REASONS } from '../../../src/lines/telnyx/reasons.js';
import type { ReceiveInput } from '../../../src/inbound/service.js';
import type { TelnyxLineConfig } from '../../../src/lines/config.js';
import { CORPUS, tempDir } from '../../helpers/tmp.js';
import { FAILURE_REASON_VALUES } from './schema.js';
import { startFakeCarrier, type FakeCarrier } from './fake-carrier.js';

const TIFF = path.join(CORPUS, 'tiff', 'g3_1d_fax_multipage.tif');
const clock = { t: Date.now(), now() { return new Date(this.t); } };
let fake: FakeCarrier;
let db: DB;
let line: TelnyxLine;
let server: http.Server;
let guarded: ReturnType<typeof createGuardedAgent>;
let cfg: TelnyxLineConfig;
let dir: string;
const received: ReceiveInput[] = [];

beforeAll(async () => {
  fake = await startFakeCarrier({ apiKey: 'KEY_test', connectionId: '1234567890', now: () => clock.t });
  dir = tempDir('faxgate-telnyx-');
  db = openTestDatabase(dir);
  migrate(db);
  // The HTTP side of the line as faxgate's server routes it (the gateway test goes through the real route).
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/v1\/carrier\/tx\/(webhook|media\/(.+))$/.exec(req.url ?? '');
      if (m?.[1] === 'webhook') {
        const r = line.webhook(req.headers, Buffer.concat(chunks));
        res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r));
        return;
      }
      const found = m?.[2] ? line.media(m[2]) : undefined;
      if (!found) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'image/tiff' }).end(readFileSync(found.path));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cfg = {
    name: 'tx', kind: 'telnyx', apiKey: 'KEY_test', connectionId: '1234567890', from: '+15550001111', publicKey: fake.publicKey,
    webhookBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiBase: fake.url, quality: 'high',
  };
  guarded = createGuardedAgent({ allowPrivate: false, connectTimeoutMs: 2000 });
  line = createTelnyxLine(cfg, { db, clock, logger: createLogger('silent'), tmpDir: dir, tickMs: 20, pollAfterMs: 60_000, guarded });
  line.attachInbound({
    async receive(input) {
      received.push({ ...input, path: readFileSync(input.path).subarray(0, 4).toString('hex') });
      return null;
    },
  });
});
afterAll(async () => {
  await line?.stop();
  await fake?.close();
  await new Promise((r) => server?.close(r));
  db?.close();
  await guarded?.close();
});

let n = 0;
const fax = (to: string) => ({ jobId: `job_${String(++n).padStart(4, '0')}`, attempt: 1, to, tiffPath: TIFF, pages: 2, lpi: 196 });

async function send(to: string) {
  const f = fax(to);
  const ref = await line.submit(f, { handedOver: () => true });
  return { ref: ref!, out: line.track(ref!, f) };
}

describe('the Telnyx line', () => {
  it('maps every failure_reason the API description names, and nothing else', () => {
    expect(Object.keys(FAILURE_REASONS).sort()).toEqual([...FAILURE_REASON_VALUES].sort());
  });

  it('delivered: Telnyx\'s page_count and call_duration_secs are the call\'s; the request follows the contract', async () => {
    fake.plan('+15550002001', { outcome: 'delivered', durationSecs: 47 });
    const { out } = await send('+15550002001');
    await expect(out).resolves.toMatchObject({ result: 'sent', pagesSent: 2, durationSeconds: 47, lineCode: 'delivered' });
    const post = fake.requests.find((r) => r.path === '/v2/faxes' && (r.body as { to: string }).to === '+15550002001')!;
    expect(post.body).toMatchObject({ connection_id: '1234567890', from: '+15550001111', quality: 'high', client_state: Buffer.from(`job_${String(n).padStart(4, '0')}.1`).toString('base64') });
    expect(fake.violations).toEqual([]);
  });

  it.each(['duplicate', 'reorder'] as const)('webhooks %s: one outcome, the final state never moves back', async (webhooks) => {
    const to = webhooks === 'duplicate' ? '+15550002002' : '+15550002003';
    fake.plan(to, { outcome: 'delivered', webhooks, durationSecs: 33 });
    const { ref, out } = await send(to);
    await expect(out).resolves.toMatchObject({ result: 'sent', pagesSent: 2, durationSeconds: 33 });
    await fake.idle();
    const key = ref.slice('telnyx:'.length);
    expect(db.prepare('SELECT state FROM telnyx_faxes WHERE key = ?').get(key)).toEqual({ state: 'delivered' });
    const faxId = (db.prepare('SELECT fax_id FROM telnyx_faxes WHERE key = ?').get(key) as { fax_id: string }).fax_id;
    expect(db.prepare('SELECT COUNT(*) AS n FROM telnyx_events WHERE fax_id = ?').get(faxId)).toEqual({ n: 4 });
  });

  it('the POST\'s answer is lost: the fax is tracked under faxgate\'s key and found by the client_state of its webhooks', async () => {
    fake.plan('+15550002006', { outcome: 'delivered', answer: 'drop', durationSecs: 12 });
    const { ref, out } = await send('+15550002006');
    await expect(out).resolves.toMatchObject({ result: 'sent', pagesSent: 2, durationSeconds: 12 });
    const carrierId = [...fake.faxes.values()].find((f) => f.to === '+15550002006')!.id;
    expect(db.prepare('SELECT fax_id FROM telnyx_faxes WHERE key = ?').get(ref.slice('telnyx:'.length))).toEqual({ fax_id: carrierId });
    expect(fake.requests.filter((r) => r.path === '/v2/faxes' && (r.body as { to: string }).to === '+15550002006')).toHaveLength(1);
  });

  it('no answer to the POST and no webhook naming it: given up as lost after 15 minutes by the clock, never resent', async () => {
    fake.plan('+15550002008', { outcome: 'delivered', answer: 'drop', webhooks: 'lost' });
    const { out } = await send('+15550002008');
    const settled = out.then(() => 'resolved', (e: Error) => e.name);
    await fake.idle();
    clock.t += 15 * 60_000 + 1000;
    expect(await settled).toBe('LineJobUnknownError');
    expect(fake.requests.filter((r) => r.path === '/v2/faxes' && (r.body as { to: string }).to === '+15550002008')).toHaveLength(1);
  });

  it('after a restart the recorded reference is tracked again from the line\'s table, never sent again', async () => {
    fake.plan('+15550002007', { outcome: 'delivered', webhooks: 'hold' });
    const { ref } = await send('+15550002007');
    await fake.idle();
    const again = createTelnyxLine(cfg, { db, clock, logger: createLogger('silent'), tmpDir: dir, tickMs: 20 });
    try {
      const out = again.track(ref, fax('+15550002007'));
      expect(await again.cancel(ref)).toBe('cancelled');
      await expect(out).resolves.toMatchObject({ result: 'cancelled' });
      expect(fake.requests.filter((r) => r.path === '/v2/faxes' && (r.body as { to: string }).to === '+15550002007')).toHaveLength(1);
    } finally {
      await again.stop();
    }
  });

  it('no webhook at all: GET /v2/faxes/{id} once the injected clock says the fax went quiet', async () => {
    fake.plan('+15550002004', { outcome: 'delivered', webhooks: 'lost' });
    const { out } = await send('+15550002004');
    await fake.idle();
    const polls = () => fake.requests.filter((r) => r.path.startsWith('/v2/faxes/') && !r.path.includes('actions')).length;
    const before = polls();
    await new Promise((r) => setTimeout(r, 100));
    expect(polls()).toBe(before); // the real time passing does not poll: only the clock does
    clock.t += 61_000;
    await expect(out).resolves.toMatchObject({ result: 'sent', pagesSent: 2, lineText: 'delivered (status polled: pages as rendered)' });
    expect(polls()).toBe(before + 1);
  });

  it('every failure reason ends with its typed reason and Telnyx\'s code', async () => {
    const cases = FAILURE_REASON_VALUES.map((reason, i) => ({ reason, to: `+1555100${String(i).padStart(4, '0')}` }));
    for (const c of cases) fake.plan(c.to, { outcome: { failure: c.reason } });
    const outs = await Promise.all(cases.map(async (c) => ({ c, o: await (await send(c.to)).out })));
    for (const { c, o } of outs) {
      expect(o, c.reason).toMatchObject({ result: FAILURE_REASONS[c.reason].reason, lineCode: c.reason, pagesSent: 0 });
    }
    expect(fake.violations).toEqual([]);
  });

  it('cancel: actions/cancel, then the fax ends cancelled; its signed link is dead', async () => {
    fake.plan('+15550002005', { outcome: 'delivered', webhooks: 'hold' });
    const { ref, out } = await send('+15550002005');
    await fake.idle();
    expect(await line.cancel(ref)).toBe('cancelled');
    await expect(out).resolves.toMatchObject({ result: 'cancelled' });
    expect(await line.cancel(ref)).toBe('finished');
    const post = fake.requests.find((r) => r.path === '/v2/faxes' && (r.body as { to: string }).to === '+15550002005')!;
    const link = (post.body as { media_url: string }).media_url;
    expect((await fetch(link)).status).toBe(404);
  });

  it('refuses unsigned, forged, altered and stale deliveries; a repeated event id is not acted on twice', async () => {
    const body = JSON.stringify({ data: { id: '6a1d3ac8-0000-4000-8000-00000000abcd', event_type: 'fax.queued', payload: {} } });
    const other = generateKeyPairSync('ed25519').privateKey;
    const ts = String(Math.floor(clock.t / 1000));
    const forged = { 'telnyx-timestamp': ts, 'telnyx-signature-ed25519': sign(null, Buffer.from(`${ts}|${body}`), other).toString('base64') };
    const cases: [string, Record<string, string>, Buffer, number, string | undefined][] = [
      ['unsigned', {}, Buffer.from(body), 401, 'webhook-unsigned'],
      ['forged', forged, Buffer.from(body), 401, 'webhook-signature-invalid'],
      ['altered', fake.signed(body), Buffer.from(body.replace('queued', 'failed')), 401, 'webhook-signature-invalid'],
      ['stale', fake.signed(body, Math.floor(clock.t / 1000) - 301), Buffer.from(body), 401, 'webhook-stale'],
      ['from the future', fake.signed(body, Math.floor(clock.t / 1000) + 301), Buffer.from(body), 401, 'webhook-stale'],
      ['good', fake.signed(body), Buffer.from(body), 200, undefined],
    ];
    for (const [name, headers, raw, status, code] of cases) expect(line.webhook(headers, raw), name).toMatchObject({ status, ...(code ? { code } : {}) });
    expect(line.webhook(fake.signed(body), Buffer.from(body))).toMatchObject({ status: 200, duplicate: true });
    expect(db.prepare("SELECT COUNT(*) AS n FROM telnyx_events WHERE event_id = '6a1d3ac8-0000-4000-8000-00000000abcd'").get()).toEqual({ n: 1 });
  });

  it('receives: an expired media link is refreshed once, the document goes to inbound, partial_content is kept', async () => {
    const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/carrier/tx/webhook`;
    const r = await fake.receive(hook, { from: '+15557770000', to: '+15550001111', tiff: readFileSync(TIFF), partial: true, expired: true });
    expect(r.status).toBe(200);
    for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((res) => setTimeout(res, 20));
    expect(received).toEqual([expect.objectContaining({ from: '+15557770000', to: '+15550001111', name: 'fax.tif', lineKey: `telnyx:${r.faxId}`, partial: true, path: readFileSync(TIFF).subarray(0, 4).toString('hex') })]);
    expect(fake.requests.filter((q) => q.path === `/v2/faxes/${r.faxId}/actions/refresh`)).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it('a media link on any host but the carrier\'s goes through the SSRF guard: a private address is never fetched', async () => {
    const port = new URL(fake.url).port;
    const body = JSON.stringify({ data: { record_type: 'event', id: '7c2e9f10-2222-4000-8000-000000000001', event_type: 'fax.received', occurred_at: new Date(clock.t).toISOString(), payload: {
      fax_id: '7c2e9f10-2222-4000-8000-0000000000ff', direction: 'inbound', from: '+15557770009', to: '+15550001111', status: 'received', media_url: `http://localhost:${port}/media/elsewhere`,
    } } });
    expect(line.webhook(fake.signed(body), Buffer.from(body))).toMatchObject({ status: 200 });
    const row = () => db.prepare("SELECT attempts, last_error FROM telnyx_events WHERE event_id = '7c2e9f10-2222-4000-8000-000000000001'").get() as { attempts: number; last_error: string | null };
    for (let i = 0; i < 200 && row().attempts === 0; i++) await new Promise((res) => setTimeout(res, 20));
    expect(row().last_error).toMatch(/not a public address/);
    expect(fake.requests.some((q) => q.path === '/media/elsewhere')).toBe(false);
  });
});
