// The one way faxgate starts an external tool: in its own process group, tied to the server's life by a pipe, so a
// killed server (even `kill -9`) leaves no Ghostscript, qpdf or LibreOffice behind to finish or repeat its work.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

/**
 * The guard, run by /bin/sh: it starts a watcher that blocks reading fd 3, this process's end of a socket pair, and
 * then becomes the tool (exec), which so stays the leader of its own process group with its own exit status and
 * signal. Nothing is ever written on fd 3, so the read ends only when our end closes: when this process dies,
 * however it dies (the kernel closes it), or when the tool has ended (spawnTied closes it then). The watcher then
 * SIGKILLs the whole group: the tool and anything it started (soffice.bin under the soffice script, gs helpers).
 * PR_SET_PDEATHSIG (`setpriv --pdeathsig`) would reach only the direct child, not those grandchildren.
 */
export const GUARD_SCRIPT = '{ read -r _ <&3; kill -KILL 0; } </dev/null >/dev/null 2>&1 &\nexec "$@" 3<&-';

const SHELL = '/bin/sh';

export interface TiedOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** give the tool a stdin pipe (a long-running helper that takes requests line by line); closed otherwise */
  stdin?: boolean;
}

export type TiedChild = ChildProcessByStdio<null, Readable, Readable>;
/** A tied child started with `stdin: true`. */
export type TiedChildWithInput = ChildProcessByStdio<Writable, Readable, Readable>;

/** The program `cmd` names on `searchPath`, or undefined when there is none (so the caller can report "missing"). */
export function findProgram(cmd: string, searchPath: string | undefined): string | undefined {
  const candidates = cmd.includes('/') ? [cmd] : (searchPath ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, cmd));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/**
 * Start `cmd args` (stdin closed, stdout and stderr piped) as the leader of a new process group that dies with this
 * process. `child.pid` is the group: kill it with killGroup(). A program that is not installed is spawned
 * unguarded, so the caller sees Node's own ENOENT 'error' event exactly as before.
 */
export function spawnTied(cmd: string, args: readonly string[], opts: TiedOptions & { stdin: true }): TiedChildWithInput;
export function spawnTied(cmd: string, args: readonly string[], opts?: TiedOptions): TiedChild;
export function spawnTied(cmd: string, args: readonly string[], opts: TiedOptions = {}): TiedChild | TiedChildWithInput {
  const env = opts.env ?? process.env;
  const program = findProgram(cmd, env.PATH);
  const stdin = opts.stdin ? 'pipe' : 'ignore';
  if (!program) {
    return spawn(cmd, [...args], { cwd: opts.cwd, env, stdio: [stdin, 'pipe', 'pipe'], detached: true }) as unknown as TiedChild;
  }
  // fd 3 is a socket pair whose other end only this process holds: its EOF is the server's death.
  const child = spawn(SHELL, ['-c', GUARD_SCRIPT, 'faxgate-guard', program, ...args], {
    cwd: opts.cwd, env, stdio: [stdin, 'pipe', 'pipe', 'pipe'], detached: true,
  });
  const tie = child.stdio[3] as Readable | null;
  tie?.on('error', () => {}).resume();
  // The tool has ended: closing our end ends the watcher, and with it anything the tool left running in its group.
  child.once('exit', () => tie?.destroy());
  return child as unknown as TiedChild;
}

/** SIGKILL a tied child's whole process group (the tool and everything it started); quiet when already gone. */
export function killGroup(child: { pid?: number }): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
