// The sender worker on a line that keeps its jobs (HylaFAX-like): the hand-over is recorded before the line commits,
// a restart tracks the recorded job again (never resubmits), call facts reach the job, and faxgate alone retries.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STATUS_CODES } from '../../src/domain/jobs.js';
import { createLineSet } from '../../src/lines/registry.js';
import { inProcessLine } from '../../src/lines/in-process.js';
import {
  LineJobUnknownError, LineUnavailableError, type FaxLine, type LineOutcome, type OutgoingFax,
} from '../../src/lines/types.js';
import { startJobsHarness, type JobsHarness } from './harness.js';

let h: JobsHarness;
let accountId: string;

beforeEach(async () => {
  h = await startJobsHarness({ retryAttempts: 3, retryScale: 0 });
  const a = h.accounts.create({ name: 'Clinic', senders: ['front@clinic.example'] });
  h.accounts.updateSettings(a.id, { 'outgoing.feedbackWhen': 'always', feedbackUrl: 'https://hooks.example/fax' }, 'test');
  accountId = a.id;
});
afterEach(async () => h?.close());

async function until(fn: () => boolean, what: string): Promise<void> {
  for (let i = 0; !fn(); i++) {
    if (i > 2000) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const submitCover = async (to: string) => (await h.intake.submit({
  source: 'api', accountId, sender: 'api:key_test', recipients: [to], files: [], coverText: 'Please call back.',
})).jobs[0].id;

/**
 * A fax server outside this process, as faxgate sees one through the boundary: it keeps its jobs across faxgate
 * restarts (the same object is handed to the "next start"), commits a job only after the hand-over was recorded, and
 * ends each call when the test says how.
 */
function fakeServer(name = 'office') {
  const jobs = new Map<string, { fax: OutgoingFax; committed: boolean; outcome?: LineOutcome; wake?: () => void }>();
  const log: string[] = [];
  let seq = 0;
  let unavailable = false;
  /** refuse this many hand-overs, then take faxes again */
  let downFor = 0;
  let recordedBeforeCommit: boolean[] = [];
  const line: FaxLine = {
    name, kind: 'test-server', durable: true,
    async submit(fax, hooks) {
      if (unavailable || downFor > 0) {
        downFor = Math.max(0, downFor - 1);
        throw new LineUnavailableError('connection refused');
      }
      const ref = `${name}:${++seq}`;
      jobs.set(ref, { fax, committed: false });
      log.push(`submit ${fax.jobId}#${fax.attempt}`);
      const ok = hooks.handedOver(ref);
      recordedBeforeCommit.push(ok);
      if (!ok) {
        jobs.delete(ref);
        return undefined;
      }
      jobs.get(ref)!.committed = true;
      return ref;
    },
    track(ref, _fax, signal) {
      const j = jobs.get(ref);
      if (!j?.committed) return Promise.reject(new LineJobUnknownError(ref));
      log.push(`track ${ref}`);
      return new Promise<LineOutcome>((resolve, reject) => {
        const done = () => resolve(j.outcome!);
        if (j.outcome) return done();
        j.wake = done;
        signal?.addEventListener('abort', () => reject(Object.assign(new Error('stopped watching'), { name: 'AbortError' })), { once: true });
      });
    },
    async cancel(ref) {
      return jobs.has(ref) ? 'cancelled' : 'unknown';
    },
    async check() {
      return { ok: !unavailable, detail: unavailable ? 'down' : 'up' };
    },
  };
  return {
    line, log, jobs,
    get recorded() { return recordedBeforeCommit; },
    set unavailable(v: boolean) { unavailable = v; },
    set downFor(n: number) { downFor = n; },
    reset() { recordedBeforeCommit = []; },
    /** End the (first) committed call still open with this outcome. */
    end(outcome: LineOutcome) {
      const open = [...jobs.values()].find((j) => j.committed && !j.outcome);
      if (!open) throw new Error('no open call');
      open.outcome = outcome;
      open.wake?.();
    },
    openCalls: () => [...jobs.values()].filter((j) => j.committed && !j.outcome).length,
  };
}

const SENT: LineOutcome = {
  result: 'sent', pagesSent: 1, pagesTotal: 1, durationSeconds: 28.5, remoteId: '+1 555 000 0001', lineCode: '0', lineText: '', message: 'sent 1 page',
};

describe('a durable line', () => {
  it('records the line reference before the line commits, and the call facts on the job and its attempt', async () => {
    const server = fakeServer();
    const id = await submitCover('+15550100601');
    const w = h.workersWith({ lines: createLineSet({ lines: [server.line] }) });
    w.start();
    try {
      await until(() => server.openCalls() === 1, 'the hand-over');
      // The attempt is stamped with the reference while the line's job is still open.
      expect(h.jobs.attempts(id)).toMatchObject([{ attempt: 1, line: 'office', lineRef: 'office:1' }]);
      expect(h.jobs.attempts(id)[0].dialledAt).toBeDefined();
      server.end(SENT);
      await until(() => h.jobs.getById(id)!.status === 'sent', 'sent');
    } finally {
      await w.stop();
    }
    expect(server.recorded).toEqual([true]);
    expect(h.jobs.getById(id)).toMatchObject({
      status: 'sent', statusCode: 0, pagesSent: 1, line: 'office', remoteId: '+1 555 000 0001', durationSeconds: 28.5,
      lineStatus: { code: '0', text: '' },
    });
    expect(h.jobs.attempts(id)).toMatchObject([{ outcome: 'sent', remoteId: '+1 555 000 0001', durationSeconds: 28.5, lineCode: '0' }]);
  });

  it('a shutdown mid-call leaves the fax with its line; the next start tracks it again and never resubmits', async () => {
    const server = fakeServer();
    const id = await submitCover('+15550100602');
    const first = h.workersWith({ lines: createLineSet({ lines: [server.line] }) });
    first.start();
    await until(() => server.openCalls() === 1, 'the hand-over');
    await first.stop();
    // Still on the line: not given back, not "maybe sent".
    expect(h.jobs.getById(id)!.status).toBe('sending');

    const next = h.restartFromImage();
    try {
      next.jobs.recoverLeases({ all: true });
      expect(next.jobs.getById(id)!.status).toBe('sending');
      const w = next.workersWith({ lines: createLineSet({ lines: [server.line] }) });
      w.start();
      try {
        await until(() => server.log.filter((l) => l.startsWith('track')).length === 2, 'tracking again');
        server.end(SENT);
        await until(() => next.jobs.getById(id)!.status === 'sent', 'sent after the restart');
      } finally {
        await w.stop();
      }
      expect(server.log.filter((l) => l.startsWith('submit'))).toEqual([`submit ${id}#1`]);
      expect(next.jobs.getById(id)).toMatchObject({ status: 'sent', attempts: 1, remoteId: '+1 555 000 0001' });
      expect(next.terminal.map((j) => j.id)).toEqual([id]);
      expect(next.feedbackRows(id)).toBe(1);
    } finally {
      next.close();
    }
  });

  it('a killed process leaves the same: the recorded job is tracked, its attempt is not counted twice', async () => {
    const server = fakeServer();
    const id = await submitCover('+15550100603');
    const dead = h.workersWith({ lines: createLineSet({ lines: [server.line] }) });
    dead.start();
    await until(() => server.openCalls() === 1, 'the hand-over');
    const next = h.restartFromImage();
    await dead.stop(0);
    try {
      next.jobs.recoverLeases({ all: true });
      const w = next.workersWith({ lines: createLineSet({ lines: [server.line] }) });
      w.start();
      try {
        await until(() => server.log.filter((l) => l.startsWith('track')).length === 2, 'tracking again');
        server.end({ ...SENT, result: 'line-dropped', pagesSent: 0, message: 'remote hung up' });
        await until(() => next.jobs.getById(id)!.status === 'failed', 'failed');
      } finally {
        await w.stop();
      }
      expect(next.jobs.getById(id)).toMatchObject({ statusCode: STATUS_CODES['line-dropped'], attempts: 1 });
      expect(server.log.filter((l) => l.startsWith('submit'))).toHaveLength(1);
    } finally {
      next.close();
    }
  });

  it('a recorded job the line no longer knows ends "line lost", never resent', async () => {
    const server = fakeServer();
    const id = await submitCover('+15550100604');
    const first = h.workersWith({ lines: createLineSet({ lines: [server.line] }) });
    first.start();
    await until(() => server.openCalls() === 1, 'the hand-over');
    await first.stop();
    server.jobs.clear();
    const w = h.workersWith({ lines: createLineSet({ lines: [server.line] }) });
    w.start();
    try {
      await until(() => h.jobs.getById(id)!.status === 'failed', 'failed');
    } finally {
      await w.stop();
    }
    expect(h.jobs.getById(id)).toMatchObject({ statusCode: STATUS_CODES['line-lost'], attempts: 1 });
    expect(h.jobs.getById(id)!.reason).toMatch(/^line-lost: /);
    expect(server.log.filter((l) => l.startsWith('submit'))).toHaveLength(1);
  });

  it('a job the line was handed but whose line is no longer configured ends "line lost"', async () => {
    const server = fakeServer('old');
    const id = await submitCover('+15550100605');
    const first = h.workersWith({ lines: createLineSet({ lines: [server.line] }) });
    first.start();
    await until(() => server.openCalls() === 1, 'the hand-over');
    await first.stop();
    const other = fakeServer('new');
    const w = h.workersWith({ lines: createLineSet({ lines: [other.line] }) });
    w.start();
    try {
      await until(() => h.jobs.getById(id)!.status === 'failed', 'failed');
    } finally {
      await w.stop();
    }
    expect(h.jobs.getById(id)).toMatchObject({ statusCode: STATUS_CODES['line-lost'] });
    expect(other.log).toEqual([]);
  });
});

describe('outcomes and retries', () => {
  const cases: [LineOutcome['result'], string, number, number][] = [
    // result, final status, status code, attempts made (retryAttempts = 3)
    ['busy', 'failed', STATUS_CODES.busy, 3],
    ['no-answer', 'failed', STATUS_CODES['no-answer'], 3],
    ['no-carrier', 'failed', STATUS_CODES['no-carrier'], 3],
    ['not-a-fax', 'failed', STATUS_CODES['not-a-fax'], 1],
    ['line-dropped', 'failed', STATUS_CODES['line-dropped'], 1],
    ['rejected', 'failed', STATUS_CODES.rejected, 1],
    ['cancelled', 'failed', STATUS_CODES.cancelled, 1],
    ['internal', 'failed', STATUS_CODES['line-fault'], 1],
    ['sent', 'sent', STATUS_CODES.ok, 1],
  ];
  it.each(cases)('%s → %s with code %i after %i attempt(s)', async (result, status, code, attempts) => {
    const calls: OutgoingFax[] = [];
    const line = inProcessLine({
      name: 'typed',
      async call(fax) { calls.push(fax); return { result, pagesSent: 0, lineCode: `c-${result}`, lineText: result, message: result }; },
    });
    const id = await submitCover('+15550100610');
    const [job] = await h.runUntilDone([id], line);
    expect(job).toMatchObject({ status, statusCode: code, attempts, lineStatus: { code: `c-${result}`, text: result } });
    // Each attempt is handed over under its own number, so a line can tell a retry from a duplicate.
    expect(calls.map((c) => c.attempt)).toEqual(Array.from({ length: attempts }, (_, i) => i + 1));
    expect(calls[0]).toMatchObject({ jobId: id, to: '+15550100610', lpi: 196 });
  });

  it('a line that is down is tried again, and after the last attempt the job fails "line unavailable"', async () => {
    const server = fakeServer();
    server.unavailable = true;
    const id = await submitCover('+15550100620');
    const w = h.workersWith({ lines: createLineSet({ lines: [server.line] }) });
    w.start();
    try {
      await until(() => h.jobs.getById(id)!.status === 'failed', 'failed');
    } finally {
      await w.stop();
    }
    expect(h.jobs.getById(id)).toMatchObject({ statusCode: STATUS_CODES['line-unavailable'], attempts: 3 });
    expect(h.jobs.attempts(id).map((a) => a.outcome)).toEqual(['line-unavailable', 'line-unavailable', 'line-unavailable']);
  });

  it('a line that comes back before the last attempt sends the fax', async () => {
    const server = fakeServer();
    server.downFor = 2;
    const id = await submitCover('+15550100621');
    const w = h.workersWith({ lines: createLineSet({ lines: [server.line] }) });
    w.start();
    try {
      await until(() => server.openCalls() === 1, 'the hand-over');
      server.end(SENT);
      await until(() => h.jobs.getById(id)!.status === 'sent', 'sent');
    } finally {
      await w.stop();
    }
    expect(h.jobs.getById(id)).toMatchObject({ status: 'sent', attempts: 3 });
    expect(h.jobs.attempts(id).map((a) => a.outcome)).toEqual(['line-unavailable', 'line-unavailable', 'sent']);
  });
});

describe('which line', () => {
  it("an account's own line carries its faxes; the others go on the default line", async () => {
    const main = fakeServer('main');
    const branch = fakeServer('branch');
    const other = h.accounts.create({ name: 'Branch', senders: ['desk@branch.example'] });
    const lines = createLineSet({ lines: [main.line, branch.line], defaultName: 'main', accountLine: (a) => (a === other.id ? 'branch' : undefined) });
    const a = await submitCover('+15550100630');
    const b = (await h.intake.submit({
      source: 'api', accountId: other.id, sender: 'api:key_b', recipients: ['+15550100631'], files: [], coverText: 'Hello',
    })).jobs[0].id;
    const w = h.workersWith({ lines, sendConcurrency: 2 });
    w.start();
    try {
      await until(() => main.openCalls() === 1 && branch.openCalls() === 1, 'both handed over');
      main.end(SENT);
      branch.end(SENT);
      await until(() => h.jobs.getById(a)!.status === 'sent' && h.jobs.getById(b)!.status === 'sent', 'both sent');
    } finally {
      await w.stop();
    }
    expect(h.jobs.getById(a)!.line).toBe('main');
    expect(h.jobs.getById(b)!.line).toBe('branch');
    expect(main.log.filter((l) => l.startsWith('submit'))).toEqual([`submit ${a}#1`]);
    expect(branch.log.filter((l) => l.startsWith('submit'))).toEqual([`submit ${b}#1`]);
  });

  it('a line set refuses duplicate names and an unknown default', () => {
    const x = fakeServer('x');
    expect(() => createLineSet({ lines: [x.line, x.line] })).toThrow();
    expect(() => createLineSet({ lines: [x.line], defaultName: 'nope' })).toThrow();
  });
});
