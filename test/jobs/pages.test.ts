// Header line, cover page and station id end to end: email and web service in, real renderer, sandbox line out; the
// TIFF the line was given is decoded: a header band on every page, the cover first, counts and PageNumber right.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, startGateway, type Gateway } from '../../src/main.js';
import type { JobSnapshot } from '../../src/domain/jobs.js';
import { bandRows } from '../../src/render/header.js';
import { parseTiff } from '../../src/render/tiff.js';
import { makePdf } from '../ingress/smtp/fixtures.js';
import { tempDir } from '../helpers/tmp.js';
import { decodePage, inkIn } from '../render/helpers.js';

let gw: Gateway;
let pdf: Buffer;
let apiKey: string;
let accountId: string;
const SENDER = 'desk@pages.example';

beforeAll(async () => {
  const core = openCore({
    dataDir: tempDir('faxgate-pages-'), bindHost: '127.0.0.1', smtpPort: 0, httpPort: 0, logLevel: 'silent', sandboxSecondsPerPage: 0, workers: 2,
  }, {});
  const a = core.accounts.create({ name: 'Pages Clinic', senders: [SENDER] });
  core.accounts.updateSettings(a.id, {
    timezone: 'Europe/Berlin', 'sender.name': 'Pages Clinic', 'sender.faxNumber': '+15550100100', 'sender.csid': '+1 555 010 0100',
    'cover.notice': 'Confidential: for the addressee only.',
  }, 'test');
  apiKey = a.apiKey;
  accountId = a.id;
  gw = await startGateway(core);
  pdf = await makePdf(2);
});
afterAll(async () => {
  await gw?.stop();
  gw?.core.db.close();
});

async function settled(id: string): Promise<JobSnapshot> {
  const end = Date.now() + 60_000;
  for (;;) {
    const j = gw.jobs.getById(id)!;
    if (['sent', 'failed', 'rejected'].includes(j.status)) return j;
    if (Date.now() > end) throw new Error(`job ${id} did not settle: ${j.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function byEmail(subject: string, text: string): Promise<JobSnapshot> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: gw.smtpPort, secure: false, ignoreTLS: true });
  const info = await t.sendMail({ from: SENDER, to: '+15550100200@fax.localhost', subject, text, attachments: [{ filename: 'doc.pdf', content: pdf }] });
  t.close();
  return settled(/job_[0-9a-f]+/.exec(info.response)![0]);
}

async function byApi(fields: [string, string][]): Promise<JobSnapshot> {
  const form = new FormData();
  form.append('to', '+15550100200');
  for (const [k, v] of fields) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'doc.pdf');
  const r = await fetch(`http://127.0.0.1:${gw.httpPort}/v1/faxes`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` }, body: form });
  expect(r.status).toBe(202);
  return settled(((await r.json()) as { jobs: { id: string }[] }).jobs[0].id);
}

const outboxTiff = (j: JobSnapshot) => path.join(gw.core.config.dataDir, 'outbox', `${j.id}.tif`);

/** What the far end gets: pages, their resolution, PageNumber tags, header ink on each, the cover's words. */
async function sentPages(j: JobSnapshot) {
  const file = outboxTiff(j);
  const dirs = parseTiff(readFileSync(file));
  const yres = Math.round(dirs[0].yres);
  const { band } = bandRows(yres);
  const headerInk: number[] = [];
  for (let i = 0; i < dirs.length; i++) {
    const p = await decodePage(file, i);
    headerInk.push(inkIn(p, 0, 0, 1, band / p.height));
  }
  return { pages: dirs.length, yres, headerInk };
}

describe('pages as sent', () => {
  it('header on by default: every page carries it, content pages only (no cover), counts include nothing extra', async () => {
    const j = await byEmail('Plain', 'A short note.');
    expect(j.status).toBe('sent');
    const s = await sentPages(j);
    expect(s.pages).toBe(3); // body page + 2 PDF pages
    expect([j.pages, j.pagesSent]).toEqual([3, 3]);
    expect(s.yres).toBe(196);
    expect(s.headerInk.every((v) => v > 0.01)).toBe(true);
  });

  it.each([
    ['email [cover] [standard]', () => byEmail('[cover] Referral [standard]', 'Please see the attached referral.')],
    ['web form cover=on, resolution=standard', () => byApi([['cover', 'on'], ['resolution', 'standard'], ['subject', 'Referral'], ['coverText', 'Please see the attached referral.']])],
    ['web form subject modifiers', () => byApi([['subject', 'Referral [cover][standard]'], ['coverText', 'Please see the attached referral.']])],
  ])('%s: cover first, the message on it, 3 pages counted everywhere, standard resolution', async (_n, submit) => {
    const j = await submit();
    expect(j.status).toBe('sent');
    expect(j.resolution).toBe('standard');
    const s = await sentPages(j);
    expect(s.pages).toBe(3); // cover (with the message) + 2 PDF pages: no separate body page
    expect([j.pages, j.pagesSent]).toEqual([3, 3]);
    expect(s.yres).toBe(98);
    expect(s.headerInk.every((v) => v > 0.01)).toBe(true);
    const tags = parseTiff(readFileSync(outboxTiff(j)));
    expect(tags).toHaveLength(3);
    const sub = gw.jobs.submission(j.submissionId)!;
    expect(sub.options.cover).toMatchObject({ subject: 'Referral', to: ['+15550100200'], notice: 'Confidential: for the addressee only.' });
    expect(sub.options.header).toMatchObject({ timezone: 'Europe/Berlin', senderName: 'Pages Clinic', senderNumber: '+15550100100', subject: 'Referral' });
    expect(sub.options.csid).toBe('+1 555 010 0100');
    const view = await (await fetch(`http://127.0.0.1:${gw.httpPort}/v1/faxes/${j.id}`, { headers: { authorization: `Bearer ${apiKey}` } })).json();
    expect(view).toMatchObject({ pages: 3, pagesSent: 3, localId: '+1 555 010 0100' });
  });

  it('[nocover] beats the account default; header.enabled=false sends the rendered pages untouched', async () => {
    gw.core.accounts.updateSettings(accountId, { 'cover.enabled': 'true', 'header.enabled': 'false' }, 'test');
    try {
      const j = await byEmail('[nocover] Plain', 'A short note.');
      expect(j.pages).toBe(3);
      const sub = gw.jobs.submission(j.submissionId)!;
      expect(sub.options.cover).toBeUndefined();
      expect(readFileSync(outboxTiff(j)).equals(readFileSync(sub.tiffPath!))).toBe(true);
      const k = await byEmail('Plain', 'A short note.');
      expect(k.pages).toBe(3); // cover with the note + 2 PDF pages
      expect(gw.jobs.submission(k.submissionId)!.options.cover).toBeDefined();
    } finally {
      gw.core.accounts.updateSettings(accountId, { 'cover.enabled': 'false', 'header.enabled': 'true' }, 'test');
    }
  });
});
