// Fax job states and the one transition table; every terminal state produces exactly one feedback.
import type { FileReport, Paper, Resolution } from './types.js';

export const JOB_STATUSES = ['received', 'rendering', 'scheduled', 'queued', 'sending', 'retrying', 'sent', 'failed', 'rejected', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL: ReadonlySet<JobStatus> = new Set(['sent', 'failed', 'rejected', 'cancelled']);

/** Not yet on the line: a cancel ends these at once (a `sending` job is hung up on its line first). */
export const CANCELLABLE_AT_ONCE: ReadonlySet<JobStatus> = new Set(['received', 'rendering', 'scheduled', 'queued', 'retrying']);

/**
 * Allowed moves. `rendering → received` and `sending → queued` give work back (a worker died before dialling, or a
 * shutdown hung up a call before the fax was complete); `sending → failed` also ends a call cut off by a crash as
 * "maybe sent" (STATUS_CODES['maybe-sent']), never dialled again. `rendering → scheduled` holds a rendered fax until its
 * sendAt; `scheduled → sending` is its claim once due. Every state before the end can be `cancelled` on request
 * (`sending → cancelled` once the line has hung up or dropped the fax).
 */
export const TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  received: ['rendering', 'rejected', 'failed', 'cancelled'],
  rendering: ['queued', 'scheduled', 'rejected', 'failed', 'received', 'cancelled'],
  scheduled: ['sending', 'failed', 'cancelled'],
  queued: ['sending', 'failed', 'cancelled'],
  sending: ['sent', 'retrying', 'failed', 'queued', 'cancelled'],
  retrying: ['sending', 'failed', 'cancelled'],
  sent: [],
  failed: [],
  rejected: [],
  cancelled: [],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export type JobSource = 'email' | 'api';

/** What the rest of the system (feedback, API, CLI) sees of a job. */
export interface JobSnapshot {
  id: string;
  accountId: string;
  submissionId: string;
  source: JobSource;
  to: string;
  /** sender email (email path) or api:key_<key id> (api path) */
  sender: string;
  status: JobStatus;
  resolution: Resolution;
  paper: Paper;
  pages: number;
  pagesSent: number;
  attempts: number;
  /** StatusCode for feedback: 0 = success */
  statusCode: number;
  reason: string;
  files: FileReport[];
  submittedAt: string;
  completedAt?: string;
  /** the fax line the job was (last) sent on */
  line?: string;
  /** the remote station id (CSID) the latest call reported */
  remoteId?: string;
  /** seconds on the line in the latest call */
  durationSeconds?: number;
  /** the line's own status code and text for the latest call (HylaFAX statuscode/status, a carrier's reason) */
  lineStatus?: { code: string; text: string };
  /** the caller's own reference for this fax (≤ 100 characters), echoed in the status, the list and every feedback */
  clientReference?: string;
  /** the job this one re-sends (POST /v1/faxes/{id}/resend): same rendering, its own calls */
  resentFrom?: string;
  /** a cancel was asked for while the fax was on the line: the line is hanging up or dropping it */
  cancelRequested?: boolean;
  /** a scheduled fax: not dialled before this time (ISO 8601) */
  sendAt?: string;
}

/** Line outcome / failure codes reported as StatusCode in feedback (0 = success). */
export const STATUS_CODES = {
  ok: 0,
  busy: 1,
  'no-answer': 2,
  'not-a-fax': 3,
  'line-dropped': 4,
  /** the server stopped during the call: the fax may have been delivered, so it is not sent again on its own */
  'maybe-sent': 5,
  /** answered, but no fax tones: a voice line or a modem that never trained */
  'no-carrier': 6,
  /** the line refused the fax (a number it will not dial, a kill time that expired) */
  rejected: 7,
  /** cancelled on request */
  cancelled: 8,
  /** the line failed on its own side (a modem or fax server fault) */
  'line-fault': 9,
  /** the line could not take the fax (fax server down, login refused) on every attempt */
  'line-unavailable': 13,
  /** the line has no record of a fax it was given: it may have been delivered, so it is not sent again */
  'line-lost': 14,
  'unsupported-attachment': 10,
  'nothing-to-fax': 11,
  'render-failed': 12,
  /** the line adapter itself failed (a bug, a disk error): not a call outcome, so never retried as one */
  'line-error': 98,
  internal: 99,
} as const;
