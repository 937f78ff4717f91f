// A decision made at intake stays made: the render worker judges by the policy the submission was accepted under,
// not the account's current setting, and never decides again on files intake already decided.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Account } from '../../src/settings/accounts.js';
import { FaxError } from '../../src/domain/errors.js';
import { migrate } from '../../src/store/db.js';
import { makeElf, makePdf } from '../ingress/smtp/fixtures.js';
import { CORPUS } from '../helpers/tmp.js';
import { startJobsHarness, type JobsHarness } from './harness.js';

/** Accepted by the screen (a PDF by its bytes) but only found damaged while rendering. */
const CIRCULAR_PDF = readFileSync(path.join(CORPUS, 'pdf', 'pdf_pages_tree_circular_refs.pdf'));

let h: JobsHarness;
let pdf: Buffer;
let n = 0;

beforeAll(async () => {
  h = await startJobsHarness();
  pdf = await makePdf(1);
});
afterAll(async () => h?.close());

function account(policy: 'ignore' | 'reject'): Account {
  const a = h.accounts.create({ name: `A${++n}`, senders: [`s${n}@clinic.example`] });
  h.accounts.updateSettings(a.id, { 'outgoing.unsupportedFiles': policy }, 'test');
  return a;
}
const setPolicy = (a: Account, policy: 'ignore' | 'reject') => h.accounts.updateSettings(a.id, { 'outgoing.unsupportedFiles': policy }, 'test');
const submit = (a: Account, files: { name: string; content: Buffer }[]) => h.intake.submit({
  source: 'email', accountId: a.id, sender: `s${n}@clinic.example`, recipients: ['+15550100300'],
  files: files.map((f) => h.upload(f.name, f.content)),
});

describe('the unsupported-files policy is part of the submission', () => {
  it('accepted under ignore with a dropped file, switched to reject before rendering: sent, not rejected', async () => {
    const a = account('ignore');
    const r = await submit(a, [{ name: 'letter.pdf', content: pdf }, { name: 'tool.exe', content: makeElf() }]);
    expect(r.files.map((f) => [f.name, f.verdict])).toEqual([['letter.pdf', 'accepted'], ['tool.exe', 'unsupported-type']]);
    setPolicy(a, 'reject');
    const [job] = await h.runUntilDone(r.jobs.map((j) => j.id));
    expect(job).toMatchObject({ status: 'sent', statusCode: 0, pages: 1, pagesSent: 1 });
    expect(h.jobs.submission(r.submissionId)?.policy).toBe('ignore');
    // tool.exe stays what intake said, reported as dropped; it is not judged again.
    expect(job.files.map((f) => [f.name, f.verdict])).toEqual([['letter.pdf', 'accepted'], ['tool.exe', 'unsupported-type']]);
    expect(h.jobs.events(job.id).map((e) => e.to)).toEqual(['received', 'rendering', 'queued', 'sending', 'sent']);
  });

  it('a render-time finding under an ignore snapshot drops the file even though the account now rejects', async () => {
    const a = account('ignore');
    const r = await submit(a, [{ name: 'good.pdf', content: pdf }, { name: 'bad.pdf', content: CIRCULAR_PDF }]);
    expect(r.files.map((f) => f.verdict)).toEqual(['accepted', 'accepted']);
    setPolicy(a, 'reject');
    const [job] = await h.runUntilDone(r.jobs.map((j) => j.id));
    expect(job).toMatchObject({ status: 'sent', pages: 1 });
    expect(job.files.map((f) => [f.name, f.verdict])).toEqual([['good.pdf', 'accepted'], ['bad.pdf', 'damaged']]);
  });

  it('a render-time finding under a reject snapshot rejects the job even though the account now ignores', async () => {
    const a = account('reject');
    const r = await submit(a, [{ name: 'good.pdf', content: pdf }, { name: 'bad.pdf', content: CIRCULAR_PDF }]);
    setPolicy(a, 'ignore');
    const [job] = await h.runUntilDone(r.jobs.map((j) => j.id));
    expect(job).toMatchObject({ status: 'rejected', statusCode: 10 });
    expect(h.jobs.submission(r.submissionId)?.policy).toBe('reject');
    expect(job.reason).toMatch(/^unsupported-attachment: bad\.pdf/);
    expect(job.files.map((f) => [f.name, f.verdict])).toEqual([['good.pdf', 'accepted'], ['bad.pdf', 'damaged']]);
  });

  it('a submission refused at intake records the policy it was refused under', async () => {
    const a = account('reject');
    const err = await submit(a, [{ name: 'tool.exe', content: makeElf() }, { name: 'letter.pdf', content: pdf }]).catch((e: unknown) => e as FaxError);
    expect(err).toBeInstanceOf(FaxError);
    const { submissionId } = (err as FaxError).details as { submissionId: string };
    expect(h.jobs.submission(submissionId)?.policy).toBe('reject');
  });
});

describe('the migration', () => {
  it('gives submissions stored before it the policy their account has at upgrade time', async () => {
    const a = account('reject');
    const b = account('ignore');
    const ra = await submit(a, [{ name: 'letter.pdf', content: pdf }]);
    const rb = await submit(b, [{ name: 'letter.pdf', content: pdf }]);
    // Back to the schema before the column existed, then upgrade again.
    h.db.exec('ALTER TABLE submissions DROP COLUMN unsupported_files');
    h.db.prepare('DELETE FROM schema_migrations WHERE version = 21').run();
    migrate(h.db);
    expect(h.jobs.submission(ra.submissionId)?.policy).toBe('reject');
    expect(h.jobs.submission(rb.submissionId)?.policy).toBe('ignore');
  });
});
