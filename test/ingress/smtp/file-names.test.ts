// File names from email (issue #12.10): a name like ../../../../etc/passwd or one carrying NUL/CR/LF is cleaned by
// the shared intake (the same function as the web service's) before it is stored, reported, replied or fed back.
// Real loopback server; the MIME is written by hand so the names reach the parser byte for byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundFields } from '../../../src/feedback/format.js';
import type { StoredFile } from '../../../src/intake/index.js';
import { makeElf } from './fixtures.js';
import { smtpDialog, startSmtpHarness, type SmtpHarness } from './harness.js';

const SENDER = 'front@clinic.example';
const STRICT = 'strict@lab.example';
let h: SmtpHarness;

beforeAll(async () => {
  h = await startSmtpHarness();
  h.accounts.create({ name: 'Clinic', senders: [SENDER] });
  const strict = h.accounts.create({ name: 'Lab', senders: [STRICT] });
  h.accounts.updateSettings(strict.id, { 'outgoing.unsupportedFiles': 'reject' }, 'test');
});
afterAll(async () => h?.close());

const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');
/** A text attachment named `../../../../etc/passwd` (plain quoted) and an ELF named `..\..\ev<NUL>il<CR><LF>.exe` (RFC 2231). */
function message(from: string): string {
  const B = 'b0undary';
  return [
    `From: ${from}`, 'To: +15551234567@fax.localhost', 'Subject: names', `Message-ID: <${Math.random().toString(36).slice(2)}@t>`,
    'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${B}"`, '',
    `--${B}`, 'Content-Type: text/plain; charset=utf-8', '', 'cover note', '',
    `--${B}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Disposition: attachment; filename="../../../../etc/passwd"', '',
    'root:x:0:0:root:/root:/bin/bash', '',
    `--${B}`, 'Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64',
    "Content-Disposition: attachment; filename*=utf-8''..%5C..%5Cev%00il%0D%0A.exe", '',
    b64(makeElf()), '',
    `--${B}--`, '',
  ].join('\r\n');
}
async function send(from: string): Promise<string> {
  const replies = await smtpDialog(h.port, ['EHLO client.test\r\n', `MAIL FROM:<${from}>\r\n`, 'RCPT TO:<+15551234567@fax.localhost>\r\n', 'DATA\r\n',
    `${message(from)}\r\n.\r\n`, 'QUIT\r\n']);
  return replies[5] ?? replies.join(' | ');
}
const BAD = /[\u0000-\u001f\u007f/\\]|\.\./;

describe('attachment names from email', () => {
  it('are cleaned in the stored files, the 250 reply\'s dropped list, the job records and the feedback', async () => {
    const reply = await send(SENDER);
    expect(reply).toMatch(/^250 2\.0\.0 queued as job_[0-9a-f]+; dropped: evil\.exe \(/);
    const job = h.jobs.getById(reply.match(/job_[0-9a-f]+/)![0])!;
    expect(job.files.map((f) => f.name)).toEqual(['passwd', 'evil.exe']);
    const stored = h.jobs.submission(job.submissionId)!.files as StoredFile[];
    expect(stored.map((f) => f.name)).toEqual(['passwd', 'evil.exe']);
    const feedback = outboundFields(job, new Date().toISOString()).Files as { name: string }[];
    expect(feedback.map((f) => f.name)).toEqual(['passwd', 'evil.exe']);
    for (const n of [...job.files.map((f) => f.name), ...stored.map((f) => f.name)]) expect(n).not.toMatch(BAD);
  });

  it('are cleaned in a 554 refusal and in the rejected job\'s records', async () => {
    const reply = await send(STRICT);
    expect(reply).toMatch(/^554 5\.6\.1 /);
    expect(reply).toContain('evil.exe (');
    expect(reply).not.toMatch(/\.\.|\\/);
    const rows = h.db.prepare("SELECT files FROM jobs WHERE sender = ? AND status = 'rejected'").all(STRICT) as { files: string }[];
    expect(rows).toHaveLength(1);
    const names = (JSON.parse(rows[0].files) as { name: string }[]).map((f) => f.name);
    expect(names).toEqual(['passwd', 'evil.exe']);
  });
});
