// `faxgate lines list|test` and `faxgate account line`: the lines, the default, health, and pointing an account at one.
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run as lines } from '../../src/cli/lines.js';
import { run as account } from '../../src/cli/account.js';
import { UsageError } from '../../src/cli/args.js';
import { FaxError } from '../../src/domain/errors.js';
import { makeHarness } from '../ingress/http/harness.js';
import { captureCli } from '../helpers/cli.js';
import { startFakeCarrier } from '../lines/telnyx/fake-carrier.js';

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const { code, out } = await captureCli(fn);
  return { code, out };
}

/** A port nothing listens on (taken from the kernel, then given back). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
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

  it('test of a HylaFAX line shows its check(): an hfaxd that is not there fails, and the password is never shown', async () => {
    const h = makeHarness();
    vi.stubEnv('FAXGATE_DATA_DIR', h.dataDir);
    const port = await closedPort();
    vi.stubEnv('FAXGATE_LINES', JSON.stringify([{ name: 'office', kind: 'hylafax', host: '127.0.0.1', port, user: 'faxgate', password: 'pw-not-shown' }]));
    const r = await capture(() => lines(['test', '--json']));
    expect(r.code).toBe(1);
    const rows = JSON.parse(r.out) as { name: string; password?: string; health: { ok: boolean; detail: string } }[];
    expect(rows.find((x) => x.name === 'office')).toMatchObject({ password: '(set)', health: { ok: false } });
    expect(rows.find((x) => x.name === 'office')!.health.detail).toMatch(new RegExp(`^hfaxd 127.0.0.1:${port}: .*ECONNREFUSED`));
    expect(r.out).not.toContain('pw-not-shown');
  });

  it('test of a Telnyx line asks the carrier with its key: accepted, or refused (exit 1); the key is never shown', async () => {
    const fake = await startFakeCarrier({ apiKey: 'KEY_cli', connectionId: '42' });
    try {
      const h = makeHarness();
      vi.stubEnv('FAXGATE_DATA_DIR', h.dataDir);
      const line = (apiKey: string) => JSON.stringify([{ name: 'tx', kind: 'telnyx', apiKey, connectionId: '42', from: '+15550000009', publicKey: fake.publicKey, webhookBaseUrl: 'https://fax.example.com', apiBase: fake.url }]);
      vi.stubEnv('FAXGATE_LINES', line('KEY_cli'));
      const good = await capture(() => lines(['test', 'tx', '--json']));
      expect(good.code).toBe(0);
      expect(JSON.parse(good.out)).toMatchObject([{ name: 'tx', kind: 'telnyx', apiKey: '(set)', health: { ok: true } }]);
      vi.stubEnv('FAXGATE_LINES', line('KEY_wrong'));
      const bad = await capture(() => lines(['test', 'tx']));
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/^tx \*\s+telnyx\s+FAILING\s+Telnyx 127\.0\.0\.1:\d+: 401 Authentication failed/m);
      expect(good.out + bad.out).not.toMatch(/KEY_(cli|wrong)/);
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.close();
    }
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
