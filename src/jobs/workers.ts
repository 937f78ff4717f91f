// Worker pool: the render worker renders each submission once for all its recipient jobs (received → rendering →
// queued), the sender worker transmits on the fax line with retries (queued → sending → sent | retrying | failed).
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Clock, FileReport, ReasonCode } from '../domain/types.js';
import { REASON_CODES } from '../domain/types.js';
import { STATUS_CODES, type JobSnapshot } from '../domain/jobs.js';
import { applyRenderFindings, screenContext } from '../attachments/screen.js';
import { rendererOf } from '../attachments/registry.js';
import { createLineSet, type LineSet } from '../lines/registry.js';
import { LineJobUnknownError, LineUnavailableError, RETRYABLE_RESULTS, type FaxLine, type LineOutcome, type OutgoingFax } from '../lines/types.js';
import type { JobStore, SubmissionRow } from './types.js';
import type { Renderer } from '../render/index.js';

/** What the workers need of the renderer (src/render); the header stamp is absent in tests that need no header. */
export type RendererView = Pick<Renderer, 'renderAll'> & Partial<Pick<Renderer, 'stampHeader'>>;

/** The image of one job as sent (header stamped for its recipient), beside the submission's rendered fax. */
export const sentTiffPath = (dir: string, jobId: string) => path.join(dir, `sent-${jobId.replace(/[^A-Za-z0-9_-]/g, '_')}.tif`);

/** No account store: every setting the workers act on (policy, resolution, paper) was stored with the submission. */
export interface WorkerDeps {
  jobs: JobStore;
  renderer: RendererView;
  /** the configured lines; or `line` alone, as the one default line */
  lines?: LineSet;
  line?: FaxLine;
  config: Config;
  clock: Clock;
  logger: Logger;
  renderConcurrency?: number;
  sendConcurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  /**
   * Beside other instances on one database: each lease renewal also puts back work whose lease expired (an instance
   * that died), so any instance recovers it. Alone, the start-up recovery covers it (every lease is then dead).
   */
  recoverExpired?: boolean;
}

const asReason = (r: string): ReasonCode => ((REASON_CODES as readonly string[]).includes(r) ? (r as ReasonCode) : 'damaged');

export function createWorkers(deps: WorkerDeps) {
  const { jobs, renderer, config, clock, logger } = deps;
  const lines = deps.lines ?? createLineSet({ lines: [deps.line!] });
  const owner = `w_${process.pid}_${randomBytes(4).toString('hex')}`;
  const leaseMs = deps.leaseMs ?? 5 * 60_000;
  const pollMs = deps.pollMs ?? 500;
  const abort = new AbortController();
  let running = false;
  let waiters: (() => void)[] = [];
  const loops: Promise<void>[] = [];
  let renewTimer: NodeJS.Timeout | undefined;

  const kick = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const idle = () => new Promise<void>((resolve) => {
    const t = setTimeout(done, pollMs);
    function done() {
      clearTimeout(t);
      resolve();
    }
    waiters.push(done);
  });

  /** Render one claimed submission for all its jobs, then apply render-time findings with the same rule. */
  async function render(sub: SubmissionRow, claimed: JobSnapshot[]): Promise<void> {
    const log = { submissionId: sub.id, jobs: claimed.map((j) => j.id) };
    const ids = claimed.map((j) => j.id);
    const report: FileReport[] = claimed[0].files;
    const stored = sub.files;
    const body = sub.body;
    const coverText = sub.options.coverText;
    const acceptedIdx = report.flatMap((r, i) => (r.verdict === 'accepted' ? [i] : []));
    const docs = acceptedIdx.map((i) => ({
      name: stored[i].name, path: path.join(sub.dir, stored[i].stored), detected: stored[i].facts.detected ?? 'unknown',
      renderer: rendererOf(stored[i].facts.detected),
      ...(stored[i].facts.charset ? { charset: stored[i].facts.charset } : {}),
    }));
    const outPath = path.join(sub.dir, 'fax.tif');
    // A recipient cancelled during the render has ended already: the render's outcome moves only the others.
    const open = () => ids.filter((id) => jobs.getById(id)?.status === 'rendering');
    const fail = (reason: string, statusCode: number) => jobs.transitionMany(open().map((id) => ({
      id, to: 'failed' as const, patch: { reason, statusCode, note: reason }, expectFrom: 'rendering' as const,
    })));
    let res: Awaited<ReturnType<RendererView['renderAll']>>;
    // Measured render time is charged to the account, whatever the outcome: the next claim favours accounts that
    // have used less of the renderers lately (src/jobs/fair.ts).
    const startedAt = clock.now().getTime();
    const charge = () => jobs.chargeRender(sub.id, clock.now().getTime() - startedAt);
    try {
      res = await renderer.renderAll(
        // With a cover page, the body text or coverText is printed on the cover instead of pages of its own.
        sub.options.cover ? { cover: sub.options.cover, at: clock.now(), docs } : { ...(body?.text.trim() ? { body } : {}), ...(coverText ? { coverText } : {}), docs },
        { resolution: sub.options.resolution, paper: sub.options.paper }, outPath,
      );
      charge();
    } catch (e) {
      charge();
      logger.error({ ...log, err: (e as Error).message }, 'rendering failed');
      fail('render-failed: the documents could not be rendered', STATUS_CODES['render-failed']);
      return;
    }
    const findings: { index: number; verdict: ReasonCode; reason?: string; pages?: number }[] = [];
    const files = report.map((r) => ({ ...r }));
    res.docs.forEach((d, k) => {
      const index = acceptedIdx[k];
      if (index === undefined) return;
      if (d.failure) findings.push({ index, verdict: asReason(d.failure.reason), reason: d.failure.message });
      else files[index].pages = d.pages;
    });
    // Judged by the policy the submission was accepted under, not the account's current setting: a decision made at
    // intake stays made. Files intake dropped (only possible under `ignore`) never count against the job here; only
    // accepted files can take a render-time verdict.
    const hasBodyText = Boolean(body?.text.trim() || coverText?.trim());
    const decision = applyRenderFindings({ outcome: 'accept', files }, findings, screenContext(sub.policy, config, hasBodyText));
    if (decision.outcome === 'reject' || res.pages === 0) {
      const code = decision.outcome === 'reject' && decision.reason === 'unsupported-attachment' ? 'unsupported-attachment' : 'nothing-to-fax';
      const reason = `${code}: ${decision.files.filter((f) => f.verdict !== 'accepted' && f.verdict !== 'inline')
        .map((f) => `${f.name} (${f.detected ?? 'unknown'}): ${f.reason ?? f.verdict}`).join('; ') || 'no pages to fax'}`;
      jobs.setRendered(sub.id, { renderStatus: 'rejected', pages: 0, tiffPath: null });
      jobs.transitionMany(open().map((id) => ({
        id, to: 'rejected' as const, patch: { reason, statusCode: STATUS_CODES[code], files: decision.files, note: code }, expectFrom: 'rendering' as const,
      })));
      logger.info({ ...log, reason: code }, 'rejected after rendering');
      return;
    }
    jobs.setRendered(sub.id, { renderStatus: 'done', pages: res.pages, tiffPath: outPath });
    // A fax scheduled for later waits rendered (its verdict known now); the sender claims it once sendAt is due.
    const later = sub.options.sendAt && Date.parse(sub.options.sendAt) > clock.now().getTime();
    jobs.transitionMany(open().map((id) => ({
      id, to: later ? 'scheduled' as const : 'queued' as const, patch: { pages: res.pages, files: decision.files }, expectFrom: 'rendering' as const,
    })));
    logger.info({ ...log, pages: res.pages, ...(later ? { sendAt: sub.options.sendAt } : {}) }, later ? 'rendered and scheduled' : 'rendered and queued');
    kick();
  }

  /**
   * Transmit one claimed job; busy/no-answer/no-carrier retry up to the submission's maxAttempts (else
   * config.retryAttempts) attempts. The hand-over is
   * committed with the line's own reference before the line commits the fax, and the outcome with the job's
   * transition, so a restart never sends a job twice: it tracks it again on a line that keeps its jobs, and reports it
   * "maybe sent" on one that does not (see JobStore.recoverLeases).
   */
  async function send(job: JobSnapshot): Promise<void> {
    const log = { jobId: job.id };
    const sub = jobs.submission(job.submissionId);
    if (!sub?.tiffPath) {
      jobs.transition(job.id, 'failed', { reason: 'internal: the rendered fax is missing', statusCode: STATUS_CODES.internal, call: 'line-error' }, 'sending');
      return;
    }
    const line = lines.byName(job.line ?? '') ?? lines.defaultLine;
    // The header line carries the time of sending and this recipient's number: stamped now, per job and attempt.
    let tiffPath = sub.tiffPath;
    const header = sub.options.header;
    if (header && renderer.stampHeader) {
      tiffPath = sentTiffPath(sub.dir, job.id);
      try {
        await renderer.stampHeader(sub.tiffPath, tiffPath, header, { to: job.to, at: clock.now(), jobId: job.id });
        // a PDF made of an earlier attempt's pages shows an earlier time: made again on request
        await rm(tiffPath.replace(/\.tif$/, '.pdf'), { force: true });
      } catch (e) {
        logger.error({ ...log, err: (e as Error).message }, 'stamping the header line failed');
        jobs.transition(job.id, 'failed', { reason: 'internal: the header line could not be put on the pages', statusCode: STATUS_CODES.internal, call: 'line-error' }, 'sending');
        return;
      }
    }
    const fax = outgoing(job, tiffPath, sub.options.csid);
    // Stopping before dialling: the claim is given back by stop() (its attempt never reached the line).
    if (abort.signal.aborted) return;
    let ref;
    try {
      ref = await line.submit(fax, { handedOver: (r) => jobs.startCall(job.id, owner, r, line.durable) }, abort.signal);
    } catch (e) {
      if (abort.signal.aborted && (e as { name?: string } | undefined)?.name === 'AbortError') {
        jobs.releaseCall(job.id);
        logger.info(log, 'shutdown: not handed to the line, job given back');
        return;
      }
      if (e instanceof LineUnavailableError) {
        logger.warn({ ...log, line: line.name, err: e.message }, 'fax line unavailable');
        finish(job, { result: 'internal', pagesSent: 0, pagesTotal: job.pages, message: `the fax line ${line.name} is unavailable` }, 'line-unavailable');
        return;
      }
      lineError(job, e);
      return;
    }
    if (!ref) {
      if (jobs.cancelUnsent(job.id)) logger.info(log, 'cancelled before dialling');
      else logger.warn(log, 'claim lost before dialling; not dialled');
      return;
    }
    await follow(job, line, ref, fax);
  }

  function outgoing(job: JobSnapshot, tiffPath: string, csid?: string): OutgoingFax {
    const lpi = job.resolution === 'standard' ? 98 : job.resolution === 'superfine' ? 391 : 196;
    return { jobId: job.id, attempt: job.attempts, to: job.to, tiffPath, pages: job.pages, lpi, from: job.sender, ...(csid ? { localId: csid } : {}) };
  }

  /** A throw is a bug or a broken disk on our side, not a busy line: fail once with its own code rather than redial. */
  function lineError(job: JobSnapshot, e: unknown): void {
    // The adapter's message (paths, errno) goes to the log, not to the customer.
    logger.error({ jobId: job.id, err: (e as Error).message }, 'fax line error');
    jobs.transition(job.id, 'failed', { pagesSent: 0, statusCode: STATUS_CODES['line-error'], reason: 'internal: the fax line failed before completing the call', note: 'line adapter error', call: 'line-error' }, 'sending');
  }

  /** Follow a handed-over fax on its line until the call is final, then move the job on. */
  async function follow(job: JobSnapshot, line: FaxLine, ref: string, fax: OutgoingFax): Promise<void> {
    const log = { jobId: job.id, line: line.name };
    let outcome: LineOutcome;
    try {
      outcome = await line.track(ref, fax, abort.signal, (n) => {
        // progress only: a failure to record it never disturbs the call
        try {
          jobs.pageSent(job.id, n);
        } catch (e) {
          logger.warn({ ...log, err: (e as Error).message }, 'could not record a page sent');
        }
      });
    } catch (e) {
      if (abort.signal.aborted && (e as { name?: string } | undefined)?.name === 'AbortError') {
        if (line.durable) {
          // The line owns the call: stop watching; the next start tracks it again (never resends it).
          jobs.leaveOnLine(job.id, owner);
          logger.info(log, 'shutdown: left on the line, tracked again at the next start');
        } else {
          // A line rejects for our signal only when it hung up before the fax was complete (FaxLine contract): nothing
          // was delivered, so the job goes back in line and the next start sends it.
          jobs.releaseCall(job.id);
          logger.info(log, 'shutdown: call hung up, job given back');
        }
        return;
      }
      if (e instanceof LineJobUnknownError) {
        // The line has no record of what it was given: it may have gone out, so it is never sent again on its own.
        logger.error({ ...log, err: e.message }, 'the fax line lost the job');
        jobs.transition(job.id, 'failed', {
          pagesSent: 0, statusCode: STATUS_CODES['line-lost'], note: 'line lost the job', call: 'line-lost',
          reason: 'line-lost: the fax line has no record of this fax; it may have been delivered — not re-sent',
        }, 'sending');
        return;
      }
      lineError(job, e);
      return;
    }
    if (jobs.getById(job.id)?.status !== 'sending') {
      // The stop gave up waiting and reported the call "maybe sent"; its late outcome is logged, not a second ending.
      logger.warn({ ...log, result: outcome.result }, 'call ended after the job was reported maybe sent');
      return;
    }
    finish(job, outcome);
  }

  /** Codes and attempt outcomes of the line results. */
  const CODE_OF: Record<LineOutcome['result'], number> = {
    sent: STATUS_CODES.ok, busy: STATUS_CODES.busy, 'no-answer': STATUS_CODES['no-answer'], 'no-carrier': STATUS_CODES['no-carrier'],
    'not-a-fax': STATUS_CODES['not-a-fax'], 'line-dropped': STATUS_CODES['line-dropped'], rejected: STATUS_CODES.rejected,
    cancelled: STATUS_CODES.cancelled, internal: STATUS_CODES['line-fault'],
  };

  /** Move a job on from its call's outcome: sent, retried (faxgate alone owns retries) or failed. */
  function finish(job: JobSnapshot, outcome: LineOutcome, unavailable?: 'line-unavailable'): void {
    const facts = { remoteId: outcome.remoteId, durationSeconds: outcome.durationSeconds, lineCode: outcome.lineCode, lineText: outcome.lineText };
    const call = unavailable ?? outcome.result;
    const statusCode = unavailable ? STATUS_CODES['line-unavailable'] : CODE_OF[outcome.result];
    const retryable = Boolean(unavailable) || RETRYABLE_RESULTS.has(outcome.result);
    const maxAttempts = jobs.submission(job.submissionId)?.options.maxAttempts ?? config.retryAttempts;
    if (outcome.result === 'sent') {
      jobs.transition(job.id, 'sent', { pagesSent: outcome.pagesSent, statusCode, reason: outcome.message, call, facts }, 'sending');
    } else if (outcome.result === 'cancelled' && jobs.getById(job.id)?.cancelRequested) {
      // Hung up or killed on the line because faxgate was asked to cancel (POST /v1/faxes/{id}/cancel). A kill by
      // the line's own operator stays a failure of code 8: nobody asked faxgate to cancel it.
      jobs.transition(job.id, 'cancelled', { pagesSent: outcome.pagesSent, statusCode, reason: `cancelled: ${outcome.message}`, note: outcome.message, call, facts }, 'sending');
    } else if (retryable && job.attempts < maxAttempts) {
      const delayMs = config.retrySpacingSeconds * config.retryScale * 1000;
      jobs.transition(job.id, 'retrying', {
        pagesSent: outcome.pagesSent, statusCode, reason: outcome.message, facts,
        nextAttemptAt: new Date(clock.now().getTime() + delayMs).toISOString(), note: outcome.message, call,
      }, 'sending');
    } else {
      const reason = retryable ? `${outcome.message} after ${job.attempts} attempts` : outcome.message;
      jobs.transition(job.id, 'failed', { pagesSent: outcome.pagesSent, statusCode, reason, note: reason, call, facts }, 'sending');
    }
    logger.info({ jobId: job.id, result: call, attempt: job.attempts }, 'transmission finished');
  }

  /** Track a job an earlier process left on a durable line (claimed by claimResume). */
  async function resume(job: JobSnapshot, lineJob: { attempt: number; line: string; lineRef: string }): Promise<void> {
    const line = lines.byName(lineJob.line);
    if (!line) {
      logger.error({ jobId: job.id, line: lineJob.line }, 'the line a job was handed to is no longer configured');
      jobs.transition(job.id, 'failed', {
        pagesSent: 0, statusCode: STATUS_CODES['line-lost'], note: 'line no longer configured', call: 'line-lost',
        reason: `line-lost: the fax line ${lineJob.line} is no longer configured; the fax may have been delivered — not re-sent`,
      }, 'sending');
      return;
    }
    const sub = jobs.submission(job.submissionId);
    logger.info({ jobId: job.id, line: line.name }, 'resuming: tracking the fax on its line');
    const tiff = sub?.tiffPath ? (sub.options.header ? sentTiffPath(sub.dir, job.id) : sub.tiffPath) : '';
    await follow(job, line, lineJob.lineRef, { ...outgoing(job, tiff, sub?.options.csid), attempt: lineJob.attempt });
  }

  async function loop(kind: 'render' | 'send'): Promise<void> {
    while (running) {
      let worked = false;
      try {
        if (kind === 'render') {
          const c = jobs.claimRender(owner, leaseMs);
          if (c) {
            worked = true;
            await render(c.submission, c.jobs).catch((e: unknown) => {
              // A bug or storage fault, not a document problem: fail the jobs rather than hold their lease forever.
              logger.error({ err: (e as Error).message, submissionId: c.submission.id }, 'render step failed');
              const stuck = c.jobs.filter((j) => jobs.getById(j.id)?.status === 'rendering');
              jobs.transitionMany(stuck.map((j) => ({
                id: j.id, to: 'failed' as const, patch: { reason: 'internal: rendering failed', statusCode: STATUS_CODES.internal },
              })));
            });
          }
        } else {
          const r = jobs.claimResume(owner, leaseMs);
          if (r) {
            worked = true;
            await resume(r.job, r.lineJob);
          } else {
            const j = jobs.claimSend(owner, leaseMs, (accountId) => lines.lineNameFor(accountId));
            if (j) {
              worked = true;
              await send(j);
            }
          }
        }
      } catch (e) {
        logger.error({ err: (e as Error).message, kind }, 'worker step failed');
      }
      if (!worked && running) await idle();
    }
  }

  return {
    owner,
    /** Wake idle workers at once (after a submission or a render). */
    kick,
    start(): void {
      if (running) return;
      running = true;
      for (let i = 0; i < (deps.renderConcurrency ?? config.workers); i++) loops.push(loop('render'));
      for (let i = 0; i < (deps.sendConcurrency ?? config.workers); i++) loops.push(loop('send'));
      renewTimer = setInterval(() => {
        try {
          jobs.renewLeases(owner, leaseMs);
          if (deps.recoverExpired && jobs.recoverLeases({}) > 0) kick();
        } catch (e) {
          logger.warn({ err: (e as Error).message }, 'lease renewal failed');
        }
      }, Math.max(1000, leaseMs / 3));
      renewTimer.unref();
    },
    /**
     * Stop claiming, hang up transmissions (a sandbox call ends at once, undelivered, and its job is queued again),
     * wait (bounded) for renders and calls, then give back this worker's leases. A call still on the line when the
     * wait ends may yet go through: recoverLeases reports it "maybe sent" rather than leaving it to be dialled again.
     */
    async stop(graceMs = 10_000): Promise<void> {
      running = false;
      abort.abort();
      kick();
      if (renewTimer) clearInterval(renewTimer);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(loops), new Promise((r) => { timer = setTimeout(r, graceMs); })]);
      clearTimeout(timer);
      loops.length = 0;
      const n = jobs.recoverLeases({ owner });
      if (n) logger.info({ released: n }, 'released in-flight jobs for the next start');
    },
  };
}

export type Workers = ReturnType<typeof createWorkers>;
