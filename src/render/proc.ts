// Spawning external renderers as untrusted-input processing: own process group, memory ceiling, wall-clock kill.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface LimitedSpawn {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** resolves when the process ends; `killed` is set when our deadline or a caller's kill() ended it */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; timedOut: boolean }>;
  kill(): void;
}

/**
 * Run `cmd args` under `ulimit -v` (address-space ceiling, so a bomb fails inside the child instead of taking
 * the host down) in a new process group that is SIGKILLed at `deadline` (epoch ms). stderr is kept (capped).
 */
export function spawnLimited(cmd: string, args: string[], opts: { memoryMb: number; deadline: number; cwd: string; env: NodeJS.ProcessEnv }): LimitedSpawn {
  const kb = String(Math.max(64, opts.memoryMb) * 1024);
  const child = spawn('/bin/sh', ['-c', 'ulimit -v "$0" && exec "$@"', kb, cmd, ...args], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so a kill reaches anything it started
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 64 * 1024) stderr += d;
  });
  let timedOut = false;
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, Math.max(0, opts.deadline - Date.now()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; timedOut: boolean }>((resolve) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, signal: null, stderr: `${stderr}\n${e.message}`, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, timedOut });
    });
  });
  return { child, done, kill: killGroup };
}

/** Run to completion collecting stdout as text (for short probes such as page counting). */
export async function runLimited(cmd: string, args: string[], opts: { memoryMb: number; deadline: number; cwd: string; env: NodeJS.ProcessEnv }) {
  const s = spawnLimited(cmd, args, opts);
  let stdout = '';
  s.child.stdout.setEncoding('utf8').on('data', (d: string) => {
    if (stdout.length < 64 * 1024) stdout += d;
  });
  const r = await s.done;
  return { ...r, stdout };
}
