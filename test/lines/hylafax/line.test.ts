// The HylaFAX line against a real hfaxd and faxq on a private spool (no modem, so handed-over jobs stay queued).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/domain/types.js';
import { createHylafaxLine, parseHylafaxRef } from '../../../src/lines/hylafax/line.js';
import type { HylafaxLineConfig } from '../../../src/lines/config.js';
import { LineJobUnknownError, LineUnavailableError, type OutgoingFax } from '../../../src/lines/types.js';
import { silentLogger } from '../../../src/logger.js';
import { hylafaxUnavailable, startHylafaxServer, waitFor, type HylafaxServer } from '../../helpers/hylafax-server.js';

const SKIP = hylafaxUnavailable();
let srv: HylafaxServer;
let dir: string;
let tiff: string;

beforeAll(async () => {
  if (SKIP) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'faxgate-hfaxline-'));
  const ps = path.join(dir, 'doc.ps');
  execFileSync('sh', ['-c', `printf '%s\\n' '%!' '/Helvetica findfont 48 scalefont setfont' '100 1500 moveto (Page one) show showpage' '100 1500 moveto (Page two) show showpage' > ${ps}`]);
  tiff = path.join(dir, 'fax.tif');
  execFileSync('gs', ['-q', '-dBATCH', '-dNOPAUSE', '-dSAFER', '-sDEVICE=tiffg4', '-r204x196', '-g1728x2156', `-sOutputFile=${tiff}`, ps]);
  srv = await startHylafaxServer();
});

afterAll(async () => {
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cfg = (over: Partial<HylafaxLineConfig> = {}): HylafaxLineConfig => ({
  name: 'office', kind: 'hylafax', host: srv.host, port: srv.port, user: 'faxgate', killMinutes: 30, ...over,
});
/** Polling every 20 ms: the test waits on HylaFAX's own state change, not on a clock. */
const line = (over: Partial<HylafaxLineConfig> = {}) => createHylafaxLine(cfg(over), { clock: systemClock, logger: silentLogger, pollMs: 20, timeoutMs: 5000 });

let n = 0;
const fax = (over: Partial<OutgoingFax> = {}): OutgoingFax => ({
  jobId: `job_test${++n}`, attempt: 1, to: '+15550001234', tiffPath: tiff, pages: 2, lpi: 196, from: 'alice@example.com', ...over,
});

describe.skipIf(SKIP)('HylaFAX line on a real hfaxd', () => {
  it('submit: hands over before JSUBM, and the queued job carries what faxgate set', async () => {
    const l = line();
    const f = fax({ attempt: 3, localId: '+1 555 010 0100' });
    let seen: string | undefined;
    let queuedAtHandOver: string | undefined;
    const ref = await l.submit(f, {
      handedOver: (r) => {
        seen = r;
        // The job exists but is not committed yet: suspended (state 1), faxq has not been told.
        queuedAtHandOver = srv.jobFile(parseHylafaxRef(r)!.job)?.state;
        return true;
      },
    });
    expect(ref).toBe(seen);
    const { job, key } = parseHylafaxRef(ref!)!;
    expect(key).toBe(`faxgate.${f.jobId}.3`);
    expect(queuedAtHandOver).toBe('1');
    await waitFor('the job in sendq', () => srv.jobFile(job)?.queue === 'sendq');
    const q = srv.jobFile(job)!;
    expect(q).toMatchObject({
      number: '+15550001234', maxdials: '1', maxtries: '1', jobtag: key, notify: 'none', resolution: '196',
      pagewidth: '209', pagelength: '281', modem: 'any', sender: 'alice@example.com', owner: 'faxgate',
      // faxgate's own header line is on the pages: HylaFAX is told to image none (an empty job tagline), and the TSI
      tsi: '+1 555 010 0100', desiredtl: '1',
    });
    expect(q.tagline ?? '').toBe('');
    // LASTTIME 30 minutes: the kill time is 30 minutes after the time to send
    expect(Number(q.killtime) - Number(q.tts)).toBeGreaterThanOrEqual(29 * 60);
    expect(Number(q.killtime) - Number(q.tts)).toBeLessThanOrEqual(31 * 60);
    expect(q.tiff).toMatch(/^0::docq\/doc\d+\.tif/);
    const doc = path.join(srv.spool, q.tiff.split('::')[1]);
    // The document HylaFAX keeps is the very file faxgate rendered.
    expect(execFileSync('cmp', [doc, tiff]).length).toBe(0);
    expect(await l.cancel(ref!)).toBe('cancelled');
  });

  it('handedOver=false: the prepared job is deleted and nothing is left queued', async () => {
    const before = srv.queued();
    let ref: string | undefined;
    const r = await line().submit(fax(), { handedOver: (x) => { ref = x; return false; } });
    expect(r).toBeUndefined();
    expect(srv.queued()).toEqual(before);
    expect(srv.jobFile(parseHylafaxRef(ref!)!.job)).toBeUndefined();
  });

  it('cancel: JKILL, and tracking ends cancelled (HylaFAX 345); a second cancel finds it finished', async () => {
    const l = line();
    const f = fax();
    const ref = (await l.submit(f, { handedOver: () => true }))!;
    const tracking = l.track(ref, f);
    expect(await l.cancel(ref)).toBe('cancelled');
    const out = await tracking;
    expect(out).toMatchObject({ result: 'cancelled', pagesSent: 0, pagesTotal: 2, lineCode: '345', lineText: 'Job aborted by request', message: 'cancelled' });
    expect(srv.jobFile(parseHylafaxRef(ref)!.job)).toMatchObject({ queue: 'doneq', state: '8', statuscode: '345' });
    expect(await l.cancel(ref)).toBe('finished');
  });

  it('track stops watching on abort and leaves the fax queued', async () => {
    const l = line();
    const f = fax();
    const ref = (await l.submit(f, { handedOver: () => true }))!;
    const ac = new AbortController();
    const tracking = l.track(ref, f, ac.signal);
    setTimeout(() => ac.abort(), 100);
    await expect(tracking).rejects.toMatchObject({ name: 'AbortError' });
    expect(srv.jobFile(parseHylafaxRef(ref)!.job)?.queue).toBe('sendq');
    await l.cancel(ref);
  });

  it('restart-resume: a new line instance tracks the recorded reference and cancels it; nothing is submitted again', async () => {
    const before = srv.queued().length;
    const f = fax();
    const ref = (await line().submit(f, { handedOver: () => true }))!;
    expect(srv.queued().length).toBe(before + 1);
    // faxgate restarted: only the recorded reference survives.
    const again = line();
    const tracking = again.track(ref, f);
    expect(srv.queued().length).toBe(before + 1);
    expect(await again.cancel(ref)).toBe('cancelled');
    expect((await tracking).result).toBe('cancelled');
    expect(srv.queued().length).toBe(before);
  });

  it('a reference whose job id now names another fax (ids wrap at 32000), or no job at all, is unknown', async () => {
    const l = line();
    const f = fax();
    const ref = (await l.submit(f, { handedOver: () => true }))!;
    const { job } = parseHylafaxRef(ref)!;
    const reused = `hylafax:${job}:faxgate.job_someone_else.1`;
    await expect(l.track(reused, f)).rejects.toBeInstanceOf(LineJobUnknownError);
    expect(await l.cancel(reused)).toBe('unknown');
    await expect(l.track('hylafax:31999:faxgate.job_gone.1', f)).rejects.toBeInstanceOf(LineJobUnknownError);
    expect(await l.cancel('hylafax:31999:faxgate.job_gone.1')).toBe('unknown');
    await l.cancel(ref);
  });

  it('kill time: a job whose kill time passed ends rejected with HylaFAX 325 when faxq looks at it again', async () => {
    const l = line();
    const f = fax();
    const ref = (await l.submit(f, { handedOver: () => true }))!;
    const { job } = parseHylafaxRef(ref)!;
    await waitFor('the job in sendq', () => srv.jobFile(job)?.queue === 'sendq');
    // Deterministic stand-in for waiting out LASTTIME: stop faxq, move the job's kill time into the past, start faxq
    // (which re-reads its queue at start and expires the job).
    await srv.stopFaxq();
    const file = path.join(srv.spool, 'sendq', `q${job}`);
    execFileSync('sed', ['-i', `s/^killtime:.*/killtime:${Math.floor(Date.now() / 1000) - 60}/`, file]);
    await srv.startFaxq();
    const out = await l.track(ref, f);
    expect(out).toMatchObject({ result: 'rejected', lineCode: '325', lineText: 'Kill time expired' });
  });

  it('check: hfaxd reached and the scheduler running; a modem that is not registered is reported', async () => {
    expect(await line().check()).toEqual({ ok: true, detail: `hfaxd 127.0.0.1:${srv.port}: scheduler running, modems: none registered` });
    const h = await line({ modem: 'ttyIAX9' }).check();
    expect(h.ok).toBe(false);
    expect(h.detail).toMatch(/modem ttyIAX9 is not registered/);
  });

  it('hfaxd stopped: submit rejects LineUnavailableError with nothing queued, check is not ok; back once it returns', async () => {
    const before = srv.queued();
    await srv.stopHfaxd();
    try {
      const l = line();
      await expect(l.submit(fax(), { handedOver: () => { throw new Error('must not hand over'); } })).rejects.toBeInstanceOf(LineUnavailableError);
      const h = await l.check();
      expect(h.ok).toBe(false);
      expect(h.detail).toMatch(new RegExp(`^hfaxd 127.0.0.1:${srv.port}: .*ECONNREFUSED`));
      expect(srv.queued()).toEqual(before);
    } finally {
      await srv.startHfaxd();
    }
    expect((await line().check()).ok).toBe(true);
  });

  it('a modem HylaFAX does not know: faxq refuses JSUBM, the job is deleted, LineUnavailableError', async () => {
    const before = srv.queued();
    let ref: string | undefined;
    const err = await line({ modem: 'ttyIAX9' }).submit(fax(), { handedOver: (r) => { ref = r; return true; } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(LineUnavailableError);
    expect((err as Error).message).toMatch(/refused job \d+: 460/);
    expect(srv.queued()).toEqual(before);
    expect(srv.jobFile(parseHylafaxRef(ref!)!.job)).toBeUndefined();
  });

  it('a password hfaxd asks for and faxgate does not have: submit rejects LineUnavailableError, check names the refusal', async () => {
    // hosts.hfaxd (regex:uid:password:admin): these users must give a password (a crypt nothing matches); others need none.
    const hosts = path.join(srv.spool, 'etc', 'hosts.hfaxd');
    const original = readFileSync(hosts, 'utf8');
    writeFileSync(hosts, `^nopass@::xxxxxxxxxxxxx:\n^wrongpass@::xxxxxxxxxxxxx:\n${original}`);
    try {
      const l = line({ user: 'nopass' });
      await expect(l.submit(fax(), { handedOver: () => { throw new Error('must not hand over'); } })).rejects.toBeInstanceOf(LineUnavailableError);
      const h = await l.check();
      expect(h.ok).toBe(false);
      expect(h.detail).toMatch(/331/);
      const w = await line({ user: 'wrongpass', password: 'not-it' }).check();
      expect(w.ok).toBe(false);
      expect(w.detail).toMatch(/PASS with 530/);
    } finally {
      writeFileSync(hosts, original);
    }
  });
});
