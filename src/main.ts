// Composition root: the only place that wires real implementations together (database, stores, services).
import { loadConfig, type Config } from './config.js';
import { openStateDatabase, type DB, type PgDB } from './store/db.js';
import { databaseClock } from './store/db-clock.js';
import { createSqliteAccountStore } from './settings/accounts.js';
import type { AccountStore } from './settings/types.js';
import { systemClock, type Clock } from './domain/types.js';
import { createLogger, type Logger } from './logger.js';

/** The PostgreSQL channel on which an instance says it queued work for any instance's workers. */
const WORK_CHANNEL = 'faxgate_work';

export interface Core {
  config: Config;
  db: DB;
  clock: Clock;
  logger: Logger;
  accounts: AccountStore;
}

/** Open the data folder and the stores every command needs. */
export function openCore(overrides: Partial<Config> = {}, env: NodeJS.ProcessEnv = process.env): Core {
  const config = loadConfig(env, overrides);
  const db = openStateDatabase(config, { applicationName: `faxgate ${process.pid}` });
  // Several instances share one PostgreSQL: their leases and due times must be read on one clock, the server's.
  const clock = db.dialect === 'pg' ? databaseClock(db) : systemClock;
  const logger = createLogger(config.logLevel);
  const accounts = createSqliteAccountStore({ db, clock, secretGraceMs: config.feedbackSecretGraceHours * 3_600_000 });
  return { config, db, clock, logger, accounts };
}

/**
 * Received faxes (src/inbound) over this process's stores. `serve` passes its renderer, detector and feedback so they
 * are shared (and should call `inbound.recover()` once at start); the CLI gets its own, and there feedback only
 * enqueues the notification in the outbox, which the server's dispatcher delivers.
 */
export async function openInbound(
  core: Core,
  parts: {
    renderer?: import('./inbound/types.js').InboundRenderer;
    detector?: import('./inbound/types.js').InboundDetector;
    feedback?: import('./inbound/types.js').InboundFeedback;
    /** fax-to-email (src/mail); the CLI gets its own, which only enqueues (the server's dispatcher sends) */
    mail?: import('./mail/index.js').Mail;
    /** the unit of work the server's job store and feedback share; the CLI makes its own */
    unit?: import('./store/unit-of-work.js').UnitOfWork;
  } = {},
): Promise<{ inbound: import('./inbound/service.js').InboundService; close(): Promise<void> }> {
  const { config, db, accounts, clock, logger } = core;
  const { createInbound } = await import('./inbound/service.js');
  const unit = parts.unit ?? (await import('./store/unit-of-work.js')).sqliteUnitOfWork(db);
  const { mkdirSync } = await import('node:fs');
  const path = (await import('node:path')).default;
  let ownRenderer: { close(): Promise<void> } | undefined;
  let ownFeedback: { close(): Promise<void> } | undefined;
  let renderer = parts.renderer;
  if (!renderer) {
    const { createRenderer } = await import('./render/index.js');
    const tmpDir = path.join(config.dataDir, 'tmp');
    mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
    const r = createRenderer({
      limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels, timeoutMs: config.renderTimeoutMs, memoryMb: config.renderMemoryMb },
      logger, tmpDir,
    });
    renderer = r;
    ownRenderer = r;
  }
  let detector = parts.detector;
  if (!detector) {
    const { createDetector } = await import('./attachments/detect.js');
    detector = createDetector({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels, timeoutMs: config.renderTimeoutMs, maxPdfInflatedMb: config.maxPdfInflatedMb } });
  }
  let feedback = parts.feedback;
  if (!feedback) {
    const { createFeedback, createSqliteFeedbackOutbox } = await import('./feedback/index.js');
    const { createSqliteJobStore } = await import('./jobs/store.js');
    const f = createFeedback({ outbox: createSqliteFeedbackOutbox(db), accounts, jobs: createSqliteJobStore({ db, clock, unit }), clock, config, logger, unit });
    feedback = f;
    ownFeedback = f;
  }
  let mail = parts.mail;
  let ownMail: { close(): Promise<void> } | undefined;
  if (!mail) {
    mail = await openMail(core, renderer);
    ownMail = mail;
  }
  // Each received fax is announced to feedback and to fax-to-email in the transaction that records it.
  const fb = feedback;
  const m = mail;
  const announce: import('./inbound/types.js').InboundFeedback = {
    onInboundReceived: (n) => { fb.onInboundReceived(n); m.onInboundReceived(n); },
    forgetInbound: (id) => { fb.forgetInbound?.(id); m.forgetInbound(id); },
  };
  const inbound = createInbound({ db, accounts, renderer, detector, feedback: announce, clock, config, logger, unit });
  mail.setInbound(inbound);
  return {
    inbound,
    async close() {
      await ownRenderer?.close();
      await ownFeedback?.close();
      await ownMail?.close();
    },
  };
}

/** Mail to people (src/mail) over this process's stores, through FAXGATE_SMTP_RELAY when one is configured. */
export async function openMail(core: Core, renderer: { toPdf(tiff: string, pdf: string): Promise<unknown> }, jobs?: import('./mail/index.js').MailJobs): Promise<import('./mail/index.js').Mail> {
  const { config, db, accounts, clock, logger } = core;
  const { createMail, createRelay, createSqliteMailOutbox, parseRelay } = await import('./mail/index.js');
  const { sqliteUnitOfWork } = await import('./store/unit-of-work.js');
  const { firstPagePng } = await import('./render/faxpng.js');
  const spec = config.smtpRelay ? parseRelay(config.smtpRelay) : undefined;
  const relay = spec && !('problem' in spec) ? createRelay(spec, { name: new URL(config.publicUrl).hostname || undefined }) : null;
  const store = jobs ?? (await import('./jobs/store.js')).createSqliteJobStore({ db, clock });
  return createMail({ outbox: createSqliteMailOutbox(db), unit: sqliteUnitOfWork(db), accounts, jobs: store, clock, config, logger, relay, pages: { toPdf: renderer.toPdf, firstPagePng } });
}

/**
 * The running gateway (`faxgate serve`): every long-lived part wired once. To add a part (HTTP app, feedback
 * dispatcher, inbound), build it in the marked section of startGateway() from the parts already there, expose it on
 * this object if others need it, and register its shutdown with `onStop` (closers run in reverse order).
 */
export interface Gateway {
  core: Core;
  registry: import('./attachments/registry.js').TypeRegistry;
  detector: import('./attachments/detect.js').Detector;
  renderer: import('./render/index.js').Renderer;
  jobs: import('./jobs/types.js').JobStore;
  intake: import('./intake/index.js').Intake;
  /** the default fax line */
  line: import('./lines/types.js').FaxLine;
  /** every configured fax line */
  lines: import('./lines/registry.js').LineSet;
  workers: import('./jobs/workers.js').Workers;
  /** crash leftovers: removed at start and swept periodically */
  cleanup: import('./cleanup/index.js').Cleanup;
  /** this gateway's Prometheus registry (GET /metrics) */
  metrics: import('./metrics/index.js').Metrics;
  /** outgoing/inbound feedback: outbox, dispatcher, deliveriesFor / redeliver for the HTTP app */
  feedback: import('./feedback/index.js').Feedback;
  smtp: import('./ingress/smtp/server.js').SmtpIngress;
  /** receipts and fax-to-email: the mail outbox and its dispatcher (off without FAXGATE_SMTP_RELAY) */
  mail: import('./mail/index.js').Mail;
  /** received faxes: pass to the HTTP app as `HttpDeps.inbound` */
  inbound: import('./inbound/service.js').InboundService;
  /** the drop-folder intakes of HylaFAX lines with a receiveDir */
  hylafaxIntakes: import('./lines/hylafax/intakes.js').HylafaxIntakes;
  smtpPort: number;
  /** the web service (HTTP API and pages) and its bound port */
  http: import('./ingress/http/server.js').HttpServer;
  httpPort: number;
  onStop(fn: () => Promise<void> | void): void;
  /** Stop accepting, release in-flight work, close everything; idempotent. */
  stop(): Promise<void>;
}

type GatewayOptions = {
  smtpPort?: number;
  httpPort?: number;
  bindHost?: string;
  /** the line implementations, instead of the real ones (lineFactories): tests of the wiring around a line */
  lineFactories?: import('./lines/index.js').LineFactories;
  /** Telnyx tracking timings (tests shorten them; the poll fallback is judged on the injected clock) */
  lineTimings?: Pick<import('./lines/index.js').LineFactoryDeps, 'telnyxPollAfterMs' | 'telnyxTickMs'>;
};

/** Start the gateway; if any part fails to start, what was already started is stopped again (lock, ports, workers). */
export async function startGateway(core: Core, opts: GatewayOptions = {}): Promise<Gateway> {
  const closers: (() => Promise<void> | void)[] = [];
  try {
    return await buildGateway(core, opts, closers);
  } catch (e) {
    for (const fn of closers.reverse()) await Promise.resolve().then(fn).catch(() => undefined);
    throw e;
  }
}

async function buildGateway(core: Core, opts: GatewayOptions, closers: (() => Promise<void> | void)[]): Promise<Gateway> {
  const { config, db, clock, logger, accounts } = core;
  const path = (await import('node:path')).default;
  const { mkdirSync } = await import('node:fs');
  const { acquireDataLock } = await import('./jobs/lock.js');
  const onStop = (fn: () => Promise<void> | void) => { closers.push(fn); };

  // One server per data folder: the lock lets this process treat every lease it finds as orphaned.
  onStop(acquireDataLock(config.dataDir));
  const tmpDir = path.join(config.dataDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true, mode: 0o700 });

  // Attachments and rendering.
  const { checkAvailability, createRenderer } = await import('./render/index.js');
  const { createTypeRegistry } = await import('./attachments/registry.js');
  const { createDetector } = await import('./attachments/detect.js');
  const registry = createTypeRegistry({ db, clock, availability: await checkAvailability() });
  const detector = createDetector({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels, timeoutMs: config.renderTimeoutMs, maxPdfInflatedMb: config.maxPdfInflatedMb } });
  const liveDirs = new Set<string>();
  // Warm LibreOffice instances (issue 19): started in the background, so start-up does not wait for them; closed
  // after the renderer (closers run in reverse), with every soffice they started.
  const { createOfficeConverter } = await import('./render/office-pool.js');
  const office = await createOfficeConverter({ size: config.officePoolSize, recycleAfter: config.officeRecycleAfter, tmpDir, logger, liveDirs });
  if (office) onStop(() => office.close());
  const renderer = createRenderer({
    limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels, timeoutMs: config.renderTimeoutMs, memoryMb: config.renderMemoryMb },
    logger, tmpDir, liveDirs, office,
  });

  // Jobs, intake, the fax line and the workers. Feedback registers jobs.onTerminal(...) right after the store exists.
  const { createSqliteJobStore } = await import('./jobs/store.js');
  const { createIntake } = await import('./intake/index.js');
  const { createWorkers } = await import('./jobs/workers.js');
  const { buildLines, lineFactories } = await import('./lines/index.js');
  // One unit of work for the job store and feedback: a job's terminal state and its outbox row commit together.
  const unit = (await import('./store/unit-of-work.js')).sqliteUnitOfWork(db);
  const jobs = createSqliteJobStore({ db, clock, unit });
  // Feedback: its outbox row is written inside the job's terminal transaction (before any job can move).
  const { createFeedback, createSqliteFeedbackOutbox } = await import('./feedback/index.js');
  const feedback = createFeedback({ outbox: createSqliteFeedbackOutbox(db), accounts, jobs, clock, config, logger, unit });
  jobs.onTerminal(feedback.onJobTerminal);
  jobs.onProgress(feedback.onJobProgress);
  // Mail: the receipt row is written in the transaction that ends a submission's last job.
  const mail = await openMail(core, renderer, jobs);
  jobs.onTerminal(mail.onJobTerminal);
  if (mail.enabled) logger.info({ relay: mail.describe() }, 'outgoing mail relay');
  else logger.info({ relay: null }, 'no outgoing mail relay (FAXGATE_SMTP_RELAY): email receipts and fax-to-email are off');
  // Alone on its data folder, every lease is a dead worker's; beside other instances (PostgreSQL) only expired ones are.
  const recovered = jobs.recoverLeases({ all: db.dialect !== 'pg' });
  if (recovered) logger.info({ recovered }, 'picked up jobs whose worker died');
  // Crash leftovers (issue #12.5): everything under DATA/tmp and every submission folder nothing needs goes now, before
  // any ingress or worker runs; then a sweep every FAXGATE_CLEANUP_INTERVAL_MS. Both are counted in /metrics.
  const { createMetrics } = await import('./metrics/index.js');
  const metrics = createMetrics({ clock, jobs, feedback, processMetrics: true });
  const { createCleanup } = await import('./cleanup/index.js');
  const cleanup = createCleanup({
    dataDir: config.dataDir, clock, logger, jobs, live: liveDirs, intervalMs: config.cleanupIntervalMs,
    // longer than any upload, SMTP transaction or render in progress can last
    staleMs: Math.max(60 * 60_000, 2 * config.smtpSessionMaxMs, 2 * config.renderTimeoutMs),
    onRemoved: metrics.cleanupRemoved,
  });
  await cleanup.atStart();
  // after the start-up sweep of DATA/tmp, where the instances keep their profiles
  void office?.warm().catch(() => undefined);
  mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  cleanup.start();
  onStop(() => cleanup.stop());
  // The fax lines: the sandbox, and those of FAXGATE_LINES; an account's own line or the default carries its faxes.
  const guarded = (await import('./feedback/index.js')).createGuardedAgent({ allowPrivate: config.feedbackAllowPrivate, connectTimeoutMs: 15_000 });
  onStop(() => guarded.close());
  const lines = buildLines({
    config, factories: opts.lineFactories ?? await lineFactories(config, { clock, logger, db, guarded, tmpDir, ...opts.lineTimings }),
    accountLine: (id) => accounts.get(id)?.line,
  });
  const line = lines.defaultLine;
  logger.info({ lines: lines.lines.map((l) => `${l.name} (${l.kind})`), defaultLine: line.name }, 'fax lines');
  const shared = db.dialect === 'pg' ? (db as PgDB) : undefined;
  const workers = createWorkers({ jobs, renderer, lines, config, clock, logger, recoverExpired: Boolean(shared) });
  // Beside other instances, new work wakes every instance's workers (LISTEN/NOTIFY), not only this one's; the poll is
  // the fallback when a notification is lost.
  shared?.listen(WORK_CHANNEL, () => workers.kick());
  const onQueued = shared ? () => { workers.kick(); shared.notify(WORK_CHANNEL); } : workers.kick;
  // Intake after the workers it wakes (built, not started: nothing reaches intake before the ingress below).
  const intake = createIntake({ db, accounts, registry, detector, jobs, clock, config, logger, onQueued });

  // ---- other parts (HTTP app, feedback dispatcher, inbound) are built here from the parts above ----

  // Received faxes: share the renderer, detector and feedback; each notification is enqueued in the feedback outbox in
  // the transaction that records the fax (the dispatcher delivers it). recover() finishes interrupted deletions.
  const inboundParts = await openInbound(core, { renderer, detector, feedback, mail, unit });
  onStop(() => inboundParts.close());
  const inbound = inboundParts.inbound;
  await inbound.recover();
  // HylaFAX lines with a receiveDir: what the FaxRcvdCmd hook dropped (also while faxgate was down) becomes inbound faxes.
  const { startHylafaxIntakes } = await import('./lines/hylafax/intakes.js');
  const hylafaxIntakes = await startHylafaxIntakes({ lines: config.lines, inbound, defaultCountry: config.defaultCountry, logger, clock });
  onStop(() => hylafaxIntakes.stop());
  // Carrier lines (Telnyx): received faxes come by signed webhook, are fetched and stored by the same inbound service.
  const { attachCarrierInbound, carrierEndpoints } = await import('./lines/index.js');
  onStop(attachCarrierInbound(lines, inbound, config.defaultCountry));

  // The feedback dispatcher delivers outbox rows (including those left by an earlier run); stopped after the workers.
  feedback.start();
  onStop(() => feedback.close());
  mail.start();
  onStop(() => mail.close());

  // Ingress last, once everything it hands work to is ready; stopped first.
  const { createSmtpIngress } = await import('./ingress/smtp/server.js');
  // FAXGATE_DMARC: the real check on Node's DNS resolver (docs/smtp.md).
  const dmarc = config.dmarc
    ? (await import('./ingress/smtp/dmarc.js')).createDmarcCheck({ logger, mta: new URL(config.publicUrl).hostname || undefined })
    : undefined;
  const smtp = createSmtpIngress({ config, accounts, intake, logger, metrics, ...(dmarc ? { dmarc } : {}) });
  const smtpPort = await smtp.listen(opts.smtpPort ?? config.smtpPort, opts.bindHost ?? config.bindHost);
  workers.start();
  onStop(() => renderer.close());
  onStop(() => workers.stop());
  onStop(() => smtp.close());
  // The web service on the same parts; its images come from the job store and the renderer's passthrough PDF.
  const { startWebService } = await import('./web-service.js');
  const { jobImages } = await import('./ingress/http/deps.js');
  // This process's instance id: under serve.lock, an idempotency claim of any other instance died with its process.
  const instanceId = (await import('node:crypto')).randomUUID();
  // Failed sign-ins and bearer tokens are counted here for every route and page (issue #12.8).
  const { createFailureThrottle } = await import('./ingress/http/throttle.js');
  const throttle = createFailureThrottle({ clock });
  // One gate per server: the large-JSON limits hold across every upload route (issue #12.7).
  const jsonBodies = (await import('./ingress/http/json-bodies.js')).createJsonBodies({
    maxConcurrent: config.httpJsonMaxConcurrent, maxPerAccount: config.httpJsonMaxPerAccount, largeBytes: config.httpJsonLargeBytes,
  });
  // GET /readyz: each line's own check(), and each HylaFAX drop folder faxgate receives from.
  const health = (await import('./health/index.js')).createHealth({
    clock, db, dataDir: config.dataDir, logger, lines: () => [...lines.lines, ...hylafaxIntakes.checks()],
    // not a failure: a gateway without a relay works, it only mails nobody; the detail says so
    mail: () => ({ ok: true, detail: mail.describe() }),
  });
  // Cancel, resend and the list (issue 18): a cancel during a call reaches the fax's own line; a resend wakes the sender.
  const { createFaxService } = await import('./jobs/service.js');
  const faxes = createFaxService({
    jobs, lines, accounts, logger, onQueued, checkRecipient: (account, raw) => intake.checkRecipient(account, raw),
  });
  const http = await startWebService(
    { config, db, accounts, clock, logger, registry, intake, jobs, feedback, faxes, inbound, instanceId, throttle, jsonBodies, images: jobImages(jobs, renderer.toPdf), metrics, health, carriers: carrierEndpoints(lines) },
    { port: opts.httpPort ?? config.httpPort, host: opts.bindHost ?? config.bindHost },
  );
  onStop(() => http.close());

  let stopping: Promise<void> | undefined;
  return {
    core, registry, detector, renderer, jobs, intake, line, lines, workers, cleanup, metrics, feedback, mail, smtp, smtpPort, onStop, inbound, hylafaxIntakes,
    http, httpPort: http.port,
    stop() {
      stopping ??= (async () => {
        for (const fn of closers.reverse()) {
          try {
            await fn();
          } catch (e) {
            logger.warn({ err: (e as Error).message }, 'shutdown step failed');
          }
        }
      })();
      return stopping;
    },
  };
}
