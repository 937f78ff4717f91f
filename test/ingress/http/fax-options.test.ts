// Per-fax options at the real HTTP edge (issue 18): clientReference, callbackUrl, retries and sendAt, with the real
// job store, render worker and sandbox line; an injected clock decides when a scheduled fax is due.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Renderer } from '../../../src/render/index.js';
import { createWorkers, type Workers } from '../../../src/jobs/workers.js';
import type { Clock } from '../../../src/domain/types.js';
import { auth, makeHarness, type Harness, harnessRenderer, untilJob } from './harness.js';

let h: Harness;
let renderer: Renderer;
let workers: Workers | undefined;
let now = Date.parse('2026-12-04T12:00:00.000Z');
const clock: Clock = { now: () => new Date(now) };

const send = (key: string, body: Record<string, unknown>) => h.app.inject({
  method: 'POST', url: '/v1/faxes', headers: auth(key),
  payload: { to: '+15551234567', files: [{ name: 'a.txt', data: Buffer.from('hello fax').toString('base64') }], ...body },
});

async function submit(key: string, body: Record<string, unknown> = {}): Promise<string> {
  const r = await send(key, body);
  expect(r.statusCode, r.body).toBe(202);
  return (r.json() as { jobs: { id: string }[] }).jobs[0].id;
}

function startWorkers() {
  workers = createWorkers({ jobs: h.jobs, renderer, line: h.line, config: h.config, clock, logger: h.deps.logger, pollMs: 20 });
  workers.start();
}

// A job's final report has the job as subject; its progress events (feedbackEvents all) job:status:attempt.
const outboxRows = (id: string) => (h.db.prepare("SELECT url, fields FROM feedback_outbox WHERE subject_id = ? OR subject_id LIKE ? || ':%' ORDER BY created_at, rowid").all(id, id) as { url: string; fields: string }[])
  .map((r) => ({ url: r.url, fields: JSON.parse(r.fields) as Record<string, unknown> }));

beforeAll(() => {
  h = makeHarness({ sandboxSecondsPerPage: 0, retryScale: 0 }, { clock });
  renderer = harnessRenderer(h);
});
afterEach(async () => {
  await workers?.stop();
  workers = undefined;
});
afterAll(async () => {
  await renderer.close();
  await h.app.close();
});

describe('clientReference and callbackUrl', () => {
  it('the reference is echoed in the status, the list and the feedback; the fax\'s callbackUrl replaces the account\'s', async () => {
    const a = h.account();
    h.accounts.updateSettings(a.id, { feedbackUrl: 'http://127.0.0.1:9/account', 'outgoing.feedbackWhen': 'always' }, 'test');
    const id = await submit(a.apiKey, { clientReference: 'order 42/ß', callbackUrl: 'http://127.0.0.1:9/this-fax' });
    const view = (await h.app.inject({ method: 'GET', url: `/v1/faxes/${id}`, headers: auth(a.apiKey) })).json() as Record<string, unknown>;
    expect(view.clientReference).toBe('order 42/ß');
    const listed = (await h.app.inject({ method: 'GET', url: '/v1/faxes?clientReference=order%2042%2F%C3%9F', headers: auth(a.apiKey) })).json() as { items: { id: string }[] };
    expect(listed.items.map((i) => i.id)).toEqual([id]);
    await h.app.inject({ method: 'POST', url: `/v1/faxes/${id}/cancel`, headers: auth(a.apiKey) });
    expect(outboxRows(id)).toMatchObject([{ url: 'http://127.0.0.1:9/this-fax', fields: { ClientReference: 'order 42/ß', Status: 'cancelled' } }]);

    // Without its own URL the account's is used; without a reference the field is absent.
    const plain = await submit(a.apiKey);
    await h.app.inject({ method: 'POST', url: `/v1/faxes/${plain}/cancel`, headers: auth(a.apiKey) });
    const [row] = outboxRows(plain);
    expect(row.url).toBe('http://127.0.0.1:9/account');
    expect(row.fields).not.toHaveProperty('ClientReference');
  });

  it('refuses a reference over 100 characters and a callbackUrl that is not http(s), before anything is queued', async () => {
    const a = h.account();
    for (const body of [{ clientReference: 'x'.repeat(101) }, { callbackUrl: 'ftp://example.com/x' }, { callbackUrl: 'http://u:p@example.com/' }, { retries: 6 }]) {
      const r = await send(a.apiKey, body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect(h.jobs.list(a.id)).toEqual([]);
  });
});

describe('retries', () => {
  it('the submission\'s retries, else the account\'s outgoing.retries, else FAXGATE_RETRY_ATTEMPTS decide the calls to a busy number', async () => {
    startWorkers();
    const a = h.account();
    const busy = '+9999999001';
    const once = await submit(a.apiKey, { to: busy, retries: 0 });
    expect(await untilJob(h, once, (j) => j.status === 'failed', 'failed')).toMatchObject({ attempts: 1, statusCode: 1 });
    h.accounts.updateSettings(a.id, { 'outgoing.retries': 1 }, 'test');
    const twice = await submit(a.apiKey, { to: busy });
    expect(await untilJob(h, twice, (j) => j.status === 'failed', 'failed')).toMatchObject({ attempts: 2 });
    const three = await submit(a.apiKey, { to: busy, retries: 2 });
    expect(await untilJob(h, three, (j) => j.status === 'failed', 'failed')).toMatchObject({ attempts: 3 });
    h.accounts.updateSettings(a.id, { 'outgoing.retries': '' }, 'test');
    const env = await submit(a.apiKey, { to: busy });
    expect(await untilJob(h, env, (j) => j.status === 'failed', 'failed')).toMatchObject({ attempts: h.config.retryAttempts });
  });
});

describe('sendAt', () => {
  it('rendered at once and held scheduled; a restart keeps it; sent once the clock reaches its time', async () => {
    startWorkers();
    const a = h.account();
    const at = new Date(now + 3_600_000);
    const local = `${at.toISOString().slice(0, 19).replace(/T(\d\d)/, (_m, hh: string) => `T${String((Number(hh) + 1) % 24).padStart(2, '0')}`)}+01:00`;
    const id = await submit(a.apiKey, { sendAt: local, clientReference: 'later' });
    const held = await untilJob(h, id, (j) => j.status === 'scheduled', 'scheduled');
    expect(held.sendAt).toBe(at.toISOString());
    expect(held.pages).toBeGreaterThan(0);
    expect(held.files[0]).toMatchObject({ verdict: 'accepted' });
    // A restart: these workers stop, new ones start over the same database; the fax is still waiting.
    await workers!.stop();
    startWorkers();
    await new Promise((r) => setTimeout(r, 200));
    expect(h.jobs.getById(id)!.status).toBe('scheduled');
    now = at.getTime() + 1;
    const sent = await untilJob(h, id, (j) => j.status === 'sent', 'sent');
    expect(h.jobs.events(id).map((e) => e.to)).toEqual(['received', 'rendering', 'scheduled', 'sending', 'sent']);
    expect(sent.attempts).toBe(1);
  });

  it('a cancel ends a scheduled fax; a time without offset or over 30 days ahead is 422 invalid-send-at', async () => {
    startWorkers();
    const a = h.account();
    const id = await submit(a.apiKey, { sendAt: new Date(now + 86_400_000).toISOString() });
    await untilJob(h, id, (j) => j.status === 'scheduled', 'scheduled');
    const c = await h.app.inject({ method: 'POST', url: `/v1/faxes/${id}/cancel`, headers: auth(a.apiKey) });
    expect(c.json()).toMatchObject({ status: 'cancelled' });
    for (const sendAt of ['2026-12-05T09:00:00', new Date(now + 31 * 86_400_000).toISOString(), 'tomorrow']) {
      const r = await send(a.apiKey, { sendAt });
      expect(r.statusCode, sendAt).toBe(422);
      expect(r.json()).toMatchObject({ code: 'invalid-send-at' });
    }
  });
});

describe('outgoing.feedbackEvents', () => {
  it('all: queued, sending and each page sent are reported as they happen, then the final outcome; final (unset): only the outcome', async () => {
    startWorkers();
    const a = h.account();
    h.accounts.updateSettings(a.id, { feedbackUrl: 'http://127.0.0.1:9/hook', 'outgoing.feedbackWhen': 'always', 'outgoing.feedbackEvents': 'all' }, 'test');
    const id = await submit(a.apiKey, { clientReference: 'progress' });
    await untilJob(h, id, (j) => j.status === 'sent', 'sent');
    // each page through during the call is its own event (Status sending, PagesSent growing) before the outcome
    const pages = h.jobs.getById(id)!.pages;
    expect(pages).toBeGreaterThan(0);
    expect(outboxRows(id).map((r) => [r.fields.Status, r.fields.PagesSent])).toEqual([
      ['queued', 0], ['sending', 0], ...Array.from({ length: pages }, (_, i) => ['sending', i + 1]), ['sent', pages],
    ]);
    expect(h.jobs.getById(id)!.pagesSent).toBe(pages);
    expect(outboxRows(id).every((r) => r.fields.ClientReference === 'progress')).toBe(true);

    const b = h.account();
    h.accounts.updateSettings(b.id, { feedbackUrl: 'http://127.0.0.1:9/hook', 'outgoing.feedbackWhen': 'always' }, 'test');
    const only = await submit(b.apiKey);
    await untilJob(h, only, (j) => j.status === 'sent', 'sent');
    expect(outboxRows(only).map((r) => r.fields.Status)).toEqual(['sent']);
  });
});
