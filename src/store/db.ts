// Opens the database (SQLite in the data folder by default, PostgreSQL when a URL is given) and applies the versioned
// migrations in order.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { openPgEngine, type PgDB, type PgEngineOptions } from './pg-engine.js';
import type { DB } from './sql.js';

export type { DB, Statement } from './sql.js';
export { isUniqueViolation } from './sql.js';
export type { PgDB } from './pg-engine.js';

/** The better-sqlite3 handle behind the port (tests that read a database file directly use it). */
export interface SqliteDB extends DB {
  readonly dialect: 'sqlite';
  readonly raw: Database.Database;
}

/** The port over an open better-sqlite3 handle. */
export function sqliteDB(raw: Database.Database): SqliteDB {
  return {
    dialect: 'sqlite',
    raw,
    forUpdate: '',
    prepare: (sql) => raw.prepare(sql),
    exec: (sql) => { raw.exec(sql); },
    transaction: (fn, opts) => (opts?.immediate ? raw.transaction(fn).immediate : raw.transaction(fn)),
    get inTransaction() { return raw.inTransaction; },
    checkpoint: () => { raw.pragma('wal_checkpoint(TRUNCATE)'); },
    close: () => { raw.close(); },
  };
}

export function openDatabase(dataDir: string, file = 'faxgate.sqlite'): SqliteDB {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const raw = new Database(path.join(dataDir, file));
  raw.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we answer 250 / 202 (docs/smtp.md "250 means durable").
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  // Deleted content must not linger in free pages (docs/inbound.md delete after retrieval).
  raw.pragma('secure_delete = ON');
  const db = sqliteDB(raw);
  migrate(db);
  return db;
}

/**
 * Connect to PostgreSQL and migrate it. Several instances may start at once: the migrations run under one advisory
 * lock, so exactly one applies each.
 */
export function openPostgres(url: string, opts: PgEngineOptions = {}): PgDB {
  const db = openPgEngine(url, opts);
  try {
    const [row] = db.prepare('SHOW synchronous_commit').all() as { synchronous_commit: string }[];
    // "202 means durable" needs the commit on disk before the reply; off/local would acknowledge it earlier.
    if (row && !['on', 'remote_write', 'remote_apply'].includes(row.synchronous_commit)) {
      throw new Error(`PostgreSQL has synchronous_commit = ${row.synchronous_commit}; faxgate needs on, remote_write or remote_apply`);
    }
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** The state database the configuration names: PostgreSQL when `databaseUrl` is set, else SQLite in `dataDir`. */
export function openStateDatabase(config: { dataDir: string; databaseUrl?: string | undefined }, opts: PgEngineOptions = {}): DB {
  return config.databaseUrl ? openPostgres(config.databaseUrl, opts) : openDatabase(config.dataDir);
}

// Any constant works; it names faxgate's migration lock among the database's advisory locks.
const MIGRATION_LOCK = 0x66617867;

/** Apply the migrations not yet applied; `list` is for tests that build a database as an older release left it. */
export function migrate(db: DB, list: readonly Migration[] = MIGRATIONS): void {
  if (db.dialect === 'pg') db.prepare('SELECT pg_advisory_lock(?)').get(MIGRATION_LOCK);
  try {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
    const sorted = [...list].sort((a, b) => a.version - b.version);
    for (const m of sorted) {
      if (done.has(m.version)) continue;
      const sql = db.dialect === 'pg' ? m.pg : m.sql;
      if (sql === undefined) throw new Error(`migration ${m.version} (${m.name}) has no ${db.dialect} form`);
      db.transaction(() => {
        db.exec(sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
      })();
    }
  } finally {
    if (db.dialect === 'pg') db.prepare('SELECT pg_advisory_unlock(?)').get(MIGRATION_LOCK);
  }
}
