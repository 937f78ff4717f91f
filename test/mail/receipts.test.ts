// Receipts end to end: real job store, workers, sandbox line, SQLite and a real SMTP relay (smtp-server) on loopback.
// Rendering is stood in by ImageMagick making a real 2-page G4 TIFF, so the PDF and PNG attachments are of real pages.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { loadConfig } from '../../src/config.js';
import { openTestDatabase } from '../helpers/test-db.js';
import { createSqliteAccountStore } from '../../src/settings/accounts.js';
import { systemClock, type FileReport } from '../../src/domain/types.js';
import { silentLogger } from '../../src/logger.js';
import { createSqliteJobStore } from '../../src/jobs/store.js';
import { createWorkers, type RendererView } from '../../src/jobs/workers.js';
import { createSandboxLine } from '../../src/lines/sandbox.js';
import { createMail, createRelay, parseRelay, wantsReceipt, type Relay } from '../../src/mail/index.js';
import { tiffToPdf } from '../../src/render/faxpdf.js';
import { firstPagePng } from '../../src/render/faxpng.js';
import { tempDir } from '../helpers/tmp.js';
import { startRelay, until } from './helpers.js';
import { mailParts } from '../helpers/outboxes.js';

const run = promisify(execFile);
const renderer: RendererView = {
  async renderAll(_input, _opts, outPath) {
    await run('convert', ['-size', '1728x2200', 'xc:white', '-fill', 'black', '-draw', 'rectangle 100,100 900,400', '-size', '1728x2200', 'xc:white',
      '-compress', 'Group4', '-density', '204x196', '-units', 'PixelsPerInch', outPath]);
    return { pages: 2, docs: [] };
  },
};

const closers: (() => Promise<void> | void)[] = [];
// Each test's workers, dispatchers and relay stop with it: idle pollers of earlier tests would only load the machine.
const stopAll = async () => { for (const c of closers.splice(0).reverse()) await c(); };
afterEach(stopAll);
afterAll(stopAll);

const REPORT: FileReport[] = [
  { name: 'results.pdf', size: 1000, detected: 'pdf', verdict: 'accepted', pages: 2 },
  { name: 'setup.exe', size: 50, detected: 'exe', verdict: 'unsupported-type', reason: 'a program, not a document (exe)' },
];

async function setup(opts: { relay?: 'none'; script?: ('ok' | 451 | 550)[]; settings?: Record<string, unknown>; retryScale?: number } = {}) {
  const dir = tempDir('faxgate-mail-');
  const config = loadConfig({}, { dataDir: dir, publicUrl: 'https://fax.example.test', retryScale: opts.retryScale ?? 0.0002, retrySpacingSeconds: 0.01, sandboxSecondsPerPage: 0 });
  const db = openTestDatabase(dir);
  const accounts = createSqliteAccountStore({ db, clock: systemClock });
  const jobs = createSqliteJobStore({ db, clock: systemClock });
  const smtp = opts.relay === 'none' ? undefined : await startRelay({ script: opts.script });
  if (smtp) closers.push(smtp.close);
  const spec = smtp ? parseRelay(smtp.url) : undefined;
  const relay: Relay | null = spec && !('problem' in spec) ? createRelay(spec, { timeoutMs: 5000 }) : null;
  const make = () => createMail({ ...mailParts(db), accounts, jobs, clock: systemClock, config, logger: silentLogger, relay, pages: { toPdf: tiffToPdf, firstPagePng }, pollMs: 25 });
  const mail = make();
  jobs.onTerminal(mail.onJobTerminal);
  const line = createSandboxLine({ outboxDir: path.join(dir, 'outbox'), secondsPerPage: 0 });
  const workers = createWorkers({ jobs, renderer, line, config, clock: systemClock, logger: silentLogger, pollMs: 25 });
  mail.start();
  workers.start();
  closers.push(async () => { await workers.stop(); await mail.close(); db.close(); });
  const acc = accounts.create({ name: 'Clinic', senders: ['alice@clinic.example', 'bob@clinic.example'] });
  if (opts.settings) accounts.updateSettings(acc.id, opts.settings, 'test');
  let n = 0;
  const submit = (recipients: string[], over: { sender?: string; source?: 'email' | 'api' } = {}) => {
    n += 1;
    const id = `sub_${n}_${Math.random().toString(36).slice(2, 8)}`;
    const sdir = path.join(dir, 'subs', id);
    mkdirSync(sdir, { recursive: true });
    const sender = over.sender ?? 'alice@clinic.example';
    const created = jobs.createSubmission({
      id, accountId: acc.id, source: over.source ?? 'email', sender, dir: sdir, dedupKey: `${sender}|<orig-${id}@clinic.example>`,
      files: REPORT.map((f) => ({ name: f.name, stored: f.name, size: f.size, facts: { name: f.name, size: f.size, detected: f.detected, mismatch: false } })),
      body: { from: sender, to: 'x@fax.localhost', subject: 'Lab results <for Dr. O\'Neil> & co', date: '', text: 'hi' },
      options: { resolution: 'fine', paper: 'letter' }, policy: 'ignore', recipients, report: REPORT,
    });
    workers.kick();
    return { id, jobs: created.jobs };
  };
  return { dir, db, accounts, jobs, mail, smtp, acc, submit, make, workers };
}

describe('the receipts filter', () => {
  const table: [string, string[], boolean][] = [
    ['always', ['sent'], true], ['always', ['failed'], true], ['never', ['sent'], false], ['never', ['failed'], false],
    ['success', ['sent', 'sent'], true], ['success', ['sent', 'failed'], false], ['failure', ['sent'], false],
    ['failure', ['sent', 'rejected'], true],
  ];
  it.each(table)('%s × %j → %s', (when, statuses, want) => {
    expect(wantsReceipt(when as 'always', statuses.map((status) => ({ status: status as 'sent' })))).toBe(want);
  });
});

describe('receipts through a real relay', () => {
  it('a sent fax: one receipt, threaded under the original, text and HTML, PDF of the pages as sent, empty envelope sender', async () => {
    const t = await setup({ settings: { 'email.receiptAttachment': 'pdf' } });
    const s = t.submit(['+15550100200']);
    await until(() => t.smtp!.messages.length === 1, 'receipt');
    const m = t.smtp!.messages[0];
    // FAXGATE_RECEIPT_SHOTS=DIR keeps the message as the relay received it (the README's example is one)
    if (process.env.FAXGATE_RECEIPT_SHOTS) writeFileSync(path.join(process.env.FAXGATE_RECEIPT_SHOTS, 'receipt.eml'), m.raw);
    expect(m.mailFrom).toBe('');
    expect(m.rcptTo).toEqual(['alice@clinic.example']);
    const p = m.parsed;
    expect(p.subject).toBe('Fax to +1 555 010 0200: sent, 2 pages');
    expect(p.inReplyTo).toBe(`<orig-${s.id}@clinic.example>`);
    expect(p.references).toBe(`<orig-${s.id}@clinic.example>`);
    expect(p.headers.get('auto-submitted')).toBe('auto-replied');
    expect(p.text).toContain('Your message: "Lab results <for Dr. O\'Neil> & co"');
    expect(p.text).toMatch(/Pages sent:\s+2 of 2/);
    expect(p.text).toMatch(/Attempts:\s+1/);
    expect(p.text).toMatch(/Receiving machine \(CSID\):\s+\S/);
    expect(p.text).toContain('setup.exe (exe): not faxed: a program, not a document (exe)');
    expect(p.html).toContain('Lab results &lt;for Dr. O&#39;Neil&gt; &amp; co');
    expect(p.html).not.toContain('<for Dr.');
    expect(p.attachments).toHaveLength(1);
    expect(p.attachments[0]).toMatchObject({ contentType: 'application/pdf', filename: 'fax-as-sent.pdf' });
    expect(p.attachments[0].content.subarray(0, 5).toString()).toBe('%PDF-');
    // the receipt's fate is on the job
    await until(() => t.jobs.events(s.jobs[0].id).some((e) => /receipt mailed to alice@clinic\.example/.test(e.note ?? '')), 'job note');
    expect(t.mail.outboxFor(s.id)).toMatchObject([{ kind: 'receipt', status: 'sent', attempts: 1 }]);
  });

  it('a failed fax (busy after 3 attempts): the subject says so; the first page as a PNG', async () => {
    const t = await setup({ settings: { 'email.receiptAttachment': 'first-page' } });
    t.submit(['+9999999001']);
    await until(() => t.smtp!.messages.length === 1, 'receipt');
    const p = t.smtp!.messages[0].parsed;
    expect(p.subject).toBe('Fax to +9999999001: failed (busy after 3 attempts)');
    expect(p.text).toMatch(/Attempts:\s+3/);
    expect(p.text).toMatch(/Pages sent:\s+0 of 2/);
    expect(p.attachments[0].contentType).toBe('image/png');
    const meta = await sharp(p.attachments[0].content).metadata();
    // 1728 × 2200 at 204 × 196 dpi is drawn at square pixels: 2290 lines
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 1728, 2290]);
  });

  it('several numbers: still one receipt, once the last job ends, with each number', async () => {
    const t = await setup();
    t.submit(['+15550100200', '+9999999002', '+15550100300']);
    await until(() => t.smtp!.messages.length === 1, 'receipt');
    await new Promise((r) => setTimeout(r, 200));
    expect(t.smtp!.messages).toHaveLength(1);
    const p = t.smtp!.messages[0].parsed;
    expect(p.subject).toBe('Fax to 3 numbers: 2 sent, 1 not sent');
    for (const n of ['+1 555 010 0200', '+9999999002', '+1 555 010 0300']) expect(p.text).toContain(n);
    expect(p.attachments).toHaveLength(0);
  });

  it.each([
    ['never', '+15550100200', 0], ['success', '+15550100200', 1], ['success', '+9999999001', 0], ['failure', '+15550100200', 0], ['failure', '+9999999003', 1],
  ] as const)('email.receipts=%s, fax to %s: %i receipt(s)', async (when, to, want) => {
    const t = await setup({ settings: { 'email.receipts': when } });
    const s = t.submit([to]);
    await until(() => t.jobs.bySubmission(s.id).every((j) => ['sent', 'failed', 'rejected'].includes(j.status)), 'job final');
    if (want) await until(() => t.smtp!.messages.length === want, 'receipt');
    await t.mail.idle();
    expect(t.smtp!.messages).toHaveLength(want);
    expect(t.mail.outboxFor(s.id)).toHaveLength(want);
  });

  it('an API submission gets no receipt (no address to answer)', async () => {
    const t = await setup();
    const s = t.submit(['+15550100200'], { source: 'api', sender: 'api:key_x' });
    await until(() => t.jobs.bySubmission(s.id)[0].status === 'sent', 'sent');
    expect(t.mail.outboxFor(s.id)).toEqual([]);
  });

  it('4xx is retried with backoff, then delivered once', async () => {
    const t = await setup({ script: [451, 451] });
    const s = t.submit(['+15550100200']);
    await until(() => t.smtp!.messages.length === 1, 'receipt after retries');
    expect(t.smtp!.refusals).toEqual([451, 451]);
    expect(t.mail.outboxFor(s.id)).toMatchObject([{ status: 'sent', attempts: 3 }]);
  });

  it('5xx gives up at once, the reason recorded on the job', async () => {
    const t = await setup({ script: [550] });
    const s = t.submit(['+15550100200']);
    await until(() => t.mail.outboxFor(s.id)[0]?.status === 'failed', 'given up');
    expect(t.mail.outboxFor(s.id)[0]).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/^refused by the relay: .*550 Mailbox unavailable/) });
    const notes = t.jobs.events(s.jobs[0].id).map((e) => e.note ?? '');
    expect(notes.some((n) => /receipt not delivered to alice@clinic\.example: refused by the relay/.test(n))).toBe(true);
    expect(t.smtp!.messages).toHaveLength(0);
  });

  it('never to an address that is not a registered sender: a stranger sender, and a sender removed before sending', async () => {
    const t = await setup({ relay: undefined, retryScale: 1000 });
    // a submission whose sender is not (or no longer) registered gets no row at all
    const s1 = t.submit(['+15550100200'], { sender: 'mallory@evil.example' });
    await until(() => t.jobs.bySubmission(s1.id)[0].status === 'sent', 'sent');
    expect(t.mail.outboxFor(s1.id)).toEqual([]);
    // queued for bob, bob removed before the relay is reached: dropped, not sent
    await t.mail.stop();
    const s2 = t.submit(['+15550100200'], { sender: 'bob@clinic.example' });
    await until(() => t.mail.outboxFor(s2.id).length === 1, 'queued');
    t.accounts.removeSender(t.acc.id, 'bob@clinic.example', 'test');
    t.mail.start();
    await until(() => t.mail.outboxFor(s2.id)[0].status === 'gone', 'dropped');
    expect(t.mail.outboxFor(s2.id)[0].lastError).toMatch(/registered sender/);
    expect(t.smtp!.messages).toHaveLength(0);
  });

  it('no relay configured: nothing is queued, and it says so', async () => {
    const t = await setup({ relay: 'none' });
    expect(t.mail.enabled).toBe(false);
    expect(t.mail.describe()).toMatch(/no relay configured \(FAXGATE_SMTP_RELAY\): receipts and fax-to-email are off/);
    const s = t.submit(['+15550100200']);
    await until(() => t.jobs.bySubmission(s.id)[0].status === 'sent', 'sent');
    expect(t.mail.outboxFor(s.id)).toEqual([]);
  });

  it('a restart mid-queue loses nothing and sends once; two dispatchers on one database send once', async () => {
    const t = await setup();
    await t.mail.stop();
    const s = t.submit(['+15550100200']);
    await until(() => t.mail.outboxFor(s.id).length === 1, 'queued while stopped');
    const a = t.make();
    const b = t.make();
    closers.push(() => a.close(), () => b.close());
    a.start();
    b.start();
    await until(() => t.smtp!.messages.length === 1, 'receipt after restart');
    await a.idle();
    await b.idle();
    await new Promise((r) => setTimeout(r, 100));
    expect(t.smtp!.messages).toHaveLength(1);
    expect(t.mail.outboxFor(s.id)).toMatchObject([{ status: 'sent', attempts: 1 }]);
  });
});

describe('FAXGATE_SMTP_RELAY', () => {
  it.each([
    ['smtp://u:p%40ss@mail.example.com:2525', { secure: false, host: 'mail.example.com', port: 2525, user: 'u', pass: 'p@ss' }],
    ['smtps://mail.example.com', { secure: true, host: 'mail.example.com', port: 465 }],
    ['smtp://mail.example.com', { secure: false, host: 'mail.example.com', port: 587 }],
  ])('%s', (url, want) => expect(parseRelay(url)).toEqual(want));

  it('a bad relay stops the start, and the problem never repeats the password', () => {
    expect(() => loadConfig({ FAXGATE_SMTP_RELAY: 'http://user:hunter2@mail.example.com' })).toThrow(/FAXGATE_SMTP_RELAY: must start with smtp:\/\/ or smtps:\/\//);
    try {
      loadConfig({ FAXGATE_SMTP_RELAY: 'http://user:hunter2@mail.example.com' });
    } catch (e) {
      expect(String(e)).not.toContain('hunter2');
    }
  });

  it('logs in with the credentials, and describes the relay without them', async () => {
    const smtp = await startRelay({ login: { user: 'fax', pass: 's3cret' } });
    closers.push(smtp.close);
    const spec = parseRelay(smtp.url);
    if ('problem' in spec) throw new Error(spec.problem);
    const relay = createRelay(spec, { timeoutMs: 5000 });
    closers.push(() => relay.close());
    expect(relay.description).toBe(`smtp://127.0.0.1:${smtp.port} (with login)`);
    const res = await relay.send({ from: 'fax@example.test', to: ['a@example.test'], subject: 's', text: 't', html: '<p>t</p>', messageId: '<x@example.test>' });
    expect(res.outcome).toBe('sent');
    const bad = createRelay({ ...spec, pass: 'wrong' }, { timeoutMs: 5000 });
    closers.push(() => bad.close());
    const r2 = await bad.send({ from: 'fax@example.test', to: ['a@example.test'], subject: 's', text: 't', html: '<p>t</p>', messageId: '<y@example.test>' });
    expect(r2).toMatchObject({ outcome: 'retry', error: expect.stringMatching(/EAUTH/) });
    expect(JSON.stringify(r2)).not.toContain('wrong');
  });
});
