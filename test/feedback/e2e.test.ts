// Walk-through as a new user: set a feedback URL, fax the busy number, watch the attempts and the signed failure feedback arrive.
// Real job store, workers, sandbox line, SQLite and HTTP receiver; rendering is stood in by ImageMagick making a real G4 TIFF.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createSqliteJobStore } from '../../src/jobs/store.js';
import { createWorkers, type RendererView } from '../../src/jobs/workers.js';
import { createSandboxLine } from '../../src/lines/sandbox.js';
import { systemClock } from '../../src/domain/types.js';
import { silentLogger } from '../../src/logger.js';
import { makeEnv, newAccount, receiver, until } from './helpers.js';

const run = promisify(execFile);

const renderer: RendererView = {
  async renderAll(_input, _opts, outPath) {
    await run('convert', ['-size', '1728x2200', 'xc:white', '-compress', 'Group4', '-density', '204x196', outPath]);
    return { pages: 1, docs: [] };
  },
};

describe('outgoing fax → sandbox line → feedback', async () => {
  const env = makeEnv({ retryScale: 0.001, retrySpacingSeconds: 1, sandboxSecondsPerPage: 0 });
  const r = await receiver();
  const jobs = createSqliteJobStore({ db: env.db, clock: systemClock });
  const feedback = env.make();
  jobs.onTerminal(feedback.onJobTerminal);
  const line = createSandboxLine({ outboxDir: path.join(env.dir, 'outbox'), secondsPerPage: 0 });
  const workers = createWorkers({ jobs, renderer, line, config: env.config, clock: systemClock, logger: silentLogger, pollMs: 10 });
  feedback.start();
  workers.start();
  afterAll(async () => { await workers.stop(); await feedback.close(); await r.close(); });

  const acc = newAccount(env, { feedbackUrl: r.url, 'outgoing.feedbackWhen': 'always' });
  const submit = (recipients: string[], rejected?: { reason: string; statusCode: number }) => {
    const id = `sub_${Math.random().toString(36).slice(2)}`;
    const dir = path.join(env.dir, 'subs', id);
    mkdirSync(dir, { recursive: true });
    return jobs.createSubmission({
      id, accountId: acc.id, source: 'api', sender: 'fgk_abcdef', dir, files: [], options: { resolution: 'fine', paper: 'letter', coverText: 'Hello' }, policy: 'ignore',
      recipients, report: [], ...(rejected ? { rejected } : {}),
    }).jobs;
  };
  const form = (jobId: string) => r.requests.map((q) => ({ q, f: Object.fromEntries(new URLSearchParams(q.body)) })).find((x) => x.f.FaxId === jobId);

  it('busy number: three attempts, then a signed failure feedback', async () => {
    const [busy, ok] = submit(['+9999999001', '+9999999000']);
    workers.kick();
    await until(() => Boolean(form(busy.id) && form(ok.id)), 'both feedbacks');
    const failed = form(busy.id)!;
    expect(failed.f).toMatchObject({ Status: 'failed', StatusCode: '1', Attempts: '3', Direction: 'outbound', Source: 'api', ToFax: '+9999999001' });
    expect(() => new Webhook(acc.feedbackSecret).verify(failed.q.body, failed.q.headers as Record<string, string>, { jsonParse: false })).not.toThrow();
    expect(jobs.events(busy.id).filter((e) => e.to === 'retrying')).toHaveLength(2);
    expect(form(ok.id)!.f).toMatchObject({ Status: 'sent', StatusCode: '0', Pages: '1', PagesSent: '1' });
    await until(() => feedback.deliveriesFor(busy.id).length === 1, 'attempt recorded');
    expect(feedback.deliveriesFor(busy.id)[0]).toMatchObject({ outcome: 'delivered', statusCode: 200 });
  });

  it('a job refused at intake produces failure feedback too', async () => {
    const [rej] = submit(['+15551234567'], { reason: 'unsupported-attachment: x.exe', statusCode: 10 });
    expect(feedback.outboxFor(rej.id)).toHaveLength(1); // written in createSubmission's transaction
    await until(() => Boolean(form(rej.id)), 'rejection feedback');
    expect(form(rej.id)!.f).toMatchObject({ Status: 'rejected', StatusCode: '10' });
  });

  it('the outbox row shares the state change transaction: a rollback leaves no feedback', () => {
    let id = '';
    expect(() => env.db.transaction(() => {
      [{ id }] = submit(['+15557654321'], { reason: 'nothing-to-fax', statusCode: 11 });
      expect(feedback.outboxFor(id)).toHaveLength(1);
      throw new Error('crash before commit');
    })()).toThrow('crash before commit');
    expect(id).not.toBe('');
    expect(jobs.getById(id)).toBeUndefined();
    expect(feedback.outboxFor(id)).toEqual([]);
  });
});
