// The lease claim every outbox (feedback, mail) uses: the due rows of one table taken by compare-and-set, in one transaction.
import type { DB } from './db.js';

/** What an outbox dispatcher asks of its store: take due rows for a while (a lease), so no other dispatcher takes them. */
export interface OutboxClaims {
  /**
   * Claim up to `limit` rows due at `nowIso` (pending, next attempt not later) by moving their next attempt to
   * `leaseIso`; rows `skip` says are already in hand are passed over. Returns the claimed ids.
   */
  claimDue(nowIso: string, leaseIso: string, limit: number, skip: (id: string) => boolean): string[];
}

/**
 * The claim for an outbox table that has `id`, `status` ('pending' = due when next_attempt_at <= now) and
 * `next_attempt_at`. Called by the table's owning store with its own table name.
 */
export function outboxClaims(db: DB, table: string): OutboxClaims {
  // PostgreSQL: rows another instance is claiming right now are passed over, not waited for.
  const locking = db.dialect === 'pg' ? ' FOR UPDATE SKIP LOCKED' : '';
  const due = db.prepare(`SELECT id, next_attempt_at FROM ${table} WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?${locking}`);
  // Compare-and-set claim: a second dispatcher on the same database cannot take the same row.
  const take = db.prepare(`UPDATE ${table} SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at = ?`);
  // One transaction (one fsync) claims the whole batch.
  const claim = db.transaction((nowIso: string, leaseIso: string, limit: number, skip: (id: string) => boolean): string[] => {
    const claimed: string[] = [];
    // In-flight rows are normally not due (their lease is ahead), so a few extra rows cover the skipped ones.
    for (const r of due.all(nowIso, limit * 4) as { id: string; next_attempt_at: string }[]) {
      if (claimed.length >= limit) break;
      if (skip(r.id)) continue;
      if (take.run(leaseIso, r.id, r.next_attempt_at).changes) claimed.push(r.id);
    }
    return claimed;
  });
  return { claimDue: (nowIso, leaseIso, limit, skip) => claim(nowIso, leaseIso, limit, skip) };
}
