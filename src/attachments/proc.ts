// Runs a short helper program on untrusted input with a hard timeout, a memory ceiling and capped output; never throws.
import { watchMemory } from '../proc/memory.js';
import { killGroup as killTree, spawnTied } from '../proc/spawn.js';

/**
 * Resident-size ceiling of a probe's process tree. Measured on the corpus: qpdf and Ghostscript's page count peak
 * well under 100 MB on every file; a probe past this is a bomb, not a document.
 */
export const PROBE_MEMORY_MB = 512;

export interface ProcResult {
  /** exit code, or null when it could not start, was killed or timed out */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** killed for passing the memory ceiling */
  memoryExceeded: boolean;
  /** the program is not installed (ENOENT) */
  missing: boolean;
}

export function runProc(cmd: string, args: string[], opts: { timeoutMs: number; maxOutput?: number; memoryMb?: number }): Promise<ProcResult> {
  const cap = opts.maxOutput ?? 64 * 1024;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const done = (r: Omit<ProcResult, 'stdout' | 'stderr' | 'timedOut' | 'memoryExceeded'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      watch?.stop();
      resolve({ ...r, code: watch?.exceeded ? null : r.code, stdout, stderr, timedOut, memoryExceeded: watch?.exceeded ?? false });
    };
    // its own process group, so that a kill reaches whatever it started, and tied to this process's life
    const child = spawnTied(cmd, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } });
    const killGroup = () => killTree(child);
    const watch = child.pid ? watchMemory(child.pid, (opts.memoryMb ?? PROBE_MEMORY_MB) * 1024, killGroup) : undefined;
    const timer = setTimeout(() => { timedOut = true; killGroup(); }, opts.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < cap) stdout += d.slice(0, cap - stdout.length); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < cap) stderr += d.slice(0, cap - stderr.length); });
    child.on('error', (e: NodeJS.ErrnoException) => done({ code: null, missing: e.code === 'ENOENT' }));
    child.on('close', (code) => done({ code: timedOut ? null : code, missing: false }));
  });
}
