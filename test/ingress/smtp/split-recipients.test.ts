// One message, every recipient faxed once: recipients split over SMTP transactions each get a job; retries add none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { startSmtpHarness, type SmtpHarness } from './harness.js';
import { makeElf, makePdf } from './fixtures.js';

let h: SmtpHarness;
let pdf: Buffer;
const SENDER = 'front@clinic.example';
/** an account whose rule is `reject` */
const STRICT = 'lab@lab.example';
/** a second sender of the same account */
const OTHER = 'desk@clinic.example';
const A = '+15550100211';
const B = '+15550100212';
const C = '+15550100213';
const rcpt = (n: string) => `${n}@fax.localhost`;

beforeAll(async () => {
  h = await startSmtpHarness();
  h.accounts.create({ name: 'Clinic', senders: [SENDER, OTHER] });
  const strict = h.accounts.create({ name: 'Lab', senders: [STRICT] });
  h.accounts.updateSettings(strict.id, { 'outgoing.unsupportedFiles': 'reject' }, 'test');
  pdf = await makePdf(1);
});
afterAll(async () => h?.close());

/** One SMTP transaction of the same message (same headers, same Message-ID) to the given envelope recipients. */
async function transaction(messageId: string, envelopeTo: string[], opts: { from?: string; withExe?: boolean } = {}): Promise<{ code: number; ids: string[] }> {
  const from = opts.from ?? SENDER;
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: h.port, secure: false, ignoreTLS: true });
  try {
    const info = await t.sendMail({
      from, to: [A, B, C].map(rcpt), subject: 'Lab results', text: 'Results attached.', messageId,
      attachments: [{ filename: 'results.pdf', content: pdf }, ...(opts.withExe ? [{ filename: 'tool.exe', content: makeElf() }] : [])],
      envelope: { from, to: envelopeTo.map(rcpt) },
    });
    return { code: Number(info.response.slice(0, 3)), ids: info.response.match(/job_[0-9a-f]+/g) ?? [] };
  } catch (e) {
    return { code: (e as { responseCode?: number }).responseCode ?? 0, ids: [] };
  }
}

/** Every job recorded for this Message-ID, whatever submission it belongs to. */
function jobsOfMessage(messageId: string, sender = SENDER) {
  const subs = new Set((h.db.prepare('SELECT id FROM submissions WHERE dedup_key = ?').all(`${sender}|${messageId}`) as { id: string }[]).map((r) => r.id));
  return h.jobs.list(undefined, { limit: 10_000 }).filter((j) => subs.has(j.submissionId));
}

describe('recipients of one message in several SMTP transactions', () => {
  it('a recipient in a second transaction gets its own job (not "already queued" as the first one)', async () => {
    const mid = '<split-1@clinic.example>';
    const first = await transaction(mid, [A]);
    const second = await transaction(mid, [B]);
    expect([first.code, second.code]).toEqual([250, 250]);
    const jobs = jobsOfMessage(mid);
    expect(jobs.map((j) => j.to).sort()).toEqual([A, B]);
    expect(jobs.every((j) => j.status === 'received')).toBe(true);
    const byTo = new Map(jobs.map((j) => [j.to, j.id]));
    expect(first.ids).toEqual([byTo.get(A)]);
    expect(second.ids).toEqual([byTo.get(B)]);
  });

  it('a retried transaction with the same recipient is not faxed twice and names the original job', async () => {
    const mid = '<split-2@clinic.example>';
    const first = await transaction(mid, [A]);
    const retry = await transaction(mid, [A]);
    expect([first.code, retry.code]).toEqual([250, 250]);
    expect(jobsOfMessage(mid).map((j) => j.to)).toEqual([A]);
    expect(retry.ids).toEqual(first.ids);
  });

  it('a retry with A+B after A alone was queued queues only B and names both jobs', async () => {
    const mid = '<split-3@clinic.example>';
    const first = await transaction(mid, [A]);
    const retry = await transaction(mid, [A, B]);
    expect([first.code, retry.code]).toEqual([250, 250]);
    const jobs = jobsOfMessage(mid);
    expect(jobs.map((j) => j.to).sort()).toEqual([A, B]);
    const byTo = new Map(jobs.map((j) => [j.to, j.id]));
    expect([...retry.ids].sort()).toEqual([byTo.get(A)!, byTo.get(B)!].sort());
    // …and once every recipient has its job, a further retry of either split adds nothing.
    const again = await transaction(mid, [B, A]);
    expect(again.code).toBe(250);
    expect([...again.ids].sort()).toEqual([...retry.ids].sort());
    expect(jobsOfMessage(mid)).toHaveLength(2);
  });

  it('three transactions, one recipient each, give three jobs in all', async () => {
    const mid = '<split-4@clinic.example>';
    const codes = [];
    for (const to of [A, B, C]) codes.push((await transaction(mid, [to])).code);
    expect(codes).toEqual([250, 250, 250]);
    expect(jobsOfMessage(mid).map((j) => j.to).sort()).toEqual([A, B, C]);
  });

  it('transactions of one message running at the same time still give each recipient exactly one job', async () => {
    const mid = '<split-7@clinic.example>';
    const results = await Promise.all([transaction(mid, [A]), transaction(mid, [A, B]), transaction(mid, [B]), transaction(mid, [A])]);
    expect(results.map((r) => r.code)).toEqual([250, 250, 250, 250]);
    const jobs = jobsOfMessage(mid);
    expect(jobs.map((j) => j.to).sort()).toEqual([A, B]);
    const byTo = new Map(jobs.map((j) => [j.to, j.id]));
    expect(results.map((r) => [...r.ids].sort())).toEqual([[byTo.get(A)], [byTo.get(A), byTo.get(B)].sort(), [byTo.get(B)], [byTo.get(A)]]);
    expect(readdirSync(h.submissionsDir).filter((d) => !h.jobs.submission(d))).toEqual([]);
  });

  it('a message refused at intake and sent again is refused again, never answered "already queued"', async () => {
    const mid = '<split-6@lab.example>';
    const first = await transaction(mid, [A], { from: STRICT, withExe: true });
    const again = await transaction(mid, [A], { from: STRICT, withExe: true });
    expect([first.code, again.code]).toEqual([554, 554]);
    expect(jobsOfMessage(mid, STRICT).every((j) => j.status === 'rejected')).toBe(true);
  });

  it('another sender reusing the same Message-ID is its own message: its recipient gets its own job', async () => {
    const mid = '<split-8@clinic.example>';
    const first = await transaction(mid, [A]);
    const other = await transaction(mid, [A], { from: OTHER });
    expect([first.code, other.code]).toEqual([250, 250]);
    expect(jobsOfMessage(mid).map((j) => j.to)).toEqual([A]);
    expect(jobsOfMessage(mid, OTHER).map((j) => j.to)).toEqual([A]);
    expect(other.ids).toHaveLength(1);
    expect(other.ids).not.toEqual(first.ids);
  });
});
