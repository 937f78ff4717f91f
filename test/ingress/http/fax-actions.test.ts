// Cancel and resend at the real HTTP edge through the generated client (client/): real SQLite, the real render worker
// and the sandbox line, feedback's outbox.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Renderer } from '../../../src/render/index.js';
import { createWorkers, type Workers } from '../../../src/jobs/workers.js';
import { createSandboxLine } from '../../../src/lines/sandbox.js';
import { createLineSet } from '../../../src/lines/registry.js';
import { createFaxService } from '../../../src/jobs/service.js';
import { createFaxgateClient } from '../../../client/index.js';
import { corpusBytes, makeHarness, type Harness, harnessRenderer, untilJob } from './harness.js';

let h: Harness;
let renderer: Renderer;
let workers: Workers | undefined;
let base: string;
const api = (key: string) => createFaxgateClient(base, key);
const cancel = (key: string, id: string) => api(key).POST('/v1/faxes/{id}/cancel', { params: { path: { id } } });
const resend = (key: string, id: string, to?: string | string[]) =>
  api(key).POST('/v1/faxes/{id}/resend', { params: { path: { id } }, body: to === undefined ? {} : { to } });
/** The answer as the assertions read it: status and body (the data, or the problem). */
const answer = async (p: Promise<{ data?: unknown; error?: unknown; response: Response }>) => {
  const r = await p;
  return { statusCode: r.response.status, headers: { location: r.response.headers.get('location') }, body: JSON.stringify(r.data ?? r.error), json: () => (r.data ?? r.error) as never };
};
const view = async (key: string, id: string) => (await api(key).GET('/v1/faxes/{id}', { params: { path: { id } } })).data!;

async function submit(key: string, to = '+15551234567'): Promise<string> {
  const { data, response } = await api(key).POST('/v1/faxes', {
    body: { to, files: [{ name: 'a.pdf', data: corpusBytes('pdf/pdf_three_pages.pdf').toString('base64') }] },
  });
  expect(response.status).toBe(202);
  return data!.jobs[0].id;
}

function startWorkers(secondsPerPage: number) {
  // The harness's fax service cancels on the lines it was given: this test's line, so a hang-up reaches the call.
  const line = createSandboxLine({ outboxDir: path.join(h.dataDir, 'outbox'), secondsPerPage });
  h.deps.faxes = createFaxService({ jobs: h.jobs, lines: createLineSet({ lines: [line] }), accounts: h.accounts, logger: h.deps.logger, checkRecipient: (a, n) => h.intake.checkRecipient(a, n) });
  workers = createWorkers({ jobs: h.jobs, renderer, line, config: h.config, clock: h.deps.clock, logger: h.deps.logger, pollMs: 20 });
  workers.start();
}

beforeAll(async () => {
  h = makeHarness({ sandboxSecondsPerPage: 0 });
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
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

describe('POST /v1/faxes/{id}/cancel', () => {
  it('a fax not yet rendered ends cancelled at once, recorded, with exactly one failure feedback of code 8', async () => {
    const a = h.account();
    h.accounts.updateSettings(a.id, { feedbackUrl: 'http://127.0.0.1:9/hook', 'outgoing.feedbackWhen': 'failure' }, 'test');
    const id = await submit(a.apiKey);
    const r = await answer(cancel(a.apiKey, id));
    expect(r.statusCode, r.body).toBe(200);
    const view = r.json() as { status: string; statusCode: number; reason: string; events: { from: string | null; to: string; note: string }[] };
    expect(view).toMatchObject({ status: 'cancelled', statusCode: 8, reason: 'cancelled: cancelled on request' });
    expect(view.events.at(-1)).toMatchObject({ from: 'received', to: 'cancelled', note: 'cancel requested' });
    const outbox = h.feedback.outboxFor(id);
    expect(outbox).toHaveLength(1);
    const row = h.db.prepare('SELECT fields FROM feedback_outbox WHERE subject_id = ?').get(id) as { fields: string };
    expect(JSON.parse(row.fields)).toMatchObject({ Status: 'cancelled', StatusCode: 8 });

    // Again: the fax has ended, so 409 with a stable code, and still one feedback.
    const again = await answer(cancel(a.apiKey, id));
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'fax-finished' });
    expect(h.feedback.outboxFor(id)).toHaveLength(1);
  });

  it("another account's fax and an unknown id answer 404; a sent fax answers 409 fax-finished", async () => {
    const a = h.account();
    const b = h.account();
    const id = await submit(a.apiKey);
    for (const [key, jid] of [[b.apiKey, id], [a.apiKey, 'job_nope']] as const) {
      const r = await answer(cancel(key, jid));
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ code: 'not-found' });
    }
    expect(h.jobs.getById(id)!.status).toBe('received');
    startWorkers(0);
    await untilJob(h, id, (j) => j.status === 'sent', 'sent');
    const r = await answer(cancel(a.apiKey, id));
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ code: 'fax-finished' });
  });

  it('a fax on the line is hung up: 202 cancelRequested, then cancelled with the call closed as cancelled, nothing in the outbox folder', async () => {
    startWorkers(60); // 3 pages at 60 s each: the call is certainly still on when the cancel comes
    const a = h.account();
    const id = await submit(a.apiKey);
    await untilJob(h, id, (j) => j.status === 'sending' && Boolean(h.jobs.attempts(id)[0]?.dialledAt), 'on the line');
    const r = await answer(cancel(a.apiKey, id));
    expect([200, 202]).toContain(r.statusCode);
    const done = await untilJob(h, id, (j) => j.status === 'cancelled', 'cancelled');
    expect(done).toMatchObject({ statusCode: 8, pagesSent: 0 });
    expect(h.jobs.attempts(id)).toMatchObject([{ attempt: 1, outcome: 'cancelled' }]);
    const shown = await view(a.apiKey, id);
    expect(shown.events!.map((e) => e.to)).toEqual(['received', 'rendering', 'queued', 'sending', 'sending', 'cancelled']);
    expect(shown.events![4].note).toMatch(/cancel requested/);
    expect(existsSync(path.join(h.dataDir, 'outbox', `${id}.tif`))).toBe(false);
  });
});

describe('POST /v1/faxes/{id}/resend', () => {
  it('new jobs from the same rendering, linked both ways, sent without rendering again', async () => {
    startWorkers(0);
    const a = h.account();
    const id = await submit(a.apiKey);
    const first = await untilJob(h, id, (j) => j.status === 'sent', 'sent');
    const r = await answer(resend(a.apiKey, id, ['+15557654321', '+1 555 765 4322']));
    expect(r.statusCode, r.body).toBe(202);
    const out = r.json() as { resentFrom: string; jobs: { id: string; to: string; status: string; resentFrom: string; submissionId: string }[] };
    expect(out.resentFrom).toBe(id);
    expect(out.jobs.map((j) => j.to)).toEqual(['+15557654321', '+15557654322']);
    expect(out.jobs.every((j) => j.resentFrom === id && j.submissionId === first.submissionId && j.status === 'queued')).toBe(true);
    expect(r.headers.location).toBe(`/v1/faxes/${out.jobs[0].id}`);
    for (const j of out.jobs) {
      const sent = await untilJob(h, j.id, (x) => x.status === 'sent', 'sent');
      expect(sent.pages).toBe(3);
      const v = await view(a.apiKey, j.id);
      expect(v.resentFrom).toBe(id);
      expect(v.events!.map((e) => e.to)).toEqual(['queued', 'sending', 'sent']);
    }
    const back = await view(a.apiKey, id);
    expect(back.resends).toEqual(out.jobs.map((j) => j.id));

    // No number: the fax's own. (With no body at all too, as a plain request.)
    const same = await answer(resend(a.apiKey, id));
    expect(same.statusCode, same.body).toBe(202);
    expect((same.json() as { jobs: { to: string }[] }).jobs.map((j) => j.to)).toEqual(['+15551234567']);
    const bare = await fetch(`${base}/v1/faxes/${id}/resend`, { method: 'POST', headers: { authorization: `Bearer ${a.apiKey}` } });
    expect(bare.status).toBe(202);
  });

  it('refuses a fax never rendered (409 nothing-to-resend), a bad number (400), another account (404)', async () => {
    const a = h.account();
    const b = h.account();
    const id = await submit(a.apiKey);
    h.jobs.requestCancel(id, 'test');
    const never = await answer(resend(a.apiKey, id));
    expect(never.statusCode).toBe(409);
    expect(never.json()).toMatchObject({ code: 'nothing-to-resend' });
    const other = await answer(resend(b.apiKey, id));
    expect(other.statusCode).toBe(404);
    const bad = await answer(resend(a.apiKey, id, 'not a number'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'invalid-number' });
  });
});
