// Crash leftovers: a killed server leaves render work folders (customer page images), upload spools and submission
// folders no row owns. Removed at start (this process holds serve.lock) and by a periodic sweep, and counted.
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../domain/types.js';
import type { Logger } from '../logger.js';

/** What a removed entry was: a render work folder, an upload or SMTP spool, a submission folder, a stray part file. */
export type CleanupKind = 'render_tmp' | 'upload_tmp' | 'submission' | 'submission_tmp';
export const CLEANUP_KINDS: readonly CleanupKind[] = ['render_tmp', 'upload_tmp', 'submission', 'submission_tmp'];

/**
 * What a submission folder is to the job store: `none` no row (a crash between the file moves and the commit),
 * `active` a job still needs its files, `image` every job is final but its rendered fax is still served
 * (GET /v1/faxes/{id}/image), `unneeded` every job is final and there is no image (refused or failed before one).
 */
export type SubmissionUse = 'none' | 'active' | 'image' | 'unneeded';

export interface CleanupReport {
  removed: Record<CleanupKind, number>;
  bytes: number;
}

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface CleanupDeps {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  jobs: { submissionUse(id: string): SubmissionUse };
  /**
   * Render work folders in use right now by this process: never removed by the sweep, however long the render has
   * been going (the renderer adds and deletes its own entries).
   */
  live: ReadonlySet<string>;
  /** how often the sweep runs */
  intervalMs: number;
  /**
   * Anything else is a leftover only past this age: an upload or SMTP spool of a request in progress, a submission
   * folder being stored (it has no row until its commit), a render of a `faxgate` command beside the server.
   */
  staleMs: number;
  /** called for each removed entry (metrics) */
  onRemoved?: (kind: CleanupKind, bytes: number) => void;
  timers?: Timers;
}

const realTimers: Timers = {
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref();
    return t;
  },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

const SUBMISSION_RE = /^sub_[0-9a-f]+$/;
/** Half-written files: a PDF being derived beside fax.tif (`fax.pdf.<pid>.<ms>.tmp`), a cross-device move (`.part`). */
const PART_RE = /\.(tmp|part)$/;

/** Bytes under `p` (files as stored, links not followed); 0 when it is gone. */
async function sizeOf(p: string): Promise<number> {
  const st = await lstat(p).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  const names = await readdir(p).catch(() => [] as string[]);
  let sum = 0;
  for (const n of names) sum += await sizeOf(path.join(p, n));
  return sum;
}

export function createCleanup(deps: CleanupDeps) {
  const { dataDir, clock, logger, jobs, live } = deps;
  const tmpDir = path.join(dataDir, 'tmp');
  const smtpSpool = path.join(tmpDir, 'smtp');
  const submissionsDir = path.join(dataDir, 'submissions');
  const timers = deps.timers ?? realTimers;
  let handle: unknown;
  let running: Promise<CleanupReport> | undefined;

  const emptyReport = (): CleanupReport => ({ removed: { render_tmp: 0, upload_tmp: 0, submission: 0, submission_tmp: 0 }, bytes: 0 });

  async function remove(p: string, kind: CleanupKind, report: CleanupReport): Promise<void> {
    const bytes = await sizeOf(p);
    try {
      await rm(p, { recursive: true, force: true });
    } catch (e) {
      logger.warn({ err: (e as Error).message, kind }, 'cleanup: could not remove a leftover');
      return;
    }
    report.removed[kind]++;
    report.bytes += bytes;
    deps.onRemoved?.(kind, bytes);
  }

  const list = (dir: string) => readdir(dir).catch(() => [] as string[]);
  const tmpKind = (name: string): CleanupKind => (name.startsWith('render-') ? 'render_tmp' : 'upload_tmp');
  const stale = async (p: string) => {
    const st = await lstat(p).catch(() => undefined);
    return st !== undefined && clock.now().getTime() - st.mtimeMs > deps.staleMs;
  };

  function done(report: CleanupReport, when: string): CleanupReport {
    const n = Object.values(report.removed).reduce((a, b) => a + b, 0);
    if (n) logger.info({ ...report.removed, bytes: report.bytes }, `cleanup: removed crash leftovers (${when})`);
    return report;
  }

  /**
   * At start, before any ingress or worker runs: nothing under DATA/tmp can be in use (one server per data folder,
   * serve.lock), nor can a submission folder without a row be one still being stored.
   */
  async function atStart(): Promise<CleanupReport> {
    const report = emptyReport();
    for (const name of await list(tmpDir)) await remove(path.join(tmpDir, name), tmpKind(name), report);
    for (const name of await list(submissionsDir)) {
      if (!SUBMISSION_RE.test(name)) continue;
      const dir = path.join(submissionsDir, name);
      const use = jobs.submissionUse(name);
      if (use === 'none' || use === 'unneeded') {
        await remove(dir, 'submission', report);
        continue;
      }
      // kept (its files or its image are needed): only what an interrupted write left beside them goes
      for (const f of await list(dir)) if (PART_RE.test(f)) await remove(path.join(dir, f), 'submission_tmp', report);
    }
    return done(report, 'start');
  }

  /** While running: leftovers nobody here owns, past the age bound. */
  async function sweep(): Promise<CleanupReport> {
    const report = emptyReport();
    const candidates: [string, CleanupKind][] = [];
    for (const name of await list(tmpDir)) {
      const p = path.join(tmpDir, name);
      if (p === smtpSpool) for (const s of await list(p)) candidates.push([path.join(p, s), 'upload_tmp']);
      else candidates.push([p, tmpKind(name)]);
    }
    for (const [p, kind] of candidates) if (!live.has(p) && (await stale(p))) await remove(p, kind, report);
    for (const name of await list(submissionsDir)) {
      if (!SUBMISSION_RE.test(name)) continue;
      const dir = path.join(submissionsDir, name);
      if (live.has(dir)) continue;
      const use = jobs.submissionUse(name);
      if ((use === 'none' || use === 'unneeded') && (await stale(dir))) await remove(dir, 'submission', report);
    }
    return done(report, 'sweep');
  }

  /** One sweep at a time: a tick while one runs joins it. */
  function tick(): Promise<CleanupReport> {
    running ??= sweep()
      .catch((e: unknown) => {
        logger.warn({ err: (e as Error).message }, 'cleanup: sweep failed');
        return emptyReport();
      })
      .finally(() => { running = undefined; });
    return running;
  }

  return {
    atStart,
    sweep: tick,
    start(): void {
      handle ??= timers.setInterval(() => void tick(), deps.intervalMs);
    },
    async stop(): Promise<void> {
      if (handle !== undefined) timers.clearInterval(handle);
      handle = undefined;
      await running;
    },
  };
}

export type Cleanup = ReturnType<typeof createCleanup>;
