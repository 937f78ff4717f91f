// Readiness of one gateway (GET /readyz): the database, the data folder, Ghostscript and each fax line, checked on demand.
import { randomBytes } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../domain/types.js';
import type { Logger } from '../logger.js';
import { runQuick } from '../render/availability.js';

/** What readiness needs of a fax line; the FaxLine interface gains its own check() later and fits this shape. */
export interface LineCheck {
  readonly name: string;
  check(): Promise<{ ok: boolean; detail: string }>;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** for an admin: what was found, never a host path, credential or account data */
  detail: string;
}

export interface Readiness {
  ok: boolean;
  checks: CheckResult[];
}

export interface HealthDeps {
  clock: Clock;
  db: { prepare(sql: string): { get(): unknown } };
  /** the data folder: a small probe file is created, fsynced and removed in it */
  dataDir: string;
  /** the fax lines, read at each check (lines may be added after start) */
  lines?: () => readonly LineCheck[];
  /** the outgoing mail relay as configured (never its credentials); absent: not shown */
  mail?: () => { ok: boolean; detail: string };
  /** runs the PDF renderer's version command; default `gs --version` */
  ghostscript?: () => Promise<string>;
  /** how long a Ghostscript answer (either way) is reused, so a probe storm spawns one process per period (30 s) */
  rendererTtlMs?: number;
  /** a check that has not answered by then counts as failed (5 s) */
  timeoutMs?: number;
  logger?: Logger;
}

export interface Health {
  readiness(): Promise<Readiness>;
}

const errCode = (e: unknown): string => {
  const c = (e as { code?: unknown } | undefined)?.code;
  return typeof c === 'string' && /^[A-Z0-9_]{2,40}$/.test(c) ? c : 'error';
};

export function createHealth(deps: HealthDeps): Health {
  const ttl = deps.rendererTtlMs ?? 30_000;
  const timeoutMs = deps.timeoutMs ?? 5_000;
  const ghostscript = deps.ghostscript ?? (() => runQuick('gs', ['--version'], timeoutMs));
  // A check still running is joined, not started again: a storm of probes never piles up disk writes or processes.
  const inflight = new Map<string, Promise<CheckResult>>();

  function bounded(name: string, run: () => Promise<Omit<CheckResult, 'name'>>): Promise<CheckResult> {
    const running = inflight.get(name);
    if (running) return running;
    let timer: NodeJS.Timeout | undefined;
    const p = Promise.race([
      run().then((r) => ({ name, ...r }), (e: unknown) => {
        deps.logger?.warn({ check: name, err: (e as Error)?.message }, 'readiness check failed');
        return { name, ok: false, detail: `the check failed (${errCode(e)})` };
      }),
      new Promise<CheckResult>((resolve) => {
        timer = setTimeout(() => resolve({ name, ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
        timer.unref();
      }),
    ]).finally(() => {
      clearTimeout(timer);
      inflight.delete(name);
    });
    inflight.set(name, p);
    return p;
  }

  const database = async () => {
    try {
      deps.db.prepare('SELECT 1').get();
      return { ok: true, detail: 'answers queries' };
    } catch (e) {
      deps.logger?.warn({ err: (e as Error).message }, 'readiness: the database did not answer');
      return { ok: false, detail: `does not answer a query (${errCode(e)})` };
    }
  };

  const dataFolder = async () => {
    // The errno code tells an admin what is wrong (EROFS, ENOSPC, ENOTDIR) without naming the folder.
    const probe = path.join(deps.dataDir, `.readyz-${randomBytes(6).toString('hex')}`);
    let created = false;
    try {
      const fh = await open(probe, 'wx', 0o600);
      created = true;
      try {
        await fh.writeFile('ready\n');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await unlink(probe);
      created = false;
      return { ok: true, detail: 'writable' };
    } catch (e) {
      if (created) await unlink(probe).catch(() => undefined);
      return { ok: false, detail: `not writable (${errCode(e)})` };
    }
  };

  let gsCached: { at: number; result: Omit<CheckResult, 'name'> } | undefined;
  const renderer = async () => {
    const now = deps.clock.now().getTime();
    if (gsCached && now - gsCached.at < ttl && now >= gsCached.at) return gsCached.result;
    let result: Omit<CheckResult, 'name'>;
    try {
      // The version itself is not shown: it only helps someone looking for a vulnerable build.
      const out = await ghostscript();
      result = /^\d+\.\d+/.test(out.trim()) ? { ok: true, detail: 'Ghostscript runs' } : { ok: false, detail: 'Ghostscript gave an unexpected answer' };
    } catch {
      result = { ok: false, detail: 'Ghostscript does not run (not installed or broken)' };
    }
    gsCached = { at: deps.clock.now().getTime(), result };
    return result;
  };

  return {
    async readiness(): Promise<Readiness> {
      const lines = deps.lines?.() ?? [];
      const checks = await Promise.all([
        bounded('database', database),
        bounded('data-folder', dataFolder),
        bounded('renderer', renderer),
        ...(deps.mail ? [bounded('mail-relay', async () => deps.mail!())] : []),
        ...lines.map((l) => bounded(`line:${l.name}`, async () => {
          const r = await l.check();
          return { ok: r.ok === true, detail: String(r.detail ?? '').slice(0, 200) };
        })),
      ]);
      return { ok: checks.every((c) => c.ok), checks };
    },
  };
}
