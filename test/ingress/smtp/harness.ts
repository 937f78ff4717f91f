// Test harness: a real SQLite data folder, the real detector, registry, job store, intake and SMTP server on loopback.
import net from 'node:net';
import path from 'node:path';
import { openTestDatabase } from '../../helpers/test-db.js';
import { createSqliteAccountStore } from '../../../src/settings/accounts.js';
import { createTypeRegistry } from '../../../src/attachments/registry.js';
import { createDetector } from '../../../src/attachments/detect.js';
import { checkAvailability } from '../../../src/render/availability.js';
import { createSqliteJobStore } from '../../../src/jobs/store.js';
import { createIntake } from '../../../src/intake/index.js';
import { createSmtpIngress, type SmtpIngressDeps } from '../../../src/ingress/smtp/server.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { systemClock } from '../../../src/domain/types.js';
import { tempDir } from '../../helpers/tmp.js';

export async function startSmtpHarness(overrides: Partial<Config> = {}, ingress: Pick<SmtpIngressDeps, 'dataTimeoutMs' | 'sessionTimer'> = {}) {
  const dataDir = tempDir('faxgate-smtp-');
  const config = loadConfig({}, { dataDir, bindHost: '127.0.0.1', smtpPort: 0, faxDomains: ['fax.localhost', 'fax.example.com'], ...overrides });
  const db = openTestDatabase(config.dataDir);
  const clock = systemClock;
  const accounts = createSqliteAccountStore({ db, clock });
  const registry = createTypeRegistry({ db, clock, availability: await checkAvailability() });
  const detector = createDetector({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels } });
  const jobs = createSqliteJobStore({ db, clock });
  const intake = createIntake({ db, accounts, registry, detector, jobs, clock, config, logger: silentLogger });
  const smtp = createSmtpIngress({ config, accounts, intake, logger: silentLogger, ...ingress });
  const port = await smtp.listen(0, '127.0.0.1');
  return {
    dataDir, config, db, accounts, registry, jobs, intake, smtp, port,
    submissionsDir: path.join(dataDir, 'submissions'),
    async close() {
      await smtp.close();
      db.close();
    },
  };
}

export type SmtpHarness = Awaited<ReturnType<typeof startSmtpHarness>>;

/**
 * A raw SMTP dialogue: sends each step after the previous reply and returns every reply (banner first).
 * Steps are sent verbatim (add CRLF yourself) so tests control line endings byte for byte.
 */
export function smtpDialog(port: number, steps: (string | Buffer)[], timeoutMs = 20_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const replies: string[] = [];
    let buf = '';
    let current: string[] = [];
    let i = 0;
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`SMTP dialogue timed out after ${replies.length} replies: ${replies.join(' | ')}`)); }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        current.push(line);
        if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
          replies.push(current.join('\n'));
          current = [];
          if (i < steps.length) sock.write(steps[i++]);
          else { clearTimeout(timer); sock.end(); resolve(replies); }
        }
      }
    });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
    sock.on('close', () => { clearTimeout(timer); resolve(replies); });
  });
}

/** A minimal CRLF message with optional extra headers. */
export function rawMessage(from: string, to: string, body: string, headers: Record<string, string> = {}): string {
  const h = { From: from, To: to, Subject: 'test', 'Message-ID': `<${Math.random().toString(36).slice(2)}@test>`, ...headers };
  return `${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`;
}

/** A raw SMTP client that stays connected: each `reply()` is the next complete reply, `closed` settles when the server hangs up. */
export interface SmtpClient {
  reply(): Promise<string>;
  send(line: string): void;
  /** send a command line (CRLF added) and wait for its reply */
  command(line: string): Promise<string>;
  closed: Promise<void>;
  isClosed(): boolean;
  end(): void;
}

export function openSmtpClient(port: number, opts: { localAddress?: string; timeoutMs?: number } = {}): SmtpClient {
  const sock = net.connect({ port, host: '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
  const ready: string[] = [];
  const waiting: ((r: string) => void)[] = [];
  let buf = '';
  let current: string[] = [];
  let ended = false;
  const deliver = (r: string) => {
    const w = waiting.shift();
    if (w) w(r);
    else ready.push(r);
  };
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      current.push(line);
      if (/^\d{3}( |$)/.test(line)) {
        deliver(current.join('\n'));
        current = [];
      }
    }
  });
  const closed = new Promise<void>((resolve) => {
    sock.on('close', () => {
      ended = true;
      // Whoever still waits learns the connection is gone (an empty reply).
      for (const w of waiting.splice(0)) w('');
      resolve();
    });
  });
  sock.on('error', () => undefined);
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const reply = () => new Promise<string>((resolve, reject) => {
    if (ready.length) return resolve(ready.shift()!);
    if (ended) return resolve('');
    const timer = setTimeout(() => reject(new Error('no SMTP reply in time')), timeoutMs);
    waiting.push((r) => { clearTimeout(timer); resolve(r); });
  });
  return {
    reply,
    send: (line) => { sock.write(line); },
    command: (line) => { sock.write(`${line}\r\n`); return reply(); },
    closed,
    isClosed: () => ended,
    end: () => { sock.end(); },
  };
}
