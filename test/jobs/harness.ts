// Intake and workers on a real data folder (SQLite, detector, registry, renderer, sandbox line) with a settable clock.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openTestDatabase } from '../helpers/test-db.js';
import { openDatabase, type SqliteDB } from '../../src/store/db.js';
import { createSqliteAccountStore } from '../../src/settings/accounts.js';
import { createTypeRegistry } from '../../src/attachments/registry.js';
import { createDetector } from '../../src/attachments/detect.js';
import { checkAvailability } from '../../src/render/availability.js';
import { createRenderer } from '../../src/render/index.js';
import { createSqliteJobStore } from '../../src/jobs/store.js';
import { createWorkers, type RendererView, type WorkerDeps } from '../../src/jobs/workers.js';
import { createFeedback } from '../../src/feedback/index.js';
import { createIntake, type SubmissionFile } from '../../src/intake/index.js';
import { createSandboxLine } from '../../src/lines/sandbox.js';
import type { FaxLine } from '../../src/lines/types.js';
import type { JobSnapshot } from '../../src/domain/jobs.js';
import type { Clock } from '../../src/domain/types.js';
import { loadConfig, type Config } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { feedbackParts } from '../helpers/outboxes.js';

export async function startJobsHarness(overrides: Partial<Config> = {}) {
  const dataDir = tempDir('faxgate-jobs-');
  const config = loadConfig({}, { dataDir, sandboxSecondsPerPage: 0, logLevel: 'silent', ...overrides });
  let now = new Date('2026-03-02T09:00:00Z');
  const clock: Clock = { now: () => now };
  const db = openTestDatabase(dataDir);
  const accounts = createSqliteAccountStore({ db, clock });
  const registry = createTypeRegistry({ db, clock, availability: await checkAvailability() });
  const detector = createDetector({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels } });
  const jobs = createSqliteJobStore({ db, clock });
  const intake = createIntake({ db, accounts, registry, detector, jobs, clock, config, logger: silentLogger });
  const tmpDir = path.join(dataDir, 'tmp');
  const uploads = path.join(tmpDir, 'uploads');
  mkdirSync(uploads, { recursive: true });
  const renderer = createRenderer({
    limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels, timeoutMs: config.renderTimeoutMs, memoryMb: config.renderMemoryMb },
    logger: silentLogger, tmpDir,
  });
  const sandbox = createSandboxLine({ outboxDir: path.join(dataDir, 'outbox'), secondsPerPage: 0 });

  // Terminal states arrive through the store's own hook, so tests wait on events, not on timers.
  const waiting = new Map<string, (j: JobSnapshot) => void>();
  jobs.onTerminal((j) => waiting.get(j.id)?.(j));
  let n = 0;

  /** Workers on this data folder; nothing renders or sends before start(). */
  type WorkerOpts = { line?: FaxLine; lines?: WorkerDeps['lines']; renderer?: RendererView; jobs?: WorkerDeps['jobs'] } & Pick<WorkerDeps, 'renderConcurrency' | 'sendConcurrency' | 'pollMs'>;
  const workersWith = (opts: WorkerOpts = {}) =>
    createWorkers({
      jobs: opts.jobs ?? jobs, renderer: opts.renderer ?? renderer, line: opts.line ?? sandbox, lines: opts.lines, config, clock, logger: silentLogger,
      renderConcurrency: opts.renderConcurrency ?? 1, sendConcurrency: opts.sendConcurrency ?? 1, pollMs: opts.pollMs ?? 20,
    });

  return {
    dataDir, config, db, clock, accounts, jobs, intake, renderer, sandbox, workersWith,
    /**
     * What a SIGKILL leaves behind: a new data folder holding the database exactly as committed right now, opened as
     * the next start would (its own connection, job store and feedback outbox wired to the terminal hook). The
     * workers of this harness may go on running against the old folder; the restarted one never sees them.
     */
    restartFromImage() {
      // A copy of the committed state is a SQLite file; the PostgreSQL run covers restarts in its two-instance test.
      if (db.dialect !== 'sqlite') throw new Error('restartFromImage copies a SQLite file');
      const dir = tempDir('faxgate-restart-');
      writeFileSync(path.join(dir, 'faxgate.sqlite'), (db as SqliteDB).raw.serialize());
      const db2 = openDatabase(dir);
      const accounts2 = createSqliteAccountStore({ db: db2, clock });
      const jobs2 = createSqliteJobStore({ db: db2, clock });
      const feedback = createFeedback({ ...feedbackParts(db2), accounts: accounts2, jobs: jobs2, clock, config, logger: silentLogger });
      const terminal: JobSnapshot[] = [];
      jobs2.onTerminal(feedback.onJobTerminal);
      jobs2.onTerminal((j) => terminal.push(j));
      const feedbackRows = (jobId: string) => (db2.prepare('SELECT COUNT(*) AS n FROM feedback_outbox WHERE subject_id = ?').get(jobId) as { n: number }).n;
      return {
        db: db2, jobs: jobs2, terminal, feedbackRows,
        workersWith: (opts: Omit<WorkerOpts, 'jobs'> = {}) => workersWith({ ...opts, jobs: jobs2 }),
        close: () => db2.close(),
      };
    },
    advance(ms: number) { now = new Date(now.getTime() + ms); },
    /** A file in the upload folder, as an ingress hands it to intake. */
    upload(name: string, content: Buffer): SubmissionFile {
      const p = path.join(uploads, `u${++n}`);
      writeFileSync(p, content);
      return { name, path: p, size: content.length };
    },
    /**
     * Start workers now (nothing renders or sends before this), wait until every job is terminal, stop them.
     * `line` replaces the sandbox line, e.g. with one that throws.
     */
    async runUntilDone(ids: string[], line: FaxLine = sandbox): Promise<JobSnapshot[]> {
      const done = Promise.all(ids.map((id) => new Promise<JobSnapshot>((resolve) => waiting.set(id, resolve))));
      const workers = workersWith({ line, pollMs: 500 });
      workers.start();
      try {
        await done;
      } finally {
        await workers.stop();
        for (const id of ids) waiting.delete(id);
      }
      return ids.map((id) => jobs.getById(id)!);
    },
    async close() {
      await renderer.close();
      db.close();
    },
  };
}

export type JobsHarness = Awaited<ReturnType<typeof startJobsHarness>>;
