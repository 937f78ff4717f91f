// The submission rules every ingress obeys, decided here once so SMTP and HTTP cannot drift: the recipient cap, the
// email dedup key, and that a delivery or disposition report is nothing to fax. (The From-header rule needs the
// account store: createIntake's checkFromHeader.)
import { FaxError } from '../domain/errors.js';

/** Most recipients one submission may carry, by any ingress (SMTP RCPT TO, the HTTP "to" field). */
export const MAX_RECIPIENTS = 50;

/** too-many-recipients when `count` recipients are past the cap; `per` words the unit the client sent. */
export function checkRecipientCount(count: number, per: 'message' | 'request' | 'submission'): void {
  if (count > MAX_RECIPIENTS) throw new FaxError('too-many-recipients', `at most ${MAX_RECIPIENTS} recipients per ${per}; send the other numbers in another ${per}`);
}

/**
 * The dedup key of an email: the envelope sender and the Message-ID. A retried or split SMTP transaction carries the
 * same pair, so a recipient is not faxed twice (docs/smtp.md); another sender reusing the Message-ID is a message of
 * its own.
 */
export function emailDedupKey(sender: string, messageId: string): string {
  return `${sender}|${messageId}`;
}

/** Delivery and disposition reports (bounces, read receipts) are mail-system chatter, never a fax. */
export function checkNotReport(contentType: string): void {
  if (contentType === 'multipart/report') throw new FaxError('nothing-to-fax', 'a delivery or disposition report is not faxed');
}
