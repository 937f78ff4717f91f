// Every migration's PostgreSQL form, applied in order on a real PostgreSQL 15, builds the same schema as SQLite's.
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openPostgres, sqliteDB } from '../../src/store/db.js';
import { MIGRATIONS, type Migration } from '../../src/store/migrations/index.js';
import { postgresForTests } from '../helpers/postgres.js';

// Columns only the PostgreSQL schema has, on purpose: SQLite's implicit rowid made explicit (stores ORDER BY rowid).
const PG_ONLY_COLUMNS: Record<string, string[]> = { jobs: ['rowid'], feedback_outbox: ['rowid'], mail_outbox: ['rowid'] };

interface Schema {
  columns: Record<string, { name: string; type: string; notnull: boolean; pk: boolean }[]>;
  indexes: Record<string, { table: string; columns: string[]; unique: boolean; partial: boolean }>;
  foreignKeys: string[];
}

/** The PostgreSQL twin of db.ts migrate(): each missing migration in its own transaction, recorded in schema_migrations. */
async function migratePg(c: pg.Client, list: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const done = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
  const applied: number[] = [];
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    await c.query('BEGIN');
    try {
      await c.query(m.pg);
      await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK');
      throw new Error(`migration ${m.version} ${m.name} (pg): ${(e as Error).message}`, { cause: e });
    }
    applied.push(m.version);
  }
  return applied;
}

const family = (t: string) => {
  const u = t.toUpperCase();
  if (u === 'TEXT') return 'text';
  if (u === 'INTEGER' || u === 'BIGINT') return 'integer';
  if (u === 'REAL' || u === 'DOUBLE PRECISION') return 'real';
  if (u === 'BLOB' || u === 'BYTEA') return 'blob';
  return u;
};

function sqliteSchema(db: Database.Database): Schema {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  const s: Schema = { columns: {}, indexes: {}, foreignKeys: [] };
  for (const t of tables) {
    const cols = db.prepare(`PRAGMA table_info(${t})`).all() as { name: string; type: string; notnull: number; pk: number }[];
    s.columns[t] = cols.map((c) => ({ name: c.name, type: family(c.type), notnull: c.notnull === 1 || c.pk > 0, pk: c.pk > 0 }));
    for (const i of db.prepare(`PRAGMA index_list(${t})`).all() as { name: string; unique: number; origin: string; partial: number }[]) {
      if (i.origin !== 'c') continue; // PRIMARY KEY / UNIQUE constraints are compared as columns, not by their generated names
      const columns = (db.prepare(`PRAGMA index_info(${i.name})`).all() as { name: string }[]).map((c) => c.name);
      s.indexes[i.name] = { table: t, columns, unique: i.unique === 1, partial: i.partial === 1 };
    }
    for (const f of db.prepare(`PRAGMA foreign_key_list(${t})`).all() as { table: string; from: string; to: string; on_delete: string }[]) {
      s.foreignKeys.push(`${t}.${f.from} -> ${f.table}.${f.to} ON DELETE ${f.on_delete}`);
    }
  }
  s.foreignKeys.sort();
  return s;
}

async function pgSchema(c: pg.Client): Promise<Schema & { collations: string[] }> {
  const s: Schema & { collations: string[] } = { columns: {}, indexes: {}, foreignKeys: [], collations: [] };
  const cols = await c.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; collation_name: string | null; pk: boolean }>(`
    SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, c.collation_name,
      EXISTS (SELECT 1 FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage k
        ON k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name
        WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_name = c.table_name AND k.column_name = c.column_name) AS pk
    FROM information_schema.columns c WHERE c.table_schema = 'public' ORDER BY c.table_name, c.ordinal_position`);
  for (const r of cols.rows) {
    if (PG_ONLY_COLUMNS[r.table_name]?.includes(r.column_name)) continue;
    (s.columns[r.table_name] ??= []).push({ name: r.column_name, type: family(r.data_type), notnull: r.is_nullable === 'NO', pk: r.pk });
    if (r.data_type === 'text' && r.collation_name !== 'C' && r.table_name !== 'schema_migrations') s.collations.push(`${r.table_name}.${r.column_name}`);
  }
  const idx = await c.query<{ name: string; table: string; columns: string[]; unique: boolean; partial: boolean }>(`
    SELECT ic.relname AS name, tc.relname AS table, i.indisunique AS unique, i.indpred IS NOT NULL AS partial,
      ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = tc.relnamespace
    WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`);
  for (const r of idx.rows) s.indexes[r.name] = { table: r.table, columns: r.columns, unique: r.unique, partial: r.partial };
  const fks = await c.query<{ t: string; col: string; ft: string; fcol: string; del: string }>(`
    SELECT tc.relname AS t, a.attname AS col, fc.relname AS ft, fa.attname AS fcol,
      CASE k.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END AS del
    FROM pg_constraint k JOIN pg_class tc ON tc.oid = k.conrelid JOIN pg_class fc ON fc.oid = k.confrelid
    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
    JOIN pg_attribute fa ON fa.attrelid = k.confrelid AND fa.attnum = k.confkey[1]
    WHERE k.contype = 'f'`);
  s.foreignKeys = fks.rows.map((r) => `${r.t}.${r.col} -> ${r.ft}.${r.fcol} ON DELETE ${r.del}`).sort();
  return s;
}

describe('PostgreSQL migrations', () => {
  let server: Awaited<ReturnType<typeof postgresForTests>>;
  let client: pg.Client;
  const sqlite = new Database(':memory:');

  beforeAll(async () => {
    server = await postgresForTests();
    client = new pg.Client({ connectionString: await server.createDatabase() });
    await client.connect();
    migrate(sqliteDB(sqlite));
  });
  afterAll(async () => {
    await client?.end();
    await server?.stop();
    sqlite.close();
  });

  it('has a pg form for every migration', () => {
    for (const m of MIGRATIONS) expect(m.pg?.trim(), `migration ${m.version} ${m.name}`).toBeTruthy();
  });

  it('applies every migration, recorded in schema_migrations, and a second run applies nothing', async () => {
    expect(await migratePg(client)).toEqual(MIGRATIONS.map((m) => m.version).sort((a, b) => a - b));
    expect(await migratePg(client)).toEqual([]);
    const rows = (await client.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version')).rows;
    expect(rows).toEqual((sqlite.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()));
  });

  it('builds the same tables, columns, indexes and foreign keys as SQLite', async () => {
    const want = sqliteSchema(sqlite);
    const got = await pgSchema(client);
    expect(Object.keys(got.columns).sort()).toEqual(Object.keys(want.columns).sort());
    for (const t of Object.keys(want.columns)) {
      expect(got.columns[t].map((c) => c.name).sort(), `columns of ${t}`).toEqual(want.columns[t].map((c) => c.name).sort());
      const byName = (cs: Schema['columns'][string]) => Object.fromEntries(cs.map((c) => [c.name, c]));
      expect(byName(got.columns[t]), `column types, NOT NULL and primary key of ${t}`).toEqual(byName(want.columns[t]));
    }
    expect(got.indexes).toEqual(want.indexes);
    expect(got.foreignKeys).toEqual(want.foreignKeys);
    expect(got.collations, 'text columns without COLLATE "C"').toEqual([]);
  });

  it('has the same CHECK constraints and defaults where it matters: a bad flag or status is refused', async () => {
    await client.query("INSERT INTO accounts (id, name, kind, feedback_secret, settings, created_at) VALUES ('a', 'A', 'standard', 's', '{}', '2026-01-01T00:00:00.000Z')");
    await expect(client.query("INSERT INTO accounts (id, name, kind, feedback_secret, settings, created_at) VALUES ('b', 'B', 'other', 's', '{}', 'x')")).rejects.toThrow(/check/);
    await expect(client.query("INSERT INTO file_types (id, enabled, updated_at, updated_by) VALUES ('pdf', 2, 'x', 'y')")).rejects.toThrow(/check/);
    const r = await client.query<{ country: string }>("SELECT country FROM accounts WHERE id = 'a'");
    expect(r.rows[0].country).toBe('1');
  });

  it('orders ISO timestamps and ids byte-wise, as SQLite does', async () => {
    const ids = ['B', 'a', '_', 'Z', '0', 'ä'];
    const got = (await client.query<{ v: string }>('SELECT v FROM (SELECT unnest($1::text[]) COLLATE "C" AS v) x ORDER BY v', [ids])).rows.map((r) => r.v);
    expect(got).toEqual([...ids].sort((x, y) => (Buffer.compare(Buffer.from(x), Buffer.from(y)))));
    // the column itself compares in C even in a database of another collation
    await client.query("INSERT INTO web_secrets (name, value, created_at) VALUES ('B', '1', 'x'), ('a', '2', 'x'), ('_', '3', 'x')");
    const names = (await client.query<{ name: string }>('SELECT name FROM web_secrets ORDER BY name')).rows.map((r) => r.name);
    expect(names).toEqual(['B', '_', 'a']);
  });

  it('rewrites a pre-key-id actor and feedback Sender in the pg form of the key-id migration, as in SQLite', async () => {
    const c = new pg.Client({ connectionString: await server.createDatabase() });
    await c.connect();
    try {
      await migratePg(c, MIGRATIONS.filter((m) => m.name !== 'api-key-ids'));
      const prefix = 'fgk_AbCdEf';
      await c.query("INSERT INTO accounts (id, name, kind, feedback_secret, settings, created_at) VALUES ('acc_1', 'A', 'standard', 's', '{}', 'x')");
      await c.query("INSERT INTO api_keys (id, account_id, hash, prefix, created_at) VALUES ('k-1', 'acc_1', 'h', $1, 'x')", [prefix]);
      await c.query("INSERT INTO settings_audit (account_id, actor, at, field) VALUES ('acc_1', $1, 'x', 'f'), ('acc_1', 'api:fgk_gone00', 'x', 'f')", [`api:${prefix}`]);
      await c.query(`INSERT INTO feedback_outbox (id, webhook_id, account_id, subject_id, direction, origin, method, url, fields, body, content_type, status, created_at)
        VALUES ('f1', 'w', 'acc_1', 'j', 'outbound', 'event', 'http-post', 'u', $1, $2, 'c', 'delivered', 'x'),
               ('f2', 'w', 'acc_1', 'j2', 'outbound', 'event', 'http-post', 'u', 'not json', 'b', 'c', 'delivered', 'x')`,
      [JSON.stringify({ Sender: `api:${prefix}` }), `Sender=api%3A${prefix}`]);
      expect(await migratePg(c)).toEqual([56]);
      expect((await c.query('SELECT actor FROM settings_audit ORDER BY id')).rows.map((r) => r.actor)).toEqual(['api:key_k-1', 'api:key_unknown']);
      const f = (await c.query("SELECT fields, body FROM feedback_outbox ORDER BY id")).rows;
      expect(JSON.parse(f[0].fields)).toEqual({ Sender: 'api:key_k-1' });
      expect(f[0].body).toBe('Sender=api%3Akey_k-1');
      expect(f[1]).toEqual({ fields: 'not json', body: 'b' });
      expect((await c.query('SELECT prefix FROM api_keys')).rows).toEqual([{ prefix: '' }]);
    } finally {
      await c.end();
    }
  });

  it("db.ts migrate() on the PostgreSQL engine applies the same pg forms (twice: the second run applies nothing)", async () => {
    const url = await server.createDatabase();
    const db = openPostgres(url);
    try {
      migrate(db);
      migrate(db);
      const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
      expect(versions).toEqual(MIGRATIONS.map((m) => m.version).sort((a, b) => a - b));
    } finally {
      db.close();
    }
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      expect(await pgSchema(c)).toEqual(await pgSchema(client));
    } finally {
      await c.end();
    }
  });
});
