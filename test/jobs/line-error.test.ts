// A fax line adapter that throws (a bug, a disk failure) is an internal failure with its own StatusCode, not "no answer".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_CODES } from '../../src/domain/jobs.js';
import type { FaxLine } from '../../src/lines/types.js';
import { inProcessLine } from '../../src/lines/in-process.js';
import { startJobsHarness, type JobsHarness } from './harness.js';

let h: JobsHarness;
let sender: string;

beforeAll(async () => {
  // Retries due at once: were a throw still retried, every attempt would run inside this test.
  h = await startJobsHarness({ retryAttempts: 3, retryScale: 0 });
  const a = h.accounts.create({ name: 'Clinic', senders: ['front@clinic.example'] });
  sender = a.id;
});
afterAll(async () => h?.close());

/** A line whose adapter fails the way a bug or a full disk does: it throws instead of reporting a call outcome. */
function throwingLine(calls: string[]): FaxLine {
  return inProcessLine({
    name: 'broken',
    async call(fax) {
      calls.push(fax.jobId);
      throw new Error("EIO: i/o error, write '/var/spool/faxgate/line/secret-path.tif'");
    },
  });
}

const submitCover = async (to: string) => (await h.intake.submit({
  source: 'api', accountId: sender, sender: 'api:key_test', recipients: [to], files: [], coverText: 'Please call back.',
})).jobs.map((j) => j.id);

describe('a line adapter that throws', () => {
  it('fails the job at once with the line-error code and an internal reason, without retrying', async () => {
    const calls: string[] = [];
    const ids = await submitCover('+15550100400');
    const [job] = await h.runUntilDone(ids, throwingLine(calls));
    expect(STATUS_CODES['line-error']).toBe(98);
    expect(job).toMatchObject({ status: 'failed', statusCode: STATUS_CODES['line-error'], attempts: 1, pagesSent: 0 });
    expect(job.statusCode).not.toBe(STATUS_CODES['no-answer']);
    expect(calls).toEqual(ids);
    expect(h.jobs.events(job.id).map((e) => e.to)).toEqual(['received', 'rendering', 'queued', 'sending', 'failed']);
    // The customer sees an internal failure; the adapter's own message (paths, errno) stays in the log.
    expect(job.reason).toMatch(/^internal: /);
    expect(job.reason).not.toContain('secret-path');
  });

  it('a line that reports no answer (not a throw) is still retried as before', async () => {
    const ids = await submitCover('+9999999002');
    const [job] = await h.runUntilDone(ids, inProcessLine({
      name: 'no-answer',
      async call() { return { result: 'no-answer', pagesSent: 0, message: 'no answer' }; },
    }));
    expect(job).toMatchObject({ status: 'failed', statusCode: STATUS_CODES['no-answer'], attempts: 3 });
  });
});
