// On-demand benchmark for issue #12.7: 16 concurrent 30 MB JSON (base64) requests, before and after the large-JSON
// gate and worker decoding: the server's largest event-loop stall (perf_hooks.monitorEventLoopDelay) and peak RSS.
// Run: npm run build && node dist/bench/json-bodies.js [requests] [bodyMB]
// Each scenario's server runs in a child process of its own (peak RSS is a process's lifetime maximum); this process
// is only the client. Intake is a stub that answers at once, so what is measured is receiving, parsing, decoding and
// writing the files — the work the issue is about — not the screen or rendering.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/store/db.js';
import { createSqliteAccountStore } from '../src/settings/accounts.js';
import { createWebService } from '../src/web-service.js';
import { jobImages, type HttpDeps, type IntakePort } from '../src/ingress/http/deps.js';
import { createTypeRegistry } from '../src/attachments/registry.js';
import { createDetector } from '../src/attachments/detect.js';
import { createFaxService } from '../src/jobs/service.js';
import { createSqliteJobStore } from '../src/jobs/store.js';
import { createFeedback, createSqliteFeedbackOutbox } from '../src/feedback/index.js';
import { sqliteUnitOfWork } from '../src/store/unit-of-work.js';
import { createRenderer } from '../src/render/index.js';
import { createInbound } from '../src/inbound/service.js';
import { createMetrics } from '../src/metrics/index.js';
import { createHealth } from '../src/health/index.js';
import { createJsonBodies } from '../src/ingress/http/json-bodies.js';
import { createFailureThrottle } from '../src/ingress/http/throttle.js';
import { silentLogger } from '../src/logger.js';
import { systemClock } from '../src/domain/types.js';

const REQUESTS = Number(process.argv[2] ?? 16);
const ONLY = process.env.BENCH_SCENARIO;
const BODY_MB = Number(process.argv[3] ?? 30);

interface Scenario {
  name: string;
  /** accounts the requests are spread over (round robin) */
  accounts: number;
  maxConcurrent: number;
  maxPerAccount: number;
  largeBytes: number;
}

const OFF = 1_000_000;
const SCENARIOS: Scenario[] = [
  { name: 'before: no gate, decoded on the event loop', accounts: REQUESTS, maxConcurrent: OFF, maxPerAccount: OFF, largeBytes: 2 ** 31 - 1 },
  { name: 'worker decoding only, no gate', accounts: REQUESTS, maxConcurrent: OFF, maxPerAccount: OFF, largeBytes: 1024 * 1024 },
  { name: `after: gate 4 in all / 2 per account, ${REQUESTS} accounts`, accounts: REQUESTS, maxConcurrent: 4, maxPerAccount: 2, largeBytes: 1024 * 1024 },
  { name: 'after: gate 4 / 2, one account', accounts: 1, maxConcurrent: 4, maxPerAccount: 2, largeBytes: 1024 * 1024 },
];

interface Report { maxStallMs: number; p99StallMs: number; peakRssMb: number; startRssMb: number }
type ToParent = { ready: { port: number; keys: string[] } } | { report: Report };

// ---------------------------------------------------------------- server (child process)

/** The web service's other parts, real and over the bench's database (only the stub intake is exercised). */
function benchDeps(base: Pick<HttpDeps, 'config' | 'db' | 'accounts' | 'intake' | 'logger' | 'clock'>): HttpDeps {
  const { config, db, accounts, clock, logger } = base;
  const registry = createTypeRegistry({ db, clock, availability: { pdf: { available: true }, image: { available: true }, tiff: { available: true }, heif: { available: true }, avif: { available: true }, text: { available: true }, office: { available: true }, html: { available: true } } });
  const jobs = createSqliteJobStore({ db, clock });
  const feedback = createFeedback({ outbox: createSqliteFeedbackOutbox(db), unit: sqliteUnitOfWork(db), accounts, jobs, clock, config, logger });
  const detector = createDetector({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels } });
  const renderer = createRenderer({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels, timeoutMs: config.renderTimeoutMs, memoryMb: config.renderMemoryMb }, logger, tmpDir: config.dataDir });
  return {
    ...base, registry, jobs, feedback, instanceId: randomUUID(),
    faxes: createFaxService({ jobs, lines: { byName: () => undefined }, accounts, logger, checkRecipient: (account, raw) => base.intake.checkRecipient(account, raw) }),
    images: jobImages(jobs, renderer.toPdf),
    inbound: createInbound({ db, accounts, renderer, detector, feedback, clock, config, logger }),
    jsonBodies: createJsonBodies({ maxConcurrent: config.httpJsonMaxConcurrent, maxPerAccount: config.httpJsonMaxPerAccount, largeBytes: config.httpJsonLargeBytes }),
    throttle: createFailureThrottle({ clock }),
    metrics: createMetrics({ clock, jobs, feedback }),
    health: createHealth({ clock, db, dataDir: config.dataDir, logger }),
  };
}

async function serve(s: Scenario): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'faxgate-bench-json-'));
  const config = loadConfig({}, {
    dataDir, maxMessageBytes: 25 * 1024 * 1024,
    httpJsonMaxConcurrent: s.maxConcurrent, httpJsonMaxPerAccount: s.maxPerAccount, httpJsonLargeBytes: s.largeBytes,
  });
  const db = openDatabase(dataDir);
  const accounts = createSqliteAccountStore({ db, clock: systemClock });
  let n = 0;
  const intake: IntakePort = {
    checkRecipient: (_a, raw) => raw,
    screenOnly: async () => ({ outcome: 'accept', files: [] }) as never,
    submit: async (sub) => ({ submissionId: `sub_${++n}`, jobs: [], files: sub.files.map((f) => ({ name: f.name, size: f.size, verdict: 'accepted' }) as never) }),
  };
  const app = createWebService(benchDeps({ config, db, accounts, intake, logger: silentLogger, clock: systemClock }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const keys = Array.from({ length: s.accounts }, (_v, i) => accounts.create({ name: `Bench ${i}`, senders: [`b${i}@bench.example`] }).apiKey);
  // Warm up (schemas compile, first worker start) so the numbers are the steady state, not start-up.
  const warm = JSON.stringify({ to: '+15551234567', files: [{ name: 'w.pdf', data: randomBytes(2 * 2 ** 20).toString('base64') }] });
  await app.inject({ method: 'POST', url: '/v1/faxes', headers: { authorization: `Bearer ${keys[0]}`, 'content-type': 'application/json' }, payload: warm });
  global.gc?.();
  const startRss = process.memoryUsage().rss;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const send = (m: ToParent) => process.send?.(m);
  send({ ready: { port: (app.server.address() as { port: number }).port, keys } });
  process.on('message', (m: string) => {
    if (m !== 'report') return;
    delay.disable();
    send({
      report: {
        maxStallMs: delay.max / 1e6, p99StallMs: delay.percentile(99) / 1e6,
        peakRssMb: process.resourceUsage().maxRSS / 1024, startRssMb: startRss / 2 ** 20,
      },
    });
    void app.close().then(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

// ---------------------------------------------------------------- client (this process)

interface Outcome { status: number | 'reset'; code?: string }

function post(port: number, key: string, body: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: Outcome) => { if (!done) { done = true; resolve(o); } };
    const req = request({
      host: '127.0.0.1', port, method: 'POST', path: '/v1/faxes', agent: false,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': body.length },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let code: string | undefined;
        try { code = (JSON.parse(Buffer.concat(chunks).toString()) as { code?: string }).code; } catch { /* not JSON */ }
        finish({ status: res.statusCode ?? 0, ...(code ? { code } : {}) });
      });
      res.on('error', () => finish({ status: res.statusCode ?? 0 }));
    });
    // A refused request's connection is closed before its body is read: the client may see a reset instead.
    req.on('error', () => finish({ status: 'reset' }));
    req.end(body);
  });
}

async function run(s: Scenario, body: Buffer) {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', JSON.stringify(s)], { execArgv: ['--expose-gc', ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [])], stdio: 'inherit' });
  const next = () => new Promise<ToParent>((resolve) => child.once('message', (m) => resolve(m as ToParent)));
  const ready = await next();
  if (!('ready' in ready)) throw new Error('server did not start');
  const { port, keys } = ready.ready;
  const t0 = performance.now();
  const outcomes = await Promise.all(Array.from({ length: REQUESTS }, (_v, i) => post(port, keys[i % keys.length], body)));
  const seconds = (performance.now() - t0) / 1000;
  const reportP = next();
  child.send('report');
  const rep = await reportP;
  if (!('report' in rep)) throw new Error('no report');
  await new Promise((r) => child.once('exit', r));
  const count = (f: (o: Outcome) => boolean) => outcomes.filter(f).length;
  return {
    scenario: s.name,
    accepted: count((o) => o.status === 202),
    '429': count((o) => o.status === 429),
    '503': count((o) => o.status === 503),
    'reset (refused, body unread)': count((o) => o.status === 'reset'),
    other: outcomes.filter((o) => typeof o.status === 'number' && ![202, 429, 503].includes(o.status)).map((o) => `${o.status} ${o.code ?? ''}`).join(', '),
    'max stall ms': Math.round(rep.report.maxStallMs),
    'p99 stall ms': Math.round(rep.report.p99StallMs),
    'peak RSS MB': Math.round(rep.report.peakRssMb),
    'start RSS MB': Math.round(rep.report.startRssMb),
    'wall s': Number(seconds.toFixed(2)),
  };
}

async function main(): Promise<void> {
  const serveAt = process.argv.indexOf('--serve');
  if (serveAt >= 0) {
    await serve(JSON.parse(process.argv[serveAt + 1]) as Scenario);
    return;
  }
  // Random bytes do not compress and base64 to about 4/3: a body of BODY_MB megabytes, under the 25 MB file limit.
  const raw = randomBytes(Math.floor((BODY_MB * 2 ** 20 * 3) / 4) - 4096);
  const body = Buffer.from(JSON.stringify({ to: '+15551234567', files: [{ name: 'big.pdf', data: raw.toString('base64') }] }));
  console.log(`${REQUESTS} concurrent JSON requests of ${(body.length / 2 ** 20).toFixed(1)} MB each (${(raw.length / 2 ** 20).toFixed(1)} MB file)`);
  const rows = [];
  for (const [i, s] of SCENARIOS.entries()) if (ONLY === undefined || ONLY === String(i)) rows.push(await run(s, body));
  console.table(rows);
}

void main();
