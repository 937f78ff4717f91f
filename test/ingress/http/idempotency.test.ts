// The idempotency store on real SQLite: claim, replay, conflict, in-flight claims, release, expiry and dead owners.
import { describe, expect, it } from 'vitest';
import { onPostgres, openTestDatabase } from '../../helpers/test-db.js';
import { createIdempotencyStore, IDEMPOTENCY_TTL_MS, requestHash, SHARED_IN_FLIGHT_MS } from '../../../src/ingress/http/idempotency.js';
import { FaxError } from '../../../src/domain/errors.js';
import { tempDir } from '../../helpers/tmp.js';

function store(dir = tempDir(), instanceId = 'instance-a') {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock = { now: () => new Date(now) };
  const s = createIdempotencyStore({ db: openTestDatabase(dir), clock, instanceId });
  return { s, dir, advance: (ms: number) => { now += ms; } };
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

  it('keys expire after a day; a claim in flight in this process stays claimed however long it runs', () => {
    const { s, advance } = store();
    s.claim('acc_1', 'done', h1);
    s.complete('acc_1', 'done', { status: 202, body: {} });
    s.claim('acc_1', 'running', h1);
    advance(11 * 60 * 1000);
    // Its request is still running here (the route gives every claim back when it ends), so taking it would double it.
    expect(codeOf(() => s.claim('acc_1', 'running', h1))).toBe('idempotency-conflict');
    expect(s.claim('acc_1', 'done', h1)).toEqual({ status: 202, body: {} });
    advance(IDEMPOTENCY_TTL_MS);
    expect(s.claim('acc_1', 'done', h2)).toBeUndefined();
  });

  it.skipIf(onPostgres())('a claim of another instance (a process that died) is taken over at once on the same SQLite file (issue #12.4)', () => {
    const a = store(tempDir(), 'instance-a');
    expect(a.s.claim('acc_1', 'cut-off', h1)).toBeUndefined();
    a.s.claim('acc_1', 'finished', h1);
    a.s.complete('acc_1', 'finished', { status: 202, body: { jobs: [{ id: 'job_1' }] } });
    // The next server on the same data folder: another connection, another instance id, no time passed.
    const b = store(a.dir, 'instance-b');
    expect(b.s.claim('acc_1', 'cut-off', h1)).toBeUndefined();
    expect(codeOf(() => b.s.claim('acc_1', 'cut-off', h1))).toBe('idempotency-conflict'); // now B's own, in flight
    // A finished key is still replayed, and still refuses a different request.
    expect(b.s.claim('acc_1', 'finished', h1)).toEqual({ status: 202, body: { jobs: [{ id: 'job_1' }] } });
    expect(codeOf(() => b.s.claim('acc_1', 'finished', h2))).toBe('idempotency-conflict');
    // The dead instance can no longer complete or release what B took over.
    a.s.complete('acc_1', 'cut-off', { status: 202, body: { stale: true } });
    a.s.release('acc_1', 'cut-off');
    b.s.complete('acc_1', 'cut-off', { status: 202, body: { jobs: [{ id: 'job_2' }] } });
    expect(b.s.claim('acc_1', 'cut-off', h1)).toEqual({ status: 202, body: { jobs: [{ id: 'job_2' }] } });
  });

  it.runIf(onPostgres())('on a shared PostgreSQL, another instance\'s claim in flight is its live request until it is old', () => {
    const a = store(tempDir(), 'instance-a');
    expect(a.s.claim('acc_1', 'busy', h1)).toBeUndefined();
    const b = store(a.dir, 'instance-b');
    expect(codeOf(() => b.s.claim('acc_1', 'busy', h1))).toBe('idempotency-conflict');
    b.advance(SHARED_IN_FLIGHT_MS + 1);
    expect(b.s.claim('acc_1', 'busy', h1)).toBeUndefined(); // A died: B takes it over
  });

  it.skipIf(onPostgres())('claims written before the owner column existed count as dead when in flight', () => {
    const { s, dir } = store();
    const db = openTestDatabase(dir);
    db.prepare("INSERT INTO idempotency_keys (account_id, key, request_hash, response, status, created_at) VALUES ('acc_1', 'old', ?, 'null', 0, ?)")
      .run(h1, new Date('2026-01-01T00:00:00Z').toISOString());
    expect(s.claim('acc_1', 'old', h1)).toBeUndefined();
  });
});
