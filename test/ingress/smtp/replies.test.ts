// SMTP ingress against a real server on loopback with nodemailer: every row of the docs/smtp.md reply table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { smtpDialog, startSmtpHarness, type SmtpHarness } from './harness.js';
import { makeElf, makePdf } from './fixtures.js';

let h: SmtpHarness;
let pdf: Buffer;
const SENDER = 'front@clinic.example';
const STRICT = 'strict@lab.example';
const DEV = 'dev@startup.example';

beforeAll(async () => {
  h = await startSmtpHarness({ maxMessageBytes: 200_000 });
  h.accounts.create({ name: 'Clinic', senders: [SENDER, 'colleague@clinic.example'] });
  const strict = h.accounts.create({ name: 'Lab', senders: [STRICT] });
  h.accounts.updateSettings(strict.id, { 'outgoing.unsupportedFiles': 'reject' }, 'test');
  h.accounts.create({ name: 'Dev', senders: [DEV], kind: 'developer', designated: '+15550001111' });
  h.accounts.create({ name: 'Other', senders: ['someone@other.example'] });
  pdf = await makePdf(2);
});
afterAll(async () => h?.close());

function transport() {
  return nodemailer.createTransport({ host: '127.0.0.1', port: h.port, secure: false, ignoreTLS: true, tls: { rejectUnauthorized: false } });
}

async function send(msg: Mail.Options): Promise<{ ok: true; response: string; accepted: unknown[]; rejected: unknown[] } | { ok: false; code: number; response: string }> {
  try {
    const info = await transport().sendMail(msg);
    return { ok: true, response: info.response, accepted: info.accepted, rejected: info.rejected };
  } catch (e) {
    const err = e as { responseCode?: number; response?: string; message: string };
    return { ok: false, code: err.responseCode ?? 0, response: err.response ?? err.message };
  }
}

const jobIds = (response: string): string[] => response.match(/job_[0-9a-f]+/g) ?? [];

describe('docs/smtp.md reply table', () => {
  const cases: { name: string; msg: () => Mail.Options; code: number; enhanced: string }[] = [
    { name: 'recipient domain is not a fax domain', code: 550, enhanced: '5.7.1',
      msg: () => ({ from: SENDER, to: '15551234567@mail.example.org', text: 'hi' }) },
    { name: 'malformed number', code: 553, enhanced: '5.1.3',
      msg: () => ({ from: SENDER, to: 'john.doe@fax.localhost', text: 'hi' }) },
    { name: 'developer account, not its designated number', code: 550, enhanced: '5.7.1',
      msg: () => ({ from: DEV, to: '+15559998888@fax.localhost', text: 'hi' }) },
    { name: 'sender not registered (envelope)', code: 550, enhanced: '5.7.1',
      msg: () => ({ from: 'stranger@nowhere.example', to: '+15551234567@fax.localhost', text: 'hi' }) },
    { name: 'From header not a sender of the envelope account', code: 550, enhanced: '5.7.1',
      msg: () => ({ envelope: { from: SENDER, to: ['+15551234567@fax.localhost'] }, from: 'someone@other.example', to: '+15551234567@fax.localhost', text: 'hi' }) },
    { name: 'message too large (after DATA)', code: 552, enhanced: '5.3.4',
      msg: () => ({ from: SENDER, to: '+15551234567@fax.localhost', text: 'x'.repeat(300_000) }) },
    { name: 'reject policy and an unsupported attachment', code: 554, enhanced: '5.6.1',
      msg: () => ({ from: STRICT, to: '+15551234567@fax.localhost', text: 'see attached',
        attachments: [{ filename: 'report.pdf', content: pdf }, { filename: 'tool.pdf', content: makeElf(), contentType: 'application/pdf' }] }) },
    { name: 'nothing faxable', code: 554, enhanced: '5.6.0',
      msg: () => ({ from: SENDER, to: '+15551234567@fax.localhost', attachments: [{ filename: 'tool.bin', content: makeElf() }] }) },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.code} ${c.enhanced}`, async () => {
      const r = await send(c.msg());
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.code).toBe(c.code);
      expect(r.response).toMatch(new RegExp(`^${c.code} ${c.enhanced.replace(/\./g, '\\.')} `));
    });
  }

  it.each([
    ['555-010-2001', '+15550102001'],
    ['555.010.2001', '+15550102001'],
    ['1-555-010-2001', '+15550102001'],
    ['011442079460018', '+442079460018'],
    ['00442079460018', '+442079460018'],
  ])('a number written as people do, %s@…, is faxed to %s', async (local, e164) => {
    const r = await send({ from: SENDER, to: `${local}@fax.localhost`, text: 'hi' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(h.jobs.getById(jobIds(r.response)[0]!)!.to).toBe(e164);
  });

  it('a malformed number is refused with an example of one we accept', async () => {
    const r = await send({ from: SENDER, to: 'john.doe@fax.localhost', text: 'hi' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.response).toMatch(/^553 5\.1\.3 /);
    expect(r.response).toContain('+15551234567');
  });

  it('SIZE= over the limit is refused at MAIL with 552 5.3.4, and SIZE is advertised', async () => {
    const replies = await smtpDialog(h.port, ['EHLO client.test\r\n', `MAIL FROM:<${SENDER}> SIZE=999999999\r\n`, 'QUIT\r\n']);
    expect(replies[1]).toMatch(/^250[- ]SIZE 200000$/m);
    expect(replies[2]).toMatch(/^552 5\.3\.4 /);
  });

  it('reject policy names each offending file with its detected type and reason', async () => {
    const r = await send(cases[6].msg());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.response).toContain('tool.pdf (elf)');
    expect(r.response).not.toContain('report.pdf');
  });

  it('rejected submissions are recorded as terminal `rejected` jobs and keep no files', async () => {
    const before = h.jobs.list(undefined, { limit: 500 }).filter((j) => j.status === 'rejected').length;
    await send(cases[7].msg());
    const after = h.jobs.list(undefined, { limit: 500 }).filter((j) => j.status === 'rejected');
    expect(after.length).toBe(before + 1);
    expect(after[0].reason).toMatch(/^nothing-to-fax/);
    expect(h.jobs.events(after[0].id).map((e) => e.to)).toEqual(['received', 'rejected']);
  });

  it('accepted → 250 2.0.0 naming the job and the dropped files; the job is committed', async () => {
    const r = await send({ from: SENDER, to: '+15551234567@fax.localhost', subject: 'Referral', text: 'Please see attached.',
      attachments: [{ filename: 'referral.pdf', content: pdf }, { filename: 'setup.exe', content: makeElf() }] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.response).toMatch(/^250 2\.0\.0 /);
    expect(r.response).toContain('setup.exe (unsupported-type)');
    const ids = jobIds(r.response);
    expect(ids).toHaveLength(1);
    const job = h.jobs.getById(ids[0]!)!;
    expect(job).toMatchObject({ to: '+15551234567', status: 'received', source: 'email', sender: SENDER });
    expect(job.files.map((f) => [f.name, f.verdict])).toEqual([['referral.pdf', 'accepted'], ['setup.exe', 'unsupported-type']]);
    const sub = h.jobs.submission(job.submissionId)!;
    expect((sub.body as { text: string; subject: string }).subject).toBe('Referral');
  });

  it('storage failure → 451 4.3.0 and nothing half-accepted', async () => {
    // A file where the submissions folder should be makes every durable move fail.
    const h2 = await startSmtpHarness();
    try {
      h2.accounts.create({ name: 'C', senders: [SENDER] });
      writeFileSync(path.join(h2.dataDir, 'submissions'), 'not a folder');
      const before = h2.jobs.list().length;
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: h2.port, secure: false, ignoreTLS: true });
      const err = await t.sendMail({ from: SENDER, to: '+15551234567@fax.localhost', text: 'hello', attachments: [{ filename: 'a.pdf', content: pdf }] })
        .then(() => undefined, (e: { responseCode: number; response: string }) => e);
      expect(err?.responseCode).toBe(451);
      expect(err?.response).toMatch(/^451 4\.3\.0 /);
      expect(h2.jobs.list().length).toBe(before);
    } finally {
      await h2.close();
    }
  });
});
