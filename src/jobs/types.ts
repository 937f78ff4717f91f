// The job store's port: what intake, the workers, feedback, mail and the adapters ask of submissions and jobs. The
// SQLite implementation is ./store.ts (createSqliteJobStore); a second one (PostgreSQL) implements this same interface.
import { randomBytes } from 'node:crypto';
import type { FileReport, StoredFile, SubmissionBody, SubmissionOptions, UnsupportedFilesPolicy } from '../domain/types.js';
import type { JobSnapshot, JobSource, JobStatus } from '../domain/jobs.js';
import type { AttemptOutcome, AttemptRecord, CallFacts, OpenLineJob } from './attempts.js';
import type { RenderCharge } from './fair.js';
import type { JobFilters, Keyset } from './list.js';

export type { JobFilters, Keyset } from './list.js';

export interface JobEvent { at: string; from: JobStatus | null; to: JobStatus; note?: string }

/** What intake persists for one submission (one message or request). */
export interface NewSubmission {
  id: string;
  accountId: string;
  source: JobSource;
  sender: string;
  dir: string;
  dedupKey?: string;
  /** stored files with their detection facts (JSON-serialisable) */
  files: StoredFile[];
  body?: SubmissionBody;
  options: SubmissionOptions;
  /** the account's outgoing.unsupportedFiles the files were screened under; render-time findings are judged by it */
  policy: UnsupportedFilesPolicy;
  recipients: string[];
  report: FileReport[];
  /** refused at intake: the jobs are recorded and moved straight to `rejected` */
  rejected?: { reason: string; statusCode: number };
  /** with dedupKey: jobs recorded under the same key since this time answer for their recipients (checked inside the transaction) */
  dedupSince?: Date;
}

export interface SubmissionRow {
  id: string;
  accountId: string;
  source: JobSource;
  sender: string;
  dir: string;
  dedupKey: string | null;
  files: StoredFile[];
  body: SubmissionBody | undefined;
  options: SubmissionOptions;
  /** the unsupported-files policy in force when the submission was accepted (or refused) */
  policy: UnsupportedFilesPolicy;
  renderStatus: string;
  pages: number;
  tiffPath: string | null;
  createdAt: string;
}

export interface TransitionPatch {
  reason?: string;
  statusCode?: number;
  pages?: number;
  pagesSent?: number;
  attempts?: number;
  files?: FileReport[];
  nextAttemptAt?: string | null;
  note?: string;
  /** keep (true) or clear (false, the default) the lease */
  keepLease?: boolean;
  /** close the job's open transmission attempt with this outcome, in the same transaction */
  call?: AttemptOutcome;
  /** what the call reported (kept on the attempt and, as the latest call's, on the job) */
  facts?: CallFacts;
  /** the line the job is being sent on */
  line?: string;
}

/** What createSubmission recorded, answering every recipient asked for. */
export interface CreatedSubmission {
  /** the new submission; when nothing new was recorded, the submission of the first recipient's earlier job */
  submissionId: string;
  /** one job per recipient asked for, in that order: its new job, or the one recorded earlier under the dedup key */
  jobs: JobSnapshot[];
  /** ids among `jobs` recorded earlier (a retried or split SMTP transaction), not by this call */
  earlier: string[];
  /** nothing new was recorded: every recipient already had its job */
  duplicate: boolean;
}

export type TerminalHook = (job: JobSnapshot) => void;
/** Told of a job's progress: a move to queued or sending, or (with `page`) a page through during its call. */
export type ProgressHook = (job: JobSnapshot, page?: number) => void;

/**
 * A duration the store learns as work is recorded (for /metrics): a submission's render time as the workers charge
 * it, and a transmission from dialling to its outcome (calls cut off by a crash, `maybe-sent`, are not timed).
 */
export type Measure = { kind: 'render'; ms: number } | { kind: 'call'; outcome: AttemptOutcome; ms: number };
export type MeasureHook = (m: Measure) => void;

export interface JobStore {
  /** Register a hook called synchronously inside the transaction that moves a job to sent/failed/rejected. */
  onTerminal(fn: TerminalHook): void;
  /** Register a hook told each render and call duration as it is recorded (src/metrics). */
  onMeasure(fn: MeasureHook): void;
  /**
   * Register a hook called inside the transaction that moves a job to `queued` or `sending`, or records a page sent
   * during its call (feedback's outgoing.feedbackEvents `all`), so a progress event commits with it like a final one.
   */
  onProgress(fn: ProgressHook): void;
  /**
  * Record a submission and one job per recipient in one transaction (refused ones end `rejected`).
  * With a dedup key, a recipient that already has a job under that key within the window (a retried SMTP
  * transaction, or the same message whose recipients came in several transactions) gets no new job: its earlier
  * job answers for it. Only the other recipients get jobs; when none is left, nothing is written at all.
  */
  createSubmission(s: NewSubmission): CreatedSubmission;
  /**
  * The job each recipient already has under this dedup key within the window (24 h for email Message-IDs), the
  * earliest one per recipient. Jobs refused at intake do not count: that message was answered with a refusal,
  * never faxed, so sending it again is screened again rather than answered "already queued".
  */
  earlierJobs(accountId: string, dedupKey: string, since: Date): Map<string, JobSnapshot>;
  bySubmission(submissionId: string): JobSnapshot[];
  /** A job of this account; another account's id is simply not found. */
  get(accountId: string, id: string): JobSnapshot | undefined;
  /** Unscoped lookup for the operator CLI and the workers. */
  getById(id: string): JobSnapshot | undefined;
  /** Newest first; all accounts when accountId is undefined (operator CLI). */
  list(accountId?: string, { limit }?: {
    limit?: number;
  }): JobSnapshot[];
  events(jobId: string): JobEvent[];
  submission(id: string): SubmissionRow | undefined;
  /** The rendered fax of a job (shared by every recipient of its submission), once rendering is done. */
  tiffPath(job: Pick<JobSnapshot, "submissionId">): string | undefined;
  setRendered(submissionId: string, patch: {
    renderStatus: string;
    pages: number;
    tiffPath: string | null;
  }): void;
  /** Move a job (checked against the transition table, recorded with its time). */
  transition(id: string, to: JobStatus, patch?: TransitionPatch, expectFrom?: JobStatus | JobStatus[]): JobSnapshot;
  /** Several moves atomically (e.g. every recipient of one rendering). */
  transitionMany(moves: {
    id: string;
    to: JobStatus;
    patch?: TransitionPatch;
    expectFrom?: JobStatus | JobStatus[];
  }[]): JobSnapshot[];
  /**
  * Claim the next submission to render, fairly across accounts (src/jobs/fair.ts): its `received` jobs move to
  * `rendering` under this owner's lease. Returns the submission and its claimed jobs.
  */
  claimRender(owner: string, leaseMs: number): {
    submission: SubmissionRow;
    jobs: JobSnapshot[];
  } | undefined;
  /**
  * Claim one job ready to send (queued, or retrying and due; fairly across accounts) under this owner's lease;
  * counts the attempt and records it for its line (`lineFor` the job's account), not yet dialled, in the same transaction.
  */
  claimSend(owner: string, leaseMs: number, lineFor?: string | ((accountId: string) => string)): JobSnapshot | undefined;
  /**
  * Commit "the fax is handed to the line" for the job's claimed attempt, with the line's own reference for it,
  * before the line commits the fax. False when the job is no longer this claim's (recovered meanwhile): then it
  * must not be sent. `durable`: the line keeps the job while faxgate is down, so a restart tracks it again.
  */
  startCall(jobId: string, owner: string, lineRef?: string, durable?: boolean): boolean;
  /**
  * Claim one job left on a durable line by an earlier process (in `sending`, no live lease, its attempt handed
  * over and not finished), to track it to its end: never to send it again.
  */
  claimResume(owner: string, leaseMs: number): {
    job: JobSnapshot;
    lineJob: OpenLineJob;
  } | undefined;
  /** Stop watching a job on a durable line without ending it (a shutdown): the next start tracks it again. */
  leaveOnLine(jobId: string, owner: string): void;
  /** A shutdown hung up the call before the fax was complete: nothing was delivered, so the job goes back in line. */
  releaseCall(jobId: string): JobSnapshot;
  /** A page went through during the call: pagesSent grows and the progress hooks are told (undefined: nothing changed). */
  pageSent(jobId: string, pagesSent: number): JobSnapshot | undefined;
  /** The job's transmission attempts, oldest first. */
  attempts(jobId: string): AttemptRecord[];
  /** Charge measured render time to a submission's account (fair queueing). */
  chargeRender(submissionId: string, ms: number): void;
  /** Render time charged per account in the current fairness window. */
  renderCharges(): RenderCharge[];
  /** Extend this owner's leases (a long render or transmission is still alive). */
  renewLeases(owner: string, leaseMs: number): void;
  /**
  * Put work whose worker died back in line: `rendering → received`; `sending → queued` when its attempt never
  * reached the line (the attempt is given back, not counted twice). A job whose call had started may have been
  * delivered: it ends `failed` with the `maybe-sent` code (one feedback, like any terminal state) and is not
  * dialled again. `all` recovers every lease (at start, when this process holds the data folder lock, so no
  * other worker can be alive); otherwise only expired leases or those of `owner`.
  */
  recoverLeases(opts?: {
    all?: boolean;
    owner?: string;
  }): number;
  /**
  * What a submission folder still serves (src/cleanup): no row, a job not final, the rendered fax (served after
  * the jobs end), or nothing at all.
  */
  submissionUse(id: string): "none" | "active" | "image" | "unneeded";
  /**
  * Record a note on a job without moving it (an event from its status to itself), e.g. what became of its email
  * receipt; shown with the job's events in the API and `faxgate jobs show`.
  */
  note(jobId: string, note: string): void;
  /**
   * Cancel on request: a job not yet on the line ends `cancelled` at once (one feedback, in the same transaction); a
   * job in `sending` is marked (its hand-over is then refused) and its line reference returned when it was handed
   * over. Throws not-found, or fax-finished for a job already ended.
   */
  requestCancel(id: string, note: string): { job: JobSnapshot; onLine?: { line: string; lineRef: string } };
  /** A claimed job whose hand-over was refused because of a cancel ends `cancelled`; undefined when it was not that. */
  cancelUnsent(id: string): JobSnapshot | undefined;
  /** New `queued` jobs from a job's rendering, one per number, linked to it; throws nothing-to-resend when unrendered. */
  resend(id: string, recipients: string[], note: string): JobSnapshot[];
  /** The ids of the jobs that re-send this one, oldest first. */
  resendsOf(id: string): string[];
  /** One page of an account's jobs, newest first, strictly after `after` (keyset on submission time and id). */
  page(accountId: string, filters: JobFilters, opts: { limit: number; after?: Keyset }): JobSnapshot[];
  /** Jobs per status (for /metrics). */
  statusCounts(): Partial<Record<JobStatus, number>>;
  /** When the oldest job that is not final was submitted (for /metrics), or undefined when none waits. */
  oldestOpenSince(): Date | undefined;
  /** How many jobs ended `failed` at or after this time (the admin page's "failures in the last hour"). */
  failedSince(since: Date): number;
  /** The earliest time a retrying or scheduled job becomes due, for the sender's timer. */
  nextDue(): string | undefined;
}

/** A new submission or job id (`sub_…`, `job_…`): random, so any store implementation can take it as the key. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}
