// The Telnyx line's tables (telnyx_faxes, telnyx_events): faxes under faxgate's key and Telnyx's id, webhook event ids.
import type { DB } from '../../store/db.js';

/** How far a fax has got; a later state never gives way to an earlier one (webhooks arrive out of order). */
export const RANK = { submitted: 0, queued: 1, 'media.processed': 2, originated: 3, sending: 4, delivered: 9, failed: 9, cancelled: 9 } as const;
export type FaxState = keyof typeof RANK;
export const FINAL: ReadonlySet<FaxState> = new Set<FaxState>(['delivered', 'failed', 'cancelled']);

export interface TelnyxFaxRow {
  key: string;
  line: string;
  jobId: string;
  faxId: string | null;
  tiffPath: string;
  pages: number;
  state: FaxState;
  pageCount: number | null;
  durationSecs: number | null;
  failureReason: string | null;
  submitError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PendingReception { eventId: string; payload: Record<string, unknown>; attempts: number }

export interface TelnyxStore {
  addFax(r: { key: string; line: string; jobId: string; tiffPath: string; pages: number; at: string }): void;
  byKey(key: string): TelnyxFaxRow | undefined;
  byFaxId(faxId: string): TelnyxFaxRow | undefined;
  /** Bind Telnyx's fax id to faxgate's key (from the POST answer or from a webhook's client_state). */
  bindFaxId(key: string, faxId: string, at: string): void;
  /** Move a fax forward; an event of a lower rank than the recorded one (a late or reordered webhook) changes nothing. */
  advance(key: string, state: FaxState, at: string, facts?: { pageCount?: number; durationSecs?: number; failureReason?: string }): boolean;
  submitFailed(key: string, error: string, at: string): void;
  /** Record an event id once: false when it was seen before (a duplicate or a replay). */
  claimEvent(e: { eventId: string; line: string; type: string; faxId?: string; occurredAt?: string; at: string; pending?: unknown }): boolean;
  pending(line: string): PendingReception[];
  receptionDone(eventId: string): void;
  receptionFailed(eventId: string, error: string, giveUp: boolean): void;
}

interface FaxDbRow {
  key: string; line: string; job_id: string; fax_id: string | null; tiff_path: string; pages: number; state: FaxState;
  page_count: number | null; duration_secs: number | null; failure_reason: string | null; submit_error: string | null;
  created_at: string; updated_at: string;
}

const toRow = (r: FaxDbRow | undefined): TelnyxFaxRow | undefined => r && {
  key: r.key, line: r.line, jobId: r.job_id, faxId: r.fax_id, tiffPath: r.tiff_path, pages: r.pages, state: r.state,
  pageCount: r.page_count, durationSecs: r.duration_secs, failureReason: r.failure_reason, submitError: r.submit_error,
  createdAt: r.created_at, updatedAt: r.updated_at,
};

export function createSqliteTelnyxStore(db: DB): TelnyxStore {
  const byKey = db.prepare('SELECT * FROM telnyx_faxes WHERE key = ?');
  const byFax = db.prepare('SELECT * FROM telnyx_faxes WHERE fax_id = ?');
  return {
    addFax(r) {
      db.prepare(`INSERT INTO telnyx_faxes (key, line, job_id, tiff_path, pages, state, rank, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, 'submitted', 0, ?, ?) ON CONFLICT(key) DO NOTHING`).run(r.key, r.line, r.jobId, r.tiffPath, r.pages, r.at, r.at);
    },
    byKey: (key) => toRow(byKey.get(key) as FaxDbRow | undefined),
    byFaxId: (faxId) => toRow(byFax.get(faxId) as FaxDbRow | undefined),
    bindFaxId(key, faxId, at) {
      db.prepare('UPDATE telnyx_faxes SET fax_id = ?, updated_at = ? WHERE key = ? AND fax_id IS NULL').run(faxId, at, key);
    },
    advance(key, state, at, facts = {}) {
      const rank = RANK[state];
      const r = db.prepare(`UPDATE telnyx_faxes SET state = ?, rank = ?, updated_at = ?,
          page_count = COALESCE(?, page_count), duration_secs = COALESCE(?, duration_secs), failure_reason = COALESCE(?, failure_reason)
        WHERE key = ? AND rank < ?`)
        .run(state, rank, at, facts.pageCount ?? null, facts.durationSecs ?? null, facts.failureReason ?? null, key, rank);
      return r.changes > 0;
    },
    submitFailed(key, error, at) {
      db.prepare("UPDATE telnyx_faxes SET submit_error = ?, state = 'failed', rank = 9, updated_at = ? WHERE key = ?").run(error, at, key);
    },
    claimEvent(e) {
      const r = db.prepare(`INSERT INTO telnyx_events (event_id, line, event_type, fax_id, occurred_at, received_at, pending)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING`)
        .run(e.eventId, e.line, e.type, e.faxId ?? null, e.occurredAt ?? null, e.at, e.pending === undefined ? null : JSON.stringify(e.pending));
      return r.changes > 0;
    },
    pending(line) {
      const rows = db.prepare('SELECT event_id, pending, attempts FROM telnyx_events WHERE line = ? AND pending IS NOT NULL ORDER BY received_at')
        .all(line) as { event_id: string; pending: string; attempts: number }[];
      return rows.map((r) => ({ eventId: r.event_id, payload: JSON.parse(r.pending) as Record<string, unknown>, attempts: r.attempts }));
    },
    receptionDone(eventId) {
      db.prepare('UPDATE telnyx_events SET pending = NULL, last_error = NULL WHERE event_id = ?').run(eventId);
    },
    receptionFailed(eventId, error, giveUp) {
      db.prepare(`UPDATE telnyx_events SET attempts = attempts + 1, last_error = ?${giveUp ? ', pending = NULL' : ''} WHERE event_id = ?`).run(error, eventId);
    },
  };
}
