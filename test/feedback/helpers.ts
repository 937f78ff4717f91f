// Shared test fixtures for feedback: a real SQLite data folder, an account, job snapshots and loopback receivers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from '../../src/config.js';
import { type DB } from '../../src/store/db.js';
import { openTestDatabase } from '../helpers/test-db.js';
import { createSqliteJobStore } from '../../src/jobs/store.js';
import { createSqliteAccountStore, type AccountStore } from '../../src/settings/accounts.js';
import { systemClock } from '../../src/domain/types.js';
import type { JobSnapshot } from '../../src/domain/jobs.js';
import { silentLogger } from '../../src/logger.js';
import { createFeedback, type FeedbackDeps } from '../../src/feedback/index.js';
import { tempDir } from '../helpers/tmp.js';
import { feedbackParts } from '../helpers/outboxes.js';

export interface Env {
  dir: string;
  db: DB;
  config: Config;
  accounts: AccountStore;
  make(extra?: Partial<FeedbackDeps>): ReturnType<typeof createFeedback>;
}

export function makeEnv(overrides: Partial<Config> = {}, dir = tempDir('faxgate-fb-')): Env {
  const config = loadConfig({}, { dataDir: dir, feedbackAllowPrivate: true, retryScale: 0.0001, ...overrides });
  const db = openTestDatabase(dir);
  const accounts = createSqliteAccountStore({ db, clock: systemClock });
  const made: ReturnType<typeof createFeedback>[] = [];
  return {
    dir, db, config, accounts,
    make(extra = {}) {
      const fb = createFeedback({ ...feedbackParts(db), accounts, jobs: createSqliteJobStore({ db, clock: systemClock }), clock: systemClock, config, logger: silentLogger, pollMs: 10, timeoutMs: 5000, ...extra });
      made.push(fb);
      return fb;
    },
  };
}

let seq = 0;
export function newAccount(env: Env, settings: Record<string, unknown>) {
  seq += 1;
  const a = env.accounts.create({ name: `Acme ${seq}`, senders: [`user${seq}-${Date.now()}@acme.example`] });
  env.accounts.updateSettings(a.id, settings, 'test');
  return env.accounts.mustGet(a.id);
}

export function job(accountId: string, over: Partial<JobSnapshot> = {}): JobSnapshot {
  seq += 1;
  return {
    id: `job_${seq}_${Math.random().toString(36).slice(2, 8)}`,
    accountId,
    submissionId: 'sub_1',
    source: 'email',
    to: '+15551234567',
    sender: 'alice@acme.example',
    status: 'sent',
    resolution: 'fine',
    paper: 'letter',
    pages: 3,
    pagesSent: 3,
    attempts: 1,
    statusCode: 0,
    reason: '',
    files: [
      { name: 'letter.pdf', size: 1000, declaredType: 'application/pdf', detected: 'pdf', verdict: 'accepted', pages: 3 },
      { name: 'evil & <odd>.exe', size: 10, declaredType: 'application/octet-stream', detected: null, verdict: 'unknown-type', reason: 'not a document we can fax' },
    ],
    submittedAt: '2026-11-28T07:00:00.000Z',
    completedAt: '2026-11-28T07:01:00.000Z',
    ...over,
  };
}

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (r: Received, res: http.ServerResponse, n: number) => void;

/** A real HTTP receiver on 127.0.0.1; counts accepted TCP connections and records every request. */
export async function receiver(handler: Handler = (_r, res) => res.end('ok')) {
  const requests: Received[] = [];
  let connections = 0;
  let h = handler;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      h(r, res, requests.length);
    });
  });
  server.on('connection', () => { connections += 1; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    get connections() { return connections; },
    setHandler(fn: Handler) { h = fn; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Wait (bounded) until a condition holds; the bound only guards against a hang, it asserts nothing about speed. */
export async function until(cond: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
