// Fair queueing across accounts: which submission to render and which job to send next, so one account's burst of
// heavy work cannot hold every worker while another account's one-page fax waits behind it.
import type { DB } from '../store/db.js';

/** Render time counts against an account for this long (a recent window, so yesterday's burst is forgotten). */
export const DEFAULT_FAIR_WINDOW_MS = 10 * 60_000;

export interface RenderCharge { accountId: string; renderMs: number; renders: number }

export function createFairPicker(db: DB) {
  // PostgreSQL: a job another instance is claiming is passed over (SKIP LOCKED); the caller holds the lock it gets.
  const skipLockedOf = db.dialect === 'pg' ? ' FOR UPDATE OF j SKIP LOCKED' : '';
  return {
    /**
     * The submission to render next: among accounts with work waiting, the one with the fewest renders in progress
     * (so every waiting account gets a worker before any account gets a second one), then the least render time
     * charged since `since`, then the oldest waiting job; within that account, its oldest waiting submission.
     */
    nextRender(since: string, excluding: readonly string[] = []): string | undefined {
      // Submissions another instance is claiming (the caller could not lock them) are left out.
      const skip = excluding.length ? ` AND submission_id NOT IN (${excluding.map(() => '?').join(', ')})` : '';
      const acct = db.prepare(`
        WITH waiting AS (SELECT account_id, MIN(created_at) AS oldest FROM jobs WHERE status = 'received'${skip} GROUP BY account_id),
        busy AS (SELECT account_id, COUNT(DISTINCT submission_id) AS n FROM jobs WHERE status = 'rendering' GROUP BY account_id),
        charged AS (SELECT account_id, CAST(SUM(render_ms) AS BIGINT) AS ms FROM submissions WHERE rendered_at >= ? GROUP BY account_id)
        SELECT w.account_id AS id FROM waiting w
          LEFT JOIN busy b ON b.account_id = w.account_id LEFT JOIN charged c ON c.account_id = w.account_id
        ORDER BY COALESCE(b.n, 0), COALESCE(c.ms, 0), w.oldest, w.account_id LIMIT 1`).get(...excluding, since) as { id: string } | undefined;
      if (!acct) return undefined;
      const r = db.prepare(`SELECT submission_id FROM jobs WHERE status = 'received' AND account_id = ?${skip} ORDER BY created_at, rowid LIMIT 1`)
        .get(acct.id, ...excluding) as { submission_id: string } | undefined;
      return r?.submission_id;
    },

    /** The job to send next (queued, retrying and due, scheduled and due): due jobs of the account with the fewest calls in progress first, then the earliest due. */
    nextSend(at: string): string | undefined {
      const r = db.prepare(`
        WITH busy AS (SELECT account_id, COUNT(*) AS n FROM jobs WHERE status = 'sending' GROUP BY account_id)
        SELECT j.id FROM jobs j LEFT JOIN busy b ON b.account_id = j.account_id
        WHERE j.status = 'queued' OR (j.status = 'retrying' AND (j.next_attempt_at IS NULL OR j.next_attempt_at <= ?))
          OR (j.status = 'scheduled' AND j.send_at <= ?)
        ORDER BY COALESCE(b.n, 0), COALESCE(j.next_attempt_at, j.send_at, j.created_at), j.rowid LIMIT 1${skipLockedOf}`).get(at, at) as { id: string } | undefined;
      return r?.id;
    },

    /** Charge measured render time to the submission (and so to its account). */
    charge(submissionId: string, ms: number, at: string): void {
      db.prepare('UPDATE submissions SET render_ms = COALESCE(render_ms, 0) + ?, rendered_at = ? WHERE id = ?')
        .run(Math.max(0, Math.round(ms)), at, submissionId);
    },

    /** Render time charged per account since `since` (accounts with no render in the window are left out). */
    charges(since: string): RenderCharge[] {
      return (db.prepare(`SELECT account_id, CAST(SUM(render_ms) AS BIGINT) AS ms, COUNT(*) AS n FROM submissions WHERE rendered_at >= ?
          GROUP BY account_id ORDER BY account_id`).all(since) as { account_id: string; ms: number; n: number }[])
        .map((r) => ({ accountId: r.account_id, renderMs: r.ms, renders: r.n }));
    },
  };
}
