// The mail outbox's port: receipts and fax-to-email messages waiting for the relay. The SQLite implementation is
// ./outbox-store.ts; a second engine implements this same interface.
import type { ReceiptAttachment } from '../domain/types.js';
import type { OutboxClaims } from '../store/outbox.js';

export type MailStatus = 'pending' | 'sent' | 'failed' | 'gone';
export type MailKind = 'receipt' | 'inbound';

/** One message as stored: composed when queued, its attachment made when sent. */
export interface MailRow {
  id: string; account_id: string; kind: MailKind; subject_id: string; recipients: string; message: string;
  attachment: ReceiptAttachment; status: MailStatus; attempts: number; next_attempt_at: string | null; last_error: string | null;
  relay_response: string | null; created_at: string; completed_at: string | null;
}

export interface NewMailRow {
  id: string; accountId: string; kind: MailKind; subjectId: string; recipients: string; message: string; attachment: ReceiptAttachment; now: string;
}

export interface MailOutboxStore extends OutboxClaims {
  /** false when the subject already has its message of this kind (one per submission, one per received fax) */
  insert(row: NewMailRow): boolean;
  get(id: string): MailRow | undefined;
  forSubject(subjectId: string): MailRow[];
  /** the row's state after an attempt (or without one: gone) */
  finish(id: string, f: { status: MailStatus; attempts: number; next: string | null; error: string | null; response: string | null; completedAt: string | null }): void;
  /** a received fax was deleted for good: its message keeps no numbers, and one not yet sent is dropped */
  forgetInbound(subjectId: string, reason: string): void;
}
