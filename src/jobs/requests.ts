// Cancel on request, resend from the same rendering and pages reported during a call (issue 18): the job store's
// writes for them, in its unit of work and through its move(), so the transition table, the events and the hooks
// apply as to any move.
import type { DB } from '../store/db.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import { STATUS_CODES, TERMINAL, type JobSnapshot, type JobStatus } from '../domain/jobs.js';
import { FaxError } from '../domain/errors.js';
import type { AttemptRecord } from './attempts.js';
import { CANCELLED_REASON, toSnapshot, type JobRow } from './rows.js';
import { newId, type TransitionPatch } from './types.js';

export interface RequestsContext {
  db: DB;
  unit: UnitOfWork;
  now(): string;
  getRow(id: string): JobRow | undefined;
  insertEvent: { run(jobId: string, at: string, from: JobStatus | null, to: JobStatus, note: string | null): unknown };
  move(id: string, to: JobStatus, patch?: TransitionPatch, expectFrom?: JobStatus | JobStatus[]): JobSnapshot;
  attemptsOf(jobId: string): AttemptRecord[];
  /** the hooks told of a job newly `queued` (feedbackEvents all) */
  progressHooks: ((job: JobSnapshot, page?: number) => void)[];
}

export function createJobRequests(ctx: RequestsContext) {
  const { db, unit, now, getRow, insertEvent, move } = ctx;
  return {
    /**
     * Cancel on request (POST /v1/faxes/{id}/cancel): a job not yet on the line ends `cancelled` at once (its one
     * feedback fires in this transaction); a job in `sending` is marked, so the hand-over is refused if it has not
     * happened yet, and the line's reference is returned when it has, for the caller to hang up or kill it there.
     */
    requestCancel(id: string, note: string): { job: JobSnapshot; onLine?: { line: string; lineRef: string } } {
      return unit.run(() => {
        const r = getRow(id);
        if (!r) throw new FaxError('not-found', `no fax ${id}`);
        if (TERMINAL.has(r.status)) throw new FaxError('fax-finished', `fax ${id} has already ended (${r.status}); nothing to cancel`);
        if (r.status !== 'sending') {
          return { job: move(id, 'cancelled', { reason: CANCELLED_REASON, statusCode: STATUS_CODES.cancelled, note }) };
        }
        if (!r.cancel_requested_at) {
          db.prepare('UPDATE jobs SET cancel_requested_at = ? WHERE id = ?').run(now(), id);
          insertEvent.run(id, now(), r.status, r.status, `${note}: hanging up on the line`);
        }
        const open = ctx.attemptsOf(id).at(-1);
        const onLine = open && !open.finishedAt && open.dialledAt && open.lineRef ? { line: open.line, lineRef: open.lineRef } : undefined;
        return { job: toSnapshot(getRow(id)!), ...(onLine ? { onLine } : {}) };
      });
    },

    /** A claimed job whose hand-over was refused because of a cancel: it ends `cancelled`, its attempt never dialled. */
    cancelUnsent(id: string): JobSnapshot | undefined {
      return unit.run(() => {
        const r = getRow(id);
        if (!r || r.status !== 'sending' || !r.cancel_requested_at) return undefined;
        return move(id, 'cancelled', { reason: CANCELLED_REASON, statusCode: STATUS_CODES.cancelled, call: 'cancelled', note: 'cancelled before dialling' }, 'sending');
      });
    },

    /**
     * New jobs from a job's rendering (POST /v1/faxes/{id}/resend): one per number, in the same submission (so the
     * rendered fax is kept while they are open), `queued` at once, each linked to the job it re-sends.
     */
    resend(id: string, recipients: string[], note: string): JobSnapshot[] {
      return unit.run(() => {
        const r = getRow(id);
        if (!r) throw new FaxError('not-found', `no fax ${id}`);
        const sub = db.prepare('SELECT render_status, tiff_path, pages FROM submissions WHERE id = ?').get(r.submission_id) as
          { render_status: string; tiff_path: string | null; pages: number } | undefined;
        if (!sub || sub.render_status !== 'done' || !sub.tiff_path) {
          throw new FaxError('nothing-to-resend', `fax ${id} was ${r.status} before it was rendered; there is nothing to resend`);
        }
        const at = now();
        return recipients.map((to) => {
          const nid = newId('job');
          db.prepare(`INSERT INTO jobs (id, account_id, submission_id, source, to_number, sender, status, resolution, paper, pages, files, created_at, updated_at, client_reference, resent_from)
            VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)`).run(
            nid, r.account_id, r.submission_id, r.source, to, r.sender, r.resolution, r.paper, sub.pages, r.files, at, at, r.client_reference, id,
          );
          insertEvent.run(nid, at, null, 'queued', `${note} of ${id}`);
          insertEvent.run(id, at, r.status, r.status, `re-sent as ${nid} to ${to}`);
          const snap = toSnapshot(getRow(nid)!);
          for (const h of ctx.progressHooks) h(snap);
          return snap;
        });
      });
    },

    /**
     * A page went through during the call (the line's onPage): the job's pagesSent grows and the progress hooks hear
     * of it in the same transaction (feedbackEvents all). A count that does not grow, or a
     * job no longer sending, changes nothing.
     */
    pageSent(id: string, pagesSent: number): JobSnapshot | undefined {
      return unit.run(() => {
        const n = db.prepare("UPDATE jobs SET pages_sent = ?, updated_at = ? WHERE id = ? AND status = 'sending' AND pages_sent < ?").run(pagesSent, now(), id, pagesSent).changes;
        if (!n) return undefined;
        // No job event: the history keeps moves between states; the page count is on the job and in the feedback.
        const snap = toSnapshot(getRow(id)!);
        for (const h of ctx.progressHooks) h(snap, pagesSent);
        return snap;
      });
    },

    /** The jobs that re-send this one, oldest first. */
    resendsOf(id: string): string[] {
      return (db.prepare('SELECT id FROM jobs WHERE resent_from = ? ORDER BY created_at, rowid').all(id) as { id: string }[]).map((x) => x.id);
    },
  };
}
