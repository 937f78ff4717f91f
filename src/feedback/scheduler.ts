// The outbox dispatcher loop shared by feedback and mail: claim due rows with a lease, deliver a few at a time, poll.
import type { DB } from '../store/db.js';
import type { Clock } from '../domain/types.js';
import type { Logger } from '../logger.js';

/** Retry delays after the 1st, 2nd, … failed attempt (docs/feedback.md), before FAXGATE_RETRY_SCALE and jitter. */
export const RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400] as const;

/** Delay before the next attempt after `failures` failed attempts: the schedule, scaled, with ±10 % jitter. */
export function retryDelayMs(failures: number, scale: number, random: () => number = Math.random): number | null {
  if (failures < 1 || failures > RETRY_SCHEDULE_SECONDS.length) return null;
  const base = RETRY_SCHEDULE_SECONDS[failures - 1] * 1000 * scale;
  return Math.round(base * (0.9 + 0.2 * random()));
}

export interface SchedulerDeps {
  db: DB;
  clock: Clock;
  logger: Logger;
  /** the outbox table: it has id, status ('pending' = due when next_attempt_at <= now) and next_attempt_at */
  table: 'feedback_outbox' | 'mail_outbox';
  /** one attempt at one claimed row; on abort (shutdown) it must leave the row for the lease to expire */
  deliver(id: string, signal: AbortSignal): Promise<void>;
  /** how long a claimed row stays invisible to other claims; longer than one attempt can last */
  leaseMs: number;
  pollMs: number;
  concurrency: number;
  /** what the log says this is (`feedback`, `mail`) */
  name: string;
}

export function createOutboxScheduler(deps: SchedulerDeps) {
  const { db, clock, logger, table, leaseMs, pollMs, concurrency, name } = deps;
  const inflight = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let stopping = new AbortController();

  const claimDue = db.transaction((nowIso: string, leaseIso: string, limit: number): string[] => {
    const due = db.prepare(`SELECT id, next_attempt_at FROM ${table} WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`)
      .all(nowIso, limit) as { id: string; next_attempt_at: string }[];
    const claimed: string[] = [];
    for (const r of due) {
      if (claimed.length + inflight.size >= concurrency) break;
      if (inflight.has(r.id)) continue;
      // Compare-and-set claim: a second dispatcher on the same database cannot take the same row.
      const n = db.prepare(`UPDATE ${table} SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at = ?`)
        .run(leaseIso, r.id, r.next_attempt_at).changes;
      if (n) claimed.push(r.id);
    }
    return claimed;
  });

  function tick(): void {
    // Never claim from inside someone's open transaction: its rows may still roll back.
    if (db.inTransaction) return;
    const free = concurrency - inflight.size;
    if (free <= 0) return;
    const now = clock.now();
    // One transaction (one fsync) claims the whole batch.
    const ids = claimDue(now.toISOString(), new Date(now.getTime() + leaseMs).toISOString(), free + inflight.size);
    for (const id of ids) {
      const p = deps.deliver(id, stopping.signal)
        .catch((e: unknown) => logger.error({ err: e, outboxId: id }, `${name} dispatcher error`))
        .finally(() => inflight.delete(id));
      inflight.set(id, p);
    }
  }

  const safeTick = () => {
    try {
      tick();
    } catch (e) {
      logger.error({ err: e }, `${name} dispatcher tick failed`);
    }
  };

  function loop(): void {
    if (!running) return;
    safeTick();
    timer = setTimeout(loop, pollMs);
    timer.unref?.();
  }

  /**
   * Deliver new rows without waiting for the next poll. Deferred with setImmediate because rows are enqueued inside
   * the caller's (synchronous) transaction: by then it has committed or rolled back, so a rolled-back row is never sent.
   */
  let wakePending = false;
  function wakeSoon(): void {
    if (!running || wakePending) return;
    wakePending = true;
    setImmediate(() => {
      wakePending = false;
      if (running) safeTick();
    });
  }

  return {
    wakeSoon,
    /** Start polling; rows left by an earlier process (or a crash) are picked up. */
    start(): void {
      if (running) return;
      running = true;
      stopping = new AbortController();
      loop();
    },
    /** Stop polling and abort attempts in flight (their rows are retried after the lease by the next start). */
    async stop(): Promise<void> {
      running = false;
      if (timer) clearTimeout(timer);
      stopping.abort();
      await Promise.allSettled([...inflight.values()]);
    },
    /** Resolves when no attempt is in flight (tests). */
    async idle(): Promise<void> {
      await Promise.allSettled([...inflight.values()]);
    },
  };
}
