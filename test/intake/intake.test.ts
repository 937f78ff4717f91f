// intake.submit() as the HTTP ingress calls it: real detector, registry, store and data folder; no SMTP involved.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openTestDatabase } from '../helpers/test-db.js';
import { createSqliteAccountStore, type Account } from '../../src/settings/accounts.js';
import { createTypeRegistry } from '../../src/attachments/registry.js';
import { createDetector } from '../../src/attachments/detect.js';
import { checkAvailability } from '../../src/render/availability.js';
import { createSqliteJobStore } from '../../src/jobs/store.js';
import { createIntake, type SubmissionFile } from '../../src/intake/index.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { systemClock } from '../../src/domain/types.js';
import { FaxError } from '../../src/domain/errors.js';
import { makeElf, makePdf } from '../ingress/smtp/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

let intake: ReturnType<typeof createIntake>;
let jobs: ReturnType<typeof createSqliteJobStore>;
let std: Account;
let strict: Account;
let dev: Account;
let uploads: string;
let pdf: Buffer;
let n = 0;

beforeAll(async () => {
  const dataDir = tempDir();
  const config = loadConfig({}, { dataDir });
  const db = openTestDatabase(dataDir);
  const accounts = createSqliteAccountStore({ db, clock: systemClock });
  std = accounts.create({ name: 'Std', senders: ['a@a.example'] });
  strict = accounts.create({ name: 'Strict', senders: ['b@b.example'] });
  accounts.updateSettings(strict.id, { 'outgoing.unsupportedFiles': 'reject' }, 'test');
  dev = accounts.create({ name: 'Dev', senders: ['d@d.example'], kind: 'developer', designated: '+15550001111' });
  const registry = createTypeRegistry({ db, clock: systemClock, availability: await checkAvailability() });
  const detector = createDetector({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels } });
  jobs = createSqliteJobStore({ db, clock: systemClock });
  intake = createIntake({ db, accounts, registry, detector, jobs, clock: systemClock, config, logger: silentLogger });
  uploads = path.join(dataDir, 'tmp', 'uploads');
  (await import('node:fs')).mkdirSync(uploads, { recursive: true });
  pdf = await makePdf(1);
});

function upload(name: string, content: Buffer, declaredType?: string): SubmissionFile {
  const p = path.join(uploads, `u${++n}`);
  writeFileSync(p, content);
  return { name, path: p, size: content.length, ...(declaredType ? { declaredType } : {}) };
}

describe('checkRecipient', () => {
  it.each([
    ['+15551234567', '+15551234567'],
    ['(555) 123-4567', '+15551234567'],
    ['0044 20 7123 4567', '+442071234567'],
  ])('%s → %s', (raw, e164) => expect(intake.checkRecipient(std, raw)).toBe(e164));

  it('refuses malformed numbers and, for developer accounts, any number but the designated one', () => {
    expect(() => intake.checkRecipient(std, 'call me')).toThrowError(expect.objectContaining({ code: 'invalid-number' }));
    expect(() => intake.checkRecipient(std, '555-1234', { strict: true })).toThrowError(expect.objectContaining({ code: 'invalid-number' }));
    expect(intake.checkRecipient(dev, '+15550001111')).toBe('+15550001111');
    expect(() => intake.checkRecipient(dev, '+15550002222')).toThrowError(expect.objectContaining({ code: 'not-designated-number' }));
  });
});

describe('submit', () => {
  it('an HTML-only email body is faxed as its laid-out page (message.html) instead of its flattened text', async () => {
    const html = upload('message.html', Buffer.from('<!DOCTYPE html><meta charset="utf-8"><h1>Invoice</h1><img src="https://tracker.example/p.gif">'), 'text/html; charset=utf-8');
    const r = await intake.submit({ source: 'email', accountId: std.id, sender: 'a@a.example', recipients: ['+15551234567'], files: [],
      bodyHtml: html, body: { from: 'a@a.example', to: 'fax', subject: 'Invoice', date: '', text: 'INVOICE' } });
    expect(r.files).toMatchObject([{ name: 'message.html', detected: 'html', verdict: 'accepted', note: expect.stringMatching(/^1 remote image.*left out/) }]);
    const sub = jobs.submission(r.submissionId)!;
    expect(sub.body?.text).toBe('');
    expect(sub.files.map((f) => f.name)).toEqual(['message.html']);
  });

  it('a winmail.dat upload becomes its files, each with its own verdict; a TNEF holding nothing is nothing-inside', async () => {
    const { readFileSync } = await import('node:fs');
    const { CORPUS } = await import('../helpers/tmp.js');
    const tnef = (f: string) => upload('winmail.dat', readFileSync(path.join(CORPUS, 'tnef', f)), 'application/ms-tnef');
    const r = await intake.submit({ source: 'api', accountId: std.id, sender: 'api:key_abc', recipients: ['+15551234567'], files: [tnef('two-files.tnef')] });
    expect(r.files.map((f) => [f.name, f.verdict])).toEqual([['winmail.dat/AUTHORS', 'accepted'], ['winmail.dat/README', 'accepted']]);
    const err = await intake.submit({ source: 'api', accountId: std.id, sender: 'api:key_abc', recipients: ['+15551234567'], files: [tnef('garbage-at-end.tnef')] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaxError);
    expect((err as FaxError).code).toBe('nothing-to-fax');
    expect((err as FaxError).message).toMatch(/winmail\.dat \(tnef\): Outlook TNEF \(winmail\.dat\): it holds no attached file and no message text/);
  });

  it('accepts an API submission: files moved durably into the submission folder, one job per recipient', async () => {
    const f = upload('a.pdf', pdf, 'application/pdf');
    const r = await intake.submit({ source: 'api', accountId: std.id, sender: 'api:key_abc', recipients: ['+15551234567', '+15557654321', '+15551234567'],
      files: [f], coverText: 'Please call back.', options: { resolution: 'superfine', paper: 'a4' } });
    expect(r.duplicate).toBe(false);
    expect(r.jobs).toHaveLength(2);
    expect(r.files).toMatchObject([{ name: 'a.pdf', detected: 'pdf', verdict: 'accepted' }]);
    expect(existsSync(f.path)).toBe(false);
    const job = jobs.get(std.id, r.jobs[0].id)!;
    expect(job).toMatchObject({ source: 'api', sender: 'api:key_abc', resolution: 'superfine', paper: 'a4', status: 'received' });
    const sub = jobs.submission(r.submissionId)!;
    expect(readdirSync(sub.dir)).toEqual(['f000.bin']);
    expect(sub.options.coverText).toBe('Please call back.');
  });

  it('reject policy: throws unsupported-attachment with the per-file report and the rejected jobs, removes the uploads', async () => {
    const good = upload('a.pdf', pdf);
    const bad = upload('run.pdf', makeElf(), 'application/pdf');
    const err = await intake.submit({ source: 'api', accountId: strict.id, sender: 'api:x', recipients: ['+15551234567'], files: [good, bad] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaxError);
    const fe = err as FaxError;
    expect(fe.code).toBe('unsupported-attachment');
    const details = fe.details as { files: { name: string; verdict: string; detected: string }[]; jobs: { id: string; status: string }[] };
    expect(details.files.map((x) => [x.name, x.detected, x.verdict])).toEqual([['a.pdf', 'pdf', 'accepted'], ['run.pdf', 'elf', 'unsupported-type']]);
    expect(details.jobs.map((j) => j.status)).toEqual(['rejected']);
    expect(jobs.get(strict.id, details.jobs[0].id)?.statusCode).toBe(10);
    expect(existsSync(good.path) || existsSync(bad.path)).toBe(false);
  });

  it('nothing to fax: no accepted file and no text', async () => {
    const err = await intake.submit({ source: 'api', accountId: std.id, sender: 'api:x', recipients: ['+15551234567'], files: [upload('e.txt', Buffer.alloc(0))] })
      .catch((e: unknown) => e as FaxError);
    expect((err as FaxError).code).toBe('nothing-to-fax');
  });

  it('cover text alone is something to fax', async () => {
    const r = await intake.submit({ source: 'api', accountId: std.id, sender: 'api:x', recipients: ['+15551234567'], files: [], coverText: 'Hello' });
    expect(r.jobs).toHaveLength(1);
  });

  it('a repeated dedup key returns the original jobs and removes the new uploads', async () => {
    const first = await intake.submit({ source: 'api', accountId: std.id, sender: 'api:x', recipients: ['+15551234567'], files: [upload('a.pdf', pdf)], dedupKey: 'k-1' });
    const again = upload('a.pdf', pdf);
    const second = await intake.submit({ source: 'api', accountId: std.id, sender: 'api:x', recipients: ['+15551234567'], files: [again], dedupKey: 'k-1' });
    expect(second).toMatchObject({ duplicate: true, submissionId: first.submissionId });
    expect(second.jobs.map((j) => j.id)).toEqual(first.jobs.map((j) => j.id));
    expect(existsSync(again.path)).toBe(false);
  });

  it('screenOnly runs the same rule and stores nothing', async () => {
    const before = jobs.list(undefined, { limit: 1000 }).length;
    const f = upload('x.pdf', makeElf());
    const d = await intake.screenOnly(strict.id, [f], true);
    expect(d).toMatchObject({ outcome: 'reject', reason: 'unsupported-attachment' });
    expect(jobs.list(undefined, { limit: 1000 }).length).toBe(before);
    expect(existsSync(f.path)).toBe(true);
  });
});

describe('several files', () => {
  it('are detected a few at a time, reported and stored in their own order, with the raw message kept', async () => {
    const dataDir = tempDir();
    const config = loadConfig({}, { dataDir });
    const db = openTestDatabase(dataDir);
    const accounts = createSqliteAccountStore({ db, clock: systemClock });
    const acct = accounts.create({ name: 'Many', senders: ['m@m.example'] });
    const registry = createTypeRegistry({ db, clock: systemClock, availability: await checkAvailability() });
    const real = createDetector({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels } });
    let inFlight = 0;
    let peak = 0;
    // The real detector, watched: how many files are being detected at once.
    const detector = {
      async detect(i: Parameters<typeof real.detect>[0]) {
        peak = Math.max(peak, ++inFlight);
        try {
          return await real.detect(i);
        } finally {
          inFlight--;
        }
      },
    };
    const js = createSqliteJobStore({ db, clock: systemClock });
    const many = createIntake({ db, accounts, registry, detector, jobs: js, clock: systemClock, config, logger: silentLogger });
    const files = [
      upload('one.pdf', pdf), upload('prog', makeElf()), upload('note.txt', Buffer.from('hello\n')), upload('two.pdf', await makePdf(2)),
      upload('three.pdf', await makePdf(3)), upload('blank.txt', Buffer.from('  \n')), upload('four.pdf', await makePdf(4)),
    ];
    const raw = path.join(uploads, `raw${++n}.eml`);
    writeFileSync(raw, 'Subject: x\r\n\r\nbody\r\n');
    const r = await many.submit({ source: 'email', accountId: acct.id, sender: 'm@m.example', recipients: ['+15551234567'], files, rawMessage: raw });
    expect(r.files.map((f) => [f.name, f.verdict, f.pages])).toEqual([
      ['one.pdf', 'accepted', 1], ['prog', 'unsupported-type', undefined], ['note.txt', 'accepted', 1], ['two.pdf', 'accepted', 2],
      ['three.pdf', 'accepted', 3], ['blank.txt', 'empty', undefined], ['four.pdf', 'accepted', 4],
    ]);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(3);
    const sub = js.submission(r.submissionId)!;
    expect(readdirSync(sub.dir).sort()).toEqual(['f000.bin', 'f001.bin', 'f002.bin', 'f003.bin', 'f004.bin', 'f005.bin', 'f006.bin', 'message.eml']);
    expect(readFileSync(path.join(sub.dir, 'f001.bin'))).toEqual(makeElf());
    expect(readFileSync(path.join(sub.dir, 'f002.bin')).toString()).toBe('hello\n');
    for (const f of files) expect(existsSync(f.path)).toBe(false);
    expect(existsSync(raw)).toBe(false);
  });
});
