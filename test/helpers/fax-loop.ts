// A real T.30 fax loop on this machine (run as root): a private HylaFAX spool (faxq, hfaxd), iaxmodem pairs dialling
// each other over IAX2 on 127.0.0.1, faxgetty answering one pty with faxgate's shipped FaxRcvdCmd hook writing into a
// drop folder. Built from the HylaFAX-over-two-iaxmodems set-up verified on this kind of machine; every wait is bounded and on a real event.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { chmodSync, chownSync, closeSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HYLA_BIN = '/usr/lib/hylafax/bin'; // the real tools: Debian's /usr/sbin wrappers bind-mount /etc/hylafax (P1)
const SHIPPED_HOOK = path.resolve('scripts/hylafax/faxrcvd-faxgate');

/** Numbers of the loop; any dial string on a sender reaches its peer (iaxmodem always calls its configured server). */
export const SENDER_NUMBER = '+15550000000';
export const RECEIVER_NUMBER = '+15550000001';
export const RECEIVER_CSID = '+1 555 000 0001';
export const SENDER_TSI = '+1 555 000 0000';

export interface FaxLoopOptions {
  /** ModemDialResponseTimeout of the no-answer sender (ms); undefined = HylaFAX's default, iaxmodem's own 45 s */
  noAnswerDialTimeoutMs?: number;
  /** keep the work folder after stop() (for a post-mortem) */
  keep?: boolean;
}

/** A finished HylaFAX job (doneq/q<jid>) as key:value pairs. */
export type JobRecord = Record<string, string>;

export interface FaxLoop {
  base: string;
  spool: string;
  /** the drop folder the shipped hook writes into (owned by uucp, setgid, 2770, as docs/inbound.md says) */
  dropDir: string;
  hfaxdPort: number;
  /** HylaFAX device ids: the good sender, the receiver (faxgetty, receive-only), the sender whose peer never answers */
  modems: { sender: string; receiver: string; noAnswer: string };
  /** submit with HylaFAX's own sendfax (no cover, fine resolution, forced modem); resolves with the job id */
  sendfax(file: string, o?: { modem?: string; dial?: string; args?: string[] }): Promise<string>;
  /** wait for doneq/q<jid> to be final (state 7 done or 8 failed) */
  waitJob(jid: string, timeoutMs?: number): Promise<JobRecord>;
  /** wait until the receiving faxgetty reports "Running and idle" (it is busy for a few seconds after every call) */
  waitReceiverIdle(timeoutMs?: number): Promise<void>;
  /** the session log of a commid (log/c<commid>) */
  sessionLog(commid: string): string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `probe` until it returns a value (not undefined) or the bound passes; the bound is a hang guard only. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`fax loop: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(150);
  }
}

const readOr = (file: string) => { try { return readFileSync(file, 'utf8'); } catch { return ''; } };

/** Free UDP ports, held open together so they differ, then released for iaxmodem (which we watch for a bind failure). */
async function freeUdpPorts(n: number): Promise<number[]> {
  const socks = await Promise.all(Array.from({ length: n }, () => new Promise<dgram.Socket>((res, rej) => {
    const s = dgram.createSocket('udp4');
    s.once('error', rej);
    s.bind(0, '0.0.0.0', () => res(s));
  })));
  const ports = socks.map((s) => s.address().port);
  await Promise.all(socks.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

async function freeTcpPort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => res(port));
    });
  });
}

const canConnect = (port: number) => new Promise<boolean>((res) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); res(true); });
  s.once('error', () => res(false));
});

const COMMON = `CountryCode:		1
AreaCode:		555
LongDistancePrefix:	1
InternationalPrefix:	011
ServerTracing:		0xEB0F
SessionTracing:		0x4F
RecvFileMode:		0644
LogFileMode:		0644
DeviceMode:		0660
SpeakerVolume:		off
`;

function iaxConfig(dev: string, port: number, peerPort: number, cid: string) {
  return `device		/dev/${dev}
owner		uucp:uucp
mode		660
port		${port}
refresh		0
server		127.0.0.1:${peerPort}
peername	${dev}
secret		x
cidname		FAXGATE ${cid}
cidnumber	${cid}
codec		slinear
`;
}

interface Proc { name: string; child: ChildProcess; exited: Promise<void> }

export async function startFaxLoop(opts: FaxLoopOptions = {}): Promise<FaxLoop> {
  if (process.getuid?.() !== 0) throw new Error('fax loop: must run as root (iaxmodem creates /dev links, faxgetty needs root)');
  for (const b of ['/usr/bin/iaxmodem', '/usr/sbin/faxq', '/usr/sbin/hfaxd', '/usr/sbin/faxgetty', '/usr/bin/sendfax', `${HYLA_BIN}/faxmodem`, `${HYLA_BIN}/faxsend`, '/usr/bin/stdbuf']) {
    if (!existsSync(b)) throw new Error(`fax loop: ${b} is missing (scripts/setup.sh installs hylafax-server, hylafax-client, iaxmodem)`);
  }
  // Device ids nobody else uses: UUCP locks and /etc/iaxmodem are global (a real install uses ttyIAX<n>).
  const tag = randomBytes(3).toString('hex');
  const modems = { sender: `ttyFG${tag}s`, receiver: `ttyFG${tag}r`, noAnswer: `ttyFG${tag}n`, silent: `ttyFG${tag}q` };
  const devs = Object.values(modems);
  for (const d of devs) {
    for (const f of [`/dev/${d}`, `/etc/iaxmodem/${d}`]) if (existsSync(f)) throw new Error(`fax loop: ${f} exists`);
  }
  const [pS, pR, pN, pQ] = await freeUdpPorts(4);
  const hfaxdPort = await freeTcpPort();
  const base = mkdtempSync(path.join(tmpdir(), 'faxgate-loop-'));
  chmodSync(base, 0o755); // uucp (faxgetty, the hook) must reach the spool and the drop folder
  const spool = path.join(base, 'spool');
  const dropDir = path.join(base, 'drop');
  const procs: Proc[] = [];
  const uucp = Number((await run('id', ['-u', 'uucp'])).stdout.trim());

  function start(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Proc {
    const fd = openSync(path.join(base, `${name}.log`), 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env });
    closeSync(fd);
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.once('error', () => undefined);
    const p = { name, child, exited };
    procs.push(p);
    return p;
  }
  const log = (name: string) => readOr(path.join(base, `${name}.log`));

  async function stopProc(p: Proc) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return;
    p.child.kill('SIGTERM');
    const done = await Promise.race([p.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    // fax servers first: iaxmodem does not exit while one holds its pty; then hfaxd, faxq, the iaxmodems
    const order = ['getty', 'hfaxd', 'faxq', 'iax'];
    for (const prefix of order) {
      for (const p of procs.filter((x) => x.name.startsWith(prefix))) await stopProc(p);
    }
    for (const d of devs) {
      rmSync(`/etc/iaxmodem/${d}`, { force: true });
      rmSync(`/var/lock/LCK..${d}`, { force: true });
    }
    if (!opts.keep) rmSync(base, { recursive: true, force: true });
  }

  try {
    // ---- iaxmodem pairs: sender <-> receiver, noAnswer <-> silent (silent has no faxgetty: nobody ever answers)
    mkdirSync('/etc/iaxmodem', { recursive: true });
    const pairs: [string, number, number, string][] = [
      [modems.sender, pS, pR, '15550000000'], [modems.receiver, pR, pS, '15550000001'],
      [modems.noAnswer, pN, pQ, '15550000002'], [modems.silent, pQ, pN, '15550000003'],
    ];
    for (const [dev, port, peer, cid] of pairs) {
      writeFileSync(`/etc/iaxmodem/${dev}`, iaxConfig(dev, port, peer, cid));
      start(`iax-${dev}`, '/usr/bin/stdbuf', ['-oL', '/usr/bin/iaxmodem', dev]);
    }
    for (const [dev] of pairs) {
      await waitFor(`iaxmodem ${dev} to create /dev/${dev}`, 10_000, () => {
        const l = log(`iax-${dev}`);
        if (/Unable to bind/.test(l)) throw new Error(`fax loop: iaxmodem ${dev} could not bind its UDP port (another process took it)`);
        return l.includes(`Created /dev/${dev}`) || undefined;
      });
    }
    if (devs.some((d) => /Unable to bind/.test(log(`iax-${d}`)))) throw new Error('fax loop: an iaxmodem fell back to a random port');

    // ---- the private spool (recipe §3.3): Debian ships an empty spool etc/, copy /etc/hylafax into it
    cpSync('/var/spool/hylafax', spool, { recursive: true, preserveTimestamps: true });
    cpSync('/etc/hylafax', path.join(spool, 'etc'), { recursive: true, preserveTimestamps: true });
    const etc = (f: string) => path.join(spool, 'etc', f);
    // MaxBatchJobs 1: one call per job, so a second job to the same number waits its turn instead of joining the call
    writeFileSync(etc('config'), `LogFacility:		daemon
ServerTracing:		0xEB0F
CountryCode:		1
AreaCode:		555
LongDistancePrefix:	1
InternationalPrefix:	011
PageChop:		none
MaxBatchJobs:		1
SendFaxCmd:		${HYLA_BIN}/faxsend
`);
    const prototype = readFileSync(path.join(spool, 'config', 'iaxmodem'), 'utf8');
    const senderConfig = (tsi: string, number: string, dialTimeoutMs?: number) => `FAXNumber:		${number}
LocalIdentifier:	"${tsi}"
UseJobTSI:		yes
RingsBeforeAnswer:	0
ModemResetDelay:	500
ModemSoftResetCmdDelay:	500
${dialTimeoutMs ? `ModemDialResponseTimeout:	${dialTimeoutMs}\n` : ''}${COMMON}${prototype}`;
    writeFileSync(etc(`config.${modems.sender}`), senderConfig(SENDER_TSI, '+1.555.000.0000'));
    writeFileSync(etc(`config.${modems.noAnswer}`), senderConfig('+1 555 000 0002', '+1.555.000.0002', opts.noAnswerDialTimeoutMs));
    // receive-only (ModemReadyState D): faxq never sends on it
    writeFileSync(etc(`config.${modems.receiver}`), `FAXNumber:		+1.555.000.0001
LocalIdentifier:	"${RECEIVER_CSID}"
RingsBeforeAnswer:	1
ModemReadyState:	D
FaxRcvdCmd:		etc/faxrcvd-faxgate
${COMMON}${prototype}`);
    writeFileSync(etc('hosts.hfaxd'), '127.0.0.1\nlocalhost\n');
    chmodSync(etc('hosts.hfaxd'), 0o600);
    copyFileSync(SHIPPED_HOOK, etc('faxrcvd-faxgate'));
    chmodSync(etc('faxrcvd-faxgate'), 0o755);
    // the drop folder as docs/inbound.md sets it up: owned by uucp, group of faxgate's user (root here), setgid 2770
    mkdirSync(dropDir);
    chmodSync(dropDir, 0o2770);
    await run('chown', ['-R', 'uucp:uucp', spool]);
    chownSync(dropDir, uucp, 0);

    // ---- faxq, hfaxd
    start('faxq', '/usr/sbin/faxq', ['-D', '-q', spool]);
    await waitFor('faxq FIFO', 10_000, () => existsSync(path.join(spool, 'FIFO')) || undefined);
    start('hfaxd', '/usr/sbin/hfaxd', ['-d', '-q', spool, '-l', '127.0.0.1', '-i', String(hfaxdPort)]);
    await waitFor(`hfaxd on 127.0.0.1:${hfaxdPort}`, 10_000, async () => (await canConnect(hfaxdPort)) || undefined);

    // ---- modems: the receiver answers under faxgetty (the hook finds the drop folder through FAXRCVD_DROP);
    // both senders are registered send-only (recipe §4), so nothing but faxsend ever opens their ptys
    start(`getty-${modems.receiver}`, '/usr/sbin/faxgetty', ['-q', spool, modems.receiver], { ...process.env, FAXRCVD_DROP: dropDir });
    for (const dev of [modems.sender, modems.noAnswer]) {
      await run(`${HYLA_BIN}/faxmodem`, ['-q', spool, '-c', '(0,1),(0-5),(0-4),(0-2),(0-3),(0-2),(0),(0-7)', dev]);
    }
  } catch (e) {
    await stop();
    throw e;
  }

  const statusFile = (dev: string) => path.join(spool, 'status', dev);
  const loop: FaxLoop = {
    base, spool, dropDir, hfaxdPort, modems: { sender: modems.sender, receiver: modems.receiver, noAnswer: modems.noAnswer },
    async sendfax(file, o = {}) {
      const { stdout } = await run('/usr/bin/sendfax', ['-n', '-m', ...(o.args ?? []), '-h', `${o.modem ?? modems.sender}@127.0.0.1:${hfaxdPort}`,
        '-d', o.dial ?? '15550000001', file], { timeout: 30_000, env: { ...process.env, HOME: base } });
      const m = /request id is (\d+)/.exec(stdout);
      if (!m) throw new Error(`fax loop: sendfax said ${JSON.stringify(stdout)}`);
      return m[1];
    },
    async waitJob(jid, timeoutMs = 180_000) {
      const text = await waitFor(`job ${jid} in doneq`, timeoutMs, () => {
        const t = readOr(path.join(spool, 'doneq', `q${jid}`));
        return /^state:(7|8)$/m.test(t) ? t : undefined;
      });
      const rec: JobRecord = {};
      for (const line of text.split('\n')) {
        const i = line.indexOf(':');
        if (i > 0 && !(line.slice(0, i) in rec)) rec[line.slice(0, i)] = line.slice(i + 1);
      }
      return rec;
    },
    async waitReceiverIdle(timeoutMs = 60_000) {
      await waitFor(`faxgetty ${modems.receiver} Running and idle`, timeoutMs, () => readOr(statusFile(modems.receiver)).includes('Running and idle') || undefined);
    },
    sessionLog: (commid) => readOr(path.join(spool, 'log', `c${commid}`)),
    stop,
  };
  try {
    await loop.waitReceiverIdle();
  } catch (e) {
    await stop();
    throw e;
  }
  return loop;
}

/** Pages of a TIFF and whether two TIFFs hold the same pixels page for page (ImageMagick's compare -metric AE). */
export async function comparePages(sent: string, received: string): Promise<{ sent: number; received: number; differingPixels: number[] }> {
  // the real ImageMagick: /usr/local/bin/convert may be a stand-in on this kind of machine
  const count = async (f: string) => (await run('/usr/bin/identify', [f])).stdout.trim().split('\n').length;
  const [ns, nr] = [await count(sent), await count(received)];
  const differingPixels: number[] = [];
  for (let p = 0; p < Math.min(ns, nr); p++) {
    const r = await run('/usr/bin/compare', ['-metric', 'AE', `${sent}[${p}]`, `${received}[${p}]`, 'null:']).then(
      (x) => x.stderr, (e: { stderr?: string }) => e.stderr ?? 'error');
    differingPixels.push(Number.parseFloat(r.trim()));
  }
  return { sent: ns, received: nr, differingPixels };
}
