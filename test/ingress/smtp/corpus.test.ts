// Every real-world email in the shared corpus ends in `250` with a job or a specific 5xx: no crash, hang or 4xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { smtpDialog, startSmtpHarness, type SmtpHarness } from './harness.js';
import { CORPUS } from '../../helpers/tmp.js';

const DIR = path.join(CORPUS, 'emails');
let h: SmtpHarness;

beforeAll(async () => {
  h = await startSmtpHarness();
});
afterAll(async () => h?.close());

/**
 * What an MTA would put on the wire: CRLF line endings, dot-stuffing, and (so the message reaches the parser)
 * the top-level From replaced by the registered sender. Outlook .msg files are binary and go as they are.
 */
function wire(file: string, sender: string): Buffer {
  const raw = readFileSync(path.join(DIR, file));
  if (file.endsWith('.msg')) return Buffer.concat([raw, Buffer.from('\r\n.\r\n')]);
  const text = raw.toString('latin1').replace(/\r?\n/g, '\r\n');
  const sep = text.search(/\r\n\r\n/);
  let head = sep >= 0 ? text.slice(0, sep) : text;
  const body = sep >= 0 ? text.slice(sep) : '';
  head = head.replace(/^From:.*(\r\n[ \t].*)*(\r\n|$)/gim, '');
  const msg = `From: ${sender}\r\n${head}${body}`.replace(/\r\n\./g, '\r\n..');
  return Buffer.from(`${msg}${msg.endsWith('\r\n') ? '' : '\r\n'}.\r\n`, 'latin1');
}

/** Outcomes the content implies; every other file must simply get 250 with a job or a specific 5xx. */
const EXPECTED: Record<string, RegExp> = {
  'mail_pdf_incremental_updates.eml': /^250 2\.0\.0 queued as job_/,
  'mail_png_attachment.eml': /^250 2\.0\.0 queued as job_/,
  'mail_forwarded_message_rfc822.eml': /^250 2\.0\.0 queued as job_/,
  'mail_nested_mixed_related_alternative.eml': /^250 2\.0\.0 queued as job_/,
  'mail_japanese_iso2022jp.eml': /^250 2\.0\.0 queued as job_/,
  'mail_outlook_newsletter.msg': /^5\d\d 5\.\d\.\d /,
  'mail_bounce_multiple_status.eml': /^554 5\.6\.0 /,
  'mail_ses_delivery_status.eml': /^554 5\.6\.0 /,
  'mail_dsn_rfc822_headers.eml': /^554 5\.6\.0 /,
  'mail_multipart_missing_body.eml': /^554 5\.6\.0 /,
};

describe('corpus emails', () => {
  const files = readdirSync(DIR).sort();
  it('has the corpus', () => expect(files.length).toBeGreaterThan(30));

  it.each(files)('%s', async (file) => {
    // A sender of its own per file: some fixtures share a Message-ID, which would (rightly) be a duplicate.
    const sender = `${file.replace(/[^a-z0-9]/gi, '-').toLowerCase()}@clinic.example`;
    h.accounts.create({ name: file, senders: [sender] });
    const replies = await smtpDialog(h.port, [
      'EHLO corpus.test\r\n', `MAIL FROM:<${sender}>\r\n`, 'RCPT TO:<+15551234567@fax.localhost>\r\n', 'DATA\r\n', wire(file, sender), 'QUIT\r\n',
    ], 90_000);
    const reply = replies[5] ?? '';
    expect(reply).toMatch(/^(250 2\.0\.0 (already )?queued as job_|5\d\d 5\.\d{1,3}\.\d{1,3} )/);
    if (EXPECTED[file]) expect(reply).toMatch(EXPECTED[file]);
    const ids = reply.match(/job_[0-9a-f]+/g) ?? [];
    for (const id of ids) expect(h.jobs.getById(id)?.status).toBe('received');
    if (file === 'mail_forwarded_message_rfc822.eml') {
      expect(h.jobs.getById(ids[0]!)!.files.some((f) => f.detected === 'pdf')).toBe(true);
    }
  });
});
