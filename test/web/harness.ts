// Test harness for the web pages: a real SQLite data folder, the real account store, type registry, jobs and intake, two accounts.
import Fastify, { type FastifyInstance } from 'fastify';
import { openTestDatabase } from '../helpers/test-db.js';
import { createSqliteAccountStore } from '../../src/settings/accounts.js';
import { createTypeRegistry, type Availability } from '../../src/attachments/registry.js';
import { systemClock } from '../../src/domain/types.js';
import { webPages, type WebDeps } from '../../src/web/plugin.js';
import { tempDir } from '../helpers/tmp.js';
import { loadConfig } from '../../src/config.js';
import { httpDeps } from '../ingress/http/harness.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

/** Office converter "not installed", so office rows are unavailable and cannot be enabled. */
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

export function world(opts: { adminToken?: string | null } = {}) {
  const dir = tempDir('faxgate-web-');
  const db = openTestDatabase(dir);
  const accounts = createSqliteAccountStore({ db, clock: systemClock });
  const registry = createTypeRegistry({ db, clock: systemClock, availability: AVAILABILITY });
  const standard = accounts.create({ name: 'Clinic <North> & "Co"', senders: ['front@clinic.example'] });
  const developer = accounts.create({ name: 'Dev Shop', senders: ['dev@shop.example'], kind: 'developer', designated: '+15551230000' });
  const config = {
    ...loadConfig({}, { dataDir: dir }),
    adminToken: opts.adminToken === null ? undefined : (opts.adminToken ?? ADMIN_TOKEN), publicUrl: 'http://localhost:8080',
  };
  // The pages' other parts (jobs, intake, inbound, health) are the real ones the web service is built from.
  const parts = httpDeps({ config, db, accounts }, { registry });
  const { jobs, intake, images, feedback, inbound, health, faxes } = parts.deps;
  const deps: WebDeps = { accounts, registry, config, db, clock: systemClock, jobs, intake, images, feedback, inbound, health, faxes };
  return { dir, db, accounts, registry, standard, developer, config, deps, parts };
}

/** The web pages alone on a bare fastify instance (for inject() tests). */
export async function webApp(deps: WebDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(webPages(deps));
  await app.ready();
  return app;
}
