// A real PostgreSQL 15 for tests: initdb + postgres in a temporary folder, run as an unprivileged user, on a free port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

const BIN = '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres — the maintenance database (trust authentication, superuser). */
  adminUrl: string;
  /** A fresh, empty database (C collation, UTF8) named `name` or a generated one; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stop the server (fast shutdown) and remove its folder. */
  stop(): Promise<void>;
  /** Milliseconds from the start of initdb to the first accepted connection. */
  startMs: number;
}

/** PostgreSQL refuses to run as root: the `postgres` system user when it exists, else `nobody`. */
function serverUser(): { uid: number; gid: number } {
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error('neither a postgres nor a nobody user exists to run PostgreSQL as');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Connect until the server answers; bounded by the server exiting (a real event) or a generous hang guard. */
async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}): ${log()}`);
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 60 s: ${log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function startPostgres(): Promise<PostgresServer> {
  const t0 = Date.now();
  const { uid, gid } = serverUser();
  const root = mkdtempSync(path.join(tmpdir(), 'faxgate-pg-'));
  const data = path.join(root, 'data');
  const sock = path.join(root, 'sock');
  mkdirSync(data, { mode: 0o700 });
  mkdirSync(sock, { mode: 0o700 });
  for (const d of [root, data, sock]) chownSync(d, uid, gid);
  const init = spawnSync(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
    { uid, gid, encoding: 'utf8', cwd: root });
  if (init.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr}`);
  }
  let child: ChildProcess | undefined;
  let port = 0;
  let output = '';
  // A port taken between freePort() and the bind (another helper's run): try another one.
  for (let attempt = 0; attempt < 3; attempt++) {
    port = await freePort();
    output = '';
    const c = spawn(`${BIN}/postgres`, ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', sock,
      '-c', 'fsync=on', '-c', 'synchronous_commit=on', '-c', 'max_connections=50', '-c', 'shared_buffers=16MB'],
    { uid, gid, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.on('data', (b: Buffer) => { output += b.toString(); });
    c.stderr.on('data', (b: Buffer) => { output += b.toString(); });
    try {
      await waitReady(`postgres://postgres@127.0.0.1:${port}/postgres`, c, () => output.slice(-2000));
      child = c;
      break;
    } catch (e) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      if (!/could not bind|Address already in use/.test(output) || attempt === 2) {
        rmSync(root, { recursive: true, force: true });
        throw e;
      }
    }
  }
  const server = child!;
  const exited = new Promise<void>((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) resolve();
    else server.once('exit', () => resolve());
  });
  // A test process that dies without calling stop() must not leave the postmaster behind.
  const onExit = () => { if (server.exitCode === null) server.kill('SIGKILL'); };
  process.once('exit', onExit);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let n = 0;
  return {
    adminUrl,
    startMs: Date.now() - t0,
    createDatabase: (name) => createDatabase(adminUrl, name ?? `t${process.pid}_${++n}_${Date.now()}`),
    async stop() {
      process.removeListener('exit', onExit);
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGINT'); // fast shutdown: active sessions are ended
        const guard = setTimeout(() => server.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(guard);
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A fresh database on the server at `adminUrl` (C collation so text compares byte-wise, as in SQLite). */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  } finally {
    await c.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The env variable the vitest globalSetup (test/helpers/postgres-global.ts) passes the server's admin URL in. */
export const PG_URL_ENV = 'TEST_PG_ADMIN_URL';

/**
 * For a test file: the run's shared server when the globalSetup started one (or TEST_PG_ADMIN_URL names
 * one), else a server of its own. Call stop() in afterAll either way (it only stops a server it started).
 */
export async function postgresForTests(): Promise<Pick<PostgresServer, 'adminUrl' | 'createDatabase' | 'stop'>> {
  const shared = process.env[PG_URL_ENV];
  if (shared) {
    let n = 0;
    return { adminUrl: shared, createDatabase: (name) => createDatabase(shared, name ?? `t${process.pid}_${++n}_${Date.now()}`), stop: async () => undefined };
  }
  return startPostgres();
}
