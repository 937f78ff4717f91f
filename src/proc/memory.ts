// A memory ceiling on a spawned tool's whole process tree by its real (resident) size, sampled from /proc: an
// address-space limit (`ulimit -v`) refuses good documents, because LibreOffice and Ghostscript reserve far more
// address space than they ever touch (Calc crashed with SIGSEGV under a 512 MB `ulimit -v` while using ~200 MB).
import { readdirSync, readFileSync } from 'node:fs';

/** How often the tree is measured. A sample costs ~1.5 ms with 75 processes on the machine. */
export const DEFAULT_SAMPLE_MS = 100;

export interface ProcEntry {
  pid: number;
  ppid: number;
  pgrp: number;
}

/** Every process of the machine as /proc shows it now (pid, parent, process group). */
export function listProcesses(procRoot = '/proc'): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`${procRoot}/${name}/stat`, 'latin1');
    } catch {
      continue; // ended while we looked
    }
    // the command name may hold spaces and parentheses: the fields start after the last ')'
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.push({ pid: Number(name), ppid: Number(f[1]), pgrp: Number(f[2]) });
  }
  return out;
}

/**
 * The processes of a tool's tree: those in its process group (it was started as a group leader) and every
 * descendant of one, also one that moved to a group of its own.
 */
export function treeMembers(root: number, procs: readonly ProcEntry[]): number[] {
  const members = new Set<number>();
  for (const p of procs) if (p.pid === root || p.pgrp === root) members.add(p.pid);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) {
      if (!members.has(p.pid) && members.has(p.ppid)) {
        members.add(p.pid);
        grew = true;
      }
    }
  }
  return [...members];
}

/** Resident size of one process in KB (0 when it has ended or is a zombie). */
export function residentKb(pid: number, procRoot = '/proc'): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`${procRoot}/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Proportional size (Pss) of one process in KB: its private pages plus its share of pages it shares. For a tree of
 * processes sharing most of their memory (a browser's renderer, GPU and utility processes), the sum of Pss is what
 * the tree really costs the machine; the sum of RSS counts the shared libraries and code once per process.
 */
export function proportionalKb(pid: number, procRoot = '/proc'): number {
  try {
    const m = /^Pss:\s+(\d+)\s+kB/m.exec(readFileSync(`${procRoot}/${pid}/smaps_rollup`, 'latin1'));
    return m ? Number(m[1]) : residentKb(pid, procRoot);
  } catch {
    return 0;
  }
}

/** Proportional size of a process tree in KB (see proportionalKb). */
export function treeProportionalKb(root: number, procRoot = '/proc'): number {
  return treeMembers(root, listProcesses(procRoot)).reduce((sum, pid) => sum + proportionalKb(pid, procRoot), 0);
}

/** Resident size of a process tree in KB. */
export function treeResidentKb(root: number, procRoot = '/proc'): number {
  return treeMembers(root, listProcesses(procRoot)).reduce((sum, pid) => sum + residentKb(pid, procRoot), 0);
}

export interface MemoryWatch {
  /** the tree went past the limit and `onExceeded` was called */
  readonly exceeded: boolean;
  /** the largest tree size seen, in KB */
  readonly peakKb: number;
  stop(): void;
}

/**
 * Measure the tree rooted at `root` every `sampleMs` and call `onExceeded` (once) when its resident size passes
 * `limitKb`. `measure` is the measuring function, replaceable so that the decision can be tested on its own.
 */
export function watchMemory(root: number, limitKb: number, onExceeded: () => void, opts: { sampleMs?: number; measure?: (root: number) => number } = {}): MemoryWatch {
  const measure = opts.measure ?? ((r: number) => treeResidentKb(r));
  let exceeded = false;
  let peakKb = 0;
  const sample = () => {
    const kb = measure(root);
    if (kb > peakKb) peakKb = kb;
    if (kb > limitKb && !exceeded) {
      exceeded = true;
      clearInterval(timer);
      onExceeded();
    }
  };
  const timer = setInterval(sample, opts.sampleMs ?? DEFAULT_SAMPLE_MS);
  timer.unref();
  return {
    get exceeded() { return exceeded; },
    get peakKb() { return peakKb; },
    stop: () => clearInterval(timer),
  };
}
