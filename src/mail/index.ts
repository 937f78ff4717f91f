// Mail to people (docs/mail.md): receipts and fax-to-email, queued in the mail outbox with the state change and sent via the relay.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { AccountStore } from '../settings/types.js';
import { emailSettings } from '../settings/validate.js';
import type { Clock, FileReport, InboundNotice, ReceiptAttachment, ReceiptWhen, SubmissionBody, SubmissionOptions } from '../domain/types.js';
import { TERMINAL, type JobSnapshot } from '../domain/jobs.js';
import type { Logger } from '../logger.js';
import { createOutboxScheduler, retryDelayMs } from '../feedback/scheduler.js';
import { sentTiffPath } from '../jobs/workers.js';
import { composeReceipt, composeReceived, type Composed } from './format.js';
import type { OutgoingMessage, Relay } from './relay.js';
import type { MailKind, MailOutboxStore, MailRow as Row, MailStatus } from './types.js';

export type { MailOutboxStore, MailStatus } from './types.js';
export { createSqliteMailOutbox } from './outbox-store.js';
export { parseRelay, describeRelay, createRelay, type Relay, type RelaySpec } from './relay.js';

/** What mail reads of the job store (and the one thing it writes there: a note of the receipt's fate). */
export interface MailJobs {
  bySubmission(submissionId: string): JobSnapshot[];
  submission(id: string): {
    sender: string; dir: string; dedupKey: string | null; body: unknown; tiffPath: string | null; createdAt: string; options: Pick<SubmissionOptions, 'receiptTo'>;
  } | undefined;
  note(jobId: string, note: string): void;
}

/** What mail needs of received faxes: the PDF as a retrieval that counts (and deletes, if asked) only once accepted. */
export interface MailInbound {
  openImage(accountId: string, id: string, format: 'pdf', actor: string): Promise<{ stream: Readable; onComplete(): Promise<void>; onAbort(): void }>;
  imageUrlOf(id: string): string;
}

/** How a receipt's attachment is made from the fax's pages (src/render). */
export interface MailPages {
  toPdf(tiffPath: string, pdfPath: string): Promise<unknown>;
  firstPagePng(tiffPath: string): Promise<Buffer>;
}

export interface MailDeps {
  /** the mail outbox's store (createSqliteMailOutbox) */
  outbox: MailOutboxStore;
  /** the unit of work messages are queued in (the job store's): the dispatcher never claims while one is open */
  unit: Pick<UnitOfWork, 'active'>;
  accounts: Pick<AccountStore, 'get'>;
  jobs: MailJobs;
  clock: Clock;
  config: Pick<Config, 'dataDir' | 'publicUrl' | 'retryScale'> & { mailFrom?: string };
  logger: Logger;
  /** null: no relay configured (FAXGATE_SMTP_RELAY), so nothing is queued and nothing sent */
  relay: Relay | null;
  pages: MailPages;
  /** set once received faxes exist (openInbound), for fax-to-email */
  inbound?: MailInbound;
  pollMs?: number;
  concurrency?: number;
  random?: () => number;
}

export interface MailEntry {
  id: string; kind: MailKind; subjectId: string; to: string[]; subject: string; status: MailStatus; attempts: number;
  lastError?: string; relayResponse?: string; nextAttemptAt?: string; createdAt: string; completedAt?: string;
}

/** Does a submission whose jobs ended so get a receipt under `email.receipts`? (`rejected` is a failure.) */
export function wantsReceipt(when: ReceiptWhen, jobs: Pick<JobSnapshot, 'status'>[]): boolean {
  const allSent = jobs.every((j) => j.status === 'sent');
  return when === 'always' || (when === 'success' && allSent) || (when === 'failure' && !allSent);
}

/** The original Message-ID of an email submission, kept in its dedup key (`sender|<id>`, src/ingress/smtp). */
const originalMessageId = (sender: string, dedupKey: string | null): string | undefined => {
  if (!dedupKey?.startsWith(`${sender}|`)) return undefined;
  const id = dedupKey.slice(sender.length + 1).trim();
  return /^<[^<>\s]+>$/.test(id) ? id : /^[^<>\s]+$/.test(id) ? `<${id}>` : undefined;
};

export function createMail(deps: MailDeps) {
  const { outbox, unit, accounts, jobs, clock, config, logger, relay } = deps;
  const random = deps.random ?? Math.random;
  const host = (() => {
    try {
      return new URL(config.publicUrl).hostname || 'faxgate.invalid';
    } catch {
      return 'faxgate.invalid';
    }
  })();
  const from = config.mailFrom || `faxgate <faxgate@${host}>`;
  const tmpRoot = path.join(config.dataDir, 'tmp');
  const hooks: ((e: { kind: MailKind; status: MailStatus }) => void)[] = [];

  function enqueue(a: { accountId: string; kind: MailKind; subjectId: string; to: string[]; composed: Composed; attachment: ReceiptAttachment; inReplyTo?: string }): boolean {
    const id = `mail_${randomBytes(10).toString('hex')}`;
    const message: Omit<OutgoingMessage, 'to' | 'attachments'> = {
      from, subject: a.composed.subject, text: a.composed.text, html: a.composed.html, messageId: `<${id}@${host}>`,
      ...(a.inReplyTo ? { inReplyTo: a.inReplyTo, references: [a.inReplyTo] } : {}),
    };
    const now = clock.now().toISOString();
    const queued = outbox.insert({ id, accountId: a.accountId, kind: a.kind, subjectId: a.subjectId, recipients: JSON.stringify(a.to), message: JSON.stringify(message), attachment: a.attachment, now });
    if (queued) scheduler.wakeSoon();
    return queued;
  }

  /**
   * Called inside the transaction that moves a job to its final state. The submission's receipt is queued with the
   * last of its jobs to end: one message per submission. Email submissions get one, API submissions only when they
   * named a `receiptTo` (otherwise there is no address to answer; the caller has feedback), and not those refused in
   * the SMTP session (the refusal was the answer).
   */
  function onJobTerminal(job: JobSnapshot): void {
    if (!relay || !TERMINAL.has(job.status)) return;
    const all = jobs.bySubmission(job.submissionId);
    if (all.some((j) => !TERMINAL.has(j.status))) return;
    const sub = jobs.submission(job.submissionId);
    if (!sub || (sub.dir === '' && all.every((j) => j.status === 'rejected'))) return;
    const account = accounts.get(job.accountId);
    if (!account) return;
    const s = emailSettings(account.settings);
    if (!wantsReceipt(s.receipts, all)) return;
    // Email: the sender. API: the receiptTo the caller asked for (intake checked it is one of the account's senders).
    const to = (job.source === 'email' ? sub.sender : sub.options.receiptTo ?? '').trim().toLowerCase();
    if (!to) return;
    if (!account.senders.includes(to)) {
      logger.warn({ submissionId: sub.dir ? job.submissionId : undefined, accountId: account.id }, 'receipt not queued: the sender is no longer registered');
      return;
    }
    const body = (sub.body ?? {}) as Partial<SubmissionBody>;
    const canAttach = s.receiptAttachment !== 'none' && Boolean(sub.tiffPath);
    const attachmentNote = !canAttach ? undefined
      : s.receiptAttachment === 'pdf' ? 'Attached: the pages as sent, as a PDF.' : 'Attached: the first page as sent, as a PNG picture.';
    const composed = composeReceipt({ jobs: all, files: (all[0]?.files ?? []) as FileReport[], originalSubject: body.subject ?? '', submittedAt: sub.createdAt, attachmentNote });
    const inReplyTo = job.source === 'email' ? originalMessageId(sub.sender, sub.dedupKey) : undefined;
    if (enqueue({ accountId: account.id, kind: 'receipt', subjectId: job.submissionId, to: [to], composed, attachment: canAttach ? s.receiptAttachment : 'none', inReplyTo })) {
      logger.info({ submissionId: job.submissionId, status: composed.subject }, 'receipt queued');
    }
  }

  /** Called inside the transaction that records a received fax: mail it where the number's rule (or `*`) says. */
  function onInboundReceived(n: InboundNotice): void {
    if (!relay) return;
    const account = accounts.get(n.accountId);
    if (!account) return;
    const rules = emailSettings(account.settings).faxToEmail;
    const rule = rules.find((r) => r.number === n.to) ?? rules.find((r) => r.number === '*');
    if (!rule) return;
    const to = rule.to.filter((a) => account.senders.includes(a));
    if (to.length === 0) return;
    const composed = composeReceived({ from: n.from, to: n.to, pages: n.pages, receivedAt: n.receivedAt, format: rule.format, imageUrl: n.imageUrl, ...(n.remoteId ? { remoteId: n.remoteId } : {}) });
    if (enqueue({ accountId: account.id, kind: 'inbound', subjectId: n.id, to, composed, attachment: rule.format === 'pdf' ? 'pdf' : 'none' })) {
      logger.info({ inboundId: n.id, format: rule.format, recipients: to.length }, 'fax-to-email queued');
    }
  }

  /** A received fax was deleted for good: its message keeps no numbers, and one not yet sent is dropped. */
  function forgetInbound(id: string): void {
    outbox.forgetInbound(id, 'fax deleted before it was mailed');
  }

  // ---- sending ----

  async function receiptAttachment(row: Row): Promise<OutgoingMessage['attachments']> {
    if (row.attachment === 'none') return [];
    const sub = jobs.submission(row.subject_id);
    if (!sub?.tiffPath) return [];
    // The pages as sent carry their header line (stamped per recipient at send time): those of the first number
    // they went to, else the rendered fax (nothing was sent, or the line took no header).
    const all = jobs.bySubmission(row.subject_id);
    const job = all.find((j) => j.status === 'sent') ?? all[0];
    const candidates = [...(job && sub.dir ? [sentTiffPath(sub.dir, job.id)] : []), sub.tiffPath];
    let tiff: string | undefined;
    for (const c of candidates) {
      if (await fsp.access(c).then(() => true, () => false)) {
        tiff = c;
        break;
      }
    }
    if (!tiff) return []; // the pages are gone (cleanup): the receipt still goes, without them
    if (row.attachment === 'first-page') return [{ filename: 'fax-page-1.png', contentType: 'image/png', content: await deps.pages.firstPagePng(tiff) }];
    await fsp.mkdir(tmpRoot, { recursive: true, mode: 0o700 });
    const pdf = path.join(tmpRoot, `${row.id}-${randomBytes(4).toString('hex')}.pdf`);
    try {
      await deps.pages.toPdf(tiff, pdf);
      return [{ filename: 'fax-as-sent.pdf', contentType: 'application/pdf', content: await fsp.readFile(pdf) }];
    } finally {
      await fsp.rm(pdf, { force: true });
    }
  }

  const finish = (row: Row, status: MailStatus, attempts: number, next: string | null, error: string | null, response: string | null) => {
    outbox.finish(row.id, { status, attempts, next, error, response, completedAt: status === 'pending' ? null : clock.now().toISOString() });
    if (row.kind === 'receipt' && status !== 'pending') {
      const to = (JSON.parse(row.recipients) as string[]).join(', ');
      const note = status === 'sent' ? `receipt mailed to ${to}${response ? ` (relay: ${response})` : ''}` : `receipt not delivered to ${to}: ${error ?? status}`;
      for (const j of jobs.bySubmission(row.subject_id)) jobs.note(j.id, note.slice(0, 400));
    }
    for (const h of hooks) h({ kind: row.kind, status });
  };

  async function deliverOne(id: string, signal: AbortSignal): Promise<void> {
    const row = outbox.get(id);
    if (!row || row.status !== 'pending' || !relay) return;
    const account = accounts.get(row.account_id);
    // Checked again at send time: an address removed from the account since gets nothing.
    const to = (JSON.parse(row.recipients) as string[]).filter((a) => account?.senders.includes(a));
    if (!account || to.length === 0) {
      finish(row, 'gone', row.attempts, null, 'no recipient is a registered sender of the account any more', null);
      return;
    }
    let image: Awaited<ReturnType<MailInbound['openImage']>> | undefined;
    let attachments: OutgoingMessage['attachments'] = [];
    try {
      if (row.kind === 'receipt') attachments = await receiptAttachment(row);
      else if (row.attachment === 'pdf') {
        if (!deps.inbound) return; // not wired in this process: left for the server
        image = await deps.inbound.openImage(row.account_id, row.subject_id, 'pdf', 'mail');
        const chunks: Buffer[] = [];
        for await (const c of image.stream) chunks.push(c as Buffer);
        attachments = [{ filename: `fax-${row.subject_id}.pdf`, contentType: 'application/pdf', content: Buffer.concat(chunks) }];
      }
    } catch (e) {
      image?.onAbort();
      const code = (e as { code?: string }).code;
      if (code === 'gone' || code === 'not-found') {
        finish(row, 'gone', row.attempts, null, 'fax deleted before it was mailed', null);
        return;
      }
      throw e; // a disk problem: the row's lease expires and it is tried again
    }
    const message = JSON.parse(row.message) as Omit<OutgoingMessage, 'to'>;
    const res = await relay.send({ ...message, to, attachments });
    if (signal.aborted && res.outcome === 'retry') {
      image?.onAbort();
      return; // shutting down mid-send: the lease expires and the next start tries again
    }
    const attempts = row.attempts + 1;
    const log = { mailId: row.id, kind: row.kind, subjectId: row.subject_id, attempt: attempts };
    if (res.outcome === 'sent') {
      finish(row, 'sent', attempts, null, res.rejected.length ? `refused for ${res.rejected.join(', ')}` : null, res.response);
      logger.info({ ...log, relay: res.response }, 'mail accepted by the relay');
      // Only now does a mailed PDF count as retrieved (and, if the account asks, the fax is deleted as after a download).
      if (image) await image.onComplete();
      return;
    }
    image?.onAbort();
    const delay = res.outcome === 'retry' ? retryDelayMs(attempts, config.retryScale, random) : null;
    if (delay !== null) {
      finish(row, 'pending', attempts, new Date(clock.now().getTime() + delay).toISOString(), res.error, null);
      logger.warn({ ...log, error: res.error }, 'mail attempt failed; will retry');
    } else {
      finish(row, 'failed', attempts, null, `${res.outcome === 'refused' ? 'refused by the relay' : 'gave up after retries'}: ${res.error}`, null);
      logger.warn({ ...log, error: res.error }, 'mail given up');
    }
  }

  const scheduler = createOutboxScheduler({
    claims: outbox, unit, clock, logger, deliver: deliverOne, leaseMs: 120_000, pollMs: deps.pollMs ?? 1000, concurrency: deps.concurrency ?? 4, name: 'mail',
  });

  function outboxFor(subjectId: string): MailEntry[] {
    return outbox.forSubject(subjectId).map((r) => ({
      id: r.id, kind: r.kind, subjectId: r.subject_id, to: JSON.parse(r.recipients) as string[],
      subject: (JSON.parse(r.message) as { subject?: string }).subject ?? '', status: r.status, attempts: r.attempts, createdAt: r.created_at,
      ...(r.status === 'pending' && r.next_attempt_at ? { nextAttemptAt: r.next_attempt_at } : {}),
      ...(r.last_error ? { lastError: r.last_error } : {}),
      ...(r.relay_response ? { relayResponse: r.relay_response } : {}),
      ...(r.completed_at ? { completedAt: r.completed_at } : {}),
    }));
  }

  return {
    /** whether a relay is configured: without one, receipts and fax-to-email are off */
    enabled: relay !== null,
    describe: () => (relay ? relay.description : 'no relay configured (FAXGATE_SMTP_RELAY): receipts and fax-to-email are off'),
    onJobTerminal,
    onInboundReceived,
    forgetInbound,
    outboxFor,
    /** set the received-fax side once it exists (it is built after the job store) */
    setInbound(i: MailInbound): void {
      deps.inbound = i;
    },
    onResult(fn: (e: { kind: MailKind; status: MailStatus }) => void): void {
      hooks.push(fn);
    },
    start(): void {
      if (relay) scheduler.start();
    },
    stop: scheduler.stop,
    idle: scheduler.idle,
    async close(): Promise<void> {
      await scheduler.stop();
      relay?.close();
    },
  };
}

export type Mail = ReturnType<typeof createMail>;
