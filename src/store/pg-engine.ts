// The PostgreSQL engine behind the synchronous DB port: the `pg` driver runs in a worker thread and each call waits
// for its answer (Atomics.wait), so stores written for SQLite's in-process calls keep their one-step semantics.
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { toPgPlaceholders, type DB, type Statement } from './sql.js';

export interface PgEngineOptions {
  /** longest wait for one answer before the call fails (the server's statement_timeout is a little shorter) */
  callTimeoutMs?: number;
  /** shown in pg_stat_activity, so an operator can tell the instances apart */
  applicationName?: string;
}

export interface PgDB extends DB {
  readonly dialect: 'pg';
  /** Be told, on the event loop, when any instance commits a NOTIFY on `channel` (the payload as sent). */
  listen(channel: string, onNotify: (payload: string) => void): void;
  /** NOTIFY `channel`; inside a transaction it is delivered when (and only if) the transaction commits. */
  notify(channel: string, payload?: string): void;
}

type Reply = { rows?: Record<string, unknown>[]; rowCount?: number; error?: { message: string; code?: string; detail?: string } };

// CommonJS, evaluated in the worker: one connection for the calls (the caller is blocked, so they never overlap) and
// a second one for LISTEN, whose notifications go to the event loop through their own port.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const pg = require(workerData.pgPath);
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));
const flag = new Int32Array(workerData.flag);
const calls = workerData.calls;
const events = workerData.events;
const options = { connectionString: workerData.url, application_name: workerData.applicationName, statement_timeout: workerData.statementTimeoutMs };
const client = new pg.Client(options);
let listener;
const answer = (msg) => { calls.postMessage(msg); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); };
const fail = (e) => answer({ error: { message: String(e && e.message || e), code: e && e.code, detail: e && e.detail } });
const asBuffer = (v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);
client.on('error', () => undefined);
const ready = client.connect();
calls.on('message', async (req) => {
  try {
    await ready;
    if (req.op === 'query') {
      const r = await client.query({ text: req.text, values: req.values.map(asBuffer) });
      answer({ rows: r.rows, rowCount: r.rowCount ?? 0 });
    } else if (req.op === 'exec') {
      await client.query(req.text);
      answer({ rowCount: 0 });
    } else if (req.op === 'listen') {
      if (!listener) {
        listener = new pg.Client(options);
        listener.on('error', () => undefined);
        listener.on('notification', (n) => events.postMessage({ channel: n.channel, payload: n.payload ?? '' }));
        await listener.connect();
      }
      await listener.query('LISTEN ' + client.escapeIdentifier(req.channel));
      answer({ rowCount: 0 });
    } else if (req.op === 'close') {
      await Promise.allSettled([client.end(), listener && listener.end()]);
      answer({ rowCount: 0 });
    }
  } catch (e) { fail(e); }
});
`;

/** A database error from the server, carrying its SQLSTATE as `code` (23505 = unique violation). */
export class PgError extends Error {
  constructor(message: string, readonly code?: string, readonly detail?: string) {
    super(message);
    this.name = 'PgError';
  }
}

/** Connect to `url` (postgres://…). The first call waits for the connection; a refused one throws here. */
export function openPgEngine(url: string, opts: PgEngineOptions = {}): PgDB {
  const callTimeoutMs = opts.callTimeoutMs ?? 60_000;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const calls = new MessageChannel();
  const events = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      pgPath: createRequire(import.meta.url).resolve('pg'), url, flag: flag.buffer, calls: calls.port2, events: events.port2,
      applicationName: opts.applicationName ?? 'faxgate', statementTimeoutMs: Math.max(1000, callTimeoutMs - 5000),
    },
    transferList: [calls.port2, events.port2],
  });
  // The worker must not keep a finished process alive; the ports only matter while the database is open.
  worker.unref();
  events.port1.unref();
  const port: MessagePort = calls.port1;
  let closed = false;
  let depth = 0;
  const listeners = new Map<string, ((payload: string) => void)[]>();
  events.port1.on('message', (m: { channel: string; payload: string }) => {
    for (const f of listeners.get(m.channel) ?? []) f(m.payload);
  });

  function call(req: Record<string, unknown>): Reply {
    if (closed) throw new PgError('the database is closed');
    Atomics.store(flag, 0, 0);
    port.postMessage(req);
    if (Atomics.wait(flag, 0, 0, callTimeoutMs) === 'timed-out') {
      closed = true;
      void worker.terminate();
      throw new PgError(`no answer from PostgreSQL within ${callTimeoutMs} ms`, 'faxgate-timeout');
    }
    const got = receiveMessageOnPort(port);
    if (!got) throw new PgError('the PostgreSQL worker answered nothing');
    const reply = got.message as Reply;
    if (reply.error) throw new PgError(reply.error.message, reply.error.code, reply.error.detail);
    return reply;
  }

  // Buffers cross the thread as plain Uint8Arrays; the stores expect Buffers, as better-sqlite3 gives them.
  const revive = (rows: Record<string, unknown>[]) => {
    for (const r of rows) for (const k in r) if (r[k] instanceof Uint8Array) r[k] = Buffer.from(r[k] as Uint8Array);
    return rows;
  };

  function prepare(sql: string): Statement {
    const { text, names } = toPgPlaceholders(sql);
    const values = (params: unknown[]): unknown[] => {
      if (!names) return params.map((v) => (v === undefined ? null : v));
      const obj = (params[0] ?? {}) as Record<string, unknown>;
      return names.map((n) => obj[n] ?? null);
    };
    return {
      run: (...p) => ({ changes: call({ op: 'query', text, values: values(p) }).rowCount ?? 0 }),
      get: (...p) => revive(call({ op: 'query', text, values: values(p) }).rows ?? [])[0],
      all: (...p) => revive(call({ op: 'query', text, values: values(p) }).rows ?? []),
    };
  }

  const exec = (text: string) => { call({ op: 'exec', text }); };

  return {
    dialect: 'pg',
    forUpdate: ' FOR UPDATE',
    prepare,
    exec,
    transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
      return (...args: A): R => {
        const savepoint = depth > 0 ? `faxgate_sp${depth}` : undefined;
        exec(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN');
        depth++;
        let result: R;
        try {
          result = fn(...args);
          if (result instanceof Promise) throw new TypeError('a transaction function cannot return a promise');
        } catch (e) {
          depth--;
          try { exec(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}` : 'ROLLBACK'); } catch { /* the first error matters */ }
          throw e;
        }
        depth--;
        exec(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : 'COMMIT');
        return result;
      };
    },
    get inTransaction() { return depth > 0; },
    checkpoint() { /* PostgreSQL removes dead rows itself (VACUUM); nothing is kept in a file of ours */ },
    listen(channel, onNotify) {
      const list = listeners.get(channel) ?? [];
      if (!list.length) call({ op: 'listen', channel });
      list.push(onNotify);
      listeners.set(channel, list);
      events.port1.ref();
    },
    notify(channel, payload = '') {
      call({ op: 'query', text: 'SELECT pg_notify($1, $2)', values: [channel, payload] });
    },
    close() {
      if (closed) return;
      try { call({ op: 'close' }); } finally {
        closed = true;
        events.port1.close();
        port.close();
        void worker.terminate();
      }
    },
  };
}
