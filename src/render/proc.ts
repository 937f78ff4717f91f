// Spawning external renderers as untrusted-input processing: own process group, memory ceiling, wall-clock kill.
import { constants as osConstants } from 'node:os';
import { watchMemory } from '../proc/memory.js';
import { killGroup as killTree, spawnTied, type TiedChild } from '../proc/spawn.js';
import { RenderFailure, overBudget, type Budget } from './types.js';

export interface LimitedResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** our deadline ended it */
  timedOut: boolean;
  /** its process tree went past the memory ceiling and was killed */
  memoryExceeded: boolean;
  /** the largest resident size of its process tree that was seen, in MB rounded up (so a kill always reads above the ceiling) */
  peakMb: number;
}

export interface LimitedSpawn {
  child: TiedChild;
  /** resolves when the process ends */
  done: Promise<LimitedResult>;
  kill(): void;
}

export interface LimitOptions {
  /** ceiling on the resident size of the whole process tree */
  memoryMb: number;
  /** epoch ms at which the process group is SIGKILLed */
  deadline: number;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** how often the tree's memory is measured (tests) */
  sampleMs?: number;
}

/**
 * Run `cmd args` in a new process group that is SIGKILLed at `deadline` (epoch ms) or as soon as the resident
 * size of its process tree passes `memoryMb`, so a bomb ends inside its own tree instead of taking the host down.
 * Real memory, not address space: `ulimit -v` made good documents fail. stderr is kept (capped). The group dies
 * with this process too (spawnTied), so a killed server leaves no renderer running.
 */
export function spawnLimited(cmd: string, args: string[], opts: LimitOptions): LimitedSpawn {
  // its own process group, so a kill reaches anything it started
  const child = spawnTied(cmd, args, { cwd: opts.cwd, env: opts.env });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 64 * 1024) stderr += d;
  });
  let timedOut = false;
  const killGroup = () => killTree(child);
  const watch = child.pid ? watchMemory(child.pid, Math.max(16, opts.memoryMb) * 1024, killGroup, { sampleMs: opts.sampleMs }) : undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, Math.max(0, opts.deadline - Date.now()));
  const end = (code: number | null, signal: NodeJS.Signals | null, extra = ''): LimitedResult => {
    clearTimeout(timer);
    watch?.stop();
    return { code, signal, stderr: stderr + extra, timedOut, memoryExceeded: watch?.exceeded ?? false, peakMb: Math.ceil((watch?.peakKb ?? 0) / 1024) };
  };
  const done = new Promise<LimitedResult>((resolve) => {
    child.on('error', (e) => resolve(end(-1, null, `\n${e.message}`)));
    child.on('close', (code, signal) => resolve(end(code, signal)));
  });
  return { child, done, kill: killGroup };
}

/**
 * The signal a tool died of when we did not kill it: a crash (or the kernel's OOM killer). A shell wrapper such as
 * LibreOffice's `soffice` reports its program's death as exit status 128 + signal number.
 */
export function crashSignal(r: LimitedResult): string | undefined {
  if (r.timedOut || r.memoryExceeded) return undefined;
  if (r.signal) return r.signal;
  if (r.code !== null && r.code > 128 && r.code < 128 + 65) {
    const n = r.code - 128;
    return Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0] ?? `signal ${n}`;
  }
  return undefined;
}

/**
 * What a killed or crashed tool means for the document, with a message that says which (undefined when the tool
 * ended on its own): a memory kill and a crash are not "the file could not be opened".
 */
export function limitFailure(results: readonly LimitedResult[], budget: Budget, tool: string): RenderFailure | undefined {
  if (results.some((r) => r.timedOut)) return overBudget(budget);
  if (results.some((r) => r.memoryExceeded)) {
    return new RenderFailure('damaged', `the ${tool} ran out of its ${budget.limits.memoryMb} MB memory budget on this file`);
  }
  const sig = results.map(crashSignal).find((s) => s !== undefined);
  if (sig) return new RenderFailure('damaged', `the ${tool} crashed on this file (${sig})`);
  return undefined;
}

/** Run to completion collecting stdout as text (for short probes such as page counting). */
export async function runLimited(cmd: string, args: string[], opts: LimitOptions) {
  const s = spawnLimited(cmd, args, opts);
  let stdout = '';
  s.child.stdout.setEncoding('utf8').on('data', (d: string) => {
    if (stdout.length < 64 * 1024) stdout += d;
  });
  const r = await s.done;
  return { ...r, stdout };
}
