// Test harness: a real SQLite data folder, the real detector, registry, job store, intake and SMTP server on loopback.
import net from 'node:net';
import path from 'node:path';
import { openDatabase } from '../../../src/store/db.js';
import { createAccountStore } from '../../../src/settings/accounts.js';
import { createTypeRegistry } from '../../../src/attachments/registry.js';
import { createDetector } from '../../../src/attachments/detect.js';
import { checkAvailability } from '../../../src/render/availability.js';
import { createJobStore } from '../../../src/jobs/store.js';
import { createIntake } from '../../../src/intake/index.js';
import { createSmtpIngress } from '../../../src/ingress/smtp/server.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { systemClock } from '../../../src/domain/types.js';
import { tempDir } from '../../helpers/tmp.js';

export async function startSmtpHarness(overrides: Partial<Config> = {}, ingress: { dataTimeoutMs?: number } = {}) {
  const dataDir = tempDir('faxgate-smtp-');
  const config = loadConfig({}, { dataDir, bindHost: '127.0.0.1', smtpPort: 0, faxDomains: ['fax.localhost', 'fax.example.com'], ...overrides });
  const db = openDatabase(config.dataDir);
  const clock = systemClock;
  const accounts = createAccountStore({ db, clock });
  const registry = createTypeRegistry({ db, clock, availability: await checkAvailability() });
  const detector = createDetector({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels } });
  const jobs = createJobStore({ db, clock });
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
