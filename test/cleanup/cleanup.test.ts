// Crash leftovers (issue #12.5): what a killed server leaves in DATA/tmp and DATA/submissions is removed at start and
// by the periodic sweep, never a folder a render or a job still uses, and every removal is counted for /metrics.
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../src/store/db.js';
import { createSqliteAccountStore } from '../../src/settings/accounts.js';
import { createSqliteJobStore, newId } from '../../src/jobs/store.js';
import { createCleanup, type Timers } from '../../src/cleanup/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { createRenderer } from '../../src/render/index.js';
import { silentLogger } from '../../src/logger.js';
import type { Clock } from '../../src/domain/types.js';
import { CORPUS, tempDir } from '../helpers/tmp.js';

const HOUR = 3600_000;

function setup() {
  const dataDir = tempDir('faxgate-cleanup-');
  let now = new Date();
  const clock: Clock = { now: () => now };
  const db = openDatabase(dataDir);
  const account = createSqliteAccountStore({ db, clock }).create({ name: 'Clinic', senders: ['a@clinic.example'] });
  const jobs = createSqliteJobStore({ db, clock });
  const metrics = createMetrics({ clock, jobs });
  const live = new Set<string>();
  let tick: (() => void) | undefined;
  const timers: Timers = { setInterval: (fn) => { tick = fn; return 1; }, clearInterval: () => { tick = undefined; } };
  const cleanup = createCleanup({
    dataDir, clock, logger: silentLogger, jobs, live, intervalMs: 600_000, staleMs: HOUR, onRemoved: metrics.cleanupRemoved, timers,
  });
  const tmp = path.join(dataDir, 'tmp');
  const subs = path.join(dataDir, 'submissions');
  mkdirSync(tmp, { recursive: true });
  mkdirSync(subs, { recursive: true });
  /** a folder with one file of `bytes` bytes */
  const folder = (dir: string, file = 'page-1.pbm', bytes = 1000) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, file), Buffer.alloc(bytes, 1));
    return dir;
  };
  /** a stored submission whose job ends in `end` (with or without a rendered fax) */
  const submission = (end: 'received' | 'failed' | 'sent') => {
    const id = newId('sub');
    const dir = folder(path.join(subs, id), 'f000.bin');
    const [job] = jobs.createSubmission({
      id, accountId: account.id, source: 'api', sender: 'api:test', dir, files: [], options: { resolution: 'fine', paper: 'letter' },
      policy: 'ignore', recipients: ['+15551230000'], report: [],
    }).jobs;
    if (end === 'failed') jobs.transition(job.id, 'failed', { reason: 'render-failed', statusCode: 12 });
    if (end === 'sent') {
      jobs.transition(job.id, 'rendering');
      writeFileSync(path.join(dir, 'fax.tif'), 'II*\0');
      jobs.setRendered(id, { renderStatus: 'done', pages: 1, tiffPath: path.join(dir, 'fax.tif') });
      jobs.transition(job.id, 'queued');
      jobs.transition(job.id, 'sending');
      jobs.transition(job.id, 'sent', { pagesSent: 1 });
    }
    return dir;
  };
  return {
    dataDir, tmp, subs, db, jobs, metrics, live, cleanup, folder, submission,
    advance: (ms: number) => { now = new Date(now.getTime() + ms); },
    tick: () => tick?.(),
  };
}

const metricLine = async (m: ReturnType<typeof createMetrics>, name: string) =>
  (await m.render()).split('\n').find((l) => l.startsWith(name))?.split(' ').pop();

describe('at start', () => {
  it('removes what killed renders, uploads and submissions left, and counts it', async () => {
    const t = setup();
    // what 3 kills mid-render leave: work folders of page images, an upload spool, an SMTP spool
    const renders = [1, 2, 3].map((i) => t.folder(path.join(t.tmp, `render-${i}abc`), 'page-1.pbm', 1000));
    t.folder(path.join(t.tmp, 'render-2abc', 'gs'), 'out.tif', 500);
    const upload = t.folder(path.join(t.tmp, 'http-0b1c'), 'f0', 200);
    const spool = t.folder(path.join(t.tmp, 'smtp', 's1-1'), 'message.eml', 300);
    // a crash between the file moves and the commit, seconds ago: no row refers to it
    const orphan = t.folder(path.join(t.subs, 'sub_00aa11'), 'f000.bin', 400);
    const active = t.submission('received');
    const failed = t.submission('failed');
    const sent = t.submission('sent');
    const stray = path.join(sent, `fax.pdf.123.${Date.now()}.tmp`);
    writeFileSync(stray, Buffer.alloc(50));

    const report = await t.cleanup.atStart();

    for (const p of [...renders, upload, spool, orphan, failed, stray]) expect(existsSync(p), p).toBe(false);
    expect(readdirSync(t.tmp)).toEqual([]);
    // a job still needs the files; a sent fax's image is still served
    expect(readdirSync(active)).toEqual(['f000.bin']);
    expect(readdirSync(sent).sort()).toEqual(['f000.bin', 'fax.tif']);
    expect(report.removed).toEqual({ render_tmp: 3, upload_tmp: 2, submission: 2, submission_tmp: 1 });
    expect(report.bytes).toBe(3 * 1000 + 500 + 200 + 300 + 400 + 1000 + 50);
    expect(await metricLine(t.metrics, 'faxgate_cleanup_removed_total{kind="render_tmp"}')).toBe('3');
    expect(await metricLine(t.metrics, 'faxgate_cleanup_removed_total{kind="submission"}')).toBe('2');
    expect(await metricLine(t.metrics, 'faxgate_cleanup_bytes_total')).toBe(String(report.bytes));
    t.db.close();
  });
});

describe('the periodic sweep', () => {
  it('removes stale leftovers nobody owns, leaves fresh ones and what a job needs', async () => {
    const t = setup();
    t.cleanup.start();
    const old = t.folder(path.join(t.tmp, 'render-old'));
    const fresh = t.folder(path.join(t.tmp, 'render-fresh'));
    const orphan = t.folder(path.join(t.subs, 'sub_00bb22'));
    const spool = t.folder(path.join(t.tmp, 'smtp', 's9-1'), 'message.eml');
    const active = t.submission('received');
    const sent = t.submission('sent');
    const past = (Date.now() - 2 * HOUR) / 1000;
    for (const p of [old, orphan, spool, active, sent]) utimesSync(p, past, past);

    t.tick();
    const report = await t.cleanup.sweep();
    expect(report.removed).toEqual({ render_tmp: 1, upload_tmp: 1, submission: 1, submission_tmp: 0 });
    expect([old, orphan, spool].map(existsSync)).toEqual([false, false, false]);
    expect([fresh, active, sent, path.join(t.tmp, 'smtp')].map(existsSync)).toEqual([true, true, true, true]);
    await t.cleanup.stop();
    t.db.close();
  });

  it('never removes the work folder of a render still running, however old', async () => {
    const t = setup();
    // a stand-in LibreOffice that holds the render until the test lets it go (TMPDIR is the render's work folder)
    const standIn = path.join(t.dataDir, 'slow-soffice');
    writeFileSync(standIn, '#!/bin/sh\ntouch "$TMPDIR/started"\nwhile [ ! -e "$TMPDIR/release" ]; do sleep 0.05; done\n');
    chmodSync(standIn, 0o755);
    const renderer = createRenderer({
      limits: { maxPages: 50, maxMegapixels: 40, timeoutMs: 120_000, memoryMb: 512 }, logger: silentLogger, tmpDir: t.tmp,
      officeCommand: standIn, liveDirs: t.live,
    });
    try {
      const doc = { name: 'letter.docx', path: path.join(CORPUS, 'office', 'word_2007.docx'), detected: 'docx', renderer: 'office' as const };
      const rendering = renderer.renderAll({ docs: [doc] }, { resolution: 'fine', paper: 'letter' }, path.join(t.dataDir, 'out.tif'));
      let work: string | undefined;
      for (let i = 0; i < 2400 && !work; i++) {
        work = readdirSync(t.tmp).map((n) => path.join(t.tmp, n)).find((p) => existsSync(path.join(p, 'started')));
        if (!work) await new Promise((r) => setTimeout(r, 25));
      }
      expect(work).toBeDefined();
      t.advance(10 * HOUR);
      const past = (Date.now() - 10 * HOUR) / 1000;
      utimesSync(work!, past, past);
      const report = await t.cleanup.sweep();
      expect(report.removed.render_tmp).toBe(0);
      expect(existsSync(path.join(work!, 'started'))).toBe(true);
      writeFileSync(path.join(work!, 'release'), '');
      const res = await rendering;
      expect(res.docs[0].failure?.reason).toBe('damaged'); // the stand-in made no PDF
      // the renderer removed its own folder and no longer claims it
      expect(existsSync(work!)).toBe(false);
      expect(t.live.size).toBe(0);
    } finally {
      await renderer.close();
      t.db.close();
    }
  });
});

