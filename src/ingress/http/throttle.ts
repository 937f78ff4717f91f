// Failed-authentication throttle (issue #12.8): counts failures per credential and per client address, with backoff.
import { createHash } from 'node:crypto';
import { addressGroup } from '../client-address.js';
import type { Clock } from '../../domain/types.js';

/**
 * What was being guessed. Each kind has its own counters, so failures at one door never slow another: bearer API
 * keys, the bearer admin token (/v1/admin), the /settings sign-in form, the /admin sign-in form and carriers' signed
 * webhooks (a forged or unsigned delivery counts as a failed sign-in of its address).
 */
export type AuthKind = 'api-key' | 'admin-token' | 'web-settings' | 'web-admin' | 'carrier-webhook';

export interface ThrottleOptions {
  clock: Clock;
  /** failures a counter may collect before backoff starts (5) */
  freeFailures?: number;
  /** the first wait once backoff starts; each further failure doubles it (1 s) */
  baseDelayMs?: number;
  /** the longest wait (15 minutes) */
  maxDelayMs?: number;
  /** a counter with no failure for this long is forgotten (1 hour; longer than maxDelayMs, so the cap holds) */
  forgetAfterMs?: number;
  /** entries kept per table (addresses, credentials); the least recently failed is dropped first (10,000) */
  maxEntries?: number;
}

export interface FailureThrottle {
  /**
   * Milliseconds before an attempt of this kind may be answered normally again: the longer of the address's wait and
   * (when given) the credential's wait; 0 when neither is in backoff. Only reads; never creates an entry.
   */
  waitMs(kind: AuthKind, address: string, credential?: string): number;
  /** Record one failed attempt; returns the wait that now applies (0 while still under the free failures). */
  fail(kind: AuthKind, address: string, credential?: string): number;
  /** A correct credential clears its own counter (the address's counter stays: successes must not launder guesses). */
  succeed(kind: AuthKind, credential: string): void;
  /** Entries held (addresses + credentials), for tests and metrics. */
  size(): number;
}

interface Counter { failures: number; until: number; last: number }

/** A short digest: what a caller passes as the credential never sits in memory as text, and every key has a fixed size. */
const digest = (s: string): string => createHash('sha256').update(s).digest('base64url').slice(0, 22);

export function createFailureThrottle({
  clock, freeFailures = 5, baseDelayMs = 1000, maxDelayMs = 15 * 60_000, forgetAfterMs = 60 * 60_000, maxEntries = 10_000,
}: ThrottleOptions): FailureThrottle {
  const addresses = new Map<string, Counter>();
  const credentials = new Map<string, Counter>();
  const now = () => clock.now().getTime();

  const live = (table: Map<string, Counter>, key: string, t: number): Counter | undefined => {
    const c = table.get(key);
    if (c && t - c.last >= forgetAfterMs) {
      table.delete(key);
      return undefined;
    }
    return c;
  };

  const remaining = (c: Counter | undefined, t: number) => (c && c.until > t ? c.until - t : 0);

  function bump(table: Map<string, Counter>, key: string, t: number): number {
    const c = live(table, key, t) ?? { failures: 0, until: 0, last: t };
    c.failures += 1;
    c.last = t;
    const beyond = c.failures - freeFailures;
    // 1 s, 2 s, 4 s ... from the last free failure on; the exponent is capped so the arithmetic stays finite.
    if (beyond >= 0) c.until = t + Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(beyond, 40));
    // Re-insert so the Map's order is least-recently-failed first; evicting from the front keeps the table bounded
    // without ever dropping a counter that is being hammered right now.
    table.delete(key);
    table.set(key, c);
    while (table.size > maxEntries) table.delete(table.keys().next().value as string);
    return remaining(c, t);
  }

  const addressKey = (kind: AuthKind, address: string) => `${kind} ${addressGroup(address)}`;
  const credentialKey = (kind: AuthKind, credential: string) => `${kind} ${digest(credential)}`;

  return {
    waitMs(kind, address, credential) {
      const t = now();
      const a = remaining(live(addresses, addressKey(kind, address), t), t);
      const c = credential === undefined ? 0 : remaining(live(credentials, credentialKey(kind, credential), t), t);
      return Math.max(a, c);
    },
    fail(kind, address, credential) {
      const t = now();
      const a = bump(addresses, addressKey(kind, address), t);
      const c = credential === undefined ? 0 : bump(credentials, credentialKey(kind, credential), t);
      return Math.max(a, c);
    },
    succeed(kind, credential) {
      credentials.delete(credentialKey(kind, credential));
    },
    size: () => addresses.size + credentials.size,
  };
}

/** Whole seconds for a Retry-After header (at least 1, so a client never retries at once). */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
