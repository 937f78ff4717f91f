// The outbox dispatcher loop shared by feedback and mail: claim due rows with a lease, deliver a few at a time, poll.
import type { OutboxClaims } from '../store/outbox.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
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
  /** the outbox's store: it claims due rows with a lease */
  claims: OutboxClaims;
  /** the unit of work rows are enqueued in: the loop never claims while one is open (its rows may still roll back) */
  unit: Pick<UnitOfWork, 'active'>;
  clock: Clock;
  logger: Logger;
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
  const { claims, unit, clock, logger, leaseMs, pollMs, concurrency, name } = deps;
  const inflight = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let stopping = new AbortController();

  function tick(): void {
    // Never claim from inside someone's open transaction: its rows may still roll back.
    if (unit.active()) return;
    const free = concurrency - inflight.size;
    if (free <= 0) return;
    const now = clock.now();
    // Rows already in hand are due again only after their lease; they are skipped, not counted as claimed.
    const ids = claims.claimDue(now.toISOString(), new Date(now.getTime() + leaseMs).toISOString(), free, (id) => inflight.has(id));
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
