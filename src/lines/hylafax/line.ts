// The HylaFAX fax line: hands a fax to hfaxd (told to try once), follows the HylaFAX job to its end, kills it on cancel.
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../domain/types.js';
import type { Logger } from '../../logger.js';
import { readFaxPages } from '../../render/tiff.js';
import type { HylafaxLineConfig } from '../config.js';
import {
  LineJobUnknownError, LineUnavailableError,
  type FaxLine, type LineHealth, type LineJobRef, type LineOutcome, type OutgoingFax, type PageHook, type SubmitHooks,
} from '../types.js';
import {
  HylafaxConnectionError, HylafaxLoginError, HylafaxNoSuchJobError, HylafaxProtocolError, HylafaxReplyError, HylafaxSession,
} from './client.js';
import { FINAL_STATES, hylafaxMessage, hylafaxResult } from './status.js';

export interface HylafaxLineDeps {
  clock: Clock;
  logger: Logger;
  /** how often a handed-over fax is looked at (default 5 s) */
  pollMs?: number;
  /** per protocol command (default 15 s) */
  timeoutMs?: number;
  /** injected so tests need not wait; defaults to a real, abortable timer */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The JOBINFO key of a fax: with the HylaFAX job id the line's reference, so a reused id (ids wrap at 32000) is caught. */
export function hylafaxJobKey(fax: Pick<OutgoingFax, 'jobId' | 'attempt'>): string {
  const id = fax.jobId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100) || 'job';
  return `faxgate.${id}.${Math.max(0, Math.trunc(fax.attempt))}`;
}

const REF = /^hylafax:(\d{1,9}):(faxgate\.[A-Za-z0-9_-]{1,100}\.\d{1,9})$/;

export function formatHylafaxRef(jobNumber: number, key: string): LineJobRef {
  return `hylafax:${jobNumber}:${key}`;
}

export function parseHylafaxRef(ref: LineJobRef): { job: number; key: string } | undefined {
  const m = REF.exec(ref);
  return m ? { job: Number(m[1]), key: m[2] } : undefined;
}

/** LASTTIME is "DDHHMM" from now: how long HylaFAX may hold the fax before it gives up (kill time, status 325). */
export function lastTime(minutes: number): string {
  const m = Math.max(1, Math.min(99 * 24 * 60 + 23 * 60 + 59, Math.trunc(minutes)));
  const dd = Math.floor(m / 1440);
  const hh = Math.floor((m % 1440) / 60);
  const mm = m % 60;
  return [dd, hh, mm].map((n) => String(n).padStart(2, '0')).join('');
}

/**
 * PAGELENGTH in mm for HylaFAX's tiffcheck to pass the pages unchanged: one millimetre more than the longest page,
 * because tiffcheck rounds and asks to resize a page exactly as long as the length it is given (A4 at 297, letter at
 * 279). PAGEWIDTH 209 is what sendfax sends for 1728-pixel pages.
 */
export function pageLengthMm(pages: { height: number; yres: number }[], lpi: number): number {
  let mm = 0;
  for (const p of pages) {
    const yres = p.yres > 0 ? p.yres : lpi;
    mm = Math.max(mm, (p.height / yres) * 25.4);
  }
  return Math.max(1, Math.ceil(mm) + 1);
}

/** HylaFAX's VRES: 98 or 196, or an extended resolution (391) that needs USEXVRES. */
function vres(lpi: number | undefined): number {
  return lpi === undefined ? 196 : lpi <= 98 ? 98 : lpi <= 196 ? 196 : 391;
}

/** Printable ASCII for the job's display fields (who asked): never a quote or control character. */
function displayText(s: string | undefined, fallback: string): string {
  const t = (s ?? '').replace(/[^\x20-\x7e]|"/g, '').trim().slice(0, 100);
  return t || fallback;
}

/** T.30 station ids are 20 characters of digits, "+" and space; anything else never reaches hfaxd. */
export function tsiText(s: string): string {
  return s.replace(/[^0-9+ ]/g, '').slice(0, 20);
}

const realSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  await delay(ms, undefined, { signal });
};

const abortError = () => Object.assign(new Error('aborted'), { name: 'AbortError' });

/** A session that failed to reach or enter hfaxd at all: the line cannot take the fax now. */
function unreachable(e: unknown): boolean {
  return e instanceof HylafaxConnectionError || e instanceof HylafaxLoginError || e instanceof HylafaxProtocolError;
}

export function createHylafaxLine(cfg: HylafaxLineConfig, deps: HylafaxLineDeps): FaxLine {
  const pollMs = deps.pollMs ?? 5000;
  const timeoutMs = deps.timeoutMs ?? 15_000;
  const sleep = deps.sleep ?? realSleep;
  const where = `${cfg.host}:${cfg.port}`;
  const log = deps.logger.child({ line: cfg.name });

  async function session(): Promise<HylafaxSession> {
    const s = await HylafaxSession.connect({ host: cfg.host, port: cfg.port, timeoutMs });
    try {
      await s.login(cfg.user, cfg.password);
    } catch (e) {
      s.destroy();
      throw e;
    }
    return s;
  }

  async function withSession<T>(fn: (s: HylafaxSession) => Promise<T>): Promise<T> {
    const s = await session();
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }

  /** Select a job and check it is the fax the reference names (HylaFAX reuses ids). */
  async function selectOwn(s: HylafaxSession, ref: LineJobRef): Promise<number> {
    const r = parseHylafaxRef(ref);
    if (!r) throw new LineJobUnknownError(`not a HylaFAX reference: ${ref}`);
    try {
      await s.selectJob(r.job);
    } catch (e) {
      if (e instanceof HylafaxNoSuchJobError) throw new LineJobUnknownError(`HylaFAX ${where} has no job ${r.job}`);
      throw e;
    }
    const info = await s.getParam('JOBINFO');
    if (info !== r.key) throw new LineJobUnknownError(`HylaFAX ${where} job ${r.job} is another fax (JOBINFO ${JSON.stringify(info.slice(0, 60))})`);
    return r.job;
  }

  /** After JSUBM failed to answer: committed or not? A job still suspended is deleted and was never sent. */
  async function settleSubmit(job: number, ref: LineJobRef): Promise<LineJobRef> {
    const state = await withSession(async (s) => {
      await selectOwn(s, ref);
      const st = await s.getParam('STATE');
      if (st === 'SUSPENDED') await s.deleteJob();
      return st;
    });
    if (state === 'SUSPENDED') throw new LineUnavailableError(`HylaFAX ${where} did not take job ${job}; deleted unsent`);
    return ref;
  }

  async function submit(fax: OutgoingFax, hooks: SubmitHooks, signal?: AbortSignal): Promise<LineJobRef | undefined> {
    signal?.throwIfAborted();
    const { pages } = await readFaxPages(fax.tiffPath);
    const lpi = fax.lpi ?? pages[0]?.yres ?? 196;
    const key = hylafaxJobKey(fax);
    let s: HylafaxSession;
    try {
      s = await session();
    } catch (e) {
      if (unreachable(e)) throw new LineUnavailableError(`HylaFAX ${where}: ${(e as Error).message}`);
      throw e;
    }
    let job: number | undefined;
    let committing = false;
    try {
      const doc = await s.storeTemp(fax.tiffPath);
      signal?.throwIfAborted();
      job = await s.newJob();
      const v = vres(lpi);
      const params: [string, string | number][] = [
        ['FROMUSER', displayText(fax.from, cfg.user)],
        ['DIALSTRING', fax.to],
        ['VRES', v],
        ...(v > 196 ? [['USEXVRES', 'YES'] as [string, string]] : []),
        ['PAGEWIDTH', 209],
        ['PAGELENGTH', pageLengthMm(pages, lpi)],
        ['MAXDIALS', 1],
        ['MAXTRIES', 1],
        ['NOTIFY', 'none'],
        ['LASTTIME', lastTime(cfg.killMinutes)],
        ['JOBINFO', key],
        ['PAGECHOP', 'none'],
        // faxgate stamps its own header line on every page (src/render/header.ts): an empty job tagline keeps HylaFAX
        // from imaging its TagLineFormat over it (faxsend honours it while UseJobTagLine is Yes, its default).
        ['USETAGLINE', 'YES'],
        ['TAGLINE', ''],
        // The station id: faxsend announces it only with UseJobTSI: yes in the modem's config (docs/lines.md).
        ...(fax.localId ? [['TSI', tsiText(fax.localId)] as [string, string]] : []),
        ...(cfg.modem ? [['MODEM', cfg.modem] as [string, string]] : []),
      ];
      for (const [k, val] of params) await s.setParam(k, val);
      await s.addDocument(doc);
      signal?.throwIfAborted();
      const ref = formatHylafaxRef(job, key);
      if (!hooks.handedOver(ref)) {
        await s.deleteJob();
        job = undefined;
        log.info({ jobId: fax.jobId, hylafaxJob: ref }, 'hand-over refused: prepared HylaFAX job deleted unsent');
        return undefined;
      }
      // Recorded by faxgate: from here the fax is committed whatever the signal says (the next start tracks it).
      committing = true;
      try {
        await s.submit();
      } catch (e) {
        if (e instanceof HylafaxReplyError) {
          // Refused (faxq NAKs a job for a modem it does not know, or when it cannot queue it): never sent, so deleted.
          await s.deleteJob().catch(() => undefined);
          throw new LineUnavailableError(`HylaFAX ${where} refused job ${job}: ${e.code} ${e.text}`);
        }
        if (!(e instanceof HylafaxConnectionError)) throw e;
        log.warn({ jobId: fax.jobId, hylafaxJob: ref, err: e.message }, 'no answer to JSUBM: asking HylaFAX whether it took the fax');
        return await settleSubmit(job, ref).catch((err: unknown) => {
          if (!unreachable(err)) throw err;
          // Committed or not cannot be known now: the recorded reference is tracked (a fax never goes out unwatched).
          log.error({ jobId: fax.jobId, hylafaxJob: ref, err: (err as Error).message }, 'HylaFAX unreachable after JSUBM: tracking the job');
          return ref;
        });
      }
      log.info({ jobId: fax.jobId, hylafaxJob: ref }, 'handed to HylaFAX');
      return ref;
    } catch (e) {
      if (job !== undefined && !committing) await s.deleteJob().catch(() => undefined);
      if (!committing && unreachable(e)) throw new LineUnavailableError(`HylaFAX ${where}: ${(e as Error).message}`);
      throw e;
    } finally {
      await s.close();
    }
  }

  interface Poll { state: string; npages?: number; final?: { code: string; text: string; npages: number; totpages: number; csi?: string } }

  async function poll(ref: LineJobRef): Promise<Poll> {
    return withSession(async (s) => {
      const job = await selectOwn(s, ref);
      const state = await s.getParam('STATE');
      // During the call the job's page count is how far the fax got (progress feedback).
      if (state === 'ACTIVE') return { state, npages: Number.parseInt(await s.getParam('NPAGES'), 10) || 0 };
      if (!FINAL_STATES.has(state)) return { state };
      const code = await s.getParam('STATUSCODE');
      const text = await s.getParam('STATUS');
      const npages = Number.parseInt(await s.getParam('NPAGES'), 10) || 0;
      const totpages = Number.parseInt(await s.getParam('TOTPAGES'), 10) || 0;
      // The remote station id is only in the job's own file; reading it is a bonus, never a failure.
      const csi = await s.retrieve(`doneq/q${job}`).then((t) => /^csi:(.*)$/m.exec(t)?.[1]?.trim(), () => undefined);
      return { state, final: { code, text, npages, totpages, csi: csi || undefined } };
    });
  }

  async function track(ref: LineJobRef, fax: OutgoingFax, signal?: AbortSignal, onPage?: PageHook): Promise<LineOutcome> {
    if (!parseHylafaxRef(ref)) throw new LineJobUnknownError(`not a HylaFAX reference: ${ref}`);
    let activeAt: number | undefined;
    let pagesSeen = 0;
    let failures = 0;
    for (;;) {
      signal?.throwIfAborted();
      let p: Poll | undefined;
      try {
        p = await poll(ref);
        failures = 0;
      } catch (e) {
        if (e instanceof LineJobUnknownError) throw e;
        // hfaxd read the job while faxq moved it from sendq to doneq: look again.
        const moving = e instanceof HylafaxReplyError && /deleted by another party/i.test(e.text);
        if (!unreachable(e) && !moving) throw e;
        // hfaxd restarting or briefly away: the job is in HylaFAX's queue, keep looking.
        if (!moving && failures++ % 12 === 0) log.warn({ jobId: fax.jobId, hylafaxJob: ref, err: (e as Error).message }, 'HylaFAX unreachable while tracking; still trying');
      }
      if (signal?.aborted) throw abortError();
      if (p?.state === 'ACTIVE' && activeAt === undefined) activeAt = deps.clock.now().getTime();
      if (p?.npages && p.npages > pagesSeen) {
        pagesSeen = p.npages;
        onPage?.(pagesSeen);
      }
      if (p?.final) {
        const f = p.final;
        const result = hylafaxResult({ state: p.state, code: f.code, text: f.text, pagesSent: f.npages });
        const total = f.totpages || fax.pages || undefined;
        const durationSeconds = activeAt === undefined ? undefined : Math.max(0, Math.round((deps.clock.now().getTime() - activeAt) / 1000));
        return {
          result,
          pagesSent: f.npages,
          ...(total ? { pagesTotal: total } : {}),
          ...(durationSeconds !== undefined ? { durationSeconds } : {}),
          ...(f.csi ? { remoteId: f.csi } : {}),
          lineCode: f.code,
          lineText: f.text || p.state.toLowerCase(),
          message: hylafaxMessage(result, { state: p.state, code: f.code, text: f.text, pagesSent: f.npages }, { sent: f.npages, total }),
        };
      }
      await sleep(pollMs, signal);
    }
  }

  async function cancel(ref: LineJobRef): Promise<'cancelled' | 'finished' | 'unknown'> {
    if (!parseHylafaxRef(ref)) return 'unknown';
    try {
      return await withSession(async (s) => {
        await selectOwn(s, ref);
        const r = await s.kill();
        log.info({ hylafaxJob: ref, result: r }, 'JKILL');
        return r === 'killed' ? 'cancelled' : 'finished';
      });
    } catch (e) {
      if (e instanceof LineJobUnknownError) return 'unknown';
      if (unreachable(e)) throw new LineUnavailableError(`HylaFAX ${where}: ${(e as Error).message}`);
      throw e;
    }
  }

  async function check(): Promise<LineHealth> {
    try {
      const status = await withSession((s) => s.list('status'));
      const lines = status.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
      const sched = lines.find((l) => /^HylaFAX scheduler/i.test(l));
      const running = Boolean(sched && /:\s*Running\b/i.test(sched));
      const modems = lines
        .map((l) => /^Modem (\S+)(?: \([^)]*\))?:\s*(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => Boolean(m))
        .map((m) => ({ id: m[1], state: m[2].replace(/^Running and idle$/i, 'idle') }));
      const modemText = modems.length ? modems.map((m) => `${m.id} ${m.state}`).join(', ') : 'none registered';
      const missing = cfg.modem && !modems.some((m) => m.id === cfg.modem);
      const schedText = running ? 'scheduler running' : sched ? `scheduler ${sched.replace(/^HylaFAX scheduler[^:]*:\s*/i, '').toLowerCase()}` : 'scheduler status unknown';
      const detail = `hfaxd ${where}: ${schedText}, modems: ${modemText}${missing ? ` (modem ${cfg.modem} is not registered)` : ''}`;
      return { ok: running && !missing, detail };
    } catch (e) {
      return { ok: false, detail: `hfaxd ${where}: ${(e as Error).message}` };
    }
  }

  return { name: cfg.name, kind: 'hylafax', durable: true, submit, track, cancel, check };
}
