// A killed server leaves no tool behind: a stand-in server starts a long-running tool (which starts a grandchild)
// through the real spawn helpers, is SIGKILLed, and the tool and its grandchild must end (issue #12.6).
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { transpileTree } from '../helpers/transpile.js';
import { runLimited, crashSignal } from '../../src/render/proc.js';
import { runProc } from '../../src/attachments/proc.js';

/** Alive = has a /proc entry that is not a zombie (an orphan's zombie waits for whoever reaps it). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(what: string, fn: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const leftovers: number[] = [];
let server: ChildProcess | undefined;
afterEach(() => {
  server?.kill('SIGKILL');
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});

// The stand-in tool: records its pid, starts a grandchild that records its own, and waits (like soffice → soffice.bin).
const TOOL = ['-c', 'echo $$ > tool.pid; sleep 300 & echo $! > grand.pid; wait'];

const SERVER = (call: string) => `
import { runLimited } from './src/render/proc.js';
import { runProc } from './src/attachments/proc.js';
const dir = process.argv[2];
const TOOL = ${JSON.stringify(TOOL)};
process.chdir(dir);
${call};
setInterval(() => {}, 1000);
`;

describe('spawned tools die with the server', () => {
  const cases: [string, string][] = [
    ['spawnLimited (Ghostscript, qpdf, LibreOffice)', "void runLimited('sh', TOOL, { memoryMb: 512, deadline: Date.now() + 600000, cwd: dir, env: { PATH: process.env.PATH } })"],
    ['runProc (preflight probes)', "void runProc('sh', TOOL, { timeoutMs: 600000 })"],
  ];
  for (const [name, call] of cases) {
    it(`${name}: a SIGKILLed server leaves neither the tool nor its grandchild`, async () => {
      const build = tempDir('faxgate-tied-build-');
      transpileTree(['src/render/proc.ts', 'src/attachments/proc.ts'], build);
      const work = tempDir('faxgate-tied-');
      writeFileSync(path.join(build, 'server.mjs'), SERVER(call));
      server = spawn(process.execPath, [path.join(build, 'server.mjs'), work], { stdio: 'ignore' });
      const toolPid = path.join(work, 'tool.pid');
      const grandPid = path.join(work, 'grand.pid');
      const pidIn = (f: string) => Number(readFileSync(f, 'utf8').trim());
      // runProc's tool runs in the server's cwd; both write their pid files there
      await until('the tool to start', () => existsSync(toolPid) && existsSync(grandPid) && pidIn(grandPid) > 0);
      const tool = pidIn(toolPid);
      const grand = pidIn(grandPid);
      leftovers.push(tool, grand);
      expect(alive(tool) && alive(grand)).toBe(true);

      server.kill('SIGKILL');
      await new Promise((r) => server!.once('exit', r));
      let gone = false;
      await until('the tool and its grandchild to end', () => (gone = !alive(tool) && !alive(grand))).catch(() => undefined);
      expect({ toolAlive: alive(tool), grandchildAlive: alive(grand) }).toEqual({ toolAlive: false, grandchildAlive: false });
      expect(gone).toBe(true);
    });
  }
});

describe('the guard is transparent to the tool', () => {
  const opts = () => ({ memoryMb: 512, deadline: Date.now() + 60_000, cwd: tempDir('faxgate-tied-'), env: { PATH: process.env.PATH } });

  it('passes stdout, stderr and the exit code through', async () => {
    const r = await runLimited('sh', ['-c', 'echo out; echo err >&2; exit 3'], opts());
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr.trim() }).toEqual({ code: 3, stdout: 'out\n', stderr: 'err' });
  });

  it('reports a tool that crashed by its signal', async () => {
    const r = await runLimited('sh', ['-c', 'kill -SEGV $$'], opts());
    expect(crashSignal(r)).toBe('SIGSEGV');
  });

  it('reports a program that is not installed as missing', async () => {
    expect((await runProc('faxgate-no-such-tool', [], { timeoutMs: 5000 })).missing).toBe(true);
    expect((await runLimited('faxgate-no-such-tool', [], opts())).code).toBe(-1);
  });

  it('what a finished tool left running in its group is ended with it', async () => {
    const r = await runLimited('sh', ['-c', 'sleep 300 >/dev/null 2>&1 & echo $!'], opts());
    expect(r.code).toBe(0);
    const grand = Number(r.stdout.trim());
    await until('the leftover to end', () => !alive(grand));
  });

  it('a deadline still kills the tool and everything it started', async () => {
    const o = { ...opts(), deadline: Date.now() + 300 };
    const r = await runLimited('sh', ['-c', 'sleep 300 & echo $!; wait'], o);
    expect(r.timedOut).toBe(true);
    const grand = Number(r.stdout.trim());
    await until('the grandchild to end', () => !alive(grand));
  });
});
