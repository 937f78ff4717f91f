// Runs a short helper program on untrusted input with a hard timeout and capped output; never throws.
import { spawn } from 'node:child_process';

export interface ProcResult {
  /** exit code, or null when it could not start, was killed or timed out */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** the program is not installed (ENOENT) */
  missing: boolean;
}

export function runProc(cmd: string, args: string[], opts: { timeoutMs: number; maxOutput?: number }): Promise<ProcResult> {
  const cap = opts.maxOutput ?? 64 * 1024;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const done = (r: Omit<ProcResult, 'stdout' | 'stderr' | 'timedOut'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, stdout, stderr, timedOut });
    };
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < cap) stdout += d.slice(0, cap - stdout.length); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < cap) stderr += d.slice(0, cap - stderr.length); });
    child.on('error', (e: NodeJS.ErrnoException) => done({ code: null, missing: e.code === 'ENOENT' }));
    child.on('close', (code) => done({ code: timedOut ? null : code, missing: false }));
  });
}
