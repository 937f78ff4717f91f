// The ordered list of schema migrations. Numbering: 1-9 core, 10-19 attachments, 20-29 jobs/intake,
// 30-39 feedback, 40-49 inbound, 50-59 web; 3 and 24 the fax lines (issue 14); 55-56 feedback secret grace and API key ids (issue 17). Each module owns
// its files. Gaps are fine: migrate() applies every missing one by number.
import { m001Accounts } from './001-accounts.js';
import { m002Jobs } from './002-jobs.js';
import { m003AccountLine } from './003-account-line.js';
// Issue 18: an account disabled by an administrator.
import { m004AccountDisabled } from './004-account-disabled.js';
import { m010Types } from './010-types.js';
import { m020JobsBySubmission } from './020-jobs-by-submission.js';
import { m021SubmissionPolicy } from './021-submission-policy.js';
import { m022JobAttempts } from './022-job-attempts.js';
import { m023RenderCharge } from './023-render-charge.js';
import { m024LineJobs } from './024-line-jobs.js';
// Issue 18: cancel, resend, clientReference, sendAt and the list's keyset index.
import { m025FaxApi } from './025-fax-api.js';
// Issue 21: the Telnyx line's faxes and webhook events.
import { m026Telnyx } from './026-telnyx.js';
import { m030Feedback } from './030-feedback.js';
// Issue #12.4 (HTTP idempotency owner); numbered 031 so it cannot clash with other #12 work in 022-029.
import { m031IdempotencyOwner } from './031-idempotency-owner.js';
import { m040Inbound } from './040-inbound.js';
// Issue 14 (receiving on a HylaFAX line): the sender's TSI and the line's key of each reception.
import { m041InboundLineFields } from './041-inbound-line-fields.js';
// Issue 21: a received fax marked partial (a carrier's partial_content).
import { m042InboundPartial } from './042-inbound-partial.js';
import { m050Web } from './050-web.js';
import { m055FeedbackSecretGrace } from './055-feedback-secret-grace.js';
import { m056ApiKeyIds } from './056-api-key-ids.js';
// Issue 15: the mail outbox (receipts, fax-to-email); 60-69 mail.
import { m060Mail } from './060-mail.js';

/**
 * `sql` is the SQLite form, `pg` the PostgreSQL 15 form of the same tables, columns, indexes and data changes
 * (docs/postgres.md: text columns COLLATE "C", 0/1 flags INTEGER, ids/sizes/ms BIGINT, timestamps ISO-8601 TEXT).
 */
export interface Migration { version: number; name: string; sql: string; pg: string }

export const MIGRATIONS: Migration[] = [m001Accounts, m002Jobs, m003AccountLine, m004AccountDisabled, m010Types, m020JobsBySubmission, m021SubmissionPolicy, m022JobAttempts, m023RenderCharge, m024LineJobs, m025FaxApi, m026Telnyx, m030Feedback, m031IdempotencyOwner, m040Inbound, m041InboundLineFields, m042InboundPartial, m050Web, m055FeedbackSecretGrace, m056ApiKeyIds, m060Mail];
