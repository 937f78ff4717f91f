// The gateway end to end on loopback: email in → one rendering shared by every recipient → sandbox line → terminal
// state, with busy/no-answer retries, line drops and non-fax numbers (real renderer, real sandbox line).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { openCore, startGateway, type Gateway } from '../../src/main.js';
import type { JobSnapshot } from '../../src/domain/jobs.js';
import { makePdf, makePng } from '../ingress/smtp/fixtures.js';
import { CORPUS, tempDir } from '../helpers/tmp.js';

let gw: Gateway;
let pdf: Buffer;
const SENDER = 'front@clinic.example';
const STRICT = 'lab@lab.example';
/** Accepted by the screen (a PDF by its bytes) but only found damaged while rendering. */
const CIRCULAR_PDF = path.join(CORPUS, 'pdf', 'pdf_pages_tree_circular_refs.pdf');
const terminal: JobSnapshot[] = [];

beforeAll(async () => {
  const dataDir = tempDir('faxgate-gw-');
  const core = openCore({
    dataDir, bindHost: '127.0.0.1', smtpPort: 0, httpPort: 0, logLevel: 'silent', sandboxSecondsPerPage: 0,
    retryAttempts: 3, retrySpacingSeconds: 1, retryScale: 0.05, workers: 2,
  }, {});
  core.accounts.create({ name: 'Clinic', senders: [SENDER] });
  const strict = core.accounts.create({ name: 'Lab', senders: [STRICT] });
  core.accounts.updateSettings(strict.id, { 'outgoing.unsupportedFiles': 'reject' }, 'test');
  gw = await startGateway(core);
  gw.jobs.onTerminal((j) => terminal.push(j));
  pdf = await makePdf(2);
});
afterAll(async () => {
  await gw?.stop();
  gw?.core.db.close();
});

async function send(msg: Mail.Options): Promise<string[]> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: gw.smtpPort, secure: false, ignoreTLS: true });
  const info = await t.sendMail({ from: SENDER, ...msg });
  expect(info.response).toMatch(/^250 2\.0\.0 /);
  return info.response.match(/job_[0-9a-f]+/g) ?? [];
}

async function settled(ids: string[], timeoutMs = 50_000): Promise<JobSnapshot[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const jobs = ids.map((id) => gw.jobs.getById(id)!);
    if (jobs.every((j) => ['sent', 'failed', 'rejected'].includes(j.status))) return jobs;
    if (Date.now() > end) throw new Error(`jobs did not settle: ${jobs.map((j) => `${j.id}=${j.status}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('render and send workers', () => {
  it('renders a message once for all its recipients and sends each job', async () => {
    const ids = await send({ to: ['+15551230001@fax.localhost', '+15551230002@fax.localhost'], subject: 'Two pages', text: 'Cover note.',
      attachments: [{ filename: 'doc.pdf', content: pdf }] });
    const jobs = await settled(ids);
    expect(jobs.map((j) => j.status)).toEqual(['sent', 'sent']);
    expect(jobs[0].pages).toBe(3); // body page + 2 PDF pages
    expect(jobs[0].pagesSent).toBe(3);
    expect(jobs[0].files[0]).toMatchObject({ name: 'doc.pdf', verdict: 'accepted', pages: 2 });
    const sub = gw.jobs.submission(jobs[0].submissionId)!;
    expect(sub.tiffPath).toBe(path.join(sub.dir, 'fax.tif'));
    expect(gw.jobs.tiffPath(jobs[1])).toBe(sub.tiffPath);
    expect(gw.jobs.events(ids[0]).map((e) => e.to)).toEqual(['received', 'rendering', 'queued', 'sending', 'sent']);
    const outbox = readdirSync(path.join(gw.core.config.dataDir, 'outbox'));
    expect(outbox).toEqual(expect.arrayContaining(ids.map((id) => `${id}.tif`)));
    expect(terminal.filter((t) => ids.includes(t.id)).map((t) => t.status)).toEqual(['sent', 'sent']);
  });

  it('a Word attachment is converted by LibreOffice and faxed with the body page', async () => {
    const ids = await send({ to: '+15551230003@fax.localhost', subject: 'Letter', text: 'See the letter.',
      attachments: [{ filename: 'letter.docx', path: path.join(CORPUS, 'office', 'word_2007.docx') }] });
    const [job] = await settled(ids, 90_000);
    expect(job.status).toBe('sent');
    expect(job.files[0]).toMatchObject({ name: 'letter.docx', detected: 'docx', verdict: 'accepted' });
    expect(job.pages).toBe(3); // body page + the document's 2 pages
  }, 120_000);

  it('retries busy up to the configured attempts, then fails with the busy status code', async () => {
    const [id] = await send({ to: '+9999999001@fax.localhost', text: 'busy line' });
    const [job] = await settled([id]);
    expect(job).toMatchObject({ status: 'failed', attempts: 3, statusCode: 1 });
    expect(gw.jobs.events(id).map((e) => e.to)).toEqual(['received', 'rendering', 'queued', 'sending', 'retrying', 'sending', 'retrying', 'sending', 'failed']);
  });

  it.each([
    ['+9999999002', 'no-answer', 3, 2],
    ['+9999999003', 'not a fax machine', 1, 3],
  ])('%s fails after the right number of attempts', async (to, _what, attempts, code) => {
    const [id] = await send({ to: `${to}@fax.localhost`, text: 'x' });
    const [job] = await settled([id]);
    expect(job).toMatchObject({ status: 'failed', attempts, statusCode: code });
  });

  it('a dropped line records the pages that went through', async () => {
    const [id] = await send({ to: '+9999999004@fax.localhost', text: 'drop', attachments: [{ filename: 'doc.pdf', content: pdf }] });
    const [job] = await settled([id]);
    expect(job).toMatchObject({ status: 'failed', pages: 3, pagesSent: 1, statusCode: 4, attempts: 1 });
  });

  it('a body-only message is one page', async () => {
    const [id] = await send({ to: '+15551230003@fax.localhost', text: 'Hello there.' });
    const [job] = await settled([id]);
    expect(job).toMatchObject({ status: 'sent', pages: 1 });
  });

  describe('render-time findings go through the same rule', () => {
    it('ignore: the damaged document is dropped and reported, the rest is sent', async () => {
      const [id] = await send({ to: '+15551230004@fax.localhost',
        attachments: [{ filename: 'good.pdf', content: pdf }, { filename: 'bad.pdf', path: CIRCULAR_PDF }] });
      const [job] = await settled([id]);
      expect(job).toMatchObject({ status: 'sent', pages: 2 });
      expect(job.files.map((f) => [f.name, f.verdict])).toEqual([['good.pdf', 'accepted'], ['bad.pdf', 'damaged']]);
    });

    it('ignore: nothing left after rendering → rejected nothing-to-fax', async () => {
      const [id] = await send({ to: '+15551230005@fax.localhost', attachments: [{ filename: 'bad.pdf', path: CIRCULAR_PDF }] });
      const [job] = await settled([id]);
      expect(job).toMatchObject({ status: 'rejected', statusCode: 11 });
      expect(job.reason).toMatch(/^nothing-to-fax/);
    });

    it('reject: a document found damaged while rendering rejects every job of the message', async () => {
      const ids = await send({ from: STRICT, to: ['+15551230006@fax.localhost', '+15551230007@fax.localhost'], text: 'two docs',
        attachments: [{ filename: 'good.pdf', content: pdf }, { filename: 'bad.pdf', path: CIRCULAR_PDF }] });
      const jobs = await settled(ids);
      expect(jobs.map((j) => [j.status, j.statusCode])).toEqual([['rejected', 10], ['rejected', 10]]);
      expect(jobs[0].reason).toContain('bad.pdf');
      expect(gw.jobs.events(ids[0]).map((e) => e.to)).toEqual(['received', 'rendering', 'rejected']);
    });
  });

  describe('page counts the spec implies', () => {
    const cases: [string, () => Promise<Mail.Options>, number][] = [
      ['3-page PDF without body', async () => ({ attachments: [{ filename: 'three.pdf', content: await makePdf(3) }] }), 3],
      ['body + 3-page PDF + PNG', async () => ({ text: 'Cover.', attachments: [{ filename: 'three.pdf', content: await makePdf(3) }, { filename: 'img.png', content: await makePng() }] }), 5],
      ['text attachment', async () => ({ attachments: [{ filename: 'notes.txt', content: 'Line one\nLine two\n' }] }), 1],
      ['HTML-only body', async () => ({ html: '<h1>Hello</h1><p>Pour vous, <b>Ölçü</b> — Привет</p>' }), 1],
      ['UTF-8 Cyrillic, Greek and CJK body', async () => ({ text: 'Здравствуйте. Καλημέρα. 你好，世界。' }), 1],
    ];
    it.each(cases)('%s', async (_name, build, pages) => {
      const [id] = await send({ to: '+15551230010@fax.localhost', ...(await build()) });
      const [job] = await settled([id]);
      expect(job).toMatchObject({ status: 'sent', pages, pagesSent: pages });
    });
  });
});
