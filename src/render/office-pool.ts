// Warm LibreOffice instances for office conversion: a small pool of long-running soffice processes (each driven by
// the python3-uno bridge, each with its own profile), one document per instance at a time, recycled after N
// documents or any failure, under the same time and memory limits per document as a cold conversion.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../logger.js';
import { treeResidentKb, watchMemory } from '../proc/memory.js';
import { killGroup, spawnTied, type TiedChildWithInput } from '../proc/spawn.js';
import { BRIDGE_PY } from './office-bridge.js';
import { coldConverter, ipcSocket } from './office.js';
import { limitFailure, type LimitedResult } from './proc.js';
import { RenderFailure, type Budget, type OfficeConverter } from './types.js';

export type { OfficeConverter } from './types.js';


export interface OfficePool extends OfficeConverter {
  /** start every instance now (start-up pays LibreOffice's cold start once, not the first document) */
  warm(): Promise<void>;
  /** process-group ids of the live instances (the bench sums their trees' resident size) */
  pids(): number[];
  /** resident size of every instance's process tree, in KB */
  residentKb(): number;
  /** counters for tests and metrics: instances started, documents converted, the most ever busy at once */
  stats(): { started: number; converted: number; recycled: number; maxBusy: number; coldRetries: number };
}

export interface OfficePoolOptions {
  /** instances at most (each ~200 MB resident) */
  size: number;
  /** an instance is replaced after this many documents */
  recycleAfter: number;
  /** folder for the instances' private folders (profile, home, temp, the document in conversion) */
  tmpDir: string;
  logger: Logger;
  /** LibreOffice's program */
  command?: string;
  /** the Python with python3-uno (Debian's; a pyenv python does not see it) */
  python?: string;
  /** the bridge program and its leading arguments instead of `python -c BRIDGE_PY` (tests: a stand-in) */
  bridge?: { cmd: string; args: string[] };
  /**
   * a document whose warm instance crashed is converted once more by a cold LibreOffice (this command) within what is
   * left of its budget, so it gets the outcome a cold conversion gives; false: report the crash (tests)
   */
  coldFallback?: string | false;
  /** limit on an instance's start-up, outside any document's budget */
  startTimeoutMs?: number;
  /** work folders in use (the periodic cleanup of DATA/tmp leaves the instances' folders alone) */
  liveDirs?: Set<string>;
  /** how often an instance's memory is measured during a conversion (tests) */
  sampleMs?: number;
}

interface Reply { ready?: boolean; ok?: boolean; error?: string }

interface Instance {
  child: TiedChildWithInput;
  dir: string;
  profileUrl: string;
  pipe: string;
  docs: number;
  stderr: string;
  /** the next reply line, or the instance's end */
  waiting?: (r: Reply | { ended: { code: number | null; signal: NodeJS.Signals | null } }) => void;
  ended?: { code: number | null; signal: NodeJS.Signals | null };
  exited: Promise<void>;
}

export function createOfficePool(opts: OfficePoolOptions): OfficePool {
  const size = Math.max(1, opts.size);
  const idle: Instance[] = [];
  const live = new Set<Instance>();
  const queue: ((inst: Instance | undefined, err?: Error) => void)[] = [];
  let starting = 0;
  let busy = 0;
  let closed = false;
  const counters = { started: 0, converted: 0, recycled: 0, maxBusy: 0, coldRetries: 0 };
  let seq = 0;

  async function start(): Promise<Instance> {
    const dir = path.join(opts.tmpDir, `office-${process.pid}-${++seq}-${randomBytes(4).toString('hex')}`);
    opts.liveDirs?.add(dir);
    await Promise.all(['home', 'tmp', 'work'].map((d) => mkdir(path.join(dir, d), { recursive: true, mode: 0o700 })));
    const profileUrl = pathToFileURL(path.join(dir, 'profile')).href;
    const pipe = `faxgate_office_${path.basename(dir)}`;
    // the same narrow environment as a cold conversion: its own home and temp, no user locale, no display
    const env = { PATH: process.env.PATH, HOME: path.join(dir, 'home'), TMPDIR: path.join(dir, 'tmp'), TEMP: path.join(dir, 'tmp'), LANG: 'C.UTF-8', SAL_USE_VCLPLUGIN: 'svp' };
    const bridge = opts.bridge ?? { cmd: opts.python ?? '/usr/bin/python3', args: ['-c', BRIDGE_PY] };
    const child = spawnTied(bridge.cmd, [...bridge.args, opts.command ?? 'soffice', profileUrl, pipe], { cwd: dir, env, stdin: true });
    counters.started++;
    let exitedResolve!: () => void;
    const inst: Instance = { child, dir, profileUrl, pipe, docs: 0, stderr: '', exited: new Promise((r) => { exitedResolve = r; }) };
    live.add(inst);
    child.stdin.on('error', () => {});
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (inst.stderr.length < 64 * 1024) inst.stderr += d; });
    let buf = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let msg: Reply;
        try { msg = JSON.parse(line) as Reply; } catch { continue; } // not ours (a library's chatter)
        const w = inst.waiting;
        inst.waiting = undefined;
        w?.(msg);
      }
    });
    const onEnd = (code: number | null, signal: NodeJS.Signals | null) => {
      if (inst.ended) return;
      inst.ended = { code, signal };
      live.delete(inst);
      const i = idle.indexOf(inst);
      if (i >= 0) idle.splice(i, 1);
      const w = inst.waiting;
      inst.waiting = undefined;
      w?.({ ended: inst.ended });
      // LibreOffice's sockets outlive a killed instance (they are made in /tmp, whatever TMPDIR says)
      const uid = process.getuid?.() ?? 0;
      void Promise.all([
        rm(ipcSocket(profileUrl), { force: true }), rm(`/tmp/OSL_PIPE_${uid}_${pipe}`, { force: true }), rm(dir, { recursive: true, force: true }),
      ]).catch(() => {}).finally(() => {
        opts.liveDirs?.delete(dir);
        exitedResolve();
      });
    };
    child.on('error', () => onEnd(-1, null));
    child.on('close', onEnd);
    const ready = await nextReply(inst, Date.now() + (opts.startTimeoutMs ?? 120_000));
    if (closed) {
      // the pool closed while this one started (it may be what ended it): it must not outlive the pool, and a
      // deliberate close is not a failure to report
      killGroup(child);
      await inst.exited;
      throw new RenderFailure('damaged', 'the office converter is shutting down');
    }
    if ('ended' in ready || !ready.ready) {
      killGroup(child);
      await inst.exited;
      const why = 'ended' in ready ? (ready.timedOut ? 'it did not start in time' : `it ended (${ready.ended.signal ?? ready.ended.code})`) : ready.error;
      opts.logger.warn({ why, stderr: inst.stderr.slice(-500) }, 'office converter instance failed to start');
      throw new RenderFailure('unsupported-type', `the office converter (LibreOffice) could not be started on this server: ${why}`);
    }
    return inst;
  }

  /** The instance's next reply line, or its end, or (past `deadline`) a timeout; the instance is not killed here. */
  function nextReply(inst: Instance, deadline: number): Promise<Reply | { ended: { code: number | null; signal: NodeJS.Signals | null }; timedOut?: boolean }> {
    if (inst.ended) return Promise.resolve({ ended: inst.ended });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        inst.waiting = undefined;
        resolve({ ended: { code: null, signal: null }, timedOut: true });
      }, Math.max(0, deadline - Date.now()));
      inst.waiting = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }

  function retire(inst: Instance): Promise<void> {
    counters.recycled++;
    live.delete(inst);
    inst.child.stdin.end();
    killGroup(inst.child);
    return inst.exited;
  }

  /** An idle instance, a new one when there is room, or a place in the queue; waiting counts against the budget. */
  async function acquire(deadline: number): Promise<Instance> {
    if (closed) throw new RenderFailure('damaged', 'the office converter is shutting down');
    const ready = idle.pop();
    if (ready) return ready;
    if (live.size + starting < size) {
      starting++;
      try {
        return await start();
      } finally {
        starting--;
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = queue.indexOf(take);
        if (i >= 0) queue.splice(i, 1);
        reject(new RenderFailure('damaged', 'every office converter stayed busy past this document\'s time limit'));
      }, Math.max(0, deadline - Date.now()));
      const take = (inst: Instance | undefined, err?: Error) => {
        clearTimeout(timer);
        if (inst) resolve(inst);
        else reject(err ?? new RenderFailure('damaged', 'the office converter is shutting down'));
      };
      queue.push(take);
    });
  }

  /** Hand a freed (or retired) slot to the first waiter: the instance itself, or a new one started in its place. */
  function release(inst: Instance | undefined): void {
    const next = queue.shift();
    if (!next) {
      if (inst) idle.push(inst);
      return;
    }
    if (inst) return next(inst);
    starting++;
    start().then((i) => next(i), (e: Error) => next(undefined, e)).finally(() => { starting--; });
  }

  async function convert(src: string, outDir: string, budget: Budget): Promise<string> {
    const inst = await acquire(budget.deadline);
    busy++;
    counters.maxBusy = Math.max(counters.maxBusy, busy);
    let keep = false;
    try {
      // the instance reads its own copy under a fixed name: its filter is picked by the extension, as cold
      const input = path.join(inst.dir, 'work', `input${path.extname(src)}`);
      const output = path.join(inst.dir, 'work', 'output.pdf');
      await copyFile(src, input);
      let memoryExceeded = false;
      const pid = inst.child.pid;
      // the document's memory ceiling applies to the whole instance tree while it converts
      const watch = pid ? watchMemory(pid, Math.max(16, budget.limits.memoryMb) * 1024, () => { memoryExceeded = true; killGroup(inst.child); }, { sampleMs: opts.sampleMs }) : undefined;
      inst.child.stdin.write(`${JSON.stringify({ in: input, out: output })}\n`);
      const reply = await nextReply(inst, budget.deadline);
      watch?.stop();
      // the bridge answers "disposed" when LibreOffice died under the document, just before it ends itself
      if ('ended' in reply || memoryExceeded || /DisposedException/.test(reply.error ?? '')) {
        const timedOut = 'ended' in reply && reply.timedOut === true;
        if (timedOut) killGroup(inst.child);
        await inst.exited;
        const end = inst.ended ?? { code: null, signal: null };
        const r: LimitedResult = { code: end.code, signal: end.signal, stderr: inst.stderr, timedOut, memoryExceeded, peakMb: Math.ceil((watch?.peakKb ?? 0) / 1024) };
        // a killed or crashed instance: the same words as a cold conversion; an instance that just ended is a crash too
        const killed = limitFailure([r], budget, 'office converter');
        if (killed && (timedOut || memoryExceeded)) throw killed;
        const fallback = opts.coldFallback ?? opts.command ?? 'soffice';
        if (fallback !== false && Date.now() < budget.deadline) {
          // Warm LibreOffice 7.4 (the -nogui packages) dies on some documents that a one-shot --convert-to handles
          // (a view event wants a dialog file those packages lack): such a document gets the cold conversion's outcome.
          opts.logger.info({ stderr: inst.stderr.slice(-300) }, 'warm office converter crashed; converting the document cold');
          counters.coldRetries++;
          return await coldConverter(fallback).convert(src, outDir, budget);
        }
        throw killed ?? new RenderFailure('damaged', `the office converter crashed on this file (${end.signal ?? `status ${end.code}`})`);
      }
      const made = reply.ok ? await stat(output).catch(() => undefined) : undefined;
      if (!made || made.size === 0) {
        opts.logger.info({ error: reply.error }, 'office converter could not convert a document');
        if (/bad_alloc|out of memory/i.test(reply.error ?? '')) throw new RenderFailure('damaged', 'the office converter ran out of memory on this file');
        throw new RenderFailure('damaged', 'the document is damaged: the office converter could not open it');
      }
      const pdf = path.join(outDir, 'input.pdf');
      await rename(output, pdf);
      await rm(input, { force: true });
      inst.docs++;
      counters.converted++;
      keep = inst.docs < Math.max(1, opts.recycleAfter) && !closed;
      return pdf;
    } finally {
      busy--;
      if (keep) release(inst);
      else {
        // any failure (or the N-th document): a fresh instance next time, so nothing a document did carries over
        if (!inst.ended) await retire(inst);
        release(undefined);
      }
    }
  }

  return {
    convert,
    async warm() {
      const n = size - live.size - starting;
      const made = await Promise.allSettled(Array.from({ length: n }, async () => {
        starting++;
        try { return await start(); } finally { starting--; }
      }));
      for (const m of made) if (m.status === 'fulfilled') release(m.value);
    },
    pids: () => [...live].map((i) => i.child.pid).filter((p): p is number => p !== undefined),
    residentKb: () => [...live].reduce((s, i) => s + (i.child.pid ? treeResidentKb(i.child.pid) : 0), 0),
    stats: () => ({ ...counters }),
    async close() {
      closed = true;
      for (const w of queue.splice(0)) w(undefined);
      const all = [...live];
      idle.length = 0;
      await Promise.all(all.map((i) => { i.child.stdin.end(); killGroup(i.child); return i.exited; }));
    },
  };
}

/**
 * The office converter the server runs with: a warm pool when python3-uno answers (`size` absent: 1 instance on up
 * to 2 cores, else 2), or undefined (each document then starts a cold LibreOffice) when the size is 0 or the bridge
 * cannot run here. Nothing starts until warm() or the first document.
 */
export async function createOfficeConverter(o: Omit<OfficePoolOptions, 'size'> & { size?: number }): Promise<OfficePool | undefined> {
  const size = o.size ?? (availableParallelism() <= 2 ? 1 : 2);
  if (size === 0) return undefined;
  const python = o.python ?? '/usr/bin/python3';
  const ok = await new Promise<boolean>((resolve) => {
    execFile(python, ['-c', 'import uno'], { timeout: 20_000 }, (err) => resolve(!err));
  });
  if (!ok) {
    o.logger.warn({ python }, 'python3-uno is not installed: each office document starts a cold LibreOffice (slower)');
    return undefined;
  }
  return createOfficePool({ ...o, size, python });
}
