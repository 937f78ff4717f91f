// Builds the web service on the real parts (SQLite, accounts, type registry, job store, intake, detector) for tests.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../../../src/config.js';
import { openDatabase } from '../../../src/store/db.js';
import { createAccountStore } from '../../../src/settings/accounts.js';
import { systemClock } from '../../../src/domain/types.js';
import { silentLogger } from '../../../src/logger.js';
import { createTypeRegistry, type Availability } from '../../../src/attachments/registry.js';
import { createJobStore } from '../../../src/jobs/store.js';
import { createIntake } from '../../../src/intake/index.js';
import { createDetector } from '../../../src/attachments/detect.js';
import { createFeedback } from '../../../src/feedback/index.js';
import type { HttpDeps } from '../../../src/ingress/http/app.js';
import { createWebService } from '../../../src/web-service.js';
import { jobImages } from '../../../src/ingress/http/deps.js';
import { CORPUS, tempDir } from '../../helpers/tmp.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

/** Renderers present on every test host; office is reported missing so the refusal path is exercised deterministically. */
export const AVAILABILITY: Availability = {
  pdf: { available: true },
  image: { available: true },
  text: { available: true },
  office: { available: false, reason: 'LibreOffice (soffice) is not installed' },
};

export function corpus(rel: string): string {
  return path.join(CORPUS, rel);
}

export function corpusBytes(rel: string): Buffer {
  return readFileSync(corpus(rel));
}

/** `overrides.dataDir` opens an existing data folder (a second server on the same SQLite file, as after a restart). */
export function makeHarness(overrides: Partial<Config> = {}, extra: Partial<HttpDeps> = {}) {
  const dataDir = overrides.dataDir ?? tempDir('faxgate-http-');
  // Feedback goes to loopback receivers in tests, so private destinations are allowed here.
  const config = loadConfig({}, { dataDir, adminToken: ADMIN_TOKEN, feedbackAllowPrivate: true, ...overrides });
  const db = openDatabase(dataDir);
  const clock = systemClock;
  const logger = silentLogger;
  const accounts = createAccountStore({ db, clock });
  const registry = createTypeRegistry({ db, clock, availability: AVAILABILITY });
  const jobs = createJobStore({ db, clock });
  const detector = createDetector({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels } });
  const intake = createIntake({ db, accounts, registry, detector, jobs, clock, config, logger });
  const feedback = createFeedback({ db, accounts, clock, config, logger, pollMs: 20 });
  jobs.onTerminal(feedback.onJobTerminal);
  // The render area's TIFF→PDF (CCITT passthrough) has not landed yet; libtiff's tiff2pdf does the same passthrough.
  const images = jobImages(jobs, async (tiff, pdf) => execFileSync('tiff2pdf', ['-o', pdf, tiff], { stdio: 'ignore', timeout: 60_000 }));
  const deps: HttpDeps = { config, db, accounts, registry, intake, jobs, feedback, images, clock, logger, ...extra };
  const app = createWebService(deps);
  let n = 0;
  const account = (opts: { kind?: 'standard' | 'developer'; designated?: string } = {}) => {
    n += 1;
    return accounts.create({ name: `Account ${n}`, senders: [`user${n}-${Math.random().toString(36).slice(2, 8)}@example.com`], ...opts });
  };
  return { dataDir, config, db, accounts, registry, jobs, intake, detector, feedback, deps, app, account };
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
