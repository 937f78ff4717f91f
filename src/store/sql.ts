// The engine-neutral database port every store is written against (SQLite by default, PostgreSQL for several instances).

/** One prepared statement. Parameters are positional (`?`) or, with one plain object, named (`@name`). */
export interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/**
 * The synchronous database the stores share. Both engines answer in the caller's turn of the event loop (SQLite in
 * process; PostgreSQL through a worker thread the caller waits on), so a store's read-check-write stays one
 * uninterrupted step of this process and a transaction never interleaves with another callback's.
 */
export interface DB {
  readonly dialect: 'sqlite' | 'pg';
  prepare(sql: string): Statement;
  /** Run statements without parameters (migrations). */
  exec(sql: string): void;
  /**
   * Wrap `fn` so each call runs as one transaction; a call inside another transaction becomes a savepoint.
   * `immediate` takes SQLite's write lock at the start (PostgreSQL locks rows as it writes them).
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R, opts?: { immediate?: boolean }): (...args: A) => R;
  readonly inTransaction: boolean;
  /** Make rows deleted so far unrecoverable from the engine's own files (SQLite: WAL checkpoint; PostgreSQL: none kept). */
  checkpoint(): void;
  /** `SELECT … FOR UPDATE` where the engine has row locks (PostgreSQL), nothing on SQLite (one writer at a time). */
  readonly forUpdate: string;
  close(): void;
}

/** A unique or primary-key constraint refused the write, on either engine. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/**
 * Rewrite `?` and `@name` placeholders to PostgreSQL's `$n`, leaving quoted strings, quoted identifiers and comments
 * alone. Returns the text and, for named placeholders, the name of each `$n` in order.
 */
export function toPgPlaceholders(sql: string): { text: string; names: string[] | undefined } {
  let out = '';
  let n = 0;
  const names: string[] = [];
  const index = new Map<string, number>();
  let positional = false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') {
      positional = true;
      out += `$${++n}`;
    } else if (c === '@' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))![0];
      let k = index.get(m);
      if (k === undefined) {
        k = ++n;
        index.set(m, k);
        names.push(m);
      }
      out += `$${k}`;
      i += m.length;
    } else {
      out += c;
    }
  }
  if (positional && names.length) throw new Error('a statement mixes ? and @name placeholders');
  return { text: out, names: names.length ? names : undefined };
}
