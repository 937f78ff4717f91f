// Failed bearer authentications on the real app (issue #12.8): backoff per address and per credential, a correct key
// never locked out by someone else's guesses, and X-Forwarded-For honoured only from a configured trusted proxy.
import { afterEach, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import type { Config } from '../../../src/config.js';
import { createFailureThrottle } from '../../../src/ingress/http/throttle.js';
import { ADMIN_TOKEN, auth, makeHarness, type Harness } from './harness.js';

function manualClock(start = Date.parse('2026-06-01T00:00:00Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => { t += ms; } };
}

const WRONG_KEY = 'fgk_wrongwrongwrongwrongwrongwrongwrongwrongwro';
const OTHER_WRONG_KEY = 'fgk_otherotherotherotherotherotherotherothero';

describe('authentication throttle (issue #12.8)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.app.close();
    h = undefined;
  });

  function setUp(overrides: Partial<Config> = {}) {
    const clock = manualClock();
    const throttle = createFailureThrottle({ clock, freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 15 * 60_000 });
    h = makeHarness(overrides, { throttle });
    const app = h.app;
    const call = (url: string, token: string | undefined, remoteAddress = '203.0.113.7', headers: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url, remoteAddress, headers: { ...(token ? auth(token) : {}), ...headers } } as InjectOptions);
    return { clock, throttle, h, call };
  }

  it('answers wrong admin tokens 429 auth-throttled with Retry-After after the free failures, and admits again once the wait is over', async () => {
    const { clock, call } = setUp();
    for (let i = 0; i < 5; i++) expect((await call('/v1/admin/types', `wrong-admin-token-${i}-xxxxxxxx`)).statusCode).toBe(401);
    const refused = await call('/v1/admin/types', 'wrong-admin-token-again-xxxxxxxx');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('auth-throttled');
    expect(refused.headers['retry-after']).toBe('1');
    // While the address waits, even the right token from that address is not compared (the guess stays unanswered).
    expect((await call('/v1/admin/types', ADMIN_TOKEN)).statusCode).toBe(429);
    clock.advance(1000);
    // Past the wait the next attempt is checked again: a wrong one is a plain 401 and doubles the wait ...
    expect((await call('/v1/admin/types', 'wrong-admin-token-later-xxxxxxxx')).statusCode).toBe(401);
    const second = await call('/v1/admin/types', 'wrong-admin-token-later-xxxxxxxx');
    expect(second.statusCode).toBe(429);
    expect(second.headers['retry-after']).toBe('2');
    clock.advance(2000);
    // ... and the right one is let in.
    expect((await call('/v1/admin/types', ADMIN_TOKEN)).statusCode).toBe(200);
  });

  it('the operator at another address is not locked out by guesses at the admin token elsewhere', async () => {
    const { call } = setUp();
    for (let i = 0; i < 12; i++) await call('/v1/admin/types', `wrong-admin-token-${i}-xxxxxxxx`, `198.51.100.${i + 1}`);
    // A wrong token from a fresh address is answered 429 all the same: the admin token itself is in backoff ...
    const fresh = await call('/v1/admin/types', 'wrong-admin-token-fresh-xxxxxxx', '192.0.2.51');
    expect(fresh.statusCode).toBe(429);
    expect(fresh.json().code).toBe('auth-throttled');
    // ... but the right token is compared and let in, which clears the token's counter.
    expect((await call('/v1/admin/types', ADMIN_TOKEN, '192.0.2.50')).statusCode).toBe(200);
    expect((await call('/v1/admin/types', 'wrong-admin-token-fresh-xxxxxxx', '192.0.2.52')).statusCode).toBe(401);
  });

  it('a correct API key from the same address is served while another client there is in backoff', async () => {
    const { call, h } = setUp();
    const a = h.account();
    for (let i = 0; i < 5; i++) expect((await call('/v1/settings/integration', WRONG_KEY)).statusCode).toBe(401);
    const refused = await call('/v1/settings/integration', WRONG_KEY);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('auth-throttled');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await call('/v1/settings/integration', a.apiKey)).statusCode).toBe(200);
    // Requests without any credential are not guesses: still the plain 401.
    expect((await call('/v1/settings/integration', undefined)).statusCode).toBe(401);
  });

  it('API-key failures do not slow the admin token, and admin-token failures do not slow API keys', async () => {
    const { call, h } = setUp();
    h.account();
    for (let i = 0; i < 8; i++) await call('/v1/settings/integration', WRONG_KEY);
    expect((await call('/v1/admin/types', 'wrong-admin-token-xxxxxxxxxxxxx')).statusCode).toBe(401);
    for (let i = 0; i < 8; i++) await call('/v1/admin/types', `wrong-admin-token-${i}-xxxxxxxx`, '192.0.2.9');
    expect((await call('/v1/settings/integration', OTHER_WRONG_KEY, '192.0.2.9')).statusCode).toBe(401);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const { call } = setUp({ trustedProxies: ['10.0.0.1'] });
    // Each request claims a different client, but the socket address is what counts.
    for (let i = 0; i < 5; i++) {
      expect((await call('/v1/settings/integration', WRONG_KEY, '198.51.100.9', { 'x-forwarded-for': `192.0.2.${i + 1}` })).statusCode).toBe(401);
    }
    expect((await call('/v1/settings/integration', WRONG_KEY, '198.51.100.9', { 'x-forwarded-for': '192.0.2.99' })).statusCode).toBe(429);
  });

  it('honours X-Forwarded-For from a trusted proxy: two clients behind it are counted apart', async () => {
    const { call } = setUp({ trustedProxies: ['10.0.0.0/24'] });
    const viaProxy = (client: string) => ({ 'x-forwarded-for': client });
    for (let i = 0; i < 5; i++) await call('/v1/admin/types', `wrong-admin-token-${i}-xxxxxxxx`, '10.0.0.1', viaProxy('192.0.2.1'));
    expect((await call('/v1/admin/types', 'wrong-admin-token-more-xxxxxxxx', '10.0.0.1', viaProxy('192.0.2.1'))).statusCode).toBe(429);
    // The other client behind the same proxy signs in.
    expect((await call('/v1/admin/types', ADMIN_TOKEN, '10.0.0.1', viaProxy('192.0.2.2'))).statusCode).toBe(200);
    // The rightmost hop the proxy did not add is the client: a forged entry further left changes nothing.
    expect((await call('/v1/admin/types', ADMIN_TOKEN, '10.0.0.1', viaProxy('192.0.2.2, 192.0.2.1'))).statusCode).toBe(429);
    expect((await call('/v1/admin/types', ADMIN_TOKEN, '10.0.0.1', viaProxy('192.0.2.1, 192.0.2.2'))).statusCode).toBe(200);
  });

  it('on a real loopback listener: a proxy listed as loopback passes its clients through, each with its own counter', async () => {
    const { h } = setUp({ trustedProxies: ['loopback'] });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}`;
    const get = (token: string, client: string) => fetch(`${base}/v1/admin/types`, { headers: { ...auth(token), 'x-forwarded-for': client } });
    for (let i = 0; i < 5; i++) expect((await get(`wrong-admin-token-${i}-xxxxxxxx`, '192.0.2.1')).status).toBe(401);
    const refused = await get(ADMIN_TOKEN, '192.0.2.1');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await get(ADMIN_TOKEN, '192.0.2.2')).status).toBe(200);
  });

  it('counts IPv6 clients by their /64', async () => {
    const { call } = setUp();
    for (let i = 0; i < 5; i++) await call('/v1/admin/types', `wrong-admin-token-${i}-xxxxxxxx`, `2001:db8:1:2::${i + 1}`);
    expect((await call('/v1/admin/types', ADMIN_TOKEN, '2001:db8:1:2:ffff::1')).statusCode).toBe(429);
    expect((await call('/v1/admin/types', ADMIN_TOKEN, '2001:db8:1:3::1')).statusCode).toBe(200);
  });
});
