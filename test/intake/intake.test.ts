// intake.submit() as the HTTP ingress calls it: real detector, registry, store and data folder; no SMTP involved.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../src/store/db.js';
import { createAccountStore, type Account } from '../../src/settings/accounts.js';
import { createTypeRegistry } from '../../src/attachments/registry.js';
import { createDetector } from '../../src/attachments/detect.js';
import { checkAvailability } from '../../src/render/availability.js';
import { createJobStore } from '../../src/jobs/store.js';
import { createIntake, type SubmissionFile } from '../../src/intake/index.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { systemClock } from '../../src/domain/types.js';
import { FaxError } from '../../src/domain/errors.js';
import { makeElf, makePdf } from '../ingress/smtp/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

let intake: ReturnType<typeof createIntake>;
let jobs: ReturnType<typeof createJobStore>;
let std: Account;
let strict: Account;
let dev: Account;
let uploads: string;
let pdf: Buffer;
let n = 0;

beforeAll(async () => {
  const dataDir = tempDir();
  const config = loadConfig({}, { dataDir });
  const db = openDatabase(dataDir);
  const accounts = createAccountStore({ db, clock: systemClock });
  std = accounts.create({ name: 'Std', senders: ['a@a.example'] });
  strict = accounts.create({ name: 'Strict', senders: ['b@b.example'] });
  accounts.updateSettings(strict.id, { 'outgoing.unsupportedFiles': 'reject' }, 'test');
  dev = accounts.create({ name: 'Dev', senders: ['d@d.example'], kind: 'developer', designated: '+15550001111' });
  const registry = createTypeRegistry({ db, clock: systemClock, availability: await checkAvailability() });
  const detector = createDetector({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels } });
  jobs = createJobStore({ db, clock: systemClock });
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
  it('accepts an API submission: files moved durably into the submission folder, one job per recipient', async () => {
    const f = upload('a.pdf', pdf, 'application/pdf');
    const r = await intake.submit({ source: 'api', accountId: std.id, sender: 'api:fgk_abc', recipients: ['+15551234567', '+15557654321', '+15551234567'],
      files: [f], coverText: 'Please call back.', options: { resolution: 'superfine', paper: 'a4' } });
    expect(r.duplicate).toBe(false);
    expect(r.jobs).toHaveLength(2);
    expect(r.files).toMatchObject([{ name: 'a.pdf', detected: 'pdf', verdict: 'accepted' }]);
    expect(existsSync(f.path)).toBe(false);
    const job = jobs.get(std.id, r.jobs[0].id)!;
    expect(job).toMatchObject({ source: 'api', sender: 'api:fgk_abc', resolution: 'superfine', paper: 'a4', status: 'received' });
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
