// Receiving on a HylaFAX line without the daemons: the real FaxRcvdCmd hook (run as uucp, cwd a spool holding a real
// Ghostscript fax) fills a drop folder, then the intake hands it to a real inbound service on a real SQLite folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { systemClock, type Clock } from '../../../src/domain/types.js';
import type { InboundService } from '../../../src/inbound/service.js';
import { FAILED_DIR, createHylafaxIntake, parseMeta } from '../../../src/lines/hylafax/receive.js';
import { createLogger } from '../../../src/logger.js';
import { openInbound } from '../../../src/main.js';
import { createAccountStore } from '../../../src/settings/accounts.js';
import { openDatabase } from '../../../src/store/db.js';
import { removeScratch, scratchDir } from '../../inbound/parts.js';

const HOOK = path.resolve('scripts/hylafax/faxrcvd-faxgate');
const ROOT = process.getuid?.() === 0;
const UUCP = ROOT ? Number(execFileSync('id', ['-u', 'uucp']).toString().trim()) : -1;
const OWNED = '+15550000001';
const TSI = '+1 555 000 0000';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers.splice(0)) await c();
  removeScratch();
});

/** A folder uucp can reach (mkdtemp makes 0700 folders owned by root). */
function openDir(prefix: string): string {
  const d = scratchDir(prefix);
  chmodSync(d, 0o755);
  return d;
}

/** A 2-page fax as faxgetty leaves it in recvq: G4, 1728x2156, 204x196 dpi, the TSI in ImageDescription. */
let faxTemplate: string;
beforeAll(() => {
  const dir = openDir('faxgate-hylafax-src-');
  const ps = path.join(dir, 'doc.ps');
  writeFileSync(ps, '%!\n/Helvetica findfont 48 scalefont setfont\n100 1500 moveto (Received page one) show showpage\n100 1500 moveto (Received page two) show showpage\n');
  faxTemplate = path.join(dir, 'fax.tif');
  execFileSync('gs', ['-q', '-dBATCH', '-dNOPAUSE', '-dSAFER', '-sDEVICE=tiffg4', '-r204x196', '-g1728x2156', `-sOutputFile=${faxTemplate}`, ps]);
  for (const page of ['0', '1']) execFileSync('tiffset', ['-d', page, '-s', '270', TSI, faxTemplate]);
});

let seq = 0;

/** A fake spool and a drop folder set up as docs/inbound.md says (drop owned by uucp, setgid, 2770). */
function lineDirs() {
  const base = openDir('faxgate-hylafax-');
  const spool = path.join(base, 'spool');
  const drop = path.join(base, 'drop');
  mkdirSync(path.join(spool, 'recvq'), { recursive: true });
  mkdirSync(drop, { mode: 0o2770 });
  chmodSync(drop, 0o2770);
  if (ROOT) for (const d of [spool, path.join(spool, 'recvq'), drop]) chownSync(d, UUCP, 0);
  return { base, spool, drop };
}

/** Put a file into recvq as faxgetty would and run the hook on it the way faxgetty does; returns the qfile. */
function receiveCall(dirs: { spool: string; drop: string }, args: { error?: string; callIds: string[]; content?: Buffer | null }) {
  const qfile = `recvq/fax${String(++seq).padStart(9, '0')}.tif`;
  if (args.content !== null) {
    writeFileSync(path.join(dirs.spool, qfile), args.content ?? readFileSync(faxTemplate));
    if (ROOT) chownSync(path.join(dirs.spool, qfile), UUCP, 0);
  }
  const hookArgs = [qfile, 'ttyIAX1', String(seq).padStart(9, '0'), args.error ?? '', ...args.callIds];
  const cmd = ROOT ? 'runuser' : 'env';
  const argv = [...(ROOT ? ['-u', 'uucp', '--', 'env'] : []), `FAXRCVD_DROP=${dirs.drop}`, 'sh', HOOK, ...hookArgs];
  const r = spawnSync(cmd, argv, { cwd: dirs.spool, encoding: 'utf8' });
  return { qfile, status: r.status, stderr: r.stderr };
}

async function service(clock: Clock = systemClock) {
  const dataDir = scratchDir('faxgate-hylafax-data-');
  const config = loadConfig({}, { dataDir, publicUrl: 'https://fax.example.test' });
  const db = openDatabase(dataDir);
  const accounts = createAccountStore({ db, clock: systemClock });
  const lines: string[] = [];
  const logger = createLogger('debug', new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
  const { inbound, close } = await openInbound({ config, db, accounts, clock, logger });
  closers.push(async () => { await close(); db.close(); });
  const account = accounts.create({ name: 'Clinic', senders: ['front@clinic.example'], inbound: [OWNED] });
  return { inbound: inbound as InboundService, account, logger, lines };
}

type Svc = Awaited<ReturnType<typeof service>>;

const dropFiles = (drop: string) => readdirSync(drop).filter((n) => n !== FAILED_DIR).sort();
const failedFiles = (drop: string) => (existsSync(path.join(drop, FAILED_DIR)) ? readdirSync(path.join(drop, FAILED_DIR)).sort() : []);
const reasonCodes = (drop: string) => failedFiles(drop).filter((n) => n.endsWith('.reason.json'))
  .map((n) => (JSON.parse(readFileSync(path.join(drop, FAILED_DIR, n), 'utf8')) as { code: string }).code).sort();

const NORMAL = ['15550000000', 'FAXGATE A', '<NONE>', '15550000001'];
// Quotes, command substitutions, backquotes, newlines, a leading dash: remote data the hook must never evaluate.
const HOSTILE_NAME = `A"; touch PWNED1; '$(touch PWNED2)\`touch PWNED3\`\n-rf *`;

describe('the FaxRcvdCmd hook', () => {
  it('copies the fax and writes metadata (meta last), never evaluating remote values', () => {
    const dirs = lineDirs();
    const r = receiveCall(dirs, { callIds: ['15550000000', HOSTILE_NAME, '$(id)', '15550000001'] });
    expect(r.status).toBe(0);
    const names = dropFiles(dirs.drop);
    expect(names).toHaveLength(2);
    const base = names[0].replace(/\.(meta|tif)$/, '');
    expect(names).toEqual([`${base}.meta`, `${base}.tif`]);
    expect(readFileSync(path.join(dirs.drop, `${base}.tif`)).equals(readFileSync(faxTemplate))).toBe(true);
    const meta = parseMeta(readFileSync(path.join(dirs.drop, `${base}.meta`), 'utf8'));
    expect(Object.fromEntries(meta)).toMatchObject({
      qfile: r.qfile, device: 'ttyIAX1', error: '', tif: '1', tsi: TSI, pages: '2',
      callid_nmbr: '15550000000', callid_name: HOSTILE_NAME, callid_anid: '$(id)', callid_ndid: '15550000001',
    });
    expect(meta.get('received')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (const dir of [dirs.spool, dirs.drop, process.cwd()]) {
      for (const m of ['PWNED1', 'PWNED2', 'PWNED3']) expect(existsSync(path.join(dir, m))).toBe(false);
    }
    if (ROOT) {
      expect(execFileSync('stat', ['-c', '%U %a', path.join(dirs.drop, `${base}.tif`)]).toString().trim()).toBe('uucp 640');
    }
  });

  it('records a failed reception without pages as metadata only, with its error', () => {
    const dirs = lineDirs();
    const r = receiveCall(dirs, { error: 'T.30 T2 timeout, expected signal not received', callIds: NORMAL, content: null });
    expect(r.status).toBe(0);
    const names = dropFiles(dirs.drop);
    expect(names).toHaveLength(1);
    const meta = parseMeta(readFileSync(path.join(dirs.drop, names[0]), 'utf8'));
    expect(meta.get('tif')).toBe('0');
    expect(meta.get('error')).toBe('T.30 T2 timeout, expected signal not received');
  });

  it('fails loudly when the drop folder is missing, leaving the fax in the spool', () => {
    const dirs = lineDirs();
    const r = receiveCall({ spool: dirs.spool, drop: path.join(dirs.base, 'absent') }, { callIds: NORMAL });
    expect(r.status).toBe(73);
    expect(r.stderr).toContain('absent');
    expect(existsSync(path.join(dirs.spool, r.qfile))).toBe(true);
  });
});

describe('the intake', () => {
  let s: Svc;
  beforeAll(async () => {
    s = await service();
  });

  const intake = (drop: string, more: { lineNumber?: string; clock?: Clock; inbound?: Svc['inbound'] } = {}) =>
    createHylafaxIntake({ dropDir: drop, inbound: more.inbound ?? s.inbound, logger: s.logger, clock: more.clock ?? systemClock, pollMs: 50, ...(more.lineNumber ? { lineNumber: more.lineNumber } : {}) });

  it('stores the fax under the owning account with the numbers and the TSI, then empties the drop folder', async () => {
    const dirs = lineDirs();
    receiveCall(dirs, { callIds: ['15550000000', HOSTILE_NAME, '<NONE>', '15550000001'] });
    const before = s.inbound.list(s.account.id, { limit: 200 }).items.length;
    expect(await intake(dirs.drop).scan()).toEqual({ stored: 1, discarded: 0, failed: 0, retried: 0 });
    const items = s.inbound.list(s.account.id, { limit: 200 }).items;
    expect(items).toHaveLength(before + 1);
    expect(items[0]).toMatchObject({ to: OWNED, from: '+15550000000', remoteId: TSI, pages: 2, status: 'stored' });
    const stored = path.join(s.inbound.dir(items[0].id), 'fax.tif');
    expect(readFileSync(stored).equals(readFileSync(faxTemplate))).toBe(true);
    expect(dropFiles(dirs.drop)).toEqual([]);
  });

  it('takes a withheld caller as anonymous and a missing NDID as the line\'s own number', async () => {
    const dirs = lineDirs();
    receiveCall(dirs, { callIds: ['P', 'PRIVATE', '<NONE>', '<NONE>'] });
    receiveCall(dirs, { callIds: [`1555"$(touch PWNED)`, '', '', ''] });
    expect(await intake(dirs.drop, { lineNumber: OWNED }).scan()).toMatchObject({ stored: 2 });
    const [a, b] = s.inbound.list(s.account.id, { limit: 2 }).items;
    for (const f of [a, b]) expect(f).toMatchObject({ to: OWNED, from: 'anonymous', remoteId: TSI });
    expect(existsSync(path.join(dirs.spool, 'PWNED'))).toBe(false);
  });

  it('hands over what arrived while faxgate was down at start, then what arrives while it runs', async () => {
    const dirs = lineDirs();
    receiveCall(dirs, { callIds: NORMAL });
    receiveCall(dirs, { callIds: NORMAL });
    expect(dropFiles(dirs.drop)).toHaveLength(4);
    const hookTimes = dropFiles(dirs.drop).filter((n) => n.endsWith('.meta'))
      .map((n) => parseMeta(readFileSync(path.join(dirs.drop, n), 'utf8')).get('received')!).sort();
    // faxgate comes up an hour after the calls: the faxes keep the time they were received
    const later: Clock = { now: () => new Date(Date.now() + 3600_000) };
    const s2 = await service(later);
    const it1 = intake(dirs.drop, { clock: later, inbound: s2.inbound });
    expect(await it1.start()).toMatchObject({ stored: 2, retried: 0 });
    expect(dropFiles(dirs.drop)).toEqual([]);
    const two = s2.inbound.list(s2.account.id, { limit: 2 }).items;
    expect(two.map((f) => f.receivedAt).sort()).toEqual(hookTimes.map((t) => new Date(t).toISOString()));
    receiveCall(dirs, { callIds: NORMAL });
    // found by fs.watch or the 50 ms poll; bounded wait, no timing assertion
    for (let i = 0; i < 400 && dropFiles(dirs.drop).length > 0; i++) await new Promise((r) => setTimeout(r, 25));
    await it1.stop();
    expect(dropFiles(dirs.drop)).toEqual([]);
    expect(s2.inbound.list(s2.account.id, { limit: 200 }).items).toHaveLength(3);
  });

  it('stores once when faxgate dies between storing and removing the pair', async () => {
    const dirs = lineDirs();
    receiveCall(dirs, { callIds: NORMAL });
    const before = s.inbound.list(s.account.id, { limit: 200 }).items.length;
    // the fax is committed, then the process "dies" before the pair is removed
    const dying = { ...s.inbound, receive: async (i: Parameters<Svc['inbound']['receive']>[0]) => { await s.inbound.receive(i); throw new Error('killed'); } };
    expect(await intake(dirs.drop, { inbound: dying as Svc['inbound'] }).scan()).toMatchObject({ stored: 0, retried: 1 });
    expect(dropFiles(dirs.drop)).toHaveLength(2);
    expect(await intake(dirs.drop).scan()).toMatchObject({ stored: 1, retried: 0 });
    expect(dropFiles(dirs.drop)).toEqual([]);
    expect(s.inbound.list(s.account.id, { limit: 200 }).items).toHaveLength(before + 1);
    expect(s.lines.some((l) => l.includes('"inbound.duplicate"'))).toBe(true);
  });

  it('removes a fax for a number no account owns, storing nothing and logging it', async () => {
    const dirs = lineDirs();
    receiveCall(dirs, { callIds: ['15550000000', 'FAXGATE A', '<NONE>', '15559990002'] });
    const before = s.inbound.list(s.account.id, { limit: 200 }).items.length;
    expect(await intake(dirs.drop).scan()).toEqual({ stored: 0, discarded: 1, failed: 0, retried: 0 });
    expect(dropFiles(dirs.drop)).toEqual([]);
    expect(failedFiles(dirs.drop)).toEqual([]);
    expect(s.inbound.list(s.account.id, { limit: 200 }).items).toHaveLength(before);
    expect(s.lines.some((l) => l.includes('inbound.discarded') && l.includes('+15559990002'))).toBe(true);
  });

  it('sets aside a damaged TIFF, a non-TIFF and a page-less reception with reasons, and still stores the others', async () => {
    const dirs = lineDirs();
    const good = readFileSync(faxTemplate);
    receiveCall(dirs, { callIds: NORMAL, content: good.subarray(0, Math.floor(good.length / 2)) });
    receiveCall(dirs, { callIds: NORMAL });
    receiveCall(dirs, { callIds: NORMAL, content: Buffer.from('this is not a fax\n') });
    receiveCall(dirs, { callIds: NORMAL, error: 'RSPREC error/got DCN', content: null });
    const before = s.inbound.list(s.account.id, { limit: 200 }).items.length;
    const one = intake(dirs.drop);
    expect(await one.scan()).toEqual({ stored: 1, discarded: 0, failed: 3, retried: 0 });
    expect(dropFiles(dirs.drop)).toEqual([]);
    expect(reasonCodes(dirs.drop)).toEqual(['invalid-request', 'invalid-request', 'no-image']);
    expect(failedFiles(dirs.drop).filter((n) => n.endsWith('.meta'))).toHaveLength(3);
    expect(s.inbound.list(s.account.id, { limit: 200 }).items).toHaveLength(before + 1);
    // set aside once: a second scan has nothing to do
    expect(await one.scan()).toEqual({ stored: 0, discarded: 0, failed: 0, retried: 0 });
  });

  it('sets aside what a dead hook left once it is old, and leaves fresh leftovers alone', async () => {
    const dirs = lineDirs();
    const old = new Date(Date.now() - 2 * 24 * 3600_000);
    writeFileSync(path.join(dirs.drop, 'fax-ttyIAX1-000000009-x-1.tif'), readFileSync(faxTemplate));
    writeFileSync(path.join(dirs.drop, '.fax-ttyIAX1-000000010-x-2.meta.tmp'), 'faxgate-drop 1\n');
    writeFileSync(path.join(dirs.drop, '.fax-ttyIAX1-000000011-x-3.tif.tmp'), 'partial');
    for (const n of ['fax-ttyIAX1-000000009-x-1.tif', '.fax-ttyIAX1-000000010-x-2.meta.tmp']) utimesSync(path.join(dirs.drop, n), old, old);
    await intake(dirs.drop).scan();
    expect(dropFiles(dirs.drop)).toEqual(['.fax-ttyIAX1-000000011-x-3.tif.tmp']);
    expect(reasonCodes(dirs.drop)).toEqual(['incomplete', 'no-metadata']);
  });

  it.each([
    ['no header', 'device=74\n'],
    ['odd hex', 'faxgate-drop 1\ndevice=7\n'],
    ['a key with capitals', 'faxgate-drop 1\nDevice=74\n'],
    ['a raw value', 'faxgate-drop 1\ndevice=ttyIAX1\n'],
    ['a newer format', 'faxgate-drop 2\ndevice=74\n'],
  ])('sets aside metadata with %s, once', async (_label, text) => {
    const dirs = lineDirs();
    writeFileSync(path.join(dirs.drop, 'fax-x-1.meta'), text);
    writeFileSync(path.join(dirs.drop, 'fax-x-1.tif'), readFileSync(faxTemplate));
    const one = intake(dirs.drop);
    expect(await one.scan()).toEqual({ stored: 0, discarded: 0, failed: 1, retried: 0 });
    expect(reasonCodes(dirs.drop)).toEqual(['bad-metadata']);
    expect(failedFiles(dirs.drop)).toEqual(['fax-x-1.meta', 'fax-x-1.reason.json', 'fax-x-1.tif']);
    expect(await one.scan()).toEqual({ stored: 0, discarded: 0, failed: 0, retried: 0 });
  });

  it('delivers the pages of a reception cut short, logging HylaFAX\'s reason', async () => {
    const dirs = lineDirs();
    receiveCall(dirs, { callIds: NORMAL, error: 'T.30 T2 timeout, expected signal not received' });
    expect(await intake(dirs.drop).scan()).toMatchObject({ stored: 1 });
    expect(s.lines.some((l) => l.includes('"lineError":"T.30 T2 timeout, expected signal not received"'))).toBe(true);
  });

  it('refuses a line number that is not E.164', () => {
    expect(() => intake('/nonexistent', { lineNumber: '5550000001' })).toThrow(expect.objectContaining({ code: 'invalid-number' }));
  });
});
