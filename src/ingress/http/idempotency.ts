// Idempotency-Key: the first response to a key is stored and replayed; the same key with another request is a conflict.
import { createHash } from 'node:crypto';
import { FaxError } from '../../domain/errors.js';
import type { Clock } from '../../domain/types.js';
import { isUniqueViolation, type DB } from '../../store/db.js';

/** Keys are remembered this long (a day, like the SMTP Message-ID window). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const IN_FLIGHT = 0;

export interface StoredResponse {
  status: number;
  body: unknown;
}

export function requestHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Beside other instances (one PostgreSQL), another instance's claim in flight is a live request until it is this old;
 * past it, that instance died before it answered (a request never takes this long: bodies and rendering are bounded).
 */
export const SHARED_IN_FLIGHT_MS = 5 * 60_000;

/**
 * `instanceId` names this server process (random, made at start). A claim in flight belongs to the instance that
 * took it. On SQLite only one server runs per data folder (serve.lock), so a claim of any other instance is one whose
 * process died before it answered, and is taken over at once (issue #12.4) instead of answering 409 until it ages
 * out. On PostgreSQL the other instance may be alive: its claim is taken over only after SHARED_IN_FLIGHT_MS.
 */
export function createIdempotencyStore({ db, clock, instanceId }: { db: DB; clock: Clock; instanceId: string }) {
  interface Row { request_hash: string; response: string; status: number; created_at: string; owner: string | null }
  const select = db.prepare('SELECT request_hash, response, status, created_at, owner FROM idempotency_keys WHERE account_id = ? AND key = ?');
  const remove = db.prepare('DELETE FROM idempotency_keys WHERE account_id = ? AND key = ?');
  const insert = db.prepare('INSERT INTO idempotency_keys (account_id, key, request_hash, response, status, created_at, owner) VALUES (?, ?, ?, ?, ?, ?, ?)');
  return {
    /**
     * Claim a key before doing the work. Returns the stored response to replay, or undefined when this request
     * now owns the key. Throws idempotency-conflict for a different request, or while the first is still running
     * in this process.
     */
    claim(accountId: string, key: string, hash: string): StoredResponse | undefined {
      const now = clock.now();
      return db.transaction((): StoredResponse | undefined => {
        const row = select.get(accountId, key) as Row | undefined;
        if (row) {
          const expired = now.getTime() - Date.parse(row.created_at) > IDEMPOTENCY_TTL_MS;
          const orphaned = row.status === IN_FLIGHT && row.owner !== instanceId
            && (db.dialect === 'sqlite' || now.getTime() - Date.parse(row.created_at) > SHARED_IN_FLIGHT_MS);
          if (!expired && !orphaned) {
            if (row.request_hash !== hash) {
              throw new FaxError('idempotency-conflict', 'this Idempotency-Key was already used with a different request');
            }
            if (row.status === IN_FLIGHT) {
              throw new FaxError('idempotency-conflict', 'a request with this Idempotency-Key is still being processed; retry shortly');
            }
            return { status: row.status, body: JSON.parse(row.response) as unknown };
          }
          remove.run(accountId, key);
        }
        try {
          insert.run(accountId, key, hash, 'null', IN_FLIGHT, now.toISOString(), instanceId);
        } catch (e) {
          // Another instance claimed the same key a moment ago (PostgreSQL): that request is the first.
          if (isUniqueViolation(e)) throw new FaxError('idempotency-conflict', 'a request with this Idempotency-Key is still being processed; retry shortly');
          throw e;
        }
        return undefined;
      }, { immediate: true })();
    },
    /** Record the final response of a claimed key. */
    complete(accountId: string, key: string, response: StoredResponse): void {
      db.prepare('UPDATE idempotency_keys SET response = ?, status = ? WHERE account_id = ? AND key = ? AND owner = ?')
        .run(JSON.stringify(response.body), response.status, accountId, key, instanceId);
    },
    /** Give a key back when its request ended without a recorded response (nothing was created, or we cannot tell). */
    release(accountId: string, key: string): void {
      db.prepare('DELETE FROM idempotency_keys WHERE account_id = ? AND key = ? AND status = ? AND owner = ?').run(accountId, key, IN_FLIGHT, instanceId);
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
