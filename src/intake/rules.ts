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

/** How far ahead a fax may be scheduled (issue 18). */
export const MAX_SCHEDULE_MS = 30 * 24 * 3_600_000;

/**
 * A submission's `sendAt` (the API field, the email's X-Fax-Send-At header) as UTC ISO 8601: it must carry its
 * offset (Z or ±hh:mm, so nobody's fax goes out in the server's zone by accident) and be at most 30 days ahead. A time
 * already past sends at once. Undefined when the fax is not scheduled.
 */
export function checkSendAt(raw: string | undefined, now: Date): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = raw.trim();
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new FaxError('invalid-send-at', `sendAt ${v.slice(0, 60)}: give an ISO 8601 time with its offset, such as 2026-12-24T09:00:00+01:00`);
  if (t - now.getTime() > MAX_SCHEDULE_MS) throw new FaxError('invalid-send-at', `sendAt ${v}: at most 30 days ahead`);
  return t > now.getTime() ? new Date(t).toISOString() : undefined;
}

/** The caller's reference: up to 100 characters of one line (it is echoed in headers of feedback and in lists). */
export function checkClientReference(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length > 100 || /\p{Cc}/u.test(raw)) throw new FaxError('invalid-request', 'clientReference: up to 100 characters on one line', { errors: [{ field: 'clientReference', message: 'up to 100 characters on one line' }] });
  return raw;
}

/** A per-fax feedback URL: absolute http(s), no credentials; where it points is checked at delivery (the SSRF guard). */
export function checkCallbackUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = raw.trim();
  let u: URL | undefined;
  try { u = new URL(v); } catch { /* refused below */ }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || v.length > 2048) {
    throw new FaxError('invalid-request', 'callbackUrl: an absolute http:// or https:// URL without credentials', { errors: [{ field: 'callbackUrl', message: 'an absolute http(s) URL without credentials' }] });
  }
  return v;
}
