// A real HylaFAX server for tests: a private spool, faxq and hfaxd from Debian as children of the test, on a free port.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, closeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const FAXQ = '/usr/sbin/faxq';
const HFAXD = '/usr/sbin/hfaxd';

/** Why this machine cannot run the real-server tests, or undefined when it can (root, hylafax-server installed). */
export function hylafaxUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (faxq and hfaxd run on a spool owned by uucp)';
  for (const f of [FAXQ, HFAXD, '/usr/lib/hylafax/bin/faxsend', '/var/spool/hylafax', '/etc/hylafax/setup.cache']) {
    if (!existsSync(f)) return `${f} is missing: run scripts/setup.sh`;
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => srv.listen(0, '127.0.0.1', resolve).once('error', reject));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Poll `ok` every 50 ms until it holds; a bounded wait on a real event (the bound is only a hang guard). */
export async function waitFor(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await ok()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export interface HylafaxServer {
  base: string;
  spool: string;
  host: string;
  port: number;
  /** the job file faxq keeps for job `id` (sendq while queued, doneq once ended), as key → value */
  jobFile(id: number): Record<string, string> | undefined;
  /** ids of the jobs in sendq */
  queued(): number[];
  stopHfaxd(): Promise<void>;
  startHfaxd(): Promise<void>;
  stopFaxq(): Promise<void>;
  startFaxq(): Promise<void>;
  /** stop both daemons and remove the spool */
  stop(): Promise<void>;
}

async function stopChild(c: ChildProcess | undefined): Promise<void> {
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

export function parseJobFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Build a private spool (the steps of a HylaFAX set-up verified on this kind of machine) and start faxq and hfaxd. */
export async function startHylafaxServer(): Promise<HylafaxServer> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'faxgate-hfaxd-'));
  chmodSync(base, 0o755);
  const spool = path.join(base, 'spool');
  cpSync('/var/spool/hylafax', spool, { recursive: true, preserveTimestamps: true });
  // Debian ships an empty spool etc/ (its init script bind-mounts /etc/hylafax there): copy the real one, setup.cache too.
  cpSync('/etc/hylafax', path.join(spool, 'etc'), { recursive: true });
  writeFileSync(path.join(spool, 'etc', 'config'), [
    '# faxq for a faxgate test: no modem, so submitted jobs wait in sendq',
    'LogFacility:\t\tdaemon',
    'CountryCode:\t\t1',
    'AreaCode:\t\t555',
    'LongDistancePrefix:\t1',
    'InternationalPrefix:\t011',
    'PageChop:\t\tnone',
    // Debian's default /usr/sbin/faxsend is a wrapper that bind-mounts /etc/hylafax over the system spool.
    'SendFaxCmd:\t\t/usr/lib/hylafax/bin/faxsend',
    '',
  ].join('\n'));
  writeFileSync(path.join(spool, 'etc', 'hosts.hfaxd'), '127.0.0.1\nlocalhost\n', { mode: 0o600 });
  chmodSync(path.join(spool, 'etc', 'hosts.hfaxd'), 0o600);
  const uid = Number(execFileSync('id', ['-u', 'uucp']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'uucp']).toString().trim());
  const chownAll = (p: string) => {
    chownSync(p, uid, gid);
    if (statSync(p).isDirectory()) for (const e of readdirSync(p)) chownAll(path.join(p, e));
  };
  chownAll(spool);

  const port = await freePort();
  let faxq: ChildProcess | undefined;
  let hfaxd: ChildProcess | undefined;
  const logTo = (name: string) => openSync(path.join(base, `${name}.log`), 'a');

  const server: HylafaxServer = {
    base, spool, host: '127.0.0.1', port,
    jobFile(id) {
      for (const q of ['sendq', 'doneq']) {
        const f = path.join(spool, q, `q${id}`);
        if (existsSync(f)) return { ...parseJobFile(readFileSync(f, 'utf8')), queue: q };
      }
      return undefined;
    },
    queued: () => readdirSync(path.join(spool, 'sendq')).filter((f) => /^q\d+$/.test(f)).map((f) => Number(f.slice(1))),
    async startFaxq() {
      rmSync(path.join(spool, 'FIFO'), { force: true });
      const fd = logTo('faxq');
      faxq = spawn(FAXQ, ['-D', '-q', spool], { stdio: ['ignore', fd, fd] });
      closeSync(fd);
      await waitFor('faxq FIFO', () => existsSync(path.join(spool, 'FIFO')) || faxq?.exitCode !== null);
      if (faxq.exitCode !== null) throw new Error(`faxq exited ${faxq.exitCode}: ${readFileSync(path.join(base, 'faxq.log'), 'utf8')}`);
    },
    async stopFaxq() {
      await stopChild(faxq);
      faxq = undefined;
    },
    async startHfaxd() {
      const fd = logTo('hfaxd');
      // -l must come before -i (hfaxd binds the address given so far).
      hfaxd = spawn(HFAXD, ['-d', '-q', spool, '-l', '127.0.0.1', '-i', String(port)], { stdio: ['ignore', fd, fd] });
      closeSync(fd);
      await waitFor(`hfaxd on 127.0.0.1:${port}`, async () => hfaxd?.exitCode !== null || await listening(port));
      if (hfaxd.exitCode !== null) throw new Error(`hfaxd exited ${hfaxd.exitCode}: ${readFileSync(path.join(base, 'hfaxd.log'), 'utf8')}`);
    },
    async stopHfaxd() {
      await stopChild(hfaxd);
      hfaxd = undefined;
      await waitFor('hfaxd port closed', async () => !(await listening(port)));
    },
    async stop() {
      await stopChild(hfaxd);
      await stopChild(faxq);
      rmSync(base, { recursive: true, force: true });
    },
  };
  try {
    await server.startFaxq();
    await server.startHfaxd();
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}
