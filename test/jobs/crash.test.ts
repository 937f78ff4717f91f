// Crash test: the built server (node cli.js serve) is SIGKILLed while clients are sending; after a restart every
// message that got 250 has exactly one job, ending once: sent, or "maybe sent" when the kill cut its call off.
// None is lost, doubled or transmitted twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { openDatabase } from '../../src/store/db.js';
import { createSqliteAccountStore } from '../../src/settings/accounts.js';
import { systemClock } from '../../src/domain/types.js';
import { STATUS_CODES } from '../../src/domain/jobs.js';
import { makePdf } from '../ingress/smtp/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = path.resolve(__dirname, '../..');
const BUILD = path.join(ROOT, 'test-output', 'crash-build');
const CLI = path.join(BUILD, 'src', 'cli.js');
const SENDER = 'front@clinic.example';
const MESSAGES = 24;

let dataDir: string;
let port: number;
let child: ChildProcess | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

/** Start `node cli.js serve` and resolve once it listens (stdout so far in `startOutput`). */
let startOutput = '';
function startServer(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [CLI, 'serve'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH, HOME: process.env.HOME, FAXGATE_DATA_DIR: dataDir, FAXGATE_SMTP_PORT: String(port), FAXGATE_BIND: '127.0.0.1',
        FAXGATE_HTTP_PORT: '0', FAXGATE_SANDBOX_SECONDS_PER_PAGE: '0.05', FAXGATE_LOG_LEVEL: 'warn', FAXGATE_WORKERS: '2',
        // The retry burst below opens up to 18 connections at once from one address, past the default of 10 per
        // address (which a real MTA meets with 421 and a later retry).
        FAXGATE_SMTP_MAX_PER_ADDRESS: String(MESSAGES),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out} ${err}`)), 60_000);
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/SMTP on /.test(out)) {
        startOutput = out;
        clearTimeout(timer);
        resolve(c);
      }
    });
    c.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    c.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${out} ${err}`)); });
  });
}

function cli(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, FAXGATE_DATA_DIR: dataDir } },
      (e, out) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out }));
  });
}

function sendOne(i: number, pdf: Buffer): Promise<{ i: number; ids: string[] } | { i: number; error: string }> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 10_000, socketTimeout: 20_000 });
  return t.sendMail({
    from: SENDER, to: `+1555400${String(i).padStart(4, '0')}@fax.localhost`, subject: `msg ${i}`, text: `message ${i}`,
    messageId: `<crash-${i}@clinic.example>`, attachments: [{ filename: 'doc.pdf', content: pdf }],
  }).then((info) => ({ i, ids: info.response.match(/job_[0-9a-f]+/g) ?? [] }), (e: Error) => ({ i, error: e.message }));
}

async function waitFor<T>(fn: () => T | undefined, what: string, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  // Build the real CLI into a private folder inside the repo (so node_modules resolve); type errors elsewhere still emit.
  await new Promise<void>((resolve) => {
    execFile('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', BUILD], { cwd: ROOT }, () => resolve());
  });
  if (!existsSync(CLI)) throw new Error('build failed: no cli.js');
  dataDir = tempDir('faxgate-crash-');
  const db = openDatabase(dataDir);
  createSqliteAccountStore({ db, clock: systemClock }).create({ name: 'Clinic', senders: [SENDER] });
  db.close();
  port = await freePort();
}, 240_000);

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('crash safety', () => {
  it('every 250 survives a SIGKILL exactly once; a restart finishes the work; SIGTERM stops cleanly', async () => {
    const pdf = await makePdf(1);
    child = await startServer();
    const first = child;
    const results: Awaited<ReturnType<typeof sendOne>>[] = [];
    let accepted = 0;
    // Four concurrent senders; kill the server once a handful have been answered.
    const killed = new Promise<void>((resolve) => {
      const queue = Array.from({ length: MESSAGES }, (_, i) => i);
      const worker = async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          const r = await sendOne(i, pdf);
          results.push(r);
          if ('ids' in r && ++accepted === 6) {
            first.kill('SIGKILL');
            resolve();
          }
        }
      };
      void Promise.all([worker(), worker(), worker(), worker()]).then(() => resolve());
    });
    await killed;
    await new Promise((r) => first.once('exit', r));
    // Let the in-flight clients notice the dead server.
    await waitFor(() => (results.length === MESSAGES ? true : undefined), 'clients to finish', 60_000).catch(() => undefined);
    const got250 = results.filter((r): r is { i: number; ids: string[] } => 'ids' in r);
    expect(got250.length).toBeGreaterThanOrEqual(6);

    child = await startServer();
    // Clients retry what was not answered 250 (as a real MTA would); a committed-but-unanswered one is a duplicate.
    const retried = await Promise.all(Array.from({ length: MESSAGES }, (_, i) => i)
      .filter((i) => !got250.some((r) => r.i === i)).map((i) => sendOne(i, pdf)));
    expect(retried.every((r) => 'ids' in r)).toBe(true);

    const db = new Database(path.join(dataDir, 'faxgate.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
      for (const r of got250) {
        const key = `${SENDER}|<crash-${r.i}@clinic.example>`;
        expect(count('SELECT COUNT(*) AS n FROM submissions WHERE dedup_key = ?', key)).toBe(1);
        expect(count('SELECT COUNT(*) AS n FROM jobs j JOIN submissions s ON s.id = j.submission_id WHERE s.dedup_key = ?', key)).toBe(1);
        expect(count('SELECT COUNT(*) AS n FROM jobs WHERE id = ?', r.ids[0])).toBe(1);
      }
      expect(count('SELECT COUNT(*) AS n FROM jobs')).toBe(MESSAGES);
      // Every job ends: sent, or — when the kill cut its call off — failed "maybe sent" and never dialled again.
      const maybeSent = `status = 'failed' AND status_code = ${STATUS_CODES['maybe-sent']}`;
      await waitFor(() => (count(`SELECT COUNT(*) AS n FROM jobs WHERE status = 'sent' OR (${maybeSent})`) === MESSAGES ? true : undefined), 'every job to end');
      const sent = (db.prepare("SELECT id FROM jobs WHERE status = 'sent'").all() as { id: string }[]).map((x) => x.id);
      const cutOff = (db.prepare(`SELECT id FROM jobs WHERE ${maybeSent}`).all() as { id: string }[]).map((x) => x.id);
      expect(sent.length + cutOff.length).toBe(MESSAGES);
      // Never sent twice: one `sent` transition per sent job and none for the others; one terminal state per job.
      expect(count("SELECT COUNT(*) AS n FROM job_events WHERE to_status = 'sent'")).toBe(sent.length);
      for (const id of [...sent, ...cutOff]) {
        expect(count("SELECT COUNT(*) AS n FROM job_events WHERE job_id = ? AND to_status IN ('sent','failed','rejected')", id)).toBe(1);
      }
      for (const id of sent) expect(existsSync(path.join(dataDir, 'outbox', `${id}.tif`))).toBe(true);
      // A cut-off call was dialled once and its attempt closed "maybe sent" at the restart: no dial after it.
      for (const id of cutOff) {
        const last = db.prepare('SELECT outcome, dialled_at FROM job_attempts WHERE job_id = ? ORDER BY id DESC LIMIT 1').get(id) as { outcome: string; dialled_at: string | null };
        expect(last.outcome).toBe('maybe-sent');
        expect(last.dialled_at).not.toBeNull();
      }
    } finally {
      db.close();
    }

    const second = child;
    second.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => second.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(existsSync(path.join(dataDir, 'serve.lock'))).toBe(false);
  }, 300_000);

  it('first start creates a demo account and prints its sender and API key; jobs list/show print the job', async () => {
    dataDir = tempDir('faxgate-serve-');
    port = await freePort();
    child = await startServer();
    expect(startOutput).toContain('demo@example.com');
    expect(startOutput).toMatch(/API key: +fgk_/);
    const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    const info = await t.sendMail({ from: 'demo@example.com', to: '+15551234567@fax.localhost', subject: 'hi', text: 'Hello from the demo.' });
    const [id] = info.response.match(/job_[0-9a-f]+/g) ?? [];
    const c = child;
    // Let the job finish so `show` has the whole history, then stop cleanly.
    await waitFor(() => {
      const db = new Database(path.join(dataDir, 'faxgate.sqlite'), { readonly: true });
      try {
        return (db.prepare('SELECT status FROM jobs WHERE id = ?').get(id) as { status: string }).status === 'sent' ? true : undefined;
      } finally {
        db.close();
      }
    }, 'the demo job to be sent');
    c.kill('SIGTERM');
    await new Promise((r) => c.once('exit', r));

    const list = await cli(['jobs', 'list', '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.out) as { id: string }[]).map((j) => j.id)).toEqual([id]);
    const show = await cli(['jobs', 'show', id!, '--json']);
    const job = JSON.parse(show.out) as { id: string; status: string; to: string; pages: number; attempts: number; source: string; files: unknown[]; events: { to: string }[] };
    expect(job).toMatchObject({ id, status: 'sent', to: '+15551234567', pages: 1, attempts: 1, source: 'email', files: [] });
    expect(job.events.map((e) => e.to)).toEqual(['received', 'rendering', 'queued', 'sending', 'sent']);
    // The call as the sandbox line reported it: its line, the far end's station id, and no internal line reference.
    expect(job).toMatchObject({ line: 'sandbox', remoteId: '+1 999 999 9000' });
    expect((job as unknown as { calls: Record<string, unknown>[] }).calls).toMatchObject([{ attempt: 1, line: 'sandbox', outcome: 'sent', pagesSent: 1, remoteId: '+1 999 999 9000' }]);
    expect(show.out).not.toContain('lineRef');
    const human = await cli(['jobs', 'show', id!]);
    expect(human.out).toMatch(/^status +sent$/m);
    expect(human.out).toMatch(/^ {2}#1 {2}sandbox {2}\S+ {2}sent {2}1 p\. sent {2}to \+1 999 999 9000/m);
    expect((await cli(['jobs', 'list'])).out).toContain(id!);
    expect((await cli(['jobs', 'show', 'job_nope'])).code).toBe(1);
  }, 180_000);
});
