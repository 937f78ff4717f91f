// The idempotency store on real SQLite: claim, replay, conflict, in-flight claims, release and expiry.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/db.js';
import { createIdempotencyStore, IDEMPOTENCY_TTL_MS, requestHash } from '../../../src/ingress/http/idempotency.js';
import { FaxError } from '../../../src/domain/errors.js';
import { tempDir } from '../../helpers/tmp.js';

function store() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock = { now: () => new Date(now) };
  const s = createIdempotencyStore({ db: openDatabase(tempDir()), clock });
  return { s, advance: (ms: number) => { now += ms; } };
}

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as FaxError).code;
  }
  return 'no error';
};

describe('idempotency store', () => {
  const h1 = requestHash({ to: ['+15550000001'], files: [{ sha256: 'a' }] });
  const h2 = requestHash({ to: ['+15550000001'], files: [{ sha256: 'b' }] });

  it('hashes requests canonically by content', () => {
    expect(h1).toBe(requestHash({ to: ['+15550000001'], files: [{ sha256: 'a' }] }));
    expect(h1).not.toBe(h2);
  });

  it('claims a new key, replays the stored response, refuses a different request', () => {
    const { s } = store();
    expect(s.claim('acc_1', 'k', h1)).toBeUndefined();
    expect(codeOf(() => s.claim('acc_1', 'k', h1))).toBe('idempotency-conflict'); // still in flight
    s.complete('acc_1', 'k', { status: 202, body: { jobs: [{ id: 'job_1' }] } });
    expect(s.claim('acc_1', 'k', h1)).toEqual({ status: 202, body: { jobs: [{ id: 'job_1' }] } });
    expect(codeOf(() => s.claim('acc_1', 'k', h2))).toBe('idempotency-conflict');
    expect(s.claim('acc_2', 'k', h2)).toBeUndefined(); // keys are per account
  });

  it('a released claim (temporary failure) can be retried', () => {
    const { s } = store();
    expect(s.claim('acc_1', 'k', h1)).toBeUndefined();
    s.release('acc_1', 'k');
    expect(s.claim('acc_1', 'k', h1)).toBeUndefined();
  });

  it('keys expire after a day; a claim whose process died is taken over after ten minutes', () => {
    const { s, advance } = store();
    s.claim('acc_1', 'done', h1);
    s.complete('acc_1', 'done', { status: 202, body: {} });
    s.claim('acc_1', 'stuck', h1);
    advance(11 * 60 * 1000);
    expect(s.claim('acc_1', 'stuck', h2)).toBeUndefined();
    expect(s.claim('acc_1', 'done', h1)).toEqual({ status: 202, body: {} });
    advance(IDEMPOTENCY_TTL_MS);
    expect(s.claim('acc_1', 'done', h2)).toBeUndefined();
  });
});
