// The SSRF guard: address classification, the connect-time lookup filter, and real deliveries to blocked forms reaching nothing.
import type { LookupAddress } from 'node:dns';
import { afterAll, describe, expect, it } from 'vitest';
import { guardedLookup, isPublicAddress } from '../../src/feedback/ssrf.js';
import { job, makeEnv, newAccount, receiver, until } from './helpers.js';

describe('isPublicAddress', () => {
  const refused = [
    '127.0.0.1', '127.255.255.254', '0.0.0.0', '0.1.2.3', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1',
    '169.254.169.254', '100.64.0.1', '100.127.255.255', '224.0.0.1', '239.255.255.250', '255.255.255.255', '240.0.0.1',
    '192.0.2.1', '198.18.0.1', '198.51.100.7', '203.0.113.9',
    '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fe80::1%eth0', 'ff02::1', '2001:db8::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::127.0.0.1', '::7f00:1', '::a00:1', '::1:0:0:1', '4000::1',
    '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '64:ff9b:1::1', '::ffff:0:7f00:1',
    '2002:7f00:1::1', '2001::1', '100::1', 'not-an-ip', '',
  ];
  const allowed = ['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8', '64:ff9b::808:808'];
  it.each(refused)('refuses %s', (ip) => expect(isPublicAddress(ip)).toBe(false));
  it.each(allowed)('allows %s', (ip) => expect(isPublicAddress(ip)).toBe(true));
});

describe('guardedLookup (runs inside connect)', () => {
  const fake = (addrs: LookupAddress[]) => (_h: string, _o: unknown, cb: (e: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => cb(null, addrs);
  const call = (allowPrivate: boolean, addrs: LookupAddress[], all: boolean) => new Promise<{ err?: Error & { code?: string }; res?: unknown }>((resolve) => {
    guardedLookup({ allowPrivate, connectTimeoutMs: 1000, resolve: fake(addrs) })('rebind.example', { all }, ((err: Error | null, a: unknown, f?: number) => {
      resolve(err ? { err } : { res: all ? a : [a, f] });
    }) as never);
  });

  it('drops private answers and keeps public ones', async () => {
    const r = await call(false, [{ address: '10.0.0.1', family: 4 }, { address: '93.184.216.34', family: 4 }, { address: '::1', family: 6 }], true);
    expect(r.res).toEqual([{ address: '93.184.216.34', family: 4 }]);
    const one = await call(false, [{ address: '127.0.0.1', family: 4 }, { address: '8.8.8.8', family: 4 }], false);
    expect(one.res).toEqual(['8.8.8.8', 4]);
  });
  it('fails with the blocked code when nothing public remains', async () => {
    const r = await call(false, [{ address: '127.0.0.1', family: 4 }, { address: '::ffff:10.1.1.1', family: 6 }], true);
    expect(r.err?.code).toBe('EFAXGATE_BLOCKED');
  });
  it('lets everything through when private destinations are allowed', async () => {
    const r = await call(true, [{ address: '127.0.0.1', family: 4 }], true);
    expect(r.res).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });
});

describe('deliveries to blocked address forms never reach a listener', async () => {
  const target = await receiver();
  afterAll(() => target.close());
  const env = makeEnv({ feedbackAllowPrivate: false });
  const fb = env.make({ timeoutMs: 1500 });
  fb.start();
  afterAll(() => fb.close());
  const p = target.port;

  // Host forms as typed in a feedbackUrl; the WHATWG parser normalises several of them to 127.0.0.1.
  const hosts = [
    '127.0.0.1', '127.1', '2130706433', '0x7f.1', '0x7f000001', '017700000001', '127.000.000.001', '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]', '[::127.0.0.1]', '[64:ff9b::7f00:1]', '[::1]', '[::]', '0.0.0.0', '0', 'localhost', 'LocalHost',
    '169.254.169.254', '100.64.0.1', '10.0.0.1', '172.16.0.1', '192.168.1.1', '[fc00::1]', '[fe80::1]', '224.0.0.1',
    '255.255.255.255', '198.18.0.1', '[2002:7f00:1::1]',
  ];
  it.each(hosts)('http://%s/ is recorded as blocked', async (host) => {
    const url = `http://${host}:${p}/hook`;
    const acc = newAccount(env, { feedbackUrl: url, 'outgoing.feedbackWhen': 'always' });
    const j = job(acc.id);
    env.db.transaction(() => fb.onJobTerminal(j))();
    await until(() => fb.outboxFor(j.id)[0]?.status !== 'pending', 'the blocked attempt');
    expect(fb.deliveriesFor(j.id)).toMatchObject([{ outcome: 'blocked' }]);
    // Blocked is final: a policy refusal does not become reachable by retrying (redeliver after fixing the URL).
    expect(fb.outboxFor(j.id)[0]).toMatchObject({ status: 'blocked', attempts: 1 });
    expect(target.connections).toBe(0);
  });

  // https goes through tls.connect, which must apply the same lookup and literal checks.
  it.each(['localhost', '127.1', '[::ffff:127.0.0.1]'])('https://%s/ is recorded as blocked', async (host) => {
    const acc = newAccount(env, { feedbackUrl: `https://${host}:${p}/hook`, 'outgoing.feedbackWhen': 'always', 'outgoing.feedbackMethod': 'xml' });
    const j = job(acc.id);
    env.db.transaction(() => fb.onJobTerminal(j))();
    await until(() => fb.outboxFor(j.id)[0]?.status !== 'pending', 'the blocked attempt');
    expect(fb.deliveriesFor(j.id)).toMatchObject([{ outcome: 'blocked' }]);
    expect(target.connections).toBe(0);
  });

  it('zero connections and zero requests reached the listener', () => {
    expect(target.connections).toBe(0);
    expect(target.requests).toHaveLength(0);
  });

  it('control: with FAXGATE_FEEDBACK_ALLOW_PRIVATE=1 the same listener is reached (the counter works)', async () => {
    const open = makeEnv({ feedbackAllowPrivate: true });
    const fb2 = open.make();
    fb2.start();
    const acc = newAccount(open, { feedbackUrl: `http://127.1:${p}/hook`, 'outgoing.feedbackWhen': 'always' });
    const j = job(acc.id);
    open.db.transaction(() => fb2.onJobTerminal(j))();
    await until(() => fb2.outboxFor(j.id)[0]?.status === 'delivered', 'the allowed delivery');
    await fb2.close();
    expect(target.connections).toBeGreaterThan(0);
    expect(target.requests).toHaveLength(1);
  });
});
