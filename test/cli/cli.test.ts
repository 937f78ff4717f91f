// The built `faxgate` command as a new user meets it (issue #17): --version, --help on every command, one-line
// mistakes with status 2, a closed stdout (EPIPE), and `serve` refusing a busy port or a data folder in use.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELP } from '../../src/cli/help.js';
import { FAX_TIFF } from '../../fixtures/generate.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = path.resolve(__dirname, '../..');
// A private build so parallel test files and other builds never see half-written output.
const OUT = path.join(ROOT, 'test-output', `cli-main-${process.pid}`);
const CLI = path.join(OUT, 'src', 'cli.js');
const scratch = tempDir('faxgate-cli-');
const BASE_ENV = { PATH: process.env.PATH, HOME: process.env.HOME, FAXGATE_BIND: '127.0.0.1', FAXGATE_LOG_LEVEL: 'warn' };

function cli(args: string[], env: Record<string, string | undefined> = {}, stdio?: (number | 'pipe' | 'ignore')[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', timeout: 60_000, env: { ...BASE_ENV, FAXGATE_DATA_DIR: path.join(scratch, 'default'), ...env },
    ...(stdio ? { stdio } : {}),
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  // Type errors in unrelated half-written files must not stop the emit; the entry point's existence is checked.
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', OUT], { cwd: ROOT, stdio: 'pipe' });
  } catch { /* emitted anyway */ }
  if (!existsSync(CLI)) throw new Error(`build produced no ${CLI}`);
}, 300_000);
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe('faxgate --version and --help', () => {
  const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  it.each([['--version'], ['-V']])('%s prints the package version and exits 0', (flag) => {
    const r = cli([flag]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`faxgate ${version}\n`);
  });

  it('has a help entry for every command and sub-command', () => {
    for (const k of ['serve', 'render', 'screen', 'account create', 'account key add', 'account key list', 'account key revoke',
      'account sender add', 'account sender remove', 'account inbound add', 'account inbound remove', 'types list',
      'jobs list', 'jobs show', 'inbound inject', 'inbound list', 'settings set']) expect(HELP[k], k).toBeDefined();
  });

  it.each(Object.keys(HELP))('faxgate %s --help: usage, options and an example on stdout, exit 0', (key) => {
    for (const flag of ['--help', '-h']) {
      const r = cli([...key.split(' '), flag]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(`usage: faxgate ${key}`)).toBe(true);
      expect(r.stdout).toMatch(/\noptions:\n {2}.*\n/);
      expect(r.stdout).toMatch(/\nexamples:\n {2}faxgate \S/);
    }
  });

  it('--help after arguments still shows the sub-command help; faxgate --help lists the commands', () => {
    expect(cli(['account', 'show', 'acc_x', '--help']).stdout).toMatch(/^usage: faxgate account show ACCOUNT_ID/);
    expect(cli(['render', '-o', 'x.tif', '--help']).stdout).toMatch(/^usage: faxgate render/);
    const top = cli(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['serve', 'account', 'render', 'screen', 'types', 'jobs', 'inbound', 'settings']) expect(top.stdout).toContain(`  ${c} `);
  });
});

describe('mistakes: one line on stderr pointing to --help, exit 2', () => {
  it.each([
    [[], 'faxgate'],
    [['frobnicate'], 'faxgate'],
    [['render', '--bogus'], 'faxgate render'],
    [['render', '--resolution', 'ultra', '-o', 'x.tif', 'a.pdf'], 'faxgate render'],
    [['screen'], 'faxgate screen'],
    [['account', 'create'], 'faxgate account create'],
    [['account', 'frobnicate'], 'faxgate account'],
    [['account', 'key', 'revoke', 'acc_x'], 'faxgate account key revoke'],
    [['inbound', 'inject', 'fax.tif', '--to', '+15550001111'], 'faxgate inbound inject'],
    [['inbound', 'list'], 'faxgate inbound list'],
    [['types', 'max', 'pdf'], 'faxgate types max'],
    [['jobs', 'list', '--limit', 'x'], 'faxgate jobs list'],
    [['settings', 'set', 'acc_x'], 'faxgate settings set'],
    [['serve', '--smtp-port', 'abc'], 'faxgate serve'],
  ])('%j', (args, label) => {
    const r = cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr.startsWith(`${label}: `)).toBe(true);
    expect(r.stderr).toContain(`'${label} --help'`);
  });

  it('a refusal (unknown account) is one line with its code, exit 1', () => {
    const r = cli(['account', 'key', 'add', 'acc_nobody', '--data', path.join(scratch, 'refusal')]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['faxgate account key add: not-found: no account acc_nobody']);
  });
});

describe('a stdout whose reader is gone (EPIPE)', () => {
  /** The write end of a FIFO whose only reader has already closed: every write fails with EPIPE, deterministically. */
  function closedPipe(): number {
    const fifo = path.join(tempDir('faxgate-fifo-'), 'out');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY);
    closeSync(reader);
    return writer;
  }

  it.each([[['types', 'list']], [['jobs', 'list']], [['account', 'list']], [['--help']]])('faxgate %j exits 0 quietly', (args) => {
    const fd = closedPipe();
    try {
      const r = cli(args, { FAXGATE_DATA_DIR: path.join(scratch, 'epipe') }, ['ignore', fd, 'pipe']);
      expect(r.stderr).toBe('');
      expect(r.signal).toBeNull();
      expect(r.code).toBe(0);
    } finally {
      closeSync(fd);
    }
  });

  it('in a shell pipeline to head -1 the first line arrives and the pipeline status is 0', () => {
    const r = spawnSync('sh', ['-c', `set -e; "${process.execPath}" "${CLI}" types list --help | head -1`], { encoding: 'utf8', env: { ...process.env, FAXGATE_DATA_DIR: path.join(scratch, 'epipe') } });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('usage: faxgate types list [--data DIR] [--json]\n');
    expect(r.stderr).toBe('');
  });
});

function busyPort(): Promise<net.Server & { port: number }> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(Object.assign(s, { port: (s.address() as net.AddressInfo).port })));
  });
}

describe('faxgate serve that cannot start', () => {
  it.each([['SMTP'], ['HTTP']])('%s port in use: one line naming the port and the setting, exit 1', async (service) => {
    const busy = await busyPort();
    try {
      const env = { FAXGATE_DATA_DIR: tempDir('faxgate-busy-'), FAXGATE_SMTP_PORT: '0', FAXGATE_HTTP_PORT: '0', [`FAXGATE_${service}_PORT`]: String(busy.port) };
      const r = cli(['serve'], env);
      expect(r.code).toBe(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(lines(r.stderr)).toEqual([
        `faxgate serve: port-in-use: ${service} port ${busy.port} on 127.0.0.1 is in use; stop the other program or set FAXGATE_${service}_PORT`,
      ]);
      // the demo account is created only once a server runs, so its key is not spent on a failed start
      expect(r.stdout).not.toContain('API key');
      expect(existsSync(path.join(env.FAXGATE_DATA_DIR, 'serve.lock'))).toBe(false);
    } finally {
      busy.close();
    }
  });

  it('a second server on the same data folder: one line naming the folder and the pid, exit 1', async () => {
    const data = tempDir('faxgate-locked-');
    const first = await startServer({ FAXGATE_DATA_DIR: data });
    try {
      const r = cli(['serve'], { FAXGATE_DATA_DIR: data, FAXGATE_SMTP_PORT: '0', FAXGATE_HTTP_PORT: '0' });
      expect(r.code).toBe(1);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/^faxgate serve: data-folder-in-use: /);
      expect(r.stderr).toContain(`(pid ${first.pid})`);
      expect(r.stderr).toContain(data);
    } finally {
      await stopServer(first);
    }
  });
});

function startServer(env: Record<string, string>): Promise<ChildProcess & { out: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [CLI, 'serve'], {
      env: { ...BASE_ENV, FAXGATE_SMTP_PORT: '0', FAXGATE_HTTP_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = Object.assign(c, { out: '' });
    let err = '';
    c.stdout.on('data', (d: Buffer) => {
      child.out += d.toString();
      if (/settings page: /.test(child.out)) resolve(child);
    });
    c.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    c.on('exit', (code) => reject(new Error(`server exited ${code}: ${child.out} ${err}`)));
  });
}

function stopServer(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  });
}

describe('faxgate inbound inject links to the server\'s public URL', () => {
  it('uses the FAXGATE_PUBLIC_URL `serve` ran with when its own shell has none', async () => {
    const data = tempDir('faxgate-publicurl-');
    const server = await startServer({ FAXGATE_DATA_DIR: data, FAXGATE_PUBLIC_URL: 'https://fax.example.test' });
    await stopServer(server);
    const id = /account id: (acc_[0-9a-f]+)/.exec(server.out)![1];
    expect(cli(['account', 'inbound', 'add', id, '+15550009999'], { FAXGATE_DATA_DIR: data }).code).toBe(0);
    const r = cli(['inbound', 'inject', FAX_TIFF, '--to', '+15550009999', '--from', '+14155550123', '--json'], { FAXGATE_DATA_DIR: data });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const fax = JSON.parse(r.stdout) as { id: string; imageUrl: string };
    expect(fax.imageUrl).toBe(`https://fax.example.test/v1/inbound/${fax.id}/image`);
    // this shell's own setting still wins
    const own = cli(['inbound', 'list', id, '--json'], { FAXGATE_DATA_DIR: data, FAXGATE_PUBLIC_URL: 'https://other.example.test' });
    expect((JSON.parse(own.stdout) as { items: { imageUrl: string }[] }).items[0].imageUrl).toMatch(/^https:\/\/other\.example\.test\/v1\/inbound\//);
  });
});
