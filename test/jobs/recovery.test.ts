// Restart after a kill: a job whose call had started is reported "maybe sent" (never dialled again, one feedback);
// one claimed but never dialled is simply sent; a graceful stop hangs up a sandbox call and leaves no doubt behind.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STATUS_CODES } from '../../src/domain/jobs.js';
import type { FaxLine, OutgoingFax } from '../../src/lines/types.js';
import { inProcessLine } from '../../src/lines/in-process.js';
import { startJobsHarness, type JobsHarness } from './harness.js';

let h: JobsHarness;
let accountId: string;

// A fresh data folder per test: a job left over from another test would be claimed first.
beforeEach(async () => {
  h = await startJobsHarness({ retryAttempts: 3, retryScale: 0 });
  const a = h.accounts.create({ name: 'Clinic', senders: ['front@clinic.example'] });
  h.accounts.updateSettings(a.id, { 'outgoing.feedbackWhen': 'always', feedbackUrl: 'https://hooks.example/fax' }, 'test');
  accountId = a.id;
});
afterEach(async () => h?.close());

/** Poll a condition of the store (no timing is asserted: the bound only keeps a broken run from hanging). */
async function until(fn: () => boolean, what: string): Promise<void> {
  for (let i = 0; !fn(); i++) {
    if (i > 2000) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A call that connects and never ends by itself; it hangs up (rejects) only when the signal aborts. */
function hangingLine(calls: string[]): FaxLine {
  return inProcessLine({
    name: 'hanging',
    call(fax: OutgoingFax, signal?: AbortSignal) {
      calls.push(fax.jobId);
      return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
    },
  });
}

/** A line that records every dial and succeeds. */
function recordingLine(calls: string[]): FaxLine {
  return inProcessLine({ name: 'recording', async call(fax) { calls.push(fax.jobId); return { result: 'sent', pagesSent: fax.pages, message: 'sent' }; } });
}

const submitCover = async (to: string) => (await h.intake.submit({
  source: 'api', accountId, sender: 'api:fgk_test', recipients: [to], files: [], coverText: 'Please call back.',
})).jobs[0].id;

const terminalEvents = (events: { to: string }[]) => events.filter((e) => ['sent', 'failed', 'rejected'].includes(e.to));

describe('restart after the server died', () => {
  it('a job whose call had started is not dialled again: it ends failed "maybe sent" with one feedback', async () => {
    const id = await submitCover('+15550100501');
    const first: string[] = [];
    const dead = h.workersWith({ line: hangingLine(first) });
    dead.start();
    await until(() => first.includes(id), 'the call to start');
    // The kill: what is on disk now is all the next start gets.
    const next = h.restartFromImage();
    await dead.stop(0);
    try {
      const again: string[] = [];
      next.jobs.recoverLeases({ all: true });
      const w = next.workersWith({ line: recordingLine(again) });
      w.start();
      try {
        await until(() => ['sent', 'failed'].includes(next.jobs.getById(id)!.status), 'the job to end');
      } finally {
        await w.stop();
      }
      expect(again).toEqual([]);
      const job = next.jobs.getById(id)!;
      expect(job).toMatchObject({ status: 'failed', statusCode: STATUS_CODES['maybe-sent'], attempts: 1 });
      expect(job.reason).toMatch(/^maybe-sent: /);
      expect(next.jobs.events(id).map((e) => e.to)).toEqual(['received', 'rendering', 'queued', 'sending', 'failed']);
      expect(next.terminal.map((j) => j.id)).toEqual([id]);
      expect(next.feedbackRows(id)).toBe(1);
      expect(next.jobs.attempts(id)).toMatchObject([{ attempt: 1, line: 'hanging', outcome: 'maybe-sent' }]);
    } finally {
      next.close();
    }
  });

  it('a job claimed but never dialled is sent after the restart, once', async () => {
    const id = await submitCover('+15550100502');
    const renderOnly = h.workersWith({ sendConcurrency: 0 });
    renderOnly.start();
    await until(() => h.jobs.getById(id)!.status === 'queued', 'the job to be rendered');
    await renderOnly.stop();
    // A sender claimed it (the attempt is recorded with the move to `sending`) and died before dialling.
    expect(h.jobs.claimSend('w_dead', 60_000, 'sandbox')).toMatchObject({ id, status: 'sending' });
    const next = h.restartFromImage();
    try {
      next.jobs.recoverLeases({ all: true });
      expect(next.jobs.getById(id)).toMatchObject({ status: 'queued', attempts: 0 });
      const calls: string[] = [];
      const w = next.workersWith({ line: recordingLine(calls) });
      w.start();
      try {
        await until(() => next.jobs.getById(id)!.status === 'sent', 'the job to be sent');
      } finally {
        await w.stop();
      }
      expect(calls).toEqual([id]);
      expect(next.jobs.getById(id)).toMatchObject({ status: 'sent', attempts: 1, statusCode: 0 });
      expect(terminalEvents(next.jobs.events(id))).toHaveLength(1);
      expect(next.feedbackRows(id)).toBe(1);
      expect(next.jobs.attempts(id).map((a) => a.outcome)).toEqual(['not-dialled', 'sent']);
    } finally {
      next.close();
    }
  });

  it('a graceful stop hangs up the call and gives the job back; the next start sends it', async () => {
    const id = await submitCover('+15550100503');
    const calls: string[] = [];
    const w = h.workersWith({ line: hangingLine(calls) });
    w.start();
    await until(() => calls.includes(id), 'the call to start');
    await w.stop();
    expect(h.jobs.getById(id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(h.jobs.attempts(id)).toMatchObject([{ attempt: 1, outcome: 'released' }]);
    const [job] = await h.runUntilDone([id]);
    expect(job).toMatchObject({ status: 'sent', attempts: 1 });
    expect(h.jobs.attempts(id).map((a) => a.outcome)).toEqual(['released', 'sent']);
    expect(terminalEvents(h.jobs.events(id))).toHaveLength(1);
  });

  it('a call still running when the stop gives up waiting is reported "maybe sent", not given back', async () => {
    const id = await submitCover('+15550100504');
    const calls: string[] = [];
    let finish!: () => void;
    // A line that cannot be hung up: it ignores the signal and only ends when the test says so.
    const stubborn: FaxLine = inProcessLine({
      name: 'stubborn',
      call(fax) {
        calls.push(fax.jobId);
        return new Promise((resolve) => { finish = () => resolve({ result: 'sent', pagesSent: fax.pages, message: 'sent' }); });
      },
    });
    const w = h.workersWith({ line: stubborn });
    w.start();
    await until(() => calls.includes(id), 'the call to start');
    await w.stop(0);
    expect(h.jobs.getById(id)).toMatchObject({ status: 'failed', statusCode: STATUS_CODES['maybe-sent'] });
    finish();
    await new Promise((r) => setTimeout(r, 20));
    // The late end of the call does not add a second terminal state.
    expect(terminalEvents(h.jobs.events(id))).toHaveLength(1);
  });
});
