// The one intake: detect → screen (the shared rule) → persist durably → enqueue. Both ingresses call submit().
import path from 'node:path';
import type { DB } from '../store/db.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Account, AccountStore } from '../settings/types.js';
import type {
  Clock, DetectedFacts, FileReport, Paper, Resolution, ScreenDecision, StoredFile, SubmissionBody, UnsupportedFilesPolicy,
  SubmissionOptions,
} from '../domain/types.js';
import { STATUS_CODES, type JobStatus } from '../domain/jobs.js';
import { FaxError, isFaxError } from '../domain/errors.js';
import { NUMBER_EXAMPLE, normalizeNumber } from '../domain/numbers.js';
import { screen, screenContext } from '../attachments/screen.js';
import type { TypeRegistry } from '../attachments/registry.js';
import type { Detector as FileDetector } from '../attachments/detect.js';
import { createUnpacker, type Unpacker } from '../attachments/unpack.js';
import { newId } from '../jobs/types.js';
import type { JobStore } from '../jobs/types.js';
import { fsyncDir, fsyncPath, mkdirDurable, moveDurable, removeQuietly } from '../store/files.js';
import { cleanFileName } from './names.js';
import { pageOptions, parseSubjectModifiers } from './pages.js';
import { checkCallbackUrl, checkClientReference, checkNotReport, checkRecipientCount, checkSendAt, emailDedupKey } from './rules.js';
import { MAX_RETRIES } from '../settings/validate.js';

export interface SubmissionFile {
  name: string; path: string; size: number; declaredType?: string; inline?: boolean;
  /** nesting of the message the file came from (0: the message itself; forwarded ones count up): one depth rule */
  depth?: number;
  /** set by unpacking for a container that was not opened: the facts it is screened by, instead of detection */
  facts?: DetectedFacts;
}

// The stored shape of a submission is the job store's too (the render worker reads it back): declared in domain/.
export type { StoredFile, SubmissionBody } from '../domain/types.js';

export interface Submission {
  source: 'email' | 'api';
  accountId: string;
  /** email address, or 'api:key_<key id>' */
  sender: string;
  /** already checked with checkRecipient → E.164 */
  recipients: string[];
  files: SubmissionFile[];
  body?: SubmissionBody;
  /**
   * source 'email': an HTML-only body as a page (parse.ts); faxed laid out in place of `body` when HTML is a
   * supported type here, else dropped and `body` (its flattened text) is faxed as today
   */
  bodyHtml?: SubmissionFile;
  coverText?: string;
  /** the email's subject, or the API's `subject`: its `[cover]`-style modifiers are applied and removed here */
  subject?: string;
  /** a cover page or not, whatever the account's default (API `cover`) */
  cover?: boolean;
  /** source 'api': where the email receipt goes; it must be a registered sender of the account (no mail to strangers) */
  receiptTo?: string;
  options?: { resolution?: Resolution; paper?: Paper };
  /** the caller's reference (≤ 100 characters), echoed in the status, the list and every feedback */
  clientReference?: string;
  /** this fax's feedback URL instead of the account's (API callbackUrl) */
  callbackUrl?: string;
  /** calls after the first (0–5), instead of the account's outgoing.retries */
  retries?: number;
  /** not sent before this time: ISO 8601 with offset, ≤ 30 days ahead (API sendAt, email X-Fax-Send-At) */
  sendAt?: string;
  /** a recipient is not faxed twice under one key within 24 h; for email intake makes it from `email` (rules.ts) */
  dedupKey?: string;
  /** source 'email': what the message says of itself, for the email rules (src/intake/rules.ts) */
  email?: { contentType: string; messageId?: string };
  /** path of the raw email to keep durably */
  rawMessage?: string;
}

export interface IntakeResult {
  submissionId: string;
  /** one job per recipient: new, or (same dedup key) the job that recipient already had */
  jobs: { id: string; to: string; status: JobStatus }[];
  files: FileReport[];
  /** nothing new was queued: every recipient already had its job */
  duplicate: boolean;
  /** ids among `jobs` queued by an earlier submission with the same dedup key (a retried or split SMTP transaction) */
  earlier: string[];
}

/** What intake needs of attachments/: the detector and the registry's rows. */
export type Detector = Pick<FileDetector, 'detect'>;
export type TypeRegistryView = Pick<TypeRegistry, 'list'>;

export interface IntakeDeps {
  db: DB;
  accounts: AccountStore;
  registry: TypeRegistryView;
  detector: Detector;
  jobs: JobStore;
  clock: Clock;
  config: Config;
  logger: Logger;
  /** opens winmail.dat and attached .msg files into their files (default: the real one, under the config's limits) */
  unpacker?: Pick<Unpacker, 'unpack'>;
  /** called after a submission is committed so the render worker wakes at once */
  onQueued?: () => void;
}

const DEDUP_WINDOW_MS = 24 * 3600 * 1000;
/** Files of one submission detected at the same time: detection is mostly file reads now, and rarely a helper process. */
const DETECT_CONCURRENCY = 3;

/** "name (detected type): reason" for every file that is not accepted. */
export function describeRefused(files: FileReport[]): string {
  return files
    .filter((f) => f.verdict !== 'accepted' && f.verdict !== 'inline')
    .map((f) => `${f.name} (${f.detected ?? 'unknown type'}): ${f.reason ?? f.verdict.replace(/-/g, ' ')}`)
    .join('; ');
}

/** The files with their names cleaned (cleanFileName); everything else as given. */
function withCleanNames(files: SubmissionFile[]): SubmissionFile[] {
  return files.map((f, i) => ({ ...f, name: cleanFileName(f.name, i) }));
}

export function createIntake(deps: IntakeDeps) {
  const { accounts, registry, detector, jobs, clock, config, logger } = deps;
  const submissionsDir = path.join(config.dataDir, 'submissions');
  const unpacker = deps.unpacker ?? createUnpacker({ limits: { maxBytes: config.maxMessageBytes } });

  /**
   * The identity of an email is the one plain mailbox of its From field (issue #12.1): it must be a sender of the
   * same account as the envelope, so no one sends as a colleague. sender-not-registered otherwise.
   */
  /** An API caller may have a receipt mailed, but only to one of the account's own senders (no mail to strangers). */
  /**
   * Calls per job: 1 + the submission's retries, else 1 + the account's outgoing.retries; neither set: nothing is
   * stored and the workers use FAXGATE_RETRY_ATTEMPTS, as before the setting existed.
   */
  function maxAttemptsOf(account: Account, retries: number | undefined): { maxAttempts?: number } {
    if (retries !== undefined && (!Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES)) {
      throw new FaxError('invalid-request', `retries: a whole number from 0 to ${MAX_RETRIES}`, { errors: [{ field: 'retries', message: `0 to ${MAX_RETRIES}` }] });
    }
    const n = retries ?? account.settings.outgoing.retries;
    return n === undefined ? {} : { maxAttempts: 1 + n };
  }

  function checkReceiptTo(account: Account, address: string): void {
    if (!account.senders.includes(address.trim().toLowerCase())) {
      throw new FaxError('receipt-not-sender', `receiptTo ${address.slice(0, 80)} is not a registered sender of this account; receipts go only to the account's own addresses`);
    }
  }

  function checkFromHeader(account: Account, mailbox: string): void {
    if (accounts.findBySender(mailbox)?.id !== account.id) {
      throw new FaxError('sender-not-registered', `From ${mailbox.slice(0, 80)} is not a registered sender of this account; send from the address registered for fax`);
    }
  }

  function checkRecipient(account: Account, raw: string, opts: { strict?: boolean } = {}): string {
    const e164 = normalizeNumber(raw, account.country, opts.strict ?? false);
    if (!e164) throw new FaxError('invalid-number', `"${raw.slice(0, 40)}" is not a valid fax number; write it like ${NUMBER_EXAMPLE}`);
    if (account.kind === 'developer' && e164 !== account.settings.designatedFaxNumber) {
      throw new FaxError('not-designated-number',
        `developer accounts may only fax their designated number; ${e164} is not it`);
    }
    return e164;
  }

  async function detectOne(f: SubmissionFile): Promise<DetectedFacts> {
    if (f.facts) return f.facts;
    try {
      return await detector.detect({ name: f.name, path: f.path, declaredType: f.declaredType, inline: f.inline });
    } catch (e) {
      logger.warn({ err: (e as Error).message, file: f.name }, 'detection failed; treating the file as damaged');
      return { name: f.name, size: f.size, declaredType: f.declaredType, detected: null, mismatch: false, damaged: true, note: 'could not be inspected', inline: f.inline };
    }
  }

  /** Facts in file order; a few files at a time (some types still start a helper process, so bounded). */
  async function detectAll(files: SubmissionFile[]): Promise<DetectedFacts[]> {
    const out: DetectedFacts[] = new Array<DetectedFacts>(files.length);
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < files.length; i = next++) out[i] = await detectOne(files[i]);
    };
    await Promise.all(Array.from({ length: Math.min(DETECT_CONCURRENCY, files.length) }, lane));
    return out;
  }

  function decide(policy: UnsupportedFilesPolicy, facts: DetectedFacts[], hasBodyText: boolean): ScreenDecision {
    return screen(facts, registry.list(), screenContext(policy, config, hasBodyText));
  }

  async function cleanup(s: Submission): Promise<void> {
    await Promise.all([...s.files.map((f) => removeQuietly(f.path)), removeQuietly(s.rawMessage), removeQuietly(s.bodyHtml?.path)]);
  }

  const toResult = (submissionId: string, js: { id: string; to: string; status: JobStatus }[], files: FileReport[], duplicate: boolean, earlier: string[] = []): IntakeResult => ({
    submissionId, jobs: js.map((j) => ({ id: j.id, to: j.to, status: j.status })), files, duplicate, earlier,
  });

  async function submit(raw: Submission): Promise<IntakeResult> {
    // The names a sender chose are cleaned here, once for every ingress, before anything reads, stores or reports
    // them: a path like ../../etc/passwd becomes its last segment, control and bidi characters go (issue #12.10).
    const cleaned: Submission = { ...raw, files: withCleanNames(raw.files) };
    // Subject modifiers ([cover], [nocover], [standard], [fine], [superfine]) are the sender's choices, read the same
    // from either ingress and taken out of the subject before anything shows it (docs/pages.md §4).
    const mods = parseSubjectModifiers(cleaned.subject ?? cleaned.body?.subject ?? '');
    const s: Submission = {
      ...cleaned,
      subject: mods.subject,
      ...(cleaned.body ? { body: { ...cleaned.body, subject: mods.subject } } : {}),
      ...(cleaned.cover === undefined && mods.cover !== undefined ? { cover: mods.cover } : {}),
      ...(mods.resolution && !cleaned.options?.resolution ? { options: { ...cleaned.options, resolution: mods.resolution } } : {}),
      ...(raw.email?.messageId ? { dedupKey: emailDedupKey(raw.sender, raw.email.messageId) } : {}),
    };
    const account = accounts.get(s.accountId);
    if (!account) {
      await cleanup(s);
      throw new FaxError('forbidden', 'unknown account');
    }
    if (s.recipients.length === 0) {
      await cleanup(s);
      throw new FaxError('no-recipients');
    }
    let faxOptions: Pick<SubmissionOptions, 'clientReference' | 'callbackUrl' | 'sendAt' | 'maxAttempts'>;
    try {
      if (s.email) checkNotReport(s.email.contentType);
      checkRecipientCount(new Set(s.recipients).size, 'submission');
      if (s.receiptTo !== undefined) checkReceiptTo(account, s.receiptTo);
      faxOptions = {
        ...(checkClientReference(s.clientReference) ? { clientReference: s.clientReference } : {}),
        ...(checkCallbackUrl(s.callbackUrl) ? { callbackUrl: checkCallbackUrl(s.callbackUrl) } : {}),
        ...(checkSendAt(s.sendAt, clock.now()) ? { sendAt: checkSendAt(s.sendAt, clock.now()) } : {}),
        ...maxAttemptsOf(account, s.retries),
      };
    } catch (e) {
      await cleanup(s);
      throw e;
    }
    const recipients = [...new Set(s.recipients)];
    const dedupSince = new Date(clock.now().getTime() - DEDUP_WINDOW_MS);
    if (s.dedupKey) {
      // Answered at once only when every recipient already has its job under this key; any other recipient is
      // screened and queued (createSubmission checks again inside its transaction and adds only the missing ones).
      const earlier = jobs.earlierJobs(account.id, s.dedupKey, dedupSince);
      if (recipients.every((to) => earlier.has(to))) {
        await cleanup(s);
        const js = recipients.map((to) => earlier.get(to)!);
        logger.info({ submissionId: js[0].submissionId, jobs: js.map((j) => j.id) }, 'duplicate submission answered with the original jobs');
        return toResult(js[0].submissionId, js, js[0].files, true, js.map((j) => j.id));
      }
    }

    // The message's own text (before an HTML body takes its place): a winmail.dat body repeats it.
    const bodyIsBlank = !s.body?.text.trim();
    if (s.bodyHtml) {
      const html = registry.list().find((t) => t.id === 'html');
      if (html?.enabled && html.available) {
        // Laid out as a browser prints it (docs/rendering.md): the page carries the headers, so no text body besides.
        s.files = [{ ...s.bodyHtml, name: cleanFileName(s.bodyHtml.name, 0) }, ...s.files];
        if (s.body) s.body = { ...s.body, text: '' };
      } else {
        await removeQuietly(s.bodyHtml.path);
      }
      s.bodyHtml = undefined;
    }
    const hasBodyText = Boolean(s.body?.text.trim() || s.coverText?.trim());
    // winmail.dat and attached .msg files become their files (and body) here, so each is screened on its own.
    try {
      s.files = await unpacker.unpack(s.files, { bodyIsBlank });
    } catch (e) {
      await cleanup(s);
      logger.error({ err: (e as Error).message }, 'opening a winmail.dat or .msg failed');
      throw new FaxError('internal', 'the attachments could not be screened; try again later');
    }
    // The policy of this moment is part of the submission: whatever the account switches to later, findings made
    // while rendering are judged by it, and what intake decided here is never decided again.
    const policy = account.settings.outgoing.unsupportedFiles;
    // Flush the spooled files to disk while detection reads them: an accepted submission needs them durable anyway,
    // and the flush then costs no time of its own. A failure here surfaces below as a storage failure.
    const synced = Promise.allSettled([...s.files.map((f) => fsyncPath(f.path)), ...(s.rawMessage ? [fsyncPath(s.rawMessage)] : [])]);
    let decision: ScreenDecision;
    let facts: DetectedFacts[];
    try {
      facts = await detectAll(s.files);
      decision = decide(policy, facts, hasBodyText);
    } catch (e) {
      await synced;
      await cleanup(s);
      if (isFaxError(e)) throw e;
      logger.error({ err: (e as Error).message }, 'screening failed');
      throw new FaxError('internal', 'the attachments could not be screened; try again later');
    }

    const id = newId('sub');
    const resolution = s.options?.resolution ?? 'fine';
    const paper = s.options?.paper ?? 'letter';
    const options = {
      resolution, paper, ...(s.coverText ? { coverText: s.coverText } : {}),
      ...(s.source === 'api' && s.receiptTo ? { receiptTo: s.receiptTo.trim().toLowerCase() } : {}),
      ...faxOptions,
      ...pageOptions(account, {
        cover: s.cover, coverText: s.coverText, subject: s.subject ?? '', from: s.source === 'email' ? s.sender : '', recipients,
      }, s.body?.text),
    };

    if (decision.outcome === 'reject') {
      // Refused: record the jobs as `rejected` (failure feedback goes out), keep no content.
      await synced;
      await cleanup(s);
      const reason = decision.reason ?? 'nothing-to-fax';
      const code: 'unsupported-attachment' | 'nothing-to-fax' = reason === 'unsupported-attachment' ? 'unsupported-attachment' : 'nothing-to-fax';
      const message = code === 'unsupported-attachment'
        ? `not faxed: this account refuses a message with any file that cannot be faxed (${describeRefused(decision.files)}); send it again without that file, or as PDF`
        : `nothing to fax: the message has no text and no file that can be faxed${decision.files.length ? ` (${describeRefused(decision.files) || 'no accepted attachment'})` : ''}; attach a PDF, an image or a document, or write the text in the message`;
      let created: ReturnType<JobStore['createSubmission']>;
      try {
        created = jobs.createSubmission({
          id, accountId: account.id, source: s.source, sender: s.sender, dir: '', dedupKey: s.dedupKey, dedupSince,
          files: [], body: undefined, options, policy, recipients, report: decision.files,
          rejected: { reason: `${code}: ${message}`, statusCode: STATUS_CODES[code] },
        });
      } catch (e) {
        logger.error({ err: (e as Error).message }, 'recording a rejected submission failed');
        throw new FaxError('internal', 'temporary storage failure; try again later');
      }
      // Every recipient got its job meanwhile (a concurrent transaction of the same message): that one was answered.
      if (created.duplicate) return toResult(created.submissionId, created.jobs, created.jobs[0]?.files ?? [], true, created.earlier);
      logger.info({ submissionId: id, jobs: created.jobs.map((j) => j.id), reason: code }, 'submission rejected');
      throw new FaxError(code, message, {
        files: decision.files,
        jobs: created.jobs.map((j) => ({ id: j.id, to: j.to, status: j.status })),
        submissionId: created.submissionId,
      });
    }

    // Accepted: move every file (and the raw message) into the submission folder durably, then commit.
    const dir = path.join(submissionsDir, id);
    const stored: StoredFile[] = [];
    try {
      const [flushed] = await Promise.all([synced, mkdirDurable(dir)]);
      const failed = flushed.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const moves: Promise<void>[] = [];
      for (let i = 0; i < s.files.length; i++) {
        const f = s.files[i];
        const name = `f${String(i).padStart(3, '0')}.bin`;
        moves.push(moveDurable(f.path, path.join(dir, name), { synced: true }));
        stored.push({ name: f.name, stored: name, size: f.size, declaredType: f.declaredType, facts: facts[i] });
      }
      if (s.rawMessage) moves.push(moveDurable(s.rawMessage, path.join(dir, 'message.eml'), { synced: true }));
      // Every move settles before any cleanup, so nothing lands in the folder after it is removed.
      const moved = await Promise.allSettled(moves);
      const bad = moved.find((r) => r.status === 'rejected');
      if (bad) throw (bad as PromiseRejectedResult).reason;
      await fsyncDir(dir);
    } catch (e) {
      logger.error({ err: (e as Error).message, submissionId: id }, 'storing the submission failed');
      await removeQuietly(dir);
      await cleanup(s);
      throw new FaxError('internal', 'temporary storage failure; try again later');
    }
    let created: ReturnType<JobStore['createSubmission']>;
    try {
      created = jobs.createSubmission({
        id, accountId: account.id, source: s.source, sender: s.sender, dir, dedupKey: s.dedupKey, dedupSince,
        files: stored, body: s.body, options, policy, recipients, report: decision.files,
      });
    } catch (e) {
      logger.error({ err: (e as Error).message, submissionId: id }, 'committing the submission failed');
      await removeQuietly(dir);
      throw new FaxError('internal', 'temporary storage failure; try again later');
    }
    if (created.duplicate) {
      await removeQuietly(dir);
      return toResult(created.submissionId, created.jobs, created.jobs[0]?.files ?? [], true, created.earlier);
    }
    logger.info({ submissionId: id, source: s.source, jobs: created.jobs.map((j) => j.id), earlier: created.earlier }, 'submission accepted');
    deps.onQueued?.();
    return toResult(id, created.jobs, decision.files, false, created.earlier);
  }

  /** The dry run for POST /v1/screen and `faxgate screen`: the same detection and rule, nothing stored. */
  async function screenOnly(accountId: string, files: SubmissionFile[], hasBodyText: boolean): Promise<ScreenDecision> {
    const account = accounts.get(accountId);
    if (!account) throw new FaxError('forbidden', 'unknown account');
    const opened = await unpacker.unpack(withCleanNames(files), { bodyIsBlank: !hasBodyText });
    return decide(account.settings.outgoing.unsupportedFiles, await detectAll(opened), hasBodyText);
  }

  return { checkRecipient, checkFromHeader, submit, screenOnly };
}

export type Intake = ReturnType<typeof createIntake>;
