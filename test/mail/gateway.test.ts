// `faxgate serve`'s wiring of mail: an email to the gateway's SMTP port becomes a fax and a receipt at a real relay;
// a fax received over the API is mailed; /readyz names the relay without its password; the API path gets no receipt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { openCore, startGateway, type Gateway } from '../../src/main.js';
import { corpusBytes } from '../ingress/http/harness.js';
import { tempDir } from '../helpers/tmp.js';
import { FAX_TIFF } from '../inbound/parts.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sentTiffPath } from '../../src/jobs/workers.js';
import { tiffToPdf } from '../../src/render/faxpdf.js';
import { startRelay, until } from './helpers.js';

let gw: Gateway;
let relay: Awaited<ReturnType<typeof startRelay>>;
let key = '';
let base = '';
const ADMIN = 'admin-token-0123456789';

beforeAll(async () => {
  relay = await startRelay({ login: { user: 'fax', pass: 'pa55word' } });
  const core = openCore({
    dataDir: tempDir('faxgate-gw-mail-'), bindHost: '127.0.0.1', smtpPort: 0, httpPort: 0, logLevel: 'silent', sandboxSecondsPerPage: 0,
    smtpRelay: relay.url, publicUrl: 'https://fax.example.test', adminToken: ADMIN,
  }, {});
  const acc = core.accounts.create({ name: 'Clinic', senders: ['front@clinic.example'], inbound: ['+15550001111'] });
  key = acc.apiKey;
  core.accounts.updateSettings(acc.id, { 'email.faxToEmail': '* notice front@clinic.example', 'email.receiptAttachment': 'pdf' }, 'test');
  gw = await startGateway(core);
  base = `http://127.0.0.1:${gw.httpPort}`;
});
afterAll(async () => {
  await gw?.stop();
  gw?.core.db.close();
  await relay?.close();
});

describe('mail in the running gateway', () => {
  it('an emailed PDF: faxed, then one receipt threaded under the message, through a relay that wants a login', async () => {
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: gw.smtpPort, secure: false, ignoreTLS: true });
    const info = await t.sendMail({
      from: 'front@clinic.example', to: '+15550100200@fax.localhost', subject: 'Referral', text: 'Please see attached.',
      attachments: [{ filename: 'letter.pdf', content: corpusBytes('pdf/pdf_three_pages.pdf') }],
    });
    await until(() => relay.messages.some((m) => m.parsed.subject?.startsWith('Fax to')), 'receipt');
    const m = relay.messages.find((x) => x.parsed.subject?.startsWith('Fax to'))!;
    expect(m.mailFrom).toBe('');
    expect(m.rcptTo).toEqual(['front@clinic.example']);
    expect(m.parsed.subject).toMatch(/^Fax to \+1 555 010 0200: sent, \d+ pages?$/);
    expect(m.parsed.inReplyTo).toBe(info.messageId);
    expect(m.parsed.text).toContain('Your message: "Referral"');
    expect(m.parsed.text).toContain('letter.pdf (pdf): faxed');
    // the pages as sent: the job's stamped copy (with its header line), not the bare rendering
    const job = gw.jobs.list(undefined, { limit: 10 }).find((j) => j.to === '+15550100200')!;
    const sub = gw.jobs.submission(job.submissionId)!;
    expect(existsSync(sentTiffPath(sub.dir, job.id))).toBe(true);
    const pdf = m.parsed.attachments.find((a) => a.contentType === 'application/pdf')!;
    const expected = path.join(tempDir('faxgate-gw-pdf-'), 'sent.pdf');
    await tiffToPdf(sentTiffPath(sub.dir, job.id), expected);
    expect(pdf.content.length).toBe(readFileSync(expected).length);
  });

  it('a fax received over the API is mailed as a notice', async () => {
    const fd = new FormData();
    fd.append('to', '+15550001111');
    fd.append('from', '+14155550123');
    fd.append('file', new Blob([readFileSync(FAX_TIFF)]), 'fax.tif');
    const r = await fetch(`${base}/v1/sandbox/inbound`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` }, body: fd });
    expect(r.status).toBe(201);
    await until(() => relay.messages.some((m) => m.parsed.subject?.startsWith('Fax from')), 'fax-to-email');
    const m = relay.messages.find((x) => x.parsed.subject?.startsWith('Fax from'))!;
    expect(m.parsed.subject).toBe('Fax from +1 415 555 0123: 3 pages');
    expect(m.parsed.attachments).toHaveLength(0);
  });

  it('/readyz names the relay, never its password', async () => {
    const text = await (await fetch(`${base}/readyz`)).text();
    const body = JSON.parse(text) as { checks: { name: string; ok: boolean; detail: string }[] };
    expect(body.checks.find((c) => c.name === 'mail-relay')).toEqual({ name: 'mail-relay', ok: true, detail: `smtp://127.0.0.1:${relay.port} (with login)` });
    expect(text).not.toContain('pa55word');
  });

  it('an API submission gets no receipt', async () => {
    const fd = new FormData();
    fd.append('to', '+15550100300');
    fd.append('file', new Blob([corpusBytes('pdf/pdf_three_pages.pdf')]), 'letter.pdf');
    const r = await fetch(`${base}/v1/faxes`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: fd });
    expect(r.status).toBe(202);
    const id = ((await r.json()) as { jobs: { id: string }[] }).jobs[0].id;
    await until(() => gw.jobs.getById(id)?.status === 'sent', 'sent');
    expect(gw.mail.outboxFor(gw.jobs.getById(id)!.submissionId)).toEqual([]);
    expect(relay.messages.filter((m) => m.parsed.subject?.includes('010 0300'))).toHaveLength(0);
  });

  it('an API submission with receiptTo: one receipt to that sender, not threaded under any message', async () => {
    const fd = new FormData();
    fd.append('to', '+15550100400');
    fd.append('receiptTo', 'Front@Clinic.example');
    fd.append('file', new Blob([corpusBytes('pdf/pdf_three_pages.pdf')]), 'letter.pdf');
    const r = await fetch(`${base}/v1/faxes`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: fd });
    expect(r.status).toBe(202);
    await until(() => relay.messages.some((m) => m.parsed.subject?.startsWith('Fax to +1 555 010 0400')), 'receipt');
    const m = relay.messages.find((x) => x.parsed.subject?.startsWith('Fax to +1 555 010 0400'))!;
    expect(m.mailFrom).toBe('');
    expect(m.rcptTo).toEqual(['front@clinic.example']);
    expect(m.parsed.subject).toMatch(/: sent, \d+ pages?$/);
    expect(m.parsed.inReplyTo).toBeUndefined();
    expect(m.parsed.text).toContain('letter.pdf (pdf): faxed');
  });

  it('receiptTo that is not a sender of the account is refused before anything is queued', async () => {
    const before = gw.jobs.list(undefined, { limit: 100 }).length;
    const r = await fetch(`${base}/v1/faxes`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: '+15550100500', receiptTo: 'stranger@elsewhere.example', coverText: 'hello' }),
    });
    expect(r.status).toBe(422);
    expect(((await r.json()) as { code: string }).code).toBe('receipt-not-sender');
    expect(gw.jobs.list(undefined, { limit: 100 })).toHaveLength(before);
  });
});
