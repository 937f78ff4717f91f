// The parity contract: the same files by SMTP (nodemailer → the real SMTP ingress) and by HTTP get the same per-file
// verdicts and the same outcome under both policies; an admin type change applies to both paths at once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpIngress } from '../../../src/ingress/smtp/server.js';
import { silentLogger } from '../../../src/logger.js';
import { ADMIN_TOKEN, auth, corpusBytes, makeHarness, multipart, type Harness } from './harness.js';
import { makeFlateBombPdf } from '../../../fixtures/generate.js';
import { tempDir } from '../../helpers/tmp.js';
import { MAX_RECIPIENTS, emailDedupKey } from '../../../src/intake/rules.js';

/** A valid one-page PDF whose content stream inflates to 100 MB from 260 KB (issue #12.3). */
function flateBomb(): Buffer {
  const file = path.join(tempDir('faxgate-parity-'), 'bomb.pdf');
  makeFlateBombPdf(file, { inflatedMb: 100 });
  return readFileSync(file);
}

interface TestFile { name: string; type: string; data: Buffer }
const F = {
  pdf: { name: 'three.pdf', type: 'application/pdf', data: corpusBytes('pdf/pdf_three_pages.pdf') },
  png: { name: 'logo.png', type: 'image/png', data: corpusBytes('images/png_palette_with_alpha.png') },
  svg: { name: 'check.svg', type: 'image/svg+xml', data: corpusBytes('images/svg_check.svg') },
  locked: { name: 'locked.pdf', type: 'application/pdf', data: corpusBytes('pdf/pdf_password_user_abc.pdf') },
  blob: { name: 'blob.dat', type: 'application/octet-stream', data: Buffer.from([0x00, 0x9f, 0x13, 0x37, 0xfe, 0x01, 0x02, 0x80, 0x00, 0x11]) },
  lying: { name: 'notes.pdf', type: 'application/pdf', data: corpusBytes('images/png_palette_with_alpha.png') },
  bomb: { name: 'bomb.pdf', type: 'application/pdf', data: flateBomb() },
} satisfies Record<string, TestFile>;

const TO = '+15554440001';
let h: Harness;
let smtp: ReturnType<typeof createSmtpIngress>;
let smtpPort: number;
let acct: ReturnType<Harness['account']>;

beforeAll(async () => {
  h = makeHarness();
  await h.app.ready();
  smtp = createSmtpIngress({ config: h.config, accounts: h.accounts, intake: h.intake, logger: silentLogger });
  smtpPort = await smtp.listen(0, '127.0.0.1');
  acct = h.account();
});
afterAll(async () => {
  await smtp.close();
  await h.app.close();
});

type Outcome = { outcome: 'accepted' | 'unsupported-attachment' | 'nothing-to-fax' | string; files: [string, string | null, string][] };
const verdicts = (files: { name: string; detected: string | null; verdict: string }[]): Outcome['files'] =>
  files.map((f) => [f.name, f.detected, f.verdict]);

async function byHttp(files: TestFile[]): Promise<Outcome> {
  const m = multipart([['to', TO]], files);
  const r = await h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...m.headers, ...auth(acct.apiKey) }, payload: m.payload });
  const body = r.json();
  if (r.statusCode === 202) return { outcome: 'accepted', files: verdicts(body.files) };
  return { outcome: `${body.code} ${r.statusCode}`, files: verdicts(body.files ?? []) };
}

async function bySmtp(files: TestFile[]): Promise<Outcome> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail({
      from: acct.senders[0], to: `${TO}@${h.config.faxDomains[0]}`, subject: 'parity',
      attachments: files.map((f) => ({ filename: f.name, contentType: f.type, content: f.data })),
    });
    expect(info.response).toMatch(/^250[ -]2\.0\.0/);
    const jobId = /queued as (job_[A-Za-z0-9]+)/.exec(info.response)![1];
    return { outcome: 'accepted', files: verdicts(h.jobs.getById(jobId)!.files) };
  } catch (e) {
    const err = e as { responseCode?: number; response?: string };
    if (!err.responseCode) throw e;
    // The refused submission is recorded (as rejected jobs) with its per-file report.
    const job = h.jobs.list(acct.id, { limit: 1 })[0];
    const code = /^554[ -]5\.6\.1/.test(err.response ?? '') ? 'unsupported-attachment'
      : /^554[ -]5\.6\.0/.test(err.response ?? '') ? 'nothing-to-fax' : err.response;
    return { outcome: `${code} ${err.responseCode}`, files: verdicts(job.files) };
  } finally {
    transport.close();
  }
}

/** SMTP 554 and HTTP 415/422 are the same outcome in two protocols. */
const sameOutcome = (o: string) => o.replace(/ (554|415|422)$/, '');

async function setPolicy(policy: 'ignore' | 'reject') {
  const r = await h.app.inject({ method: 'PUT', url: '/v1/settings/integration', headers: auth(acct.apiKey), payload: { outgoing: { unsupportedFiles: policy } } });
  expect(r.statusCode).toBe(200);
}

const SETS: [string, TestFile[], { ignore: string; reject: string }, string[]][] = [
  ['supported only', [F.pdf, F.png], { ignore: 'accepted', reject: 'accepted' }, ['accepted', 'accepted']],
  ['mixed', [F.pdf, F.svg, F.blob, F.locked, F.lying], { ignore: 'accepted', reject: 'unsupported-attachment' },
    ['accepted', 'unsupported-type', 'unknown-type', 'encrypted', 'accepted']],
  ['nothing supported', [F.svg, F.blob], { ignore: 'nothing-to-fax', reject: 'unsupported-attachment' }, ['unsupported-type', 'unknown-type']],
  ['encrypted only', [F.locked], { ignore: 'nothing-to-fax', reject: 'unsupported-attachment' }, ['encrypted']],
  ['compression bomb beside a good PDF', [F.pdf, F.bomb], { ignore: 'accepted', reject: 'unsupported-attachment' }, ['accepted', 'too-complex']],
  ['compression bomb only', [F.bomb], { ignore: 'nothing-to-fax', reject: 'unsupported-attachment' }, ['too-complex']],
];

describe.each(['ignore', 'reject'] as const)('policy %s', (policy) => {
  beforeAll(() => setPolicy(policy));
  it.each(SETS)('%s: the same verdicts and outcome by SMTP and HTTP', async (_name, files, expected, verdictList) => {
    const web = await byHttp(files);
    const mail = await bySmtp(files);
    expect(sameOutcome(web.outcome)).toBe(expected[policy]);
    expect(sameOutcome(mail.outcome)).toBe(expected[policy]);
    expect(mail.files).toEqual(web.files);
    expect(web.files.map((f) => f[0])).toEqual(files.map((f) => f.name));
    expect(web.files.map((f) => f[2])).toEqual(verdictList);
  });
});

describe('admin type changes apply to both paths at once', () => {
  it('disabling png over HTTP makes both paths drop it; enabling brings it back', async () => {
    await setPolicy('ignore');
    const admin = (payload: object) => h.app.inject({ method: 'PUT', url: '/v1/admin/types', headers: auth(ADMIN_TOKEN), payload });
    expect((await admin({ png: { enabled: false } })).statusCode).toBe(200);
    const web = await byHttp([F.pdf, F.png]);
    const mail = await bySmtp([F.pdf, F.png]);
    expect(web.files[1]).toEqual(['logo.png', 'png', 'unsupported-type']);
    expect(mail.files).toEqual(web.files);
    expect((await admin({ png: { enabled: true } })).statusCode).toBe(200);
    const web2 = await byHttp([F.png]);
    const mail2 = await bySmtp([F.png]);
    expect(web2).toEqual({ outcome: 'accepted', files: [['logo.png', 'png', 'accepted']] });
    expect(mail2).toEqual(web2);
  });
});

describe('cover page and resolution choices are the same by SMTP and HTTP (decided by intake)', () => {
  /** What intake stored: resolution, whether there is a cover, the subject it shows. */
  const choice = (jobId: string) => {
    const job = h.jobs.getById(jobId)!;
    const o = h.jobs.submission(job.submissionId)!.options;
    return { resolution: o.resolution, cover: Boolean(o.cover), subject: o.cover?.subject ?? o.header?.subject ?? '' };
  };
  async function mailed(subject: string): Promise<string> {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    try {
      const info = await transport.sendMail({
        from: acct.senders[0], to: `${TO}@${h.config.faxDomains[0]}`, subject, text: 'Note',
        attachments: [{ filename: F.pdf.name, contentType: F.pdf.type, content: F.pdf.data }],
      });
      return /queued as (job_[A-Za-z0-9]+)/.exec(info.response)![1];
    } finally {
      transport.close();
    }
  }
  async function posted(fields: [string, string][]): Promise<string> {
    const m = multipart([['to', TO], ['coverText', 'Note'], ...fields], [F.pdf]);
    const r = await h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...m.headers, ...auth(acct.apiKey) }, payload: m.payload });
    expect(r.statusCode).toBe(202);
    return r.json().jobs[0].id;
  }

  it.each<[string, string, { resolution: string; cover: boolean; subject: string }, boolean?]>([
    ['no modifier: the account default (no cover, fine)', 'Lab results', { resolution: 'fine', cover: false, subject: 'Lab results' }],
    ['[cover]', '[cover] Lab results', { resolution: 'fine', cover: true, subject: 'Lab results' }],
    ['[standard]', 'Lab results [standard]', { resolution: 'standard', cover: false, subject: 'Lab results' }],
    ['[cover][fine]', '[Cover][fine] Lab results', { resolution: 'fine', cover: true, subject: 'Lab results' }],
    ['[nocover] with the account default on', '[nocover] Lab results', { resolution: 'fine', cover: false, subject: 'Lab results' }, true],
    ['account default on', 'Lab results', { resolution: 'fine', cover: true, subject: 'Lab results' }, true],
  ])('%s', async (_n, subject, expected, coverDefault = false) => {
    const r = await h.app.inject({ method: 'PUT', url: '/v1/settings/integration', headers: auth(acct.apiKey), payload: { cover: { enabled: coverDefault } } });
    expect(r.statusCode).toBe(200);
    const mail = choice(await mailed(subject));
    const web = choice(await posted([['subject', subject]]));
    expect(mail).toEqual(expected);
    expect(web).toEqual(mail);
  });

  it('the web service\'s own fields say the same as the modifiers: cover=on and resolution=standard', async () => {
    const web = choice(await posted([['subject', 'Lab results'], ['cover', 'on'], ['resolution', 'standard']]));
    const mail = choice(await mailed('[cover] [standard] Lab results'));
    expect(web).toEqual({ resolution: 'standard', cover: true, subject: 'Lab results' });
    expect(mail).toEqual(web);
  });
});

// Policy lives in intake (src/intake/rules.ts and createIntake): each rule below is one decision, and both ingresses
// (or intake itself, for the email-only rules) answer with the same catalogue code.
describe('the intake rules are the same for SMTP and HTTP', () => {
  const mail = () => nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
  const numbers = (n: number) => Array.from({ length: n }, (_v, i) => `+1555444${String(100 + i).padStart(4, '0')}`);

  it(`the recipient cap (${MAX_RECIPIENTS}) is intake's: one more is too-many-recipients on both paths`, async () => {
    const m = multipart(numbers(MAX_RECIPIENTS + 1).map((to) => ['to', to] as [string, string]), [F.pdf]);
    const web = await h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...m.headers, ...auth(acct.apiKey) }, payload: m.payload });
    expect(web.statusCode).toBe(400);
    expect(web.json().code).toBe('too-many-recipients');
    const t = mail();
    try {
      const info = await t.sendMail({
        from: acct.senders[0], to: numbers(MAX_RECIPIENTS + 1).map((n) => `${n}@${h.config.faxDomains[0]}`), subject: 'cap',
        attachments: [{ filename: F.pdf.name, contentType: F.pdf.type, content: F.pdf.data }],
      });
      expect(info.accepted).toHaveLength(MAX_RECIPIENTS);
      expect(info.rejected).toHaveLength(1);
      expect((info.rejectedErrors?.[0] as { response?: string } | undefined)?.response).toMatch(/^452[ -]4\.5\.3 at most 50 recipients per message/);
    } finally {
      t.close();
    }
    // and intake itself refuses a submission past the cap, whoever sends it
    await expect(h.intake.submit({ source: 'api', accountId: acct.id, sender: 'api:x', recipients: numbers(MAX_RECIPIENTS + 1), files: [] }))
      .rejects.toMatchObject({ code: 'too-many-recipients' });
  });

  it('the email dedup key is made by intake from the envelope sender and the Message-ID', async () => {
    const t = mail();
    try {
      const send = () => t.sendMail({
        from: acct.senders[0], to: `${TO}@${h.config.faxDomains[0]}`, subject: 'dedup', messageId: '<parity-dedup@example.test>',
        attachments: [{ filename: F.pdf.name, contentType: F.pdf.type, content: F.pdf.data }],
      });
      const first = /queued as (job_[A-Za-z0-9]+)/.exec((await send()).response)![1];
      const again = await send();
      expect(again.response).toContain(first);
      const job = h.jobs.getById(first)!;
      expect(h.jobs.submission(job.submissionId)!.dedupKey).toBe(emailDedupKey(acct.senders[0], '<parity-dedup@example.test>'));
    } finally {
      t.close();
    }
  });

  it('a delivery report is nothing to fax: intake decides, the SMTP reply says so', async () => {
    const report = [
      `From: ${acct.senders[0]}`, `To: ${TO}@${h.config.faxDomains[0]}`, 'Subject: Delivery Status Notification', 'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"', '', '--b', 'Content-Type: text/plain', '',
      'Your message could not be delivered.', '--b', 'Content-Type: message/delivery-status', '', 'Status: 5.1.1', '--b--', '',
    ].join('\r\n');
    const t = mail();
    try {
      await expect(t.sendMail({ envelope: { from: acct.senders[0], to: `${TO}@${h.config.faxDomains[0]}` }, raw: report }))
        .rejects.toMatchObject({ responseCode: 554, response: expect.stringMatching(/^554[ -]5\.6\.0 a delivery or disposition report/) });
    } finally {
      t.close();
    }
    await expect(h.intake.submit({ source: 'email', accountId: acct.id, sender: acct.senders[0], recipients: [TO], files: [], email: { contentType: 'multipart/report' } }))
      .rejects.toMatchObject({ code: 'nothing-to-fax' });
  });

  it('the From header must be a sender of the envelope\'s account: intake decides, the SMTP reply says so', async () => {
    const other = h.account();
    const t = mail();
    try {
      await expect(t.sendMail({
        envelope: { from: acct.senders[0], to: `${TO}@${h.config.faxDomains[0]}` }, from: other.senders[0], to: `${TO}@${h.config.faxDomains[0]}`,
        subject: 'spoof', text: 'hello',
      })).rejects.toMatchObject({ responseCode: 550, response: expect.stringMatching(/^550[ -]5\.7\.1 From .* is not a registered sender of this account/) });
    } finally {
      t.close();
    }
    expect(() => h.intake.checkFromHeader(acct, other.senders[0])).toThrow(expect.objectContaining({ code: 'sender-not-registered' }));
    expect(() => h.intake.checkFromHeader(acct, acct.senders[0])).not.toThrow();
  });
});
