// Builds the web service on the real parts (SQLite, accounts, type registry, job store, intake, detector) for tests.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../../../src/config.js';
import { type DB } from '../../../src/store/db.js';
import { openTestDatabase } from '../../helpers/test-db.js';
import { createSqliteAccountStore, type AccountStore } from '../../../src/settings/accounts.js';
import { systemClock, type Clock } from '../../../src/domain/types.js';
import { silentLogger, type Logger } from '../../../src/logger.js';
import { createTypeRegistry, type Availability } from '../../../src/attachments/registry.js';
import { createSqliteJobStore } from '../../../src/jobs/store.js';
import { createIntake } from '../../../src/intake/index.js';
import { createDetector } from '../../../src/attachments/detect.js';
import { createFeedback, type Feedback } from '../../../src/feedback/index.js';
import { createRenderer } from '../../../src/render/index.js';
import { createInbound, type InboundService } from '../../../src/inbound/service.js';
import { createMetrics } from '../../../src/metrics/index.js';
import { createHealth } from '../../../src/health/index.js';
import { createJsonBodies } from '../../../src/ingress/http/json-bodies.js';
import { createFailureThrottle } from '../../../src/ingress/http/throttle.js';
import type { HttpDeps } from '../../../src/ingress/http/app.js';
import { createWebService } from '../../../src/web-service.js';
import { jobImages } from '../../../src/ingress/http/deps.js';
import { createFaxService } from '../../../src/jobs/service.js';
import { createSandboxLine } from '../../../src/lines/sandbox.js';
import { createLineSet } from '../../../src/lines/registry.js';
import { CORPUS, tempDir } from '../../helpers/tmp.js';
import { feedbackParts } from '../../helpers/outboxes.js';
import type { JobSnapshot } from '../../../src/domain/jobs.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

/** Renderers present on every test host; office is reported missing so the refusal path is exercised deterministically. */
export const AVAILABILITY: Availability = {
  pdf: { available: true },
  image: { available: true },
  tiff: { available: true },
  heif: { available: true },
  avif: { available: true },
  text: { available: true },
  office: { available: false, reason: 'LibreOffice (soffice) is not installed' },
  html: { available: false, reason: 'the HTML renderer (Chromium) is not installed on this server' },
};

export function corpus(rel: string): string {
  return path.join(CORPUS, rel);
}

export function corpusBytes(rel: string): Buffer {
  return readFileSync(corpus(rel));
}

/** What every test server starts from; httpDeps() builds the rest of the web service's parts over it. */
export interface DepsBase {
  config: Config;
  db: DB;
  accounts: AccountStore;
  clock?: Clock;
  logger?: Logger;
  /** a feedback service of the test's own (else one over db, jobs' terminal states wired to it) */
  feedback?: Feedback;
  /** a received-fax service of the test's own (else one over db with the real renderer and detector) */
  inbound?: InboundService;
}

/**
 * The web service's full set of parts, all real and over the given database, as main.ts wires them (renderer and
 * detector included, for received faxes); `extra` replaces any of them.
 */
export function httpDeps(base: DepsBase, extra: Partial<HttpDeps> = {}) {
  const { config, db, accounts } = base;
  const clock = base.clock ?? systemClock;
  const logger = base.logger ?? silentLogger;
  const registry = createTypeRegistry({ db, clock, availability: AVAILABILITY });
  const jobs = createSqliteJobStore({ db, clock });
  const limits = { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels };
  const detector = createDetector({ limits });
  const intake = createIntake({ db, accounts, registry, detector, jobs, clock, config, logger });
  const feedback = base.feedback ?? createFeedback({ ...feedbackParts(db), accounts, jobs, clock, config, logger, pollMs: 20 });
  jobs.onTerminal(feedback.onJobTerminal);
  if ('onJobProgress' in feedback) jobs.onProgress(feedback.onJobProgress);
  const tmpDir = path.join(config.dataDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  const renderer = createRenderer({ limits: { ...limits, timeoutMs: config.renderTimeoutMs, memoryMb: config.renderMemoryMb }, logger, tmpDir });
  const inbound = base.inbound ?? createInbound({ db, accounts, renderer, detector, feedback, clock, config, logger });
  // libtiff's tiff2pdf makes the same CCITT passthrough PDF as the renderer, without the render worker.
  // The sandbox line a test's own workers may send on (h.line); a cancel during its call hangs it up.
  const line = createSandboxLine({ outboxDir: path.join(config.dataDir, 'outbox'), secondsPerPage: config.sandboxSecondsPerPage });
  const faxes = createFaxService({ jobs, lines: createLineSet({ lines: [line] }), accounts, logger, checkRecipient: (account, raw) => intake.checkRecipient(account, raw) });
  const images = jobImages(jobs, async (tiff, pdf) => execFileSync('tiff2pdf', ['-o', pdf, tiff], { stdio: 'ignore', timeout: 60_000 }));
  const deps: HttpDeps = {
    config, db, accounts, clock, logger, registry, intake, jobs, feedback, faxes, images, inbound,
    instanceId: randomUUID(),
    jsonBodies: createJsonBodies({
      maxConcurrent: config.httpJsonMaxConcurrent, maxPerAccount: config.httpJsonMaxPerAccount, largeBytes: config.httpJsonLargeBytes,
    }),
    throttle: createFailureThrottle({ clock }),
    metrics: createMetrics({ clock, jobs, feedback }),
    health: createHealth({ clock, db, dataDir: config.dataDir, logger }),
    ...extra,
  };
  return { deps, registry, jobs, intake, detector, feedback, renderer, inbound, line };
}

/** `overrides.dataDir` opens an existing data folder (a second server on the same SQLite file, as after a restart). */
export function makeHarness(overrides: Partial<Config> = {}, extra: Partial<HttpDeps> = {}) {
  const dataDir = overrides.dataDir ?? tempDir('faxgate-http-');
  // Feedback goes to loopback receivers in tests, so private destinations are allowed here.
  const config = loadConfig({}, { dataDir, adminToken: ADMIN_TOKEN, feedbackAllowPrivate: true, ...overrides });
  const db = openTestDatabase(dataDir);
  const accounts = createSqliteAccountStore({ db, clock: systemClock });
  // A test's own clock (extra.clock) reaches the job store and intake too, not only the routes.
  const { deps, registry, jobs, intake, detector, feedback, line } = httpDeps({ config, db, accounts, ...(extra.clock ? { clock: extra.clock } : {}) }, extra);
  const app = createWebService(deps);
  let n = 0;
  const account = (opts: { kind?: 'standard' | 'developer'; designated?: string } = {}) => {
    n += 1;
    return accounts.create({ name: `Account ${n}`, senders: [`user${n}-${Math.random().toString(36).slice(2, 8)}@example.com`], ...opts });
  };
  return { dataDir, config, db, accounts, registry, jobs, intake, detector, feedback, deps, app, account, line };
}

export type Harness = ReturnType<typeof makeHarness>;

export const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/** A multipart/form-data body built by hand (fields, then files) for inject(). */
export function multipart(fields: [string, string][], files: { field?: string; name: string; type?: string; data: Buffer }[]) {
  const boundary = `----faxgate${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of fields) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field ?? 'file'}"; filename="${f.name}"\r\n`
      + `Content-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`));
    chunks.push(f.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** The real renderer over the harness's data folder, with the limits the end-to-end tests send under. */
export function harnessRenderer(h: Pick<Harness, 'dataDir' | 'deps'>) {
  const tmpDir = path.join(h.dataDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  return createRenderer({ limits: { maxPages: 200, maxMegapixels: 40, timeoutMs: 60_000, memoryMb: 512 }, logger: h.deps.logger, tmpDir });
}

/** Polls a job until `ok` (a bounded wait on the job's own state, not on time). */
export async function untilJob(h: Pick<Harness, 'jobs'>, id: string, ok: (j: JobSnapshot) => boolean, what: string): Promise<JobSnapshot> {
  for (let i = 0; i < 2000; i++) {
    const j = h.jobs.getById(id)!;
    if (ok(j)) return j;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${id} never became ${what}: ${h.jobs.getById(id)?.status}`);
}
