// Delivery end to end on loopback: when-rule × method, signatures, retries with a stable webhook-id, 410, timeouts, redirects, restarts.
import { afterAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { JobStatus } from '../../src/domain/jobs.js';
import { MAX_ATTEMPTS, retryDelayMs, wantsOutgoingFeedback } from '../../src/feedback/index.js';
import { tempDir } from '../helpers/tmp.js';
import { job, makeEnv, newAccount, receiver, until, type Received } from './helpers.js';
import { validateEnvelope, xsdFromWsdl } from './xml.js';

const xdir = tempDir('faxgate-xsd-');
const xsd = xsdFromWsdl(xdir);
const env = makeEnv();
const closers: (() => Promise<void>)[] = [];
afterAll(async () => { for (const c of closers.reverse()) await c(); });

async function rx(...args: Parameters<typeof receiver>) {
  const r = await receiver(...args);
  closers.push(r.close);
  return r;
}

/** Verify with the reference Standard Webhooks library, as a customer would. */
function verify(secret: string, r: Received): void {
  const h = { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) };
  expect(() => new Webhook(secret).verify(r.body, h, { jsonParse: false })).not.toThrow();
  expect(() => new Webhook(`whsec_${Buffer.from('not the secret').toString('base64')}`).verify(r.body, h, { jsonParse: false })).toThrow();
}

function fieldsOf(r: Received): Record<string, string> {
  if (String(r.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(r.body));
  const out: Record<string, string> = {};
  for (const m of r.body.matchAll(/<(FaxId|Direction|Status|StatusCode|FromFax|ImageUrl)>([^<]*)</g)) out[m[1]] ??= m[2];
  return out;
}

describe('the when-rule', () => {
  const table: [string, JobStatus, boolean][] = [
    ['always', 'sent', true], ['always', 'failed', true], ['always', 'rejected', true],
    ['never', 'sent', false], ['never', 'failed', false], ['never', 'rejected', false],
    ['success', 'sent', true], ['success', 'failed', false], ['success', 'rejected', false],
    ['failure', 'sent', false], ['failure', 'failed', true], ['failure', 'rejected', true],
    ['always', 'sending', false], ['always', 'retrying', false],
  ];
  it.each(table)('%s × %s → %s', (when, status, want) => {
    expect(wantsOutgoingFeedback(when as 'always', status)).toBe(want);
  });

  it('the retry schedule is the docs/feedback.md §4 one, scaled, with bounded jitter, and ends', () => {
    const spec = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];
    spec.forEach((s, i) => {
      expect(retryDelayMs(i + 1, 1, () => 0.5)).toBe(s * 1000);
      expect(retryDelayMs(i + 1, 1, () => 0)).toBe(Math.round(s * 900));
      expect(retryDelayMs(i + 1, 0.5, () => 0.999999)).toBeLessThanOrEqual(s * 550);
    });
    expect(retryDelayMs(spec.length + 1, 1)).toBeNull();
    expect(MAX_ATTEMPTS).toBe(10);
  });
});

describe('each when × method combination over sent / failed / rejected, signed', () => {
  const combos: [string, 'http-post' | 'xml'][] = [];
  for (const w of ['always', 'never', 'success', 'failure']) for (const m of ['http-post', 'xml'] as const) combos.push([w, m]);

  it.each(combos)('%s / %s', async (when, method) => {
    const r = await rx();
    const acc = newAccount(env, { feedbackUrl: r.url, 'outgoing.feedbackWhen': when, 'outgoing.feedbackMethod': method });
    const fb = env.make();
    closers.push(() => fb.close());
    const jobs = (['sent', 'failed', 'rejected'] as const).map((status) => job(acc.id, status === 'sent' ? {} : { status, statusCode: status === 'failed' ? 1 : 10, reason: 'x' }));
    // The hook runs inside the job store's transaction: the outbox row commits (or not) with the state change.
    for (const j of jobs) env.db.transaction(() => fb.onJobTerminal(j))();
    const expected = jobs.filter((j) => wantsOutgoingFeedback(when as 'always', j.status));
    for (const j of jobs) expect(fb.outboxFor(j.id).length).toBe(expected.includes(j) ? 1 : 0);
    fb.start();
    await until(() => expected.every((j) => fb.outboxFor(j.id)[0]?.status === 'delivered'), 'deliveries');
    expect(r.requests.map((q) => fieldsOf(q).FaxId).sort()).toEqual(expected.map((j) => j.id).sort());
    for (const q of r.requests) {
      verify(acc.feedbackSecret, q);
      expect(q.headers['webhook-id']).toMatch(/^msg_/);
      const f = fieldsOf(q);
      const j = jobs.find((x) => x.id === f.FaxId);
      expect(f.Status).toBe(j?.status);
      expect(f.Direction).toBe('outbound');
      if (method === 'xml') {
        expect(q.headers['content-type']).toMatch(/^text\/xml/);
        expect(q.headers.soapaction).toBe('"urn:faxgate:feedback:1#FaxFeedback"');
        expect(validateEnvelope(xdir, xsd, q.body).ok).toBe(true);
      } else {
        expect(q.headers['content-type']).toBe('application/x-www-form-urlencoded');
      }
    }
  });
});

describe('inbound notification per incoming.feedbackMethod', () => {
  it.each(['never', 'http-post', 'xml'] as const)('%s', async (method) => {
    const r = await rx();
    const acc = newAccount(env, { feedbackUrl: r.url, 'incoming.feedbackMethod': method });
    const fb = env.make();
    closers.push(() => fb.close());
    const id = `inb_${method}`;
    env.db.transaction(() => fb.onInboundReceived({ id, accountId: acc.id, from: '+15550001111', to: '+15550002222', pages: 1, receivedAt: new Date().toISOString(), imageUrl: `http://localhost/v1/inbound/${id}/image` }))();
    if (method === 'never') {
      expect(fb.outboxFor(id)).toEqual([]);
      return;
    }
    fb.start();
    await until(() => fb.outboxFor(id)[0]?.status === 'delivered', 'inbound delivery');
    expect(r.requests).toHaveLength(1);
    const q = r.requests[0];
    verify(acc.feedbackSecret, q);
    expect(fieldsOf(q)).toMatchObject({ FaxId: id, Direction: 'inbound', Status: 'received', FromFax: '+15550001111', ImageUrl: `http://localhost/v1/inbound/${id}/image` });
    if (method === 'xml') {
      expect(q.headers.soapaction).toBe('"urn:faxgate:feedback:1#InboundFax"');
      expect(validateEnvelope(xdir, xsd, q.body).ok).toBe(true);
    }
  });
});

describe('delivery outcomes', () => {
  async function setup(handler: Parameters<typeof receiver>[0], extra: Parameters<typeof env.make>[0] = {}, method: 'http-post' | 'xml' = 'http-post') {
    const r = await rx(handler);
    const acc = newAccount(env, { feedbackUrl: r.url, 'outgoing.feedbackWhen': 'always', 'outgoing.feedbackMethod': method });
    const fb = env.make(extra);
    closers.push(() => fb.close());
    const j = job(acc.id, { status: 'failed', statusCode: 1, reason: 'the line was busy', attempts: 3 });
    env.db.transaction(() => fb.onJobTerminal(j))();
    fb.start();
    return { r, acc, fb, j };
  }

  it('retries after 500s with the same webhook-id and body, a fresh valid signature each time', async () => {
    const { r, acc, fb, j } = await setup((_q, res, n) => { res.statusCode = n <= 2 ? 500 : 200; res.end(); });
    await until(() => fb.outboxFor(j.id)[0]?.status === 'delivered', 'delivery after two 500s');
    expect(r.requests).toHaveLength(3);
    expect(new Set(r.requests.map((q) => q.headers['webhook-id'])).size).toBe(1);
    expect(new Set(r.requests.map((q) => q.body)).size).toBe(1);
    for (const q of r.requests) verify(acc.feedbackSecret, q);
    expect(fb.deliveriesFor(j.id).map((d) => [d.outcome, d.statusCode])).toEqual([['failed', 500], ['failed', 500], ['delivered', 200]]);
    expect(fb.deliveriesFor(j.id).every((d) => d.url === r.url && d.webhookId === r.requests[0].headers['webhook-id'])).toBe(true);
  });

  it('410 Gone stops retrying', async () => {
    const { r, fb, j } = await setup((_q, res) => { res.statusCode = 410; res.end(); });
    await until(() => fb.outboxFor(j.id)[0]?.status !== 'pending', 'the 410');
    expect(fb.outboxFor(j.id)[0]).toMatchObject({ status: 'gone', attempts: 1 });
    expect(fb.deliveriesFor(j.id)).toMatchObject([{ outcome: 'gone', statusCode: 410 }]);
    expect(r.requests).toHaveLength(1);
  });

  it('a reply slower than the timeout is a failed attempt, then retried', async () => {
    let hold = true;
    const { r, fb, j } = await setup((_q, res) => { if (!hold) res.end('ok'); /* else never answer */ }, { timeoutMs: 300 });
    await until(() => fb.deliveriesFor(j.id).length >= 1, 'first attempt');
    expect(fb.deliveriesFor(j.id)[0]).toMatchObject({ outcome: 'failed' });
    expect(fb.deliveriesFor(j.id)[0].error).toMatch(/timeout/);
    hold = false;
    await until(() => fb.outboxFor(j.id)[0]?.status === 'delivered', 'delivery once the receiver answers');
    expect(new Set(r.requests.map((q) => q.headers['webhook-id'])).size).toBe(1);
  });

  it('redirects are never followed and count as failures', async () => {
    let redirect = true;
    const { r, fb, j } = await setup((q, res) => {
      if (q.url === '/hook' && redirect) { res.writeHead(307, { location: '/elsewhere' }); res.end(); return; }
      res.end('ok');
    });
    await until(() => fb.deliveriesFor(j.id).length >= 2, 'two redirected attempts');
    expect(fb.deliveriesFor(j.id).slice(0, 2)).toMatchObject([{ outcome: 'failed', statusCode: 307 }, { outcome: 'failed', statusCode: 307 }]);
    redirect = false;
    await until(() => fb.outboxFor(j.id)[0]?.status === 'delivered', 'delivery without the redirect');
    expect(r.requests.filter((q) => q.url === '/elsewhere')).toHaveLength(0);
  });

  it('a 200 whose SOAP body is a Fault is a failed delivery', async () => {
    let faults = 1;
    const { fb, j } = await setup((_q, res) => {
      res.setHeader('content-type', 'text/xml');
      if (faults-- > 0) res.end('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>no</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>');
      else res.end('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><FaxFeedbackResponse xmlns="urn:faxgate:feedback:1"/></soapenv:Body></soapenv:Envelope>');
    }, {}, 'xml');
    await until(() => fb.outboxFor(j.id)[0]?.status === 'delivered', 'delivery after the Fault');
    expect(fb.deliveriesFor(j.id).map((d) => [d.outcome, d.statusCode, d.error])).toEqual([['failed', 200, 'SOAP Fault in reply'], ['delivered', 200, undefined]]);
  });

  it('gives up after the last scheduled attempt (10 in all) and records each', async () => {
    // retryScale 0.00001 squeezes the whole 3-day schedule into under 3 s.
    const quick = makeEnv({ retryScale: 0.00001 });
    const r = await rx((_q, res) => { res.statusCode = 503; res.end(); });
    const acc = newAccount(quick, { feedbackUrl: r.url, 'outgoing.feedbackWhen': 'always' });
    const fb = quick.make();
    closers.push(() => fb.close());
    const j = job(acc.id);
    quick.db.transaction(() => fb.onJobTerminal(j))();
    fb.start();
    await until(() => fb.outboxFor(j.id)[0]?.status === 'failed', 'giving up');
    expect(fb.outboxFor(j.id)[0]).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, lastError: 'HTTP 503' });
    expect(fb.deliveriesFor(j.id)).toHaveLength(MAX_ATTEMPTS);
    expect(r.requests).toHaveLength(MAX_ATTEMPTS);
  });
});

describe('transactions', () => {
  it('a feedback enqueued in a transaction that rolls back is never sent, even with the dispatcher running', async () => {
    const r = await rx();
    const acc = newAccount(env, { feedbackUrl: r.url, 'outgoing.feedbackWhen': 'always' });
    const fb = env.make();
    closers.push(() => fb.close());
    fb.start();
    const lost = job(acc.id);
    const kept = job(acc.id);
    expect(() => env.db.transaction(() => { fb.onJobTerminal(lost); throw new Error('rollback'); })()).toThrow('rollback');
    env.db.transaction(() => fb.onJobTerminal(kept))();
    await until(() => fb.outboxFor(kept.id)[0]?.status === 'delivered', 'the committed feedback');
    expect(r.requests.map((q) => new URLSearchParams(q.body).get('FaxId'))).toEqual([kept.id]);
    expect(fb.outboxFor(lost.id)).toEqual([]);
  });
});

describe('restarts', () => {
  it('a new instance on the same database file picks up a feedback between retries', async () => {
    const dir = tempDir('faxgate-restart-');
    // retryScale 0.2: the first retry is ~1 s away, so the first process is surely stopped before it is due.
    const a = makeEnv({ retryScale: 0.2 }, dir);
    let fail = true;
    const r = await rx((_q, res) => { res.statusCode = fail ? 500 : 204; res.end(); });
    const acc = newAccount(a, { feedbackUrl: r.url, 'outgoing.feedbackWhen': 'always' });
    const fbA = a.make();
    const j = job(acc.id);
    a.db.transaction(() => fbA.onJobTerminal(j))();
    fbA.start();
    await until(() => fbA.deliveriesFor(j.id).length === 1, 'first failed attempt');
    await fbA.close();
    a.db.close();
    expect(r.requests).toHaveLength(1);

    fail = false;
    const b = makeEnv({ retryScale: 0.2 }, dir); // a fresh connection: what a restarted process sees
    const fbB = b.make();
    closers.push(async () => { await fbB.close(); b.db.close(); });
    fbB.start();
    await until(() => fbB.outboxFor(j.id)[0]?.status === 'delivered', 'delivery by the new instance');
    expect(r.requests).toHaveLength(2);
    expect(r.requests[0].headers['webhook-id']).toBe(r.requests[1].headers['webhook-id']);
    expect(fbB.deliveriesFor(j.id).map((d) => d.outcome)).toEqual(['failed', 'delivered']);
  });

  it('an attempt cut short by a stop is not lost: the next instance sends it after the lease', async () => {
    const dir = tempDir('faxgate-restart2-');
    const a = makeEnv({}, dir);
    let hold = true;
    const r = await rx((_q, res) => { if (!hold) res.end('ok'); });
    const acc = newAccount(a, { feedbackUrl: r.url, 'outgoing.feedbackWhen': 'always' });
    const fbA = a.make({ timeoutMs: 300 });
    const j = job(acc.id);
    a.db.transaction(() => fbA.onJobTerminal(j))();
    fbA.start();
    await until(() => r.requests.length === 1, 'the request reaching the receiver');
    await fbA.close(); // like a crash mid-request: nothing recorded, the row stays claimed until its lease ends
    expect(fbA.deliveriesFor(j.id)).toEqual([]);
    hold = false;
    const fbB = a.make({ timeoutMs: 300 });
    closers.push(() => fbB.close());
    fbB.start();
    await until(() => fbB.outboxFor(j.id)[0]?.status === 'delivered', 'delivery after the lease');
    expect(r.requests.length).toBe(2);
    expect(r.requests[0].headers['webhook-id']).toBe(r.requests[1].headers['webhook-id']);
  });
});
