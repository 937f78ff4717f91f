// Opens the SQLite database in the data folder and applies the versioned migrations in order.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type DB = Database.Database;

export function openDatabase(dataDir: string, file = 'faxgate.sqlite'): DB {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(path.join(dataDir, file));
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we answer 250 / 202 (docs/smtp.md "250 means durable").
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Deleted content must not linger in free pages (docs/inbound.md delete after retrieval).
  db.pragma('secure_delete = ON');
  migrate(db);
  return db;
}

/** Apply the migrations not yet applied; `list` is for tests that build a database as an older release left it. */
export function migrate(db: DB, list: readonly Migration[] = MIGRATIONS): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const sorted = [...list].sort((a, b) => a.version - b.version);
  for (const m of sorted) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    })();
  }
}
