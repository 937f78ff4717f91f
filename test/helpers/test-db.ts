// The database a store test runs on: SQLite in the test's folder, or, in the contract run on PostgreSQL
// (vitest.pg.config.ts sets TEST_ENGINE=pg), a fresh database of its own on the run's real PostgreSQL server.
import { randomBytes } from 'node:crypto';
import { openDatabase, openPostgres, type DB } from '../../src/store/db.js';
import { openPgEngine } from '../../src/store/pg-engine.js';
import { PG_URL_ENV } from './postgres.js';

/** Is this the PostgreSQL run of the contract suite? */
export const onPostgres = (): boolean => process.env.TEST_ENGINE === 'pg';

// A folder opened again (a restart) opens its database again, as a SQLite file would be.
const byDir = new Map<string, string>();

/** A migrated state database for `dir` (SQLite: its file there), fresh the first time a test opens that folder. */
export function openTestDatabase(dir: string): DB {
  if (!onPostgres()) return openDatabase(dir);
  const admin = process.env[PG_URL_ENV];
  if (!admin) throw new Error(`TEST_ENGINE=pg needs ${PG_URL_ENV} (vitest.pg.config.ts starts the server)`);
  const known = byDir.get(dir);
  if (known) return openPostgres(known);
  const name = `t_${process.pid}_${randomBytes(5).toString('hex')}`;
  const adminDb = openPgEngine(admin);
  try {
    adminDb.exec(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  } finally {
    adminDb.close();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  byDir.set(dir, u.toString());
  return openPostgres(u.toString());
}
