// The feedback outbox's port: what the dispatcher asks of the rows it delivers and the attempts it records. The SQLite
// implementation is ./outbox-store.ts; a second engine implements this same interface.
import type { OutboxClaims } from '../store/outbox.js';
import type { AttemptOutcome } from './deliver.js';
import type { Direction, FeedbackMethod } from './format.js';

export type OutboxStatus = 'pending' | 'delivered' | 'failed' | 'blocked' | 'gone';

/** One feedback message as stored: rendered once, so every retry sends the same bytes under the same webhook-id. */
export interface OutboxRow {
  id: string; webhook_id: string; account_id: string; subject_id: string; direction: Direction; origin: 'event' | 'redeliver';
  method: FeedbackMethod; url: string; fields: string; body: string; content_type: string; soap_action: string | null;
  status: OutboxStatus; attempts: number; next_attempt_at: string | null; last_error: string | null;
  created_at: string; completed_at: string | null;
}

/** One recorded delivery attempt, as the job's and the inbound fax's views show it. */
export interface DeliveryRecord {
  at: string;
  url: string;
  webhookId: string;
  method: FeedbackMethod;
  outcome: AttemptOutcome;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

export interface NewOutboxRow {
  id: string; webhookId: string; accountId: string; subjectId: string; direction: Direction; origin: 'event' | 'redeliver';
  method: FeedbackMethod; url: string; fields: string; body: string; contentType: string; soapAction: string | null; now: string;
}

/** An attempt's record and the row's state after it, written together. */
export interface AttemptWrite {
  at: string; outcome: AttemptOutcome; statusCode?: number; error?: string; durationMs: number;
  status: OutboxStatus; attempts: number; next: string | null; completedAt: string | null;
}

export interface FeedbackOutboxStore extends OutboxClaims {
  /** false when the row is not new (an event's one row already exists) */
  insert(row: NewOutboxRow): boolean;
  get(id: string): OutboxRow | undefined;
  forSubject(subjectId: string): OutboxRow[];
  /** the newest outgoing-fax row of the account's job */
  lastOutbound(accountId: string, jobId: string): OutboxRow | undefined;
  /** a pending row due now (redelivery of one still being retried) */
  makeDue(id: string, nowIso: string): void;
  /** point a pending row at another destination or format */
  retarget(id: string, to: Pick<OutboxRow, 'url' | 'method' | 'body' | 'content_type' | 'soap_action'>): void;
  /** a pending row given up without an attempt, with the reason */
  drop(id: string, reason: string, atIso: string): void;
  /** a received fax was deleted for good: its rows keep no numbers or body, and a pending one is dropped */
  forgetInbound(subjectId: string, reason: string): void;
  recordAttempt(row: OutboxRow, a: AttemptWrite): void;
  attemptsFor(subjectId: string): DeliveryRecord[];
}
