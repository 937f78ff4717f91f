// Acceptance (issue 21), through the product: a fax submitted by email (real SMTP on loopback) goes out on a Telnyx line
// to the fake carrier and ends `sent` with the carrier's page count and duration; a received fax arrives by a signed
// webhook and is stored and announced like every received fax; a forged, unsigned or stale webhook changes nothing.
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, startGateway, type Gateway } from '../../../src/main.js';
import type { JobSnapshot } from '../../../src/domain/jobs.js';
import { CORPUS, tempDir } from '../../helpers/tmp.js';
import { freePort } from '../../helpers/hylafax-server.js';
import { startFakeCarrier, type FakeCarrier } from './fake-carrier.js';

const SENDER = 'desk@carrier.example';
const INBOUND = '+15550003333';
let gw: Gateway;
let fake: FakeCarrier;
let apiKey: string;
let base: string;

beforeAll(async () => {
  fake = await startFakeCarrier({ apiKey: 'KEY_gateway', connectionId: '2222333344' });
  const httpPort = await freePort();
  base = `http://127.0.0.1:${httpPort}`;
  const env = {
    FAXGATE_LINES: JSON.stringify([{
      name: 'telnyx', kind: 'telnyx', apiKey: 'KEY_gateway', connectionId: '2222333344', from: '+15550004444',
      publicKey: fake.publicKey, webhookBaseUrl: base, apiBase: fake.url,
    }]),
    FAXGATE_DEFAULT_LINE: 'telnyx',
  };
  const core = openCore({ dataDir: tempDir('faxgate-gw-telnyx-'), bindHost: '127.0.0.1', smtpPort: 0, httpPort, logLevel: 'silent' }, env);
  const a = core.accounts.create({ name: 'Carrier Clinic', senders: [SENDER] });
  core.accounts.addInboundNumber(a.id, INBOUND, 'test');
  core.accounts.updateSettings(a.id, { feedbackUrl: 'https://hooks.example.com/fax', 'incoming.feedbackMethod': 'http-post' }, 'test');
  apiKey = a.apiKey;
  gw = await startGateway(core, { lineTimings: { telnyxTickMs: 50 } });
});
afterAll(async () => {
  await gw?.stop();
  gw?.core.db.close();
  await fake?.close();
});

async function settled(id: string): Promise<JobSnapshot> {
  const end = Date.now() + 90_000;
  for (;;) {
    const j = gw.jobs.getById(id)!;
    if (['sent', 'failed', 'rejected'].includes(j.status)) return j;
    if (Date.now() > end) throw new Error(`job ${id} did not settle: ${j.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const inboundCount = () => (gw.core.db.prepare('SELECT COUNT(*) AS n FROM inbound_faxes').get() as { n: number }).n;
const eventCount = () => (gw.core.db.prepare('SELECT COUNT(*) AS n FROM telnyx_events').get() as { n: number }).n;

describe('the gateway on a Telnyx line (fake carrier)', () => {
  it('email in → POST /v2/faxes → signed webhooks → sent with the carrier\'s page count and call duration', async () => {
    fake.plan('+15550005555', { outcome: 'delivered', durationSecs: 58 });
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: gw.smtpPort, secure: false, ignoreTLS: true });
    const info = await t.sendMail({ from: SENDER, to: '+15550005555@fax.localhost', subject: 'Referral', text: 'Please see the referral.' });
    t.close();
    const j = await settled(/job_[0-9a-f]+/.exec(info.response)![0]);
    expect(j.status, JSON.stringify(fake.violations)).toBe("sent");
    const carrierFax = [...fake.faxes.values()].find((f) => f.to === '+15550005555')!;
    expect(carrierFax.page_count).toBeGreaterThan(0);
    expect(j.pagesSent).toBe(carrierFax.page_count);
    const view = await (await fetch(`${base}/v1/faxes/${j.id}`, { headers: { authorization: `Bearer ${apiKey}` } })).json() as Record<string, unknown>;
    expect(view).toMatchObject({ status: 'sent', line: 'telnyx', durationSeconds: 58, pagesSent: carrierFax.page_count });
    expect((view.calls as { outcome?: string }[]).at(-1)).toMatchObject({ outcome: 'sent', pagesSent: carrierFax.page_count });
    expect(fake.violations).toEqual([]);
  });

  it('a received fax arrives through a signed webhook: stored as Class F, listed, announced', async () => {
    const tiff = readFileSync(path.join(CORPUS, 'tiff', 'g3_1d_fax_multipage.tif'));
    const r = await fake.receive(`${base}/v1/carrier/telnyx/webhook`, { from: '+15557770001', to: INBOUND, tiff, expired: true });
    expect(r.status).toBe(200);
    const end = Date.now() + 60_000;
    while (inboundCount() === 0 && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
    const list = await (await fetch(`${base}/v1/inbound`, { headers: { authorization: `Bearer ${apiKey}` } })).json() as { items: Record<string, unknown>[] };
    expect(list.items).toEqual([expect.objectContaining({ from: '+15557770001', to: INBOUND, status: 'stored', partial: false, pages: expect.any(Number) })]);
    const id = list.items[0].id as string;
    expect(gw.core.db.prepare("SELECT COUNT(*) AS n FROM feedback_outbox WHERE subject_id = ? AND direction = 'inbound'").get(id)).toEqual({ n: 1 });
    const img = await fetch(`${base}/v1/inbound/${id}/image`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(img.headers.get('content-type')).toMatch(/tiff/);
    expect(fake.violations).toEqual([]);
  });

  it('a forged, unsigned or stale webhook changes nothing', async () => {
    const before = { inbound: inboundCount(), events: eventCount(), jobs: gw.core.db.prepare('SELECT id, status FROM jobs ORDER BY id').all() };
    const faxId = [...fake.faxes.values()].find((f) => f.to === '+15550005555')!.id;
    const received = JSON.stringify({ data: { record_type: 'event', id: '0b7a5c1e-1111-4000-8000-000000000001', event_type: 'fax.received', occurred_at: new Date().toISOString(), payload: { fax_id: faxId, direction: 'inbound', from: '+15557770002', to: INBOUND, media_url: `${fake.url}/media/none`, status: 'received' } } });
    const failed = JSON.stringify({ data: { record_type: 'event', id: '0b7a5c1e-1111-4000-8000-000000000002', event_type: 'fax.failed', occurred_at: new Date().toISOString(), payload: { fax_id: faxId, direction: 'outbound', status: 'failed', failure_reason: 'user_busy' } } });
    const other = generateKeyPairSync('ed25519').privateKey;
    const ts = String(Math.floor(Date.now() / 1000));
    const forgedHeaders = (body: string) => ({ 'content-type': 'application/json', 'telnyx-timestamp': ts, 'telnyx-signature-ed25519': sign(null, Buffer.from(`${ts}|${body}`), other).toString('base64') });
    const url = `${base}/v1/carrier/telnyx/webhook`;
    const cases: [string, string, Record<string, string>, string][] = [
      ['forged fax.received', received, forgedHeaders(received), 'webhook-signature-invalid'],
      ['forged fax.failed', failed, forgedHeaders(failed), 'webhook-signature-invalid'],
      ['unsigned', failed, { 'content-type': 'application/json' }, 'webhook-unsigned'],
      ['stale (a replay 10 min later)', failed, fake.signed(failed, Math.floor(Date.now() / 1000) - 600), 'webhook-stale'],
    ];
    for (const [name, body, headers, code] of cases) {
      const r = await fetch(url, { method: 'POST', body, headers });
      expect(r.status, name).toBe(401);
      expect(((await r.json()) as { code: string }).code, name).toBe(code);
    }
    // Refusals count like failed sign-ins of the address: past the free five, 429 with Retry-After (before any check).
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) last = await fetch(url, { method: 'POST', body: failed, headers: forgedHeaders(failed) });
    expect(last!.status).toBe(429);
    expect(((await last!.json()) as { code: string }).code).toBe('auth-throttled');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    // … while a correctly signed delivery from the same address is still taken (an already-seen event: not acted on).
    const seen = gw.core.db.prepare("SELECT event_id FROM telnyx_events WHERE event_type = 'fax.received' LIMIT 1").get() as { event_id: string };
    const again = JSON.stringify({ data: { record_type: 'event', id: seen.event_id, event_type: 'fax.received', occurred_at: new Date().toISOString(), payload: { direction: 'inbound', status: 'received' } } });
    const ok = await fetch(url, { method: 'POST', body: again, headers: fake.signed(again) });
    expect([ok.status, await ok.json()]).toEqual([200, { ok: true, duplicate: true }]);
    await new Promise((res) => setTimeout(res, 200));
    expect({ inbound: inboundCount(), events: eventCount(), jobs: gw.core.db.prepare('SELECT id, status FROM jobs ORDER BY id').all() }).toEqual(before);
  });
});
