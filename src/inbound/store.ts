// The SQLite inbound store (the InboundStore of ./types.ts), the SQL for received faxes: rows in, InboundFax out, account-scoped lookups, keyset paging and tombstoning.
import { FaxError } from '../domain/errors.js';
import type { DB } from '../store/db.js';
import type { InboundFax, InboundFilters, InboundPage, InboundStore } from './types.js';

interface Row {
  seq: number; id: string; account_id: string; to_number: string | null; from_number: string | null; pages: number;
  size: number | null; received_at: string; status: 'stored' | 'deleted'; retrieval_count: number;
  first_retrieved_at: string | null; last_retrieved_at: string | null; last_retrieved_by: string | null;
  deleted_at: string | null; deleted_by: string | null; deleted_reason: 'retrieved' | 'deleted' | null; purged_at: string | null;
  remote_id: string | null;
  partial: number;
}

const MAX_LIMIT = 200;

/** Cursors are opaque to clients: the keyset position, base64url-encoded. */
function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^s(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!m) throw new FaxError('invalid-request', 'invalid cursor', { field: 'cursor' });
  return Number(m[1]);
}

export function createSqliteInboundStore(db: DB, imageUrlOf: (id: string) => string): InboundStore {
  const toFax = (r: Row): InboundFax => ({
    id: r.id,
    accountId: r.account_id,
    status: r.status,
    from: r.from_number,
    to: r.to_number,
    remoteId: r.remote_id,
    partial: r.partial === 1,
    pages: r.pages,
    size: r.size,
    receivedAt: r.received_at,
    imageUrl: r.status === 'stored' ? imageUrlOf(r.id) : null,
    retrievalCount: r.retrieval_count,
    firstRetrievedAt: r.first_retrieved_at,
    lastRetrievedAt: r.last_retrieved_at,
    lastRetrievedBy: r.last_retrieved_by,
    deletedAt: r.deleted_at,
    deletedBy: r.deleted_by,
    deletedReason: r.deleted_reason,
  });

  const byId = db.prepare('SELECT * FROM inbound_faxes WHERE id = ? AND account_id = ?');

  return {
    insert(f: {
      id: string; accountId: string; to: string; from: string; pages: number; size: number; receivedAt: string;
      remoteId?: string; lineKey?: string; partial?: boolean;
    }): void {
      db.prepare(`INSERT INTO inbound_faxes (id, account_id, to_number, from_number, pages, size, received_at, status, remote_id, line_key, partial)
        VALUES (?, ?, ?, ?, ?, ?, ?, 'stored', ?, ?, ?)`)
        .run(f.id, f.accountId, f.to, f.from, f.pages, f.size, f.receivedAt, f.remoteId ?? null, f.lineKey ?? null, f.partial ? 1 : 0);
    },
    /** The fax a line already handed over under this key (a repeated hand-over after a crash), tombstones included. */
    byLineKey(key: string): InboundFax | null {
      const r = db.prepare('SELECT * FROM inbound_faxes WHERE line_key = ?').get(key) as Row | undefined;
      return r ? toFax(r) : null;
    },
    /** Another account's fax is indistinguishable from a missing one. */
    mustGet(accountId: string, id: string): InboundFax {
      const r = byId.get(id, accountId) as Row | undefined;
      if (!r) throw new FaxError('not-found', 'no such received fax');
      return toFax(r);
    },
    list(accountId: string, opts: { limit?: number; cursor?: string | null; filters?: InboundFilters }): InboundPage {
      const limit = opts.limit ?? 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw new FaxError('invalid-request', `limit must be 1..${MAX_LIMIT}`, { field: 'limit' });
      }
      const before = opts.cursor ? decodeCursor(opts.cursor) : Number.MAX_SAFE_INTEGER;
      // The same filters as GET /v1/faxes where they apply (a tombstone has no numbers left, so `to` never matches one).
      const f = opts.filters ?? {};
      const where = ['account_id = ?', 'seq < ?'];
      const args: (string | number)[] = [accountId, before];
      if (f.status?.length) { where.push(`status IN (${f.status.map(() => '?').join(',')})`); args.push(...f.status); }
      if (f.to) { where.push('to_number = ?'); args.push(f.to); }
      if (f.from) { where.push('received_at >= ?'); args.push(f.from); }
      if (f.until) { where.push('received_at < ?'); args.push(f.until); }
      const rows = db.prepare(`SELECT * FROM inbound_faxes WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`)
        .all(...args, limit + 1) as Row[];
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      return { items: page.map(toFax), nextCursor: more ? encodeCursor(page[page.length - 1].seq) : null };
    },
    /** Count a complete download; with `andDelete` the same update turns the row into a tombstone. False if already gone. */
    recordRetrieval(accountId: string, id: string, by: string, at: string, andDelete: boolean): boolean {
      const res = db.prepare(`UPDATE inbound_faxes SET retrieval_count = retrieval_count + 1,
          first_retrieved_at = COALESCE(first_retrieved_at, @at), last_retrieved_at = @at, last_retrieved_by = @by
          ${andDelete ? ", status = 'deleted', deleted_at = @at, deleted_by = @by, deleted_reason = 'retrieved', to_number = NULL, from_number = NULL, remote_id = NULL, size = NULL" : ''}
        WHERE id = @id AND account_id = @accountId AND status = 'stored'`).run({ id, accountId, by, at });
      return res.changes === 1;
    },
    /** The tombstone keeps id, account, times, page count and who; the numbers, TSI and size are blanked (the line key stays). */
    tombstone(accountId: string, id: string, by: string, at: string): boolean {
      const res = db.prepare(`UPDATE inbound_faxes SET status = 'deleted', deleted_at = @at, deleted_by = @by,
          deleted_reason = 'deleted', to_number = NULL, from_number = NULL, remote_id = NULL, size = NULL
        WHERE id = @id AND account_id = @accountId AND status = 'stored'`).run({ id, accountId, by, at });
      return res.changes === 1;
    },
    markPurged(id: string, at: string): void {
      db.prepare('UPDATE inbound_faxes SET purged_at = ? WHERE id = ?').run(at, id);
    },
    unpurged(): string[] {
      return (db.prepare("SELECT id FROM inbound_faxes WHERE status = 'deleted' AND purged_at IS NULL").all() as { id: string }[]).map((r) => r.id);
    },
    exists(id: string): boolean {
      return db.prepare('SELECT 1 FROM inbound_faxes WHERE id = ?').get(id) !== undefined;
    },
    isPurged(id: string): boolean {
      return db.prepare('SELECT 1 FROM inbound_faxes WHERE id = ? AND purged_at IS NOT NULL').get(id) !== undefined;
    },
  };
}
