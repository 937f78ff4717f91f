// Retries go where the account's settings point when they are sent, and a rotated signing secret stays valid for a grace period.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/store/db.js';
import { createSqliteJobStore } from '../../src/jobs/store.js';
import { createSqliteAccountStore } from '../../src/settings/accounts.js';
import { silentLogger } from '../../src/logger.js';
import { createFeedback } from '../../src/feedback/index.js';
import { tempDir } from '../helpers/tmp.js';
import { job, receiver, until, type Received } from './helpers.js';
import { feedbackParts } from '../helpers/outboxes.js';

const HOUR = 3600_000;
const closers: (() => Promise<void>)[] = [];
afterAll(async () => { for (const c of closers.reverse()) await c(); });

/** A hand-moved clock shared by the account store and the dispatcher: nothing becomes due until the test says so. */
function world(graceMs = 24 * HOUR) {
  let t = Date.now();
  const clock = { now: () => new Date(t) };
  const dir = tempDir('faxgate-fb-send-');
  // retryScale 1 and no jitter: the first retry is due 5 s (of this clock) after the first failure.
  const config = loadConfig({}, { dataDir: dir, feedbackAllowPrivate: true, retryScale: 1 });
  const db = openDatabase(dir);
  const accounts = createSqliteAccountStore({ db, clock, secretGraceMs: graceMs });
  const fb = createFeedback({ ...feedbackParts(db), accounts, jobs: createSqliteJobStore({ db, clock }), clock, config, logger: silentLogger, pollMs: 10, timeoutMs: 5000, random: () => 0.5 });
  closers.push(() => fb.close());
  let seq = 0;
  return {
    db, accounts, fb,
    advance(ms: number) { t += ms; },
    account(settings: Record<string, unknown>) {
      seq += 1;
      const a = accounts.create({ name: `Send-time ${seq}`, senders: [`st${seq}-${Math.random().toString(36).slice(2, 8)}@acme.example`] });
      accounts.updateSettings(a.id, settings, 'test');
      return accounts.mustGet(a.id);
    },
  };
}

async function rx(...args: Parameters<typeof receiver>) {
  const r = await receiver(...args);
  closers.push(r.close);
  return r;
}

/** The receiver's own check: which of these secrets produced one of the `v1,` signatures in the header. */
function signedWith(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${String(r.headers['webhook-id'])}.${String(r.headers['webhook-timestamp'])}.${r.body}`).digest();
  return String(r.headers['webhook-signature']).split(' ').some((s) => {
    const got = Buffer.from(s.replace(/^v1,/, ''), 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}

const headersOf = (r: Received) => ({
  'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']),
});

describe('a retry goes where the account points when it is sent', () => {
  it('first attempt fails on A, the account switches to B: the retry arrives at B, never at A', async () => {
    const w = world();
    const a = await rx((_r, res) => { res.statusCode = 500; res.end('down'); });
    const b = await rx();
    const acc = w.account({ feedbackUrl: a.url, 'outgoing.feedbackWhen': 'always' });
    const j = job(acc.id);
    w.db.transaction(() => w.fb.onJobTerminal(j))();
    w.fb.start();
    await until(() => w.fb.outboxFor(j.id)[0]?.attempts === 1, 'the first attempt');
    expect(a.requests).toHaveLength(1);
    expect(w.fb.outboxFor(j.id)[0].status).toBe('pending');

    w.accounts.updateSettings(acc.id, { feedbackUrl: b.url }, 'test');
    w.advance(10_000);
    await until(() => w.fb.outboxFor(j.id)[0]?.status === 'delivered', 'the retry');
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(1);
    expect(b.requests[0].headers['webhook-id']).toBe(a.requests[0].headers['webhook-id']);
    expect(b.requests[0].body).toBe(a.requests[0].body);
    expect(signedWith(acc.feedbackSecret, b.requests[0])).toBe(true);
    expect(w.fb.deliveriesFor(j.id).map((d) => [d.url, d.outcome])).toEqual([[a.url, 'failed'], [b.url, 'delivered']]);
    expect(w.fb.outboxFor(j.id)[0].url).toBe(b.url);
  });

  it('a format change between attempts is honoured: the retry is rendered in the format now chosen', async () => {
    const w = world();
    const a = await rx((_r, res, n) => { res.statusCode = n === 1 ? 503 : 200; res.end(); });
    const acc = w.account({ feedbackUrl: a.url, 'outgoing.feedbackWhen': 'always', 'outgoing.feedbackMethod': 'http-post' });
    const j = job(acc.id);
    w.db.transaction(() => w.fb.onJobTerminal(j))();
    w.fb.start();
    await until(() => w.fb.outboxFor(j.id)[0]?.attempts === 1, 'the first attempt');
    w.accounts.updateSettings(acc.id, { 'outgoing.feedbackMethod': 'xml' }, 'test');
    w.advance(10_000);
    await until(() => w.fb.outboxFor(j.id)[0]?.status === 'delivered', 'the retry');
    expect(String(a.requests[0].headers['content-type'])).toMatch(/^application\/x-www-form-urlencoded/);
    expect(String(a.requests[1].headers['content-type'])).toMatch(/^text\/xml/);
    expect(a.requests[1].body).toContain(`<FaxId>${j.id}</FaxId>`);
    expect(a.requests[1].headers['webhook-id']).toBe(a.requests[0].headers['webhook-id']);
    expect(signedWith(acc.feedbackSecret, a.requests[1])).toBe(true);
  });

  it('the account removed its URL: the pending delivery is dropped with a recorded reason and nothing is sent', async () => {
    const w = world();
    const a = await rx((_r, res) => { res.statusCode = 500; res.end(); });
    const acc = w.account({ feedbackUrl: a.url, 'outgoing.feedbackWhen': 'always' });
    const j = job(acc.id);
    w.db.transaction(() => w.fb.onJobTerminal(j))();
    w.fb.start();
    await until(() => w.fb.outboxFor(j.id)[0]?.attempts === 1, 'the first attempt');
    w.accounts.updateSettings(acc.id, { feedbackUrl: '', 'outgoing.feedbackWhen': 'never' }, 'test');
    w.advance(10_000);
    await until(() => w.fb.outboxFor(j.id)[0]?.status !== 'pending', 'the drop');
    const row = w.fb.outboxFor(j.id)[0];
    expect(row).toMatchObject({ status: 'gone', attempts: 1, lastError: 'feedbackUrl removed by the account before delivery' });
    expect(row.completedAt).toBeDefined();
    expect(a.requests).toHaveLength(1);
    expect(w.fb.deliveriesFor(j.id)).toHaveLength(1);
  });

  it('an inbound notification still pending when the account turns inbound feedback off is dropped', async () => {
    const w = world();
    const a = await rx((_r, res) => { res.statusCode = 500; res.end(); });
    const acc = w.account({ feedbackUrl: a.url, 'incoming.feedbackMethod': 'http-post' });
    w.db.transaction(() => w.fb.onInboundReceived({
      id: 'inb_send_time_1', accountId: acc.id, to: '+15551230000', from: '+15559870000', pages: 1,
      receivedAt: new Date().toISOString(), imageUrl: 'http://127.0.0.1/v1/inbound/inb_send_time_1/image',
    } as Parameters<typeof w.fb.onInboundReceived>[0]))();
    w.fb.start();
    await until(() => w.fb.outboxFor('inb_send_time_1')[0]?.attempts === 1, 'the first attempt');
    w.accounts.updateSettings(acc.id, { 'incoming.feedbackMethod': 'never' }, 'test');
    w.advance(10_000);
    await until(() => w.fb.outboxFor('inb_send_time_1')[0]?.status !== 'pending', 'the drop');
    expect(w.fb.outboxFor('inb_send_time_1')[0]).toMatchObject({ status: 'gone', lastError: 'incoming.feedbackMethod set to never by the account before delivery' });
    expect(a.requests).toHaveLength(1);
  });
});

describe('rotating the signing secret keeps the old one valid for a grace period', () => {
  it('during the grace every delivery carries both signatures, new first; after it only the new one', async () => {
    const w = world(24 * HOUR);
    const r = await rx();
    const acc = w.account({ feedbackUrl: r.url, 'outgoing.feedbackWhen': 'always' });
    const oldSecret = acc.feedbackSecret;
    const newSecret = w.accounts.rotateFeedbackSecret(acc.id, 'test');
    expect(newSecret).not.toBe(oldSecret);
    expect(w.accounts.mustGet(acc.id).feedbackSecret).toBe(newSecret);

    const j1 = job(acc.id);
    w.db.transaction(() => w.fb.onJobTerminal(j1))();
    w.fb.start();
    await until(() => r.requests.length === 1, 'the first delivery');
    const sig = String(r.requests[0].headers['webhook-signature']).split(' ');
    expect(sig).toHaveLength(2);
    for (const s of sig) expect(s).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    // New first, and an integrator holding either secret verifies it with the reference library.
    expect(signedWith(newSecret, { ...r.requests[0], headers: { ...r.requests[0].headers, 'webhook-signature': sig[0] } })).toBe(true);
    expect(signedWith(oldSecret, { ...r.requests[0], headers: { ...r.requests[0].headers, 'webhook-signature': sig[1] } })).toBe(true);
    expect(() => new Webhook(newSecret).verify(r.requests[0].body, headersOf(r.requests[0]), { jsonParse: false })).not.toThrow();
    expect(() => new Webhook(oldSecret).verify(r.requests[0].body, headersOf(r.requests[0]), { jsonParse: false })).not.toThrow();

    w.advance(24 * HOUR - 1000);
    const j2 = job(acc.id);
    w.db.transaction(() => w.fb.onJobTerminal(j2))();
    await until(() => r.requests.length === 2, 'a delivery just inside the grace');
    expect(String(r.requests[1].headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(signedWith(oldSecret, r.requests[1])).toBe(true);

    w.advance(2000);
    const j3 = job(acc.id);
    w.db.transaction(() => w.fb.onJobTerminal(j3))();
    await until(() => r.requests.length === 3, 'a delivery after the grace');
    expect(String(r.requests[2].headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(signedWith(newSecret, r.requests[2])).toBe(true);
    expect(signedWith(oldSecret, r.requests[2])).toBe(false);
    // The expired secret is not kept once the grace is over.
    const row = w.db.prepare('SELECT feedback_secret_previous AS p, feedback_secret_previous_until AS u FROM accounts WHERE id = ?').get(acc.id) as { p: string | null; u: string | null };
    expect(row).toEqual({ p: null, u: null });
  });

  it('rotating again during the grace keeps only the secret just replaced; rotating with immediate ends the grace at once', () => {
    const w = world(24 * HOUR);
    const acc = w.account({});
    const s0 = acc.feedbackSecret;
    const s1 = w.accounts.rotateFeedbackSecret(acc.id, 'test');
    const s2 = w.accounts.rotateFeedbackSecret(acc.id, 'test');
    expect(w.accounts.signingSecrets(acc.id)).toEqual([s2, s1]);
    expect(w.accounts.signingSecrets(acc.id)).not.toContain(s0);
    expect(w.accounts.mustGet(acc.id).previousSecretExpiresAt).toBe(new Date(Date.parse(w.accounts.mustGet(acc.id).previousSecretExpiresAt ?? '')).toISOString());
    const s3 = w.accounts.rotateFeedbackSecret(acc.id, 'test', { immediate: true });
    expect(w.accounts.signingSecrets(acc.id)).toEqual([s3]);
    expect(w.accounts.mustGet(acc.id).previousSecretExpiresAt).toBeUndefined();
    const audit = w.accounts.auditLog(acc.id).filter((e) => e.field === 'feedbackSecret');
    expect(audit).toHaveLength(3);
    expect(JSON.stringify(audit)).not.toContain(s1.slice(6, 20));
  });

  it('a grace of 0 means rotation cuts off the old secret at once', () => {
    const w = world(0);
    const acc = w.account({});
    const s1 = w.accounts.rotateFeedbackSecret(acc.id, 'test');
    expect(w.accounts.signingSecrets(acc.id)).toEqual([s1]);
  });
});
