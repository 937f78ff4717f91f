// Idempotency-Key: the first response to a key is stored and replayed; the same key with another request is a conflict.
import { createHash } from 'node:crypto';
import { FaxError } from '../../domain/errors.js';
import type { Clock } from '../../domain/types.js';
import type { DB } from '../../store/db.js';

/** Keys are remembered this long (a day, like the SMTP Message-ID window). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim older than this whose request never finished (the process died) may be taken over. */
const STALE_CLAIM_MS = 10 * 60 * 1000;
const IN_FLIGHT = 0;

export interface StoredResponse {
  status: number;
  body: unknown;
}

export function requestHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export function createIdempotencyStore({ db, clock }: { db: DB; clock: Clock }) {
  interface Row { request_hash: string; response: string; status: number; created_at: string }
  const select = db.prepare('SELECT request_hash, response, status, created_at FROM idempotency_keys WHERE account_id = ? AND key = ?');
  return {
    /**
     * Claim a key before doing the work. Returns the stored response to replay, or undefined when this request
     * now owns the key. Throws idempotency-conflict for a different request, or while the first is still running.
     */
    claim(accountId: string, key: string, hash: string): StoredResponse | undefined {
      const now = clock.now();
      return db.transaction((): StoredResponse | undefined => {
        const row = select.get(accountId, key) as Row | undefined;
        if (row) {
          const age = now.getTime() - Date.parse(row.created_at);
          const expired = age > IDEMPOTENCY_TTL_MS || (row.status === IN_FLIGHT && age > STALE_CLAIM_MS);
          if (!expired) {
            if (row.request_hash !== hash) {
              throw new FaxError('idempotency-conflict', 'this Idempotency-Key was already used with a different request');
            }
            if (row.status === IN_FLIGHT) {
              throw new FaxError('idempotency-conflict', 'a request with this Idempotency-Key is still being processed; retry shortly');
            }
            return { status: row.status, body: JSON.parse(row.response) as unknown };
          }
          db.prepare('DELETE FROM idempotency_keys WHERE account_id = ? AND key = ?').run(accountId, key);
        }
        db.prepare('INSERT INTO idempotency_keys (account_id, key, request_hash, response, status, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(accountId, key, hash, 'null', IN_FLIGHT, now.toISOString());
        return undefined;
      }).immediate();
    },
    /** Record the final response of a claimed key. */
    complete(accountId: string, key: string, response: StoredResponse): void {
      db.prepare('UPDATE idempotency_keys SET response = ?, status = ? WHERE account_id = ? AND key = ?')
        .run(JSON.stringify(response.body), response.status, accountId, key);
    },
    /** Give a key back when its request failed in a way a retry may fix (nothing was created). */
    release(accountId: string, key: string): void {
      db.prepare('DELETE FROM idempotency_keys WHERE account_id = ? AND key = ? AND status = ?').run(accountId, key, IN_FLIGHT);
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
