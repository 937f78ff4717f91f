// The failure throttle on its own (issue #12.8): backoff growth and cap, forgetting, separate kinds, a bounded table.
import { describe, expect, it } from 'vitest';
import { createFailureThrottle, retryAfterSeconds } from '../../../src/ingress/http/throttle.js';

function manualClock(start = Date.parse('2026-06-01T00:00:00Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => { t += ms; } };
}

describe('createFailureThrottle', () => {
  it('lets the free failures through, then doubles the wait from 1 s up to the cap', () => {
    const clock = manualClock();
    const th = createFailureThrottle({ clock, freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 15 * 60_000 });
    const waits: number[] = [];
    for (let i = 0; i < 16; i++) waits.push(th.fail('admin-token', '192.0.2.1'));
    expect(waits.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(waits.slice(4, 10)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000]);
    expect(waits.at(-1)).toBe(15 * 60_000);
    expect(th.waitMs('admin-token', '192.0.2.1')).toBe(15 * 60_000);
    clock.advance(15 * 60_000);
    expect(th.waitMs('admin-token', '192.0.2.1')).toBe(0);
  });

  it('keeps each kind, address and credential apart', () => {
    const clock = manualClock();
    const th = createFailureThrottle({ clock, freeFailures: 1 });
    th.fail('web-settings', '192.0.2.1', 'fgk_abcdef');
    expect(th.waitMs('web-settings', '192.0.2.1')).toBe(1000);
    expect(th.waitMs('web-admin', '192.0.2.1')).toBe(0);
    expect(th.waitMs('api-key', '192.0.2.1', 'fgk_abcdef')).toBe(0);
    expect(th.waitMs('web-settings', '192.0.2.2')).toBe(0);
    // The credential's own counter follows it to any address.
    expect(th.waitMs('web-settings', '192.0.2.2', 'fgk_abcdef')).toBe(1000);
    expect(th.waitMs('web-settings', '192.0.2.2', 'fgk_other0')).toBe(0);
  });

  it('a success clears the credential\'s counter but not the address\'s', () => {
    const clock = manualClock();
    const th = createFailureThrottle({ clock, freeFailures: 2 });
    for (let i = 0; i < 4; i++) th.fail('api-key', '192.0.2.1', 'fgk_abcdef');
    th.succeed('api-key', 'fgk_abcdef');
    expect(th.waitMs('api-key', '192.0.2.9', 'fgk_abcdef')).toBe(0);
    expect(th.waitMs('api-key', '192.0.2.1')).toBeGreaterThan(0);
  });

  it('forgets a counter after a quiet hour', () => {
    const clock = manualClock();
    const th = createFailureThrottle({ clock, freeFailures: 3, forgetAfterMs: 60 * 60_000 });
    for (let i = 0; i < 3; i++) th.fail('api-key', '192.0.2.1');
    clock.advance(60 * 60_000);
    // The old failures are gone: this is the first of three free ones again.
    expect(th.fail('api-key', '192.0.2.1')).toBe(0);
    expect(th.fail('api-key', '192.0.2.1')).toBe(0);
  });

  it('stays bounded however many addresses and credentials fail, dropping the least recently failed first', () => {
    const clock = manualClock();
    const th = createFailureThrottle({ clock, freeFailures: 1, maxEntries: 100 });
    for (let i = 0; i < 5000; i++) {
      th.fail('api-key', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `fgk_${i}`);
      // The address being hammered keeps its counter while the flood goes by.
      if (i % 50 === 0) th.fail('api-key', '192.0.2.1');
    }
    expect(th.size()).toBeLessThanOrEqual(200);
    expect(th.waitMs('api-key', '192.0.2.1')).toBeGreaterThan(0);
    expect(th.waitMs('api-key', '10.0.0.0')).toBe(0);
  });
});

describe('retryAfterSeconds', () => {
  it('Retry-After is whole seconds, never 0', () => {
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
  });
});
