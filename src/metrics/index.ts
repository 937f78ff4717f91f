// Prometheus metrics of one gateway (GET /metrics): a registry per app, job figures read from the store at scrape time.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { JOB_STATUSES, type JobStatus } from '../domain/jobs.js';
import type { Clock } from '../domain/types.js';
import { CLEANUP_KINDS, type CleanupKind } from '../cleanup/index.js';

export interface MetricsDeps {
  clock: Clock;
  jobs: {
    statusCounts(): Partial<Record<JobStatus, number>>;
    oldestOpenSince(): Date | undefined;
  };
  /** also export the Node process's own metrics (memory, event loop lag, open handles); off in tests */
  processMetrics?: boolean;
}

export interface Metrics {
  /** the HTTP port's view: the exposition text and its content type */
  contentType: string;
  render(): Promise<string>;
  /** one crash leftover removed (src/cleanup) */
  cleanupRemoved(kind: CleanupKind, bytes: number): void;
  readonly registry: Registry;
}

export function createMetrics(deps: MetricsDeps): Metrics {
  // Never the global default registry: two gateways in one process (tests) each count their own.
  const registry = new Registry();
  if (deps.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'faxgate_' });

  const removed = new Counter({
    name: 'faxgate_cleanup_removed_total',
    help: 'Crash leftovers removed (render work folders, upload spools, submission folders, part files)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  for (const k of CLEANUP_KINDS) removed.inc({ kind: k }, 0);
  const bytes = new Counter({
    name: 'faxgate_cleanup_bytes_total',
    help: 'Bytes of the crash leftovers removed',
    registers: [registry],
  });

  new Gauge({
    name: 'faxgate_jobs',
    help: 'Fax jobs by status, as the job store holds them now',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      const counts = deps.jobs.statusCounts();
      for (const s of JOB_STATUSES) this.set({ status: s }, counts[s] ?? 0);
    },
  });
  new Gauge({
    name: 'faxgate_queue_oldest_age_seconds',
    help: 'Age of the oldest job that is not final (received, rendering, queued, sending, retrying); 0 when none waits',
    registers: [registry],
    collect() {
      const since = deps.jobs.oldestOpenSince();
      this.set(since ? Math.max(0, (deps.clock.now().getTime() - since.getTime()) / 1000) : 0);
    },
  });

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    cleanupRemoved(kind, n) {
      removed.inc({ kind });
      bytes.inc(n);
    },
    registry,
  };
}
