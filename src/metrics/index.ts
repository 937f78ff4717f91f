// Prometheus metrics of one gateway (GET /metrics): a registry per app, job figures read from the store at scrape time.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JOB_STATUSES, type JobStatus } from '../domain/jobs.js';
import type { Clock } from '../domain/types.js';
import { CLEANUP_KINDS, type CleanupKind } from '../cleanup/index.js';
import type { Measure } from '../jobs/types.js';

/** How a feedback delivery attempt ended (src/feedback/deliver.ts). */
const FEEDBACK_OUTCOMES = ['delivered', 'failed', 'blocked', 'gone'] as const;
type FeedbackOutcome = (typeof FEEDBACK_OUTCOMES)[number];

export interface MetricsDeps {
  clock: Clock;
  jobs: {
    statusCounts(): Partial<Record<JobStatus, number>>;
    oldestOpenSince(): Date | undefined;
    /** render and call durations as the store records them */
    onMeasure(fn: (m: Measure) => void): void;
  };
  /** feedback delivery attempts as the dispatcher records them */
  feedback?: { onAttempt(fn: (a: { outcome: FeedbackOutcome; gaveUp: boolean }) => void): void };
  /** also export the Node process's own metrics (memory, event loop lag, open handles); off in tests */
  processMetrics?: boolean;
}

export interface Metrics {
  /** the HTTP port's view: the exposition text and its content type */
  contentType: string;
  render(): Promise<string>;
  /** one crash leftover removed (src/cleanup) */
  cleanupRemoved(kind: CleanupKind, bytes: number): void;
  /** one SMTP reply sent (src/ingress/smtp), by its numeric code */
  smtpReply(code: number): void;
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

  // Seconds: a render takes from well under a second (one text page) to minutes (LibreOffice, 200-page PDFs); a call
  // about a minute per page.
  const renderSeconds = new Histogram({
    name: 'faxgate_render_duration_seconds',
    help: 'Time to render one submission (all its documents, once for all its recipients), whatever the outcome',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const callSeconds = new Histogram({
    name: 'faxgate_send_duration_seconds',
    help: 'Time of one transmission attempt, from dialling to its outcome (sent, busy, no-answer, not-a-fax, line-dropped, line-error, released)',
    labelNames: ['outcome'] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800],
    registers: [registry],
  });
  deps.jobs.onMeasure((m) => {
    if (m.kind === 'render') renderSeconds.observe(m.ms / 1000);
    else callSeconds.observe({ outcome: m.outcome }, m.ms / 1000);
  });

  const feedbackAttempts = new Counter({
    name: 'faxgate_feedback_attempts_total',
    help: 'Feedback delivery attempts by outcome (failed is retried; blocked is the SSRF guard; gone is a 410 reply)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const o of FEEDBACK_OUTCOMES) feedbackAttempts.inc({ outcome: o }, 0);
  const feedbackGivenUp = new Counter({
    name: 'faxgate_feedback_given_up_total',
    help: 'Feedback deliveries abandoned after the last retry failed',
    registers: [registry],
  });
  deps.feedback?.onAttempt((a) => {
    feedbackAttempts.inc({ outcome: a.outcome });
    if (a.gaveUp) feedbackGivenUp.inc();
  });

  const smtpReplies = new Counter({
    name: 'faxgate_smtp_replies_total',
    help: 'SMTP replies sent, by reply code (250 accepted, 4xx try later, 5xx refused; greetings and 221 included)',
    labelNames: ['code'] as const,
    registers: [registry],
  });

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    cleanupRemoved(kind, n) {
      removed.inc({ kind });
      bytes.inc(n);
    },
    smtpReply(code) {
      smtpReplies.inc({ code: String(code) });
    },
    registry,
  };
}
