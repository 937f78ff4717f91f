// Transmission attempts: a row is written with the move to `sending`, stamped durably just before the line is
// dialled, and closed with the job's next transition, so a restart can tell "never dialled" from "maybe sent".
import type { DB } from '../store/db.js';

/** How an attempt ended; NULL (undefined) while the call is, or may have been, under way. */
export type AttemptOutcome =
  | 'sent' | 'busy' | 'no-answer' | 'not-a-fax' | 'line-dropped'
  /** the adapter threw (our side), or the rendered fax was missing */
  | 'line-error'
  /** a shutdown hung up the call before the fax was complete: nothing delivered, the job is queued again */
  | 'released'
  /** the worker died after the claim and before dialling: the job is queued again */
  | 'not-dialled'
  /** the worker died (or gave up waiting) during the call: it may have gone through, so it is not sent again */
  | 'maybe-sent';

export interface AttemptRecord {
  attempt: number;
  line: string;
  claimedAt: string;
  dialledAt?: string;
  finishedAt?: string;
  outcome?: AttemptOutcome;
  pagesSent?: number;
}

interface AttemptRow {
  id: number; job_id: string; attempt: number; line: string; claimed_at: string; dialled_at: string | null;
  finished_at: string | null; outcome: AttemptOutcome | null; pages_sent: number | null;
}

export function createAttempts(db: DB) {
  const openRow = (jobId: string) =>
    db.prepare('SELECT * FROM job_attempts WHERE job_id = ? ORDER BY id DESC LIMIT 1').get(jobId) as AttemptRow | undefined;
  return {
    /** Record a claimed attempt (inside the claim's transaction). */
    open(jobId: string, attempt: number, line: string, at: string): void {
      db.prepare('INSERT INTO job_attempts (job_id, attempt, line, claimed_at) VALUES (?, ?, ?, ?)').run(jobId, attempt, line, at);
    },
    /** Stamp the open attempt as dialled; false when there is none (the job was recovered meanwhile). */
    dial(jobId: string, at: string): boolean {
      const r = openRow(jobId);
      if (!r || r.outcome !== null || r.dialled_at !== null) return false;
      db.prepare('UPDATE job_attempts SET dialled_at = ? WHERE id = ?').run(at, r.id);
      return true;
    },
    /** Close the job's open attempt (inside the transaction that moves the job on). */
    close(jobId: string, outcome: AttemptOutcome, at: string, pagesSent?: number): void {
      const r = openRow(jobId);
      if (!r || r.outcome !== null) return;
      db.prepare('UPDATE job_attempts SET outcome = ?, finished_at = ?, pages_sent = ? WHERE id = ?').run(outcome, at, pagesSent ?? null, r.id);
    },
    /**
     * Where a job left in `sending` stands: `not-dialled` when its last attempt never reached the line, otherwise
     * `maybe-sent` (also when no attempt was recorded at all: a job in `sending` from before attempts were recorded
     * was most likely on the line when the server died).
     */
    standing(jobId: string): 'not-dialled' | 'maybe-sent' {
      const r = openRow(jobId);
      return r && r.outcome === null && r.dialled_at === null ? 'not-dialled' : 'maybe-sent';
    },
    list(jobId: string): AttemptRecord[] {
      return (db.prepare('SELECT * FROM job_attempts WHERE job_id = ? ORDER BY id').all(jobId) as AttemptRow[]).map((r) => ({
        attempt: r.attempt, line: r.line, claimedAt: r.claimed_at,
        ...(r.dialled_at ? { dialledAt: r.dialled_at } : {}),
        ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
        ...(r.outcome ? { outcome: r.outcome } : {}),
        ...(r.pages_sent !== null ? { pagesSent: r.pages_sent } : {}),
      }));
    },
  };
}
