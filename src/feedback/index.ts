// Feedback (docs/feedback.md): the when-rule, the transactional outbox and the dispatcher that delivers it, signed and retried.
import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { Config } from '../config.js';
import type { JobStore } from '../jobs/types.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { AccountStore } from '../settings/types.js';
import type { Clock, IntegrationSettings } from '../domain/types.js';
import { TERMINAL, type JobSnapshot } from '../domain/jobs.js';
import { FaxError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import {
  inboundFields, outboundFields, renderBody, type Direction, type FeedbackFields, type FeedbackMethod, type InboundFaxInfo,
} from './format.js';
import { newWebhookId, signatureHeaders } from './sign.js';
import { createGuardedAgent } from './ssrf.js';
import { attemptDelivery, type AttemptOutcome } from './deliver.js';
import { createOutboxScheduler, retryDelayMs, RETRY_SCHEDULE_SECONDS } from './scheduler.js';
import type { DeliveryRecord, FeedbackOutboxStore, OutboxRow, OutboxStatus } from './types.js';

export type { DeliveryRecord, FeedbackOutboxStore } from './types.js';
export { createSqliteFeedbackOutbox } from './outbox-store.js';

export { retryDelayMs, RETRY_SCHEDULE_SECONDS } from './scheduler.js';

export { feedbackWsdl } from './wsdl.js';
// The SSRF-guarded dispatcher, also for a carrier line's media links on hosts other than its own (src/lines/telnyx).
export { createGuardedAgent } from './ssrf.js';

/** One first try plus one per schedule entry. */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_SECONDS.length + 1;
export const DEFAULT_TIMEOUT_MS = 15_000;

export interface OutboxEntry {
  id: string;
  webhookId: string;
  direction: Direction;
  origin: 'event' | 'redeliver';
  method: FeedbackMethod;
  url: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt?: string;
  lastError?: string;
  createdAt: string;
  completedAt?: string;
}

export interface FeedbackDeps {
  /** the feedback outbox's store (createSqliteFeedbackOutbox) */
  outbox: FeedbackOutboxStore;
  accounts: AccountStore;
  /** whose fax a job is: the job store owns the jobs table (redeliver answers not-found for another account's job) */
  jobs: Pick<JobStore, 'get'> & Partial<Pick<JobStore, 'submission'>>;
  clock: Clock;
  config: Config;
  logger: Logger;
  /**
   * the unit of work outbox rows of events are written in: the job store's (or the inbound service's) that records
   * the event, so the row commits with it
   */
  unit: UnitOfWork;
  /** replaces the SSRF-guarded undici agent (never needed in production) */
  dispatcher?: Dispatcher;
  /** per-attempt timeout; 15 s by default */
  timeoutMs?: number;
  /** how often the dispatcher looks for due rows */
  pollMs?: number;
  /** deliveries in flight at once */
  concurrency?: number;
  /** 0..1; jitter source, injectable for tests */
  random?: () => number;
}

/** Does this outgoing outcome produce feedback under `outgoing.feedbackWhen`? (`rejected` is a failure.) */
export function wantsOutgoingFeedback(when: IntegrationSettings['outgoing']['feedbackWhen'], status: JobSnapshot['status']): boolean {
  if (!TERMINAL.has(status)) return false;
  const success = status === 'sent';
  return when === 'always' || (when === 'success' && success) || (when === 'failure' && !success);
}

const safeUrl = (u: string): string => {
  try {
    const x = new URL(u);
    return `${x.origin}${x.pathname}`; // no query string: it may carry the customer's token
  } catch {
    return '(invalid url)';
  }
};

export function createFeedback(deps: FeedbackDeps) {
  const { outbox, unit, accounts, clock, config, logger } = deps;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pollMs = deps.pollMs ?? 500;
  const concurrency = deps.concurrency ?? 8;
  const random = deps.random ?? Math.random;
  // The lease is how long a claimed row stays invisible; an attempt never outlives its timeout, so a crash
  // mid-attempt makes the row due again shortly after (at least once).
  const leaseMs = timeoutMs + 2000;
  const ownAgent = deps.dispatcher ? undefined : createGuardedAgent({ allowPrivate: config.feedbackAllowPrivate, connectTimeoutMs: timeoutMs });
  const agent: Dispatcher = deps.dispatcher ?? (ownAgent as Dispatcher);

  function enqueue(a: { accountId: string; subjectId: string; direction: Direction; origin: 'event' | 'redeliver'; method: FeedbackMethod; url: string; fields: FeedbackFields; webhookId?: string }): { id: string; webhookId: string } {
    const id = `fbk_${randomBytes(10).toString('hex')}`;
    const webhookId = a.webhookId ?? newWebhookId();
    const r = renderBody(a.method, a.direction, a.fields);
    const now = clock.now().toISOString();
    // Body rendered once: every retry sends the same bytes under the same webhook-id (unless the account changes
    // its format meanwhile, see retarget).
    outbox.insert({
      id, webhookId, accountId: a.accountId, subjectId: a.subjectId, direction: a.direction, origin: a.origin, method: a.method,
      url: a.url, fields: JSON.stringify(a.fields), body: r.body, contentType: r.contentType, soapAction: r.soapAction ?? null, now,
    });
    wakeSoon();
    return { id, webhookId };
  }

  /** An event's outbox row commits with the event or not at all: written only inside the unit that records it. */
  const inUnit = (what: string) => {
    if (!unit.active()) throw new Error(`feedback for ${what} must be enqueued inside the unit of work that records it`);
  };

  function onJobTerminal(job: JobSnapshot): void {
    if (!TERMINAL.has(job.status)) return;
    inUnit(`job ${job.id}`);
    const account = accounts.get(job.accountId);
    if (!account) return;
    const s = account.settings;
    // A fax's own callbackUrl (issue 18) replaces the account's URL; when, how and the signing stay the account's.
    const callbackUrl = deps.jobs.submission?.(job.submissionId)?.options.callbackUrl;
    const url = callbackUrl ?? s.feedbackUrl;
    if (!callbackUrl && !wantsOutgoingFeedback(s.outgoing.feedbackWhen, job.status)) return;
    if (callbackUrl && !wantsOutgoingFeedback(s.outgoing.feedbackWhen === 'never' ? 'always' : s.outgoing.feedbackWhen, job.status)) return;
    if (!url) {
      logger.warn({ jobId: job.id, accountId: job.accountId }, 'feedback wanted but no feedbackUrl is set');
      return;
    }
    const fields = outboundFields(job, clock.now().toISOString());
    const { webhookId } = enqueue({ accountId: job.accountId, subjectId: job.id, direction: 'outbound', origin: 'event', method: s.outgoing.feedbackMethod, url, fields });
    logger.info({ jobId: job.id, webhookId, status: job.status }, 'feedback queued');
  }

  /**
   * A job moved to `queued` or `sending`, or a page went through during its call (`page`, PagesSent says how many;
   * the job store's onProgress, inside its transaction): with
   * outgoing.feedbackEvents `all` the account hears of it too, so an integration can show progress. `feedbackWhen`
   * governs only the final report.
   */
  function onJobProgress(job: JobSnapshot, page?: number): void {
    inUnit(`job ${job.id}`);
    const account = accounts.get(job.accountId);
    if (!account || account.settings.outgoing.feedbackEvents !== 'all') return;
    const url = deps.jobs.submission?.(job.submissionId)?.options.callbackUrl ?? account.settings.feedbackUrl;
    if (!url) return;
    // CompletedAt is the event's time here (the field is required in every format); Status says the fax goes on.
    const fields = outboundFields(job, clock.now().toISOString());
    // Each progress event is its own outbox subject (job:status:attempt), so the job's one final event stays the
    // one the outbox's unique index allows, and redeliver still means the final report.
    const subjectId = `${job.id}:${job.status}:${job.attempts}${page ? `:page${page}` : ''}`;
    const { webhookId } = enqueue({ accountId: job.accountId, subjectId, direction: 'outbound', origin: 'event', method: account.settings.outgoing.feedbackMethod, url, fields });
    logger.info({ jobId: job.id, webhookId, status: job.status }, 'progress feedback queued');
  }

  function onInboundReceived(fax: InboundFaxInfo): void {
    inUnit(`received fax ${fax.id}`);
    const account = accounts.get(fax.accountId);
    if (!account) return;
    const s = account.settings;
    const method = s.incoming.feedbackMethod;
    if (method === 'never') return;
    if (!s.feedbackUrl) {
      logger.warn({ inboundId: fax.id, accountId: fax.accountId }, 'inbound feedback wanted but no feedbackUrl is set');
      return;
    }
    const { webhookId } = enqueue({ accountId: fax.accountId, subjectId: fax.id, direction: 'inbound', origin: 'event', method, url: s.feedbackUrl, fields: inboundFields(fax) });
    logger.info({ inboundId: fax.id, webhookId }, 'inbound feedback queued');
  }

  /**
   * A received fax was deleted for good: its notification rows keep no numbers or body (only the tombstone stays),
   * and a notification not yet delivered is dropped, since it would point at an image that no longer exists.
   */
  function forgetInbound(subjectId: string): void {
    outbox.forgetInbound(subjectId, 'fax deleted before the notification was delivered');
  }

  function deliveriesFor(subjectId: string): DeliveryRecord[] {
    return outbox.attemptsFor(subjectId);
  }

  function outboxFor(subjectId: string): OutboxEntry[] {
    return outbox.forSubject(subjectId).map((r) => ({
      id: r.id, webhookId: r.webhook_id, direction: r.direction, origin: r.origin, method: r.method, url: r.url, status: r.status,
      attempts: r.attempts, createdAt: r.created_at,
      ...(r.status === 'pending' && r.next_attempt_at ? { nextAttemptAt: r.next_attempt_at } : {}),
      ...(r.last_error ? { lastError: r.last_error } : {}),
      ...(r.completed_at ? { completedAt: r.completed_at } : {}),
    }));
  }

  /**
   * Send the last feedback of an outgoing fax again, to the account's current feedbackUrl and format, under the
   * same webhook-id (it is the same event, so receivers that de-duplicate stay correct). A feedback still being
   * retried is simply made due now.
   */
  function redeliver(accountId: string, jobId: string): { webhookId: string; deliveryId: string } {
    const last = outbox.lastOutbound(accountId, jobId);
    if (!last) {
      if (!deps.jobs.get(accountId, jobId)) throw new FaxError('not-found', `no fax ${jobId}`);
      throw new FaxError('invalid-state', 'this fax has produced no feedback (see outgoing.feedbackWhen)');
    }
    const now = clock.now().toISOString();
    if (last.status === 'pending') {
      outbox.makeDue(last.id, now);
      return { webhookId: last.webhook_id, deliveryId: last.id };
    }
    const s = accounts.mustGet(accountId).settings;
    if (!s.feedbackUrl) throw new FaxError('invalid-state', 'no feedbackUrl is set for this account');
    const r = enqueue({
      accountId, subjectId: jobId, direction: 'outbound', origin: 'redeliver', method: s.outgoing.feedbackMethod, url: s.feedbackUrl,
      fields: JSON.parse(last.fields) as FeedbackFields, webhookId: last.webhook_id,
    });
    logger.info({ jobId, webhookId: r.webhookId }, 'feedback redelivery queued');
    return { webhookId: r.webhookId, deliveryId: r.id };
  }

  // ---- dispatcher ----
  const attemptHooks: ((a: { outcome: AttemptOutcome; gaveUp: boolean }) => void)[] = [];

  /** Record an attempt and the row's next state: delivered, gone (410) and blocked (SSRF policy: waiting does not change it) are final; failed is retried. */
  function record(row: OutboxRow, at: string, res: Awaited<ReturnType<typeof attemptDelivery>>) {
    const attempts = row.attempts + 1;
    let status: OutboxStatus = res.outcome === 'failed' ? 'pending' : res.outcome;
    let next: string | null = null;
    if (res.outcome === 'failed') {
      const d = retryDelayMs(attempts, config.retryScale, random);
      if (d === null) status = 'failed';
      else next = new Date(clock.now().getTime() + d).toISOString();
    }
    outbox.recordAttempt(row, { at, ...res, status, attempts, next, completedAt: status === 'pending' ? null : clock.now().toISOString() });
    return { status, attempts, next };
  }

  /**
   * Where a due row goes now. Every attempt, the first or a retry, follows the account's settings as they are when
   * it is sent: a changed feedbackUrl or format applies to deliveries still pending. A row is dropped (status
   * `gone`, with the reason) when the account has since removed its feedbackUrl or turned inbound feedback off;
   * an outgoing feedback already queued is still sent when only outgoing.feedbackWhen changed, since the event
   * was wanted when it happened.
   */
  function destination(row: OutboxRow, s: IntegrationSettings): { drop: string } | { url: string; method: FeedbackMethod } {
    if (!s.feedbackUrl) return { drop: 'feedbackUrl removed by the account before delivery' };
    if (row.direction === 'inbound') {
      const m = s.incoming.feedbackMethod;
      if (m === 'never') return { drop: 'incoming.feedbackMethod set to never by the account before delivery' };
      return { url: s.feedbackUrl, method: m };
    }
    return { url: s.feedbackUrl, method: s.outgoing.feedbackMethod };
  }

  /** Point a pending row at its current destination; the body is rendered again only when the format changed. */
  function retarget(row: OutboxRow, url: string, method: FeedbackMethod): OutboxRow {
    if (row.url === url && row.method === method) return row;
    const next = { ...row, url, method };
    if (method !== row.method) {
      const r = renderBody(method, row.direction, JSON.parse(row.fields) as FeedbackFields);
      Object.assign(next, { body: r.body, content_type: r.contentType, soap_action: r.soapAction ?? null });
    }
    outbox.retarget(row.id, next);
    return next;
  }

  async function deliverOne(id: string, signal: AbortSignal): Promise<void> {
    let row = outbox.get(id);
    if (!row || row.status !== 'pending') return;
    const account = accounts.get(row.account_id);
    const at = clock.now();
    let res: Awaited<ReturnType<typeof attemptDelivery>>;
    if (!account) {
      res = { outcome: 'failed', error: 'account no longer exists', durationMs: 0 };
    } else {
      const dest = destination(row, account.settings);
      if ('drop' in dest) {
        outbox.drop(row.id, dest.drop, at.toISOString());
        logger.info({ subjectId: row.subject_id, direction: row.direction, webhookId: row.webhook_id, reason: dest.drop }, 'pending feedback dropped');
        return;
      }
      row = retarget(row, dest.url, dest.method);
      try {
        const headers = signatureHeaders(accounts.signingSecrets(account.id), row.webhook_id, at, row.body);
        res = await attemptDelivery(agent, { url: row.url, body: row.body, contentType: row.content_type, soapAction: row.soap_action ?? undefined, headers }, timeoutMs, signal);
      } catch (e) {
        // Shutting down: the attempt is not recorded and the row's lease expires, so the next start retries it.
        if (signal.aborted) return;
        res = { outcome: 'failed', error: String((e as Error).message ?? e).slice(0, 300), durationMs: 0 };
      }
    }
    const r = record(row, at.toISOString(), res);
    for (const h of attemptHooks) h({ outcome: res.outcome, gaveUp: r.status === 'failed' });
    const log = { subjectId: row.subject_id, direction: row.direction, webhookId: row.webhook_id, url: safeUrl(row.url), attempt: r.attempts, outcome: res.outcome, statusCode: res.statusCode, error: res.error, nextAttemptAt: r.next ?? undefined };
    if (res.outcome === 'delivered') logger.info(log, 'feedback delivered');
    else logger.warn(log, res.outcome === 'blocked' ? 'feedback blocked by the SSRF guard' : 'feedback attempt failed');
  }

  const scheduler = createOutboxScheduler({ claims: outbox, unit, clock, logger, deliver: deliverOne, leaseMs, pollMs, concurrency, name: 'feedback' });
  const wakeSoon = scheduler.wakeSoon;
  const { start, stop } = scheduler;

  return {
    /** Be told of each recorded delivery attempt and whether its row was given up after the last retry (src/metrics). */
    onAttempt(fn: (a: { outcome: AttemptOutcome; gaveUp: boolean }) => void): void {
      attemptHooks.push(fn);
    },
    onJobTerminal,
    onJobProgress,
    onInboundReceived,
    forgetInbound,
    deliveriesFor,
    outboxFor,
    redeliver,
    start,
    stop,
    /** Stop and release the network agent; call once when the process ends. */
    async close(): Promise<void> {
      await stop();
      await ownAgent?.close();
    },
  };
}

export type Feedback = ReturnType<typeof createFeedback>;
