// The SQLite job store (the JobStore of ./types.ts): submissions (rendered once) and their per-recipient jobs, the docs/jobs.md state machine,
// recorded transitions, leases for crash recovery and the onTerminal hooks fired inside the state-change transaction.
import type { DB } from '../store/db.js';
import { sqliteUnitOfWork, type UnitOfWork } from '../store/unit-of-work.js';
import type { Clock } from '../domain/types.js';
import { canTransition, STATUS_CODES, TERMINAL, type JobSnapshot, type JobStatus } from '../domain/jobs.js';
import { FaxError } from '../domain/errors.js';
import { createAttempts, type AttemptRecord, type OpenLineJob } from './attempts.js';
import { createFairPicker, DEFAULT_FAIR_WINDOW_MS, type RenderCharge } from './fair.js';
import { listJobs, type JobFilters, type Keyset } from './list.js';

import type { CreatedSubmission, JobEvent, JobStore, Measure, MeasureHook, NewSubmission, ProgressHook, SubmissionRow, TerminalHook, TransitionPatch } from './types.js';

export type { CreatedSubmission, JobEvent, JobStore, Measure, MeasureHook, NewSubmission, SubmissionRow, TerminalHook, TransitionPatch } from './types.js';

/** Said to the customer when a call was cut off by a crash (the job is not sent again on its own). */
export const MAYBE_SENT_REASON = 'maybe-sent: the server stopped during the call; the fax may have been delivered — not re-sent';

import { CANCELLED_REASON, toSnapshot, toSubmission, type JobRow, type SubRow } from './rows.js';
import { createJobRequests } from './requests.js';
import { newId } from './types.js';

export { newId } from './types.js';
export { CANCELLED_REASON } from './rows.js';

/**
 * `unit`: the unit of work the store's transactions run in, shared with the stores whose writes must commit with a
 * job's (feedback's outbox row, written by an onTerminal hook); by default one over `db`.
 */
export function createSqliteJobStore({ db, clock, fairWindowMs = DEFAULT_FAIR_WINDOW_MS, unit = sqliteUnitOfWork(db) }: {
  db: DB; clock: Clock; fairWindowMs?: number; unit?: UnitOfWork;
}): JobStore {
  const hooks: TerminalHook[] = [];
  const progressHooks: ProgressHook[] = [];
  const measureHooks: MeasureHook[] = [];
  // A metrics fault must never roll back or fail the job's own transaction.
  const measured = (m: Measure) => measureHooks.forEach((h) => { try { h(m); } catch { /* the job matters more */ } });
  const attempts = createAttempts(db);
  const fair = createFairPicker(db);
  const windowStart = () => new Date(clock.now().getTime() - fairWindowMs).toISOString();
  const now = () => clock.now().toISOString();
  const getRow = (id: string) => db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  // PostgreSQL: a move reads the row under its lock, so two instances cannot both move one job from the same state.
  const lockRow = (id: string) => db.prepare(`SELECT * FROM jobs WHERE id = ?${db.forUpdate}`).get(id) as JobRow | undefined;
  const lockSubmission = db.prepare(`SELECT id FROM submissions WHERE id = ?${db.dialect === 'pg' ? ' FOR UPDATE SKIP LOCKED' : ''}`);
  const insertEvent = db.prepare('INSERT INTO job_events (job_id, at, from_status, to_status, note) VALUES (?, ?, ?, ?, ?)');

  /** Move one job; must run inside a transaction. Fires the terminal hooks in that same transaction. */
  function move(id: string, to: JobStatus, patch: TransitionPatch = {}, expectFrom?: JobStatus | JobStatus[]): JobSnapshot {
    const row = lockRow(id);
    if (!row) throw new FaxError('not-found', `no job ${id}`);
    const allowedFrom = expectFrom === undefined ? undefined : ([] as JobStatus[]).concat(expectFrom);
    if ((allowedFrom && !allowedFrom.includes(row.status)) || !canTransition(row.status, to)) {
      throw new FaxError('invalid-state', `job ${id}: ${row.status} → ${to} is not allowed`);
    }
    const at = now();
    const terminal = TERMINAL.has(to);
    db.prepare(`UPDATE jobs SET status = ?, updated_at = ?,
        reason = COALESCE(?, reason), status_code = COALESCE(?, status_code), pages = COALESCE(?, pages),
        pages_sent = COALESCE(?, pages_sent), attempts = COALESCE(?, attempts), files = COALESCE(?, files),
        next_attempt_at = CASE WHEN ? THEN ? ELSE next_attempt_at END,
        lease_owner = CASE WHEN ? THEN lease_owner ELSE NULL END, lease_until = CASE WHEN ? THEN lease_until ELSE NULL END,
        completed_at = CASE WHEN ? THEN ? ELSE completed_at END, line = COALESCE(?, line),
        remote_id = CASE WHEN ? THEN ? ELSE remote_id END, duration_s = CASE WHEN ? THEN ? ELSE duration_s END,
        line_code = CASE WHEN ? THEN ? ELSE line_code END, line_text = CASE WHEN ? THEN ? ELSE line_text END
      WHERE id = ?`).run(
      to, at, patch.reason ?? null, patch.statusCode ?? null, patch.pages ?? null, patch.pagesSent ?? null,
      patch.attempts ?? null, patch.files ? JSON.stringify(patch.files) : null,
      patch.nextAttemptAt !== undefined ? 1 : 0, patch.nextAttemptAt ?? null,
      patch.keepLease ? 1 : 0, patch.keepLease ? 1 : 0, terminal ? 1 : 0, at, patch.line ?? null,
      // A finished call's facts replace the previous call's (the job shows its latest call), even when absent.
      patch.facts ? 1 : 0, patch.facts?.remoteId ?? null, patch.facts ? 1 : 0, patch.facts?.durationSeconds ?? null,
      patch.facts ? 1 : 0, patch.facts?.lineCode ?? null, patch.facts ? 1 : 0, patch.facts?.lineText ?? null, id,
    );
    insertEvent.run(id, at, row.status, to, patch.note ?? null);
    if (patch.call) {
      const closed = attempts.close(id, patch.call, at, patch.pagesSent, patch.facts);
      if (closed?.dialledAt && patch.call !== 'maybe-sent') {
        measured({ kind: 'call', outcome: patch.call, ms: Math.max(0, Date.parse(at) - Date.parse(closed.dialledAt)) });
      }
    }
    const snap = toSnapshot(getRow(id)!);
    if (terminal) for (const h of hooks) h(snap);
    else if ((to === 'queued' || to === 'sending') && row.status !== to) for (const h of progressHooks) h(snap);
    return snap;
  }

  // Cancel and resend (issue 18): their own file, over this store's move() and statements.
  const requests = createJobRequests({ db, unit, now, getRow, insertEvent, move, attemptsOf: (id) => attempts.list(id), progressHooks });

  const store = {
    /** Register a hook called synchronously inside the transaction that moves a job to sent/failed/rejected. */
    onTerminal(fn: TerminalHook): void {
      hooks.push(fn);
    },

    /** Register a hook told each render and call duration as it is recorded (src/metrics). */
    onMeasure(fn: MeasureHook): void {
      measureHooks.push(fn);
    },

    /** Register a hook called inside the transaction that moves a job to `queued` or `sending`. */
    onProgress(fn: ProgressHook): void {
      progressHooks.push(fn);
    },

    /**
     * Record a submission and one job per recipient in one transaction (refused ones end `rejected`).
     * With a dedup key, a recipient that already has a job under that key within the window (a retried SMTP
     * transaction, or the same message whose recipients came in several transactions) gets no new job: its earlier
     * job answers for it. Only the other recipients get jobs; when none is left, nothing is written at all.
     */
    createSubmission(s: NewSubmission): CreatedSubmission {
      return unit.run((): CreatedSubmission => {
        const earlier = s.dedupKey && s.dedupSince ? store.earlierJobs(s.accountId, s.dedupKey, s.dedupSince) : new Map<string, JobSnapshot>();
        const recipients = [...new Set(s.recipients)];
        const fresh = recipients.filter((to) => !earlier.has(to));
        const answer = (created: Map<string, JobSnapshot>) => recipients.map((to) => created.get(to) ?? earlier.get(to)!);
        const earlierIds = recipients.flatMap((to) => (earlier.has(to) ? [earlier.get(to)!.id] : []));
        if (fresh.length === 0) {
          const jobs = answer(new Map());
          return { submissionId: jobs[0].submissionId, jobs, earlier: earlierIds, duplicate: true };
        }
        const at = now();
        db.prepare(`INSERT INTO submissions (id, account_id, source, sender, dir, dedup_key, files, body, options, unsupported_files, render_status, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
          s.id, s.accountId, s.source, s.sender, s.dir, s.dedupKey ?? null, JSON.stringify(s.files),
          s.body === undefined ? null : JSON.stringify(s.body), JSON.stringify(s.options), s.policy, s.rejected ? 'rejected' : 'pending', at,
        );
        const created = new Map<string, JobSnapshot>();
        for (const to of fresh) {
          const id = newId('job');
          db.prepare(`INSERT INTO jobs (id, account_id, submission_id, source, to_number, sender, status, resolution, paper, files, created_at, updated_at, client_reference, send_at)
            VALUES (?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?, ?, ?)`).run(
            id, s.accountId, s.id, s.source, to, s.sender, s.options.resolution, s.options.paper, JSON.stringify(s.report), at, at,
            s.options.clientReference ?? null, s.options.sendAt ?? null,
          );
          insertEvent.run(id, at, null, 'received', null);
          created.set(to, s.rejected
            ? move(id, 'rejected', { reason: s.rejected.reason, statusCode: s.rejected.statusCode, note: s.rejected.reason })
            : toSnapshot(getRow(id)!));
        }
        return { submissionId: s.id, jobs: answer(created), earlier: earlierIds, duplicate: false };
      });
    },

    /**
     * The job each recipient already has under this dedup key within the window (24 h for email Message-IDs), the
     * earliest one per recipient. Jobs refused at intake do not count: that message was answered with a refusal,
     * never faxed, so sending it again is screened again rather than answered "already queued".
     */
    earlierJobs(accountId: string, dedupKey: string, since: Date): Map<string, JobSnapshot> {
      const rows = db.prepare(`SELECT j.* FROM jobs j JOIN submissions s ON s.id = j.submission_id
          WHERE s.account_id = ? AND s.dedup_key = ? AND s.created_at >= ? AND NOT (j.status = 'rejected' AND s.dir = '')
          ORDER BY s.created_at, j.rowid`).all(accountId, dedupKey, since.toISOString()) as JobRow[];
      const out = new Map<string, JobSnapshot>();
      for (const r of rows) if (!out.has(r.to_number)) out.set(r.to_number, toSnapshot(r));
      return out;
    },

    bySubmission(submissionId: string): JobSnapshot[] {
      return (db.prepare('SELECT * FROM jobs WHERE submission_id = ? ORDER BY rowid').all(submissionId) as JobRow[]).map(toSnapshot);
    },

    /** A job of this account; another account's id is simply not found. */
    get(accountId: string, id: string): JobSnapshot | undefined {
      const r = getRow(id);
      return r && r.account_id === accountId ? toSnapshot(r) : undefined;
    },

    /** Unscoped lookup for the operator CLI and the workers. */
    getById(id: string): JobSnapshot | undefined {
      const r = getRow(id);
      return r && toSnapshot(r);
    },

    /** Newest first; all accounts when accountId is undefined (operator CLI). */
    list(accountId?: string, { limit = 50 }: { limit?: number } = {}): JobSnapshot[] {
      const rows = (accountId
        ? db.prepare('SELECT * FROM jobs WHERE account_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?').all(accountId, limit)
        : db.prepare('SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit)) as JobRow[];
      return rows.map(toSnapshot);
    },

    events(jobId: string): JobEvent[] {
      return (db.prepare('SELECT at, from_status, to_status, note FROM job_events WHERE job_id = ? ORDER BY id').all(jobId) as
        { at: string; from_status: JobStatus | null; to_status: JobStatus; note: string | null }[])
        .map((e) => ({ at: e.at, from: e.from_status, to: e.to_status, ...(e.note ? { note: e.note } : {}) }));
    },

    submission(id: string): SubmissionRow | undefined {
      const r = db.prepare('SELECT * FROM submissions WHERE id = ?').get(id) as SubRow | undefined;
      return r && toSubmission(r);
    },

    /** The rendered fax of a job (shared by every recipient of its submission), once rendering is done. */
    tiffPath(job: Pick<JobSnapshot, 'submissionId'>): string | undefined {
      const r = db.prepare("SELECT tiff_path FROM submissions WHERE id = ? AND render_status = 'done'").get(job.submissionId) as { tiff_path: string | null } | undefined;
      return r?.tiff_path ?? undefined;
    },

    setRendered(submissionId: string, patch: { renderStatus: string; pages: number; tiffPath: string | null }): void {
      db.prepare('UPDATE submissions SET render_status = ?, pages = ?, tiff_path = ? WHERE id = ?')
        .run(patch.renderStatus, patch.pages, patch.tiffPath, submissionId);
    },

    /** Move a job (checked against the transition table, recorded with its time). */
    transition(id: string, to: JobStatus, patch: TransitionPatch = {}, expectFrom?: JobStatus | JobStatus[]): JobSnapshot {
      return unit.run(() => move(id, to, patch, expectFrom));
    },

    /** Several moves atomically (e.g. every recipient of one rendering). */
    transitionMany(moves: { id: string; to: JobStatus; patch?: TransitionPatch; expectFrom?: JobStatus | JobStatus[] }[]): JobSnapshot[] {
      return unit.run(() => moves.map((m) => move(m.id, m.to, m.patch, m.expectFrom)));
    },

    /**
     * Claim the next submission to render, fairly across accounts (src/jobs/fair.ts): its `received` jobs move to
     * `rendering` under this owner's lease. Returns the submission and its claimed jobs.
     */
    claimRender(owner: string, leaseMs: number): { submission: SubmissionRow; jobs: JobSnapshot[] } | undefined {
      return unit.run(() => {
        // One instance renders a submission: it holds the submission's row lock (PostgreSQL) while it claims the jobs;
        // a submission another instance holds is passed over for the next one (a few tries, then the next poll).
        const passed: string[] = [];
        let submissionId: string | undefined;
        let ids: string[] = [];
        for (let tries = 0; tries < 5 && !ids.length; tries++) {
          submissionId = fair.nextRender(windowStart(), passed);
          if (!submissionId) return undefined;
          passed.push(submissionId);
          if (!lockSubmission.get(submissionId)) continue;
          ids = (db.prepare("SELECT id FROM jobs WHERE submission_id = ? AND status = 'received' ORDER BY rowid").all(submissionId) as { id: string }[]).map((x) => x.id);
        }
        if (!submissionId || !ids.length) return undefined;
        const until = new Date(clock.now().getTime() + leaseMs).toISOString();
        const jobs = ids.map((id) => {
          move(id, 'rendering', { keepLease: true });
          db.prepare('UPDATE jobs SET lease_owner = ?, lease_until = ? WHERE id = ?').run(owner, until, id);
          return toSnapshot(getRow(id)!);
        });
        return { submission: store.submission(submissionId)!, jobs };
      });
    },

    /**
     * Claim one job ready to send (queued, or retrying and due; fairly across accounts) under this owner's lease;
     * counts the attempt and records it for its line (`lineFor` the job's account), not yet dialled, in the same transaction.
     */
    claimSend(owner: string, leaseMs: number, lineFor: string | ((accountId: string) => string) = 'unknown'): JobSnapshot | undefined {
      return unit.run(() => {
        const at = now();
        const id = fair.nextSend(at);
        if (!id) return undefined;
        const row = getRow(id)!;
        const line = typeof lineFor === 'string' ? lineFor : lineFor(row.account_id);
        move(id, 'sending', { attempts: row.attempts + 1, nextAttemptAt: null, keepLease: true, line });
        attempts.open(id, row.attempts + 1, line, at);
        db.prepare('UPDATE jobs SET lease_owner = ?, lease_until = ? WHERE id = ?')
          .run(owner, new Date(clock.now().getTime() + leaseMs).toISOString(), id);
        return toSnapshot(getRow(id)!);
      });
    },

    /**
     * Commit "the fax is handed to the line" for the job's claimed attempt, with the line's own reference for it,
     * before the line commits the fax. False when the job is no longer this claim's (recovered meanwhile): then it
     * must not be sent. `durable`: the line keeps the job while faxgate is down, so a restart tracks it again.
     */
    startCall(jobId: string, owner: string, lineRef?: string, durable = false): boolean {
      return unit.run(() => {
        const r = getRow(jobId);
        // A cancel asked for before the hand-over: the line drops the prepared fax unsent (see cancelUnsent).
        if (!r || r.status !== 'sending' || r.lease_owner !== owner || r.cancel_requested_at) return false;
        return attempts.dial(jobId, now(), lineRef, durable);
      });
    },

    /**
     * Claim one job left on a durable line by an earlier process (in `sending`, no live lease, its attempt handed
     * over and not finished), to track it to its end: never to send it again.
     */
    claimResume(owner: string, leaseMs: number): { job: JobSnapshot; lineJob: OpenLineJob } | undefined {
      return unit.run(() => {
        const rows = db.prepare(`SELECT id FROM jobs WHERE status = 'sending' AND (lease_owner IS NULL OR lease_until < ?) ORDER BY updated_at LIMIT 50${db.dialect === 'pg' ? ' FOR UPDATE SKIP LOCKED' : ''}`)
          .all(now()) as { id: string }[];
        for (const { id } of rows) {
          const lineJob = attempts.openLineJob(id);
          if (!lineJob) continue;
          db.prepare('UPDATE jobs SET lease_owner = ?, lease_until = ? WHERE id = ?')
            .run(owner, new Date(clock.now().getTime() + leaseMs).toISOString(), id);
          return { job: toSnapshot(getRow(id)!), lineJob };
        }
        return undefined;
      });
    },

    /** Stop watching a job on a durable line without ending it (a shutdown): the next start tracks it again. */
    leaveOnLine(jobId: string, owner: string): void {
      db.prepare("UPDATE jobs SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND status = 'sending'").run(jobId, owner);
    },

    /** A shutdown hung up the call before the fax was complete: nothing was delivered, so the job goes back in line. */
    releaseCall(jobId: string): JobSnapshot {
      return unit.run(() => {
        const r = getRow(jobId)!;
        return move(jobId, 'queued', { attempts: Math.max(0, r.attempts - 1), call: 'released', note: 'shutdown: the call was hung up before the fax was complete' }, 'sending');
      });
    },

    /** The job's transmission attempts, oldest first. */
    attempts(jobId: string): AttemptRecord[] {
      return attempts.list(jobId);
    },

    /** Charge measured render time to a submission's account (fair queueing). */
    chargeRender(submissionId: string, ms: number): void {
      fair.charge(submissionId, ms, now());
      measured({ kind: 'render', ms });
    },

    /** Render time charged per account in the current fairness window. */
    renderCharges(): RenderCharge[] {
      return fair.charges(windowStart());
    },

    /** Extend this owner's leases (a long render or transmission is still alive). */
    renewLeases(owner: string, leaseMs: number): void {
      db.prepare('UPDATE jobs SET lease_until = ? WHERE lease_owner = ?').run(new Date(clock.now().getTime() + leaseMs).toISOString(), owner);
    },

    /**
     * Put work whose worker died back in line: `rendering → received`; `sending → queued` when its attempt never
     * reached the line (the attempt is given back, not counted twice). A job whose call had started may have been
     * delivered: it ends `failed` with the `maybe-sent` code (one feedback, like any terminal state) and is not
     * dialled again. `all` recovers every lease (at start, when this process holds the data folder lock, so no
     * other worker can be alive); otherwise only expired leases or those of `owner`.
     */
    recoverLeases(opts: { all?: boolean; owner?: string } = {}): number {
      return unit.run(() => {
        const at = now();
        const rows = db.prepare(`SELECT * FROM jobs WHERE status IN ('rendering','sending')
            AND (? OR lease_owner IS NULL OR lease_until IS NULL OR lease_until < ? OR lease_owner = ?)${db.dialect === 'pg' ? ' FOR UPDATE SKIP LOCKED' : ''}`)
          .all(opts.all ? 1 : 0, at, opts.owner ?? null) as JobRow[];
        for (const r of rows) {
          if (r.status === 'rendering') move(r.id, 'received', { note: 'lease recovered' });
          else if (attempts.standing(r.id) === 'not-dialled' && r.cancel_requested_at) {
            move(r.id, 'cancelled', { attempts: Math.max(0, r.attempts - 1), call: 'not-dialled', reason: CANCELLED_REASON, statusCode: STATUS_CODES.cancelled, note: 'lease recovered: cancelled before dialling' });
          } else if (attempts.standing(r.id) === 'not-dialled') {
            move(r.id, 'queued', { attempts: Math.max(0, r.attempts - 1), call: 'not-dialled', note: 'lease recovered: never dialled' });
          } else if (attempts.standing(r.id) === 'on-the-line') {
            // The line owns the call: drop the dead lease only; claimResume tracks it to its end.
            db.prepare('UPDATE jobs SET lease_owner = NULL, lease_until = NULL WHERE id = ?').run(r.id);
          } else {
            move(r.id, 'failed', { reason: MAYBE_SENT_REASON, statusCode: STATUS_CODES['maybe-sent'], call: 'maybe-sent', note: 'lease recovered: the call was cut off' });
          }
        }
        return rows.length;
      });
    },

    /**
     * What a submission folder still serves (src/cleanup): no row, a job not final, the rendered fax (served after
     * the jobs end), or nothing at all.
     */
    submissionUse(id: string): 'none' | 'active' | 'image' | 'unneeded' {
      const r = db.prepare(`SELECT s.tiff_path AS tiff, (SELECT COUNT(*) FROM jobs j WHERE j.submission_id = s.id
          AND j.status NOT IN (${[...TERMINAL].map(() => '?').join(',')})) AS open FROM submissions s WHERE s.id = ?`)
        .get(...TERMINAL, id) as { tiff: string | null; open: number } | undefined;
      if (!r) return 'none';
      if (r.open > 0) return 'active';
      return r.tiff ? 'image' : 'unneeded';
    },

    ...requests,

    /** One page of an account's jobs, newest first (src/jobs/list.ts: filters and the keyset cursor). */
    page(accountId: string, filters: JobFilters, opts: { limit: number; after?: Keyset }): JobSnapshot[] {
      return (listJobs(db, accountId, filters, opts) as JobRow[]).map(toSnapshot);
    },

    /**
     * Record a note on a job without moving it (an event from its status to itself), e.g. what became of its email
     * receipt; shown with the job's events in the API and `faxgate jobs show`.
     */
    note(jobId: string, note: string): void {
      const row = getRow(jobId);
      if (row) insertEvent.run(jobId, now(), row.status, row.status, note);
    },

    /** Jobs per status (for /metrics). */
    statusCounts(): Partial<Record<JobStatus, number>> {
      const rows = db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all() as { status: JobStatus; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },

    failedSince: (since: Date): number => (db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE status = 'failed' AND completed_at >= ?").get(since.toISOString()) as { n: number }).n,

    /** When the oldest job that is not final was submitted (for /metrics), or undefined when none waits. */
    oldestOpenSince(): Date | undefined {
      const r = db.prepare(`SELECT MIN(created_at) AS t FROM jobs WHERE status NOT IN (${[...TERMINAL].map(() => '?').join(',')})`)
        .get(...TERMINAL) as { t: string | null };
      return r.t ? new Date(r.t) : undefined;
    },

    /** The earliest time a retrying or scheduled job becomes due, for the sender's timer. */
    nextDue(): string | undefined {
      const r = db.prepare(`SELECT MIN(t) AS t FROM (SELECT MIN(next_attempt_at) AS t FROM jobs WHERE status = 'retrying'
          UNION ALL SELECT MIN(send_at) FROM jobs WHERE status = 'scheduled') due`).get() as { t: string | null };
      return r.t ?? undefined;
    },
  };
  return store;
}

