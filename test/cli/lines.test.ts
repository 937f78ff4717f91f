// `faxgate lines list|test` and `faxgate account line`: the lines, the default, health, and pointing an account at one.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run as lines } from '../../src/cli/lines.js';
import { run as account } from '../../src/cli/account.js';
import { UsageError } from '../../src/cli/args.js';
import { FaxError } from '../../src/domain/errors.js';
import { ConfigError } from '../../src/config.js';
import { makeHarness } from '../ingress/http/harness.js';

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { out += String(c); return true; });
  try {
    return { code: await fn(), out };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('faxgate lines', () => {
  it('list shows the sandbox as the default line on a fresh install, healthy', async () => {
    const h = makeHarness();
    vi.stubEnv('FAXGATE_DATA_DIR', h.dataDir);
    const r = await capture(() => lines(['list', '--json']));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject([{ name: 'sandbox', kind: 'sandbox', default: true, health: { ok: true } }]);
  });

  it('a line kind this build cannot drive is refused at start, naming the line', async () => {
    const h = makeHarness();
    vi.stubEnv('FAXGATE_DATA_DIR', h.dataDir);
    vi.stubEnv('FAXGATE_LINES', JSON.stringify([{ name: 'office', kind: 'hylafax', host: '127.0.0.1', port: 1, user: 'faxgate', password: 'pw-not-shown' }]));
    await expect(lines(['test', '--json'])).rejects.toBeInstanceOf(ConfigError);
  });

  it('test sandbox exits 0 with the sandbox healthy', async () => {
    const h = makeHarness();
    vi.stubEnv('FAXGATE_DATA_DIR', h.dataDir);
    const r = await capture(() => lines(['test', 'sandbox']));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^sandbox \*\s+sandbox\s+ok\s/m);
  });

  it('names a line that does not exist, and a wrong sub-command, as usage mistakes', async () => {
    const h = makeHarness();
    vi.stubEnv('FAXGATE_DATA_DIR', h.dataDir);
    await expect(lines(['test', 'nope'])).rejects.toBeInstanceOf(UsageError);
    await expect(lines(['frobnicate'])).rejects.toBeInstanceOf(UsageError);
  });
});

describe('faxgate account line', () => {
  it('points an account at a configured line, refuses an unknown one, and goes back to the default', async () => {
    const h = makeHarness();
    const acc = h.account();
    vi.stubEnv('FAXGATE_LINES', JSON.stringify([{ name: 'office', kind: 'hylafax', host: '127.0.0.1', user: 'faxgate' }]));
    const d = ['--data', h.dataDir];
    const set = await capture(() => account(['line', acc.id, 'office', ...d, '--json']));
    expect(set.code).toBe(0);
    expect(JSON.parse(set.out)).toMatchObject({ id: acc.id, line: 'office' });
    const wrong = await account(['line', acc.id, 'nowhere', ...d]).then(() => 'ok', (e: unknown) => (e instanceof FaxError ? e.code : String(e)));
    expect(wrong).toBe('invalid-settings');
    const back = await capture(() => account(['line', acc.id, 'default', ...d, '--json']));
    expect(JSON.parse(back.out)).toMatchObject({ id: acc.id, line: null });
  });
});
