// Transmission attempts: a row is written with the move to `sending`, stamped durably just before the line is
// dialled, and closed with the job's next transition, so a restart can tell "never dialled" from "maybe sent".
import type { DB } from '../store/db.js';

/** How an attempt ended; NULL (undefined) while the call is, or may have been, under way. */
export type AttemptOutcome =
  | 'sent' | 'busy' | 'no-answer' | 'no-carrier' | 'not-a-fax' | 'line-dropped' | 'rejected' | 'cancelled'
  /** the line failed on its own side (a modem or server fault) */
  | 'internal'
  /** the line could not take the fax (server down, login refused): nothing was handed over */
  | 'line-unavailable'
  /** a durable line has no record of the job it was given: it may have been sent, so it is not sent again */
  | 'line-lost'
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
  /** the line's own reference for the handed-over fax */
  lineRef?: string;
  remoteId?: string;
  durationSeconds?: number;
  lineCode?: string;
  lineText?: string;
}

/** What a finished call reported, kept with its attempt. */
export interface CallFacts { remoteId?: string; durationSeconds?: number; lineCode?: string; lineText?: string }

/** An attempt handed over to a durable line and not finished: a restart tracks it again. */
export interface OpenLineJob { jobId: string; attempt: number; line: string; lineRef: string }

interface AttemptRow {
  id: number; job_id: string; attempt: number; line: string; claimed_at: string; dialled_at: string | null;
  finished_at: string | null; outcome: AttemptOutcome | null; pages_sent: number | null; line_ref: string | null;
  line_durable: number; remote_id: string | null; duration_s: number | null; line_code: string | null; line_text: string | null;
}

export function createAttempts(db: DB) {
  const openRow = (jobId: string) =>
    db.prepare('SELECT * FROM job_attempts WHERE job_id = ? ORDER BY id DESC LIMIT 1').get(jobId) as AttemptRow | undefined;
  return {
    /** Record a claimed attempt (inside the claim's transaction). */
    open(jobId: string, attempt: number, line: string, at: string): void {
      db.prepare('INSERT INTO job_attempts (job_id, attempt, line, claimed_at) VALUES (?, ?, ?, ?)').run(jobId, attempt, line, at);
    },
    /**
     * Stamp the open attempt as dialled (handed to the line), with the line's own reference for it; false when there is
     * none (the job was recovered meanwhile).
     */
    dial(jobId: string, at: string, lineRef?: string, durable = false): boolean {
      const r = openRow(jobId);
      if (!r || r.outcome !== null || r.dialled_at !== null) return false;
      db.prepare('UPDATE job_attempts SET dialled_at = ?, line_ref = ?, line_durable = ? WHERE id = ?').run(at, lineRef ?? null, durable ? 1 : 0, r.id);
      return true;
    },
    /**
     * Close the job's open attempt (inside the transaction that moves the job on); returns when it was dialled, if it
     * was (for the call-duration metric).
     */
    close(jobId: string, outcome: AttemptOutcome, at: string, pagesSent?: number, facts: CallFacts = {}): { dialledAt?: string } | undefined {
      const r = openRow(jobId);
      if (!r || r.outcome !== null) return undefined;
      db.prepare(`UPDATE job_attempts SET outcome = ?, finished_at = ?, pages_sent = ?, remote_id = ?, duration_s = ?,
          line_code = ?, line_text = ? WHERE id = ?`)
        .run(outcome, at, pagesSent ?? null, facts.remoteId ?? null, facts.durationSeconds ?? null, facts.lineCode ?? null, facts.lineText ?? null, r.id);
      return r.dialled_at ? { dialledAt: r.dialled_at } : {};
    },
    /** The open attempt of a job in `sending`, when it was handed to a durable line (to be tracked again). */
    openLineJob(jobId: string): OpenLineJob | undefined {
      const r = openRow(jobId);
      if (!r || r.outcome !== null || r.dialled_at === null || !r.line_ref || !r.line_durable) return undefined;
      return { jobId, attempt: r.attempt, line: r.line, lineRef: r.line_ref };
    },
    /**
     * Where a job left in `sending` stands: `not-dialled` when its last attempt never reached the line, otherwise
     * `maybe-sent` (also when no attempt was recorded at all: a job in `sending` from before attempts were recorded
     * was most likely on the line when the server died).
     */
    standing(jobId: string): 'not-dialled' | 'on-the-line' | 'maybe-sent' {
      const r = openRow(jobId);
      if (r && r.outcome === null && r.dialled_at === null) return 'not-dialled';
      // Handed to a line that keeps its jobs: the line, not this process, knows how the call went.
      if (r && r.outcome === null && r.line_ref && r.line_durable) return 'on-the-line';
      return 'maybe-sent';
    },
    list(jobId: string): AttemptRecord[] {
      return (db.prepare('SELECT * FROM job_attempts WHERE job_id = ? ORDER BY id').all(jobId) as AttemptRow[]).map((r) => ({
        attempt: r.attempt, line: r.line, claimedAt: r.claimed_at,
        ...(r.dialled_at ? { dialledAt: r.dialled_at } : {}),
        ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
        ...(r.outcome ? { outcome: r.outcome } : {}),
        ...(r.pages_sent !== null ? { pagesSent: r.pages_sent } : {}),
        ...(r.line_ref ? { lineRef: r.line_ref } : {}),
        ...(r.remote_id ? { remoteId: r.remote_id } : {}),
        ...(r.duration_s !== null ? { durationSeconds: r.duration_s } : {}),
        ...(r.line_code ? { lineCode: r.line_code } : {}),
        ...(r.line_text ? { lineText: r.line_text } : {}),
      }));
    },
  };
}
