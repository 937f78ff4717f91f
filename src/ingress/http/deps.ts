// What the web service needs from the rest of the system, as narrow structural ports; main.ts passes the real parts.
import { existsSync } from 'node:fs';
import { sentTiffPath } from '../../jobs/workers.js';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config.js';
import type { DB } from '../../store/db.js';
import type { Logger } from '../../logger.js';
import type { Clock, FileReport, Paper, Resolution, ScreenDecision } from '../../domain/types.js';
import type { JobSnapshot } from '../../domain/jobs.js';
import type { Account, AccountStore } from '../../settings/types.js';
import type { TypeRegistryPort } from '../../attachments/registry.js';

/** A file already streamed to disk by the HTTP adapter (intake moves it durably). */
export interface UploadedFile {
  name: string;
  path: string;
  size: number;
  declaredType?: string;
}

export interface ApiSubmission {
  source: 'api';
  accountId: string;
  sender: string;
  recipients: string[];
  files: UploadedFile[];
  coverText?: string;
  /** a cover page or not (absent: the account's default) */
  cover?: boolean;
  /** its [cover]-style modifiers are applied by intake, as for an email's subject */
  subject?: string;
  options?: { resolution?: Resolution; paper?: Paper };
  receiptTo?: string;
  clientReference?: string;
  callbackUrl?: string;
  retries?: number;
  sendAt?: string;
}

export interface ApiIntakeResult {
  submissionId: string;
  jobs: { id: string; to: string; status: string }[];
  files: FileReport[];
  duplicate?: boolean;
}

export interface IntakePort {
  /** Normalise one recipient to E.164 under the account's rules; throws invalid-number / not-designated-number. */
  checkRecipient(account: Account, raw: string): string;
  /** The one submit(): throws unsupported-attachment / nothing-to-fax with `{ files }`. */
  submit(submission: ApiSubmission): Promise<ApiIntakeResult>;
  /** Dry run of the shared screen under the account's settings. */
  screenOnly(accountId: string, files: UploadedFile[], hasBodyText: boolean): Promise<ScreenDecision>;
}

export interface JobEventView {
  at: string;
  from?: string | null;
  to: string;
  note?: string | null;
}

export interface JobsPort {
  /** The job when it belongs to this account, else undefined (the API answers 404 either way). */
  get(accountId: string, id: string): JobSnapshot | undefined;
  events(jobId: string): JobEventView[];
  /** the job's transmission attempts, oldest first (src/jobs/attempts.ts) */
  attempts(jobId: string): import('../../jobs/attempts.js').AttemptRecord[];
  /** the job's submission: the station id it is sent with (docs/pages.md §2) */
  submission(id: string): { options: { csid?: string } } | undefined;
  /** the jobs that re-send this one (POST /v1/faxes/{id}/resend) */
  resendsOf(id: string): string[];
}

/** Where a job's rendered fax lives and how to make its PDF (CCITT passthrough). */
export interface ImagesPort {
  /** Path of the rendered TIFF, or undefined while not rendered yet. */
  tiffPath(job: JobSnapshot): string | undefined;
  toPdf(tiffPath: string, pdfPath: string): Promise<unknown>;
}

export interface FeedbackPort {
  /** Delivery attempts recorded for a job (shown on GET /v1/faxes/{id}). */
  deliveriesFor(jobId: string): unknown[];
  /** POST /v1/faxes/{id}/feedback/redeliver (src/feedback); throws not-found / invalid-state. */
  redeliver(accountId: string, jobId: string): { webhookId: string; deliveryId: string };
}

/**
 * Everything route plugins may use, all of it required: main.ts wires the real parts and tests build the same set
 * (test/ingress/http/harness.ts), so no route has a "not wired" branch.
 */
export interface HttpDeps {
  config: Config;
  db: DB;
  accounts: AccountStore;
  clock: Clock;
  /**
   * This server process (random, made at start). Idempotency claims held by any other instance are those of a
   * process that died (one server per data folder), so they are taken over at once.
   */
  instanceId: string;
  /** the gate and worker decoding of large JSON bodies, one per server (issue #12.7) */
  jsonBodies: import('./json-bodies.js').JsonBodies;
  logger: Logger;
  intake: IntakePort;
  jobs: JobsPort;
  images: ImagesPort;
  /** the type registry's rows and the admin's change (src/attachments/registry.ts) */
  registry: TypeRegistryPort;
  feedback: FeedbackPort;
  /** cancel, resend and the list of outgoing faxes (src/jobs/service.ts) */
  faxes: import('../../jobs/service.js').FaxService;
  /** failed-authentication counters shared by every route and the web pages (issue #12.8) */
  throttle: import('./throttle.js').FailureThrottle;
  /** received faxes (src/inbound) */
  inbound: import('../../inbound/service.js').InboundService;
  /** GET /metrics (src/metrics): the exposition text of this gateway's registry */
  metrics: { contentType: string; render(): Promise<string> };
  /** GET /readyz (src/health) */
  health: import('../../health/index.js').Health;
  /** carrier lines by name (Telnyx): their signed webhooks and the signed links to outgoing pages (/v1/carrier/…) */
  carriers?: (name: string) => import('../../lines/index.js').CarrierEndpoint | undefined;
}

/**
 * The images port over the job store's submission rows and the renderer's TIFF→PDF (what main.ts wires). A job that
 * went to its line shows its pages as sent (with its header line, docs/pages.md §1), else the rendered fax.
 */
export function jobImages(
  jobs: { submission(id: string): { tiffPath: string | null; dir?: string } | undefined },
  toPdf: ImagesPort['toPdf'],
): ImagesPort {
  return {
    tiffPath: (job) => {
      const sub = jobs.submission(job.submissionId);
      if (!sub?.tiffPath) return undefined;
      const sent = sub.dir ? sentTiffPath(sub.dir, job.id) : undefined;
      return sent && existsSync(sent) ? sent : sub.tiffPath;
    },
    toPdf,
  };
}

/**
 * A route plugin receives the shared deps. Declared here, not in app.ts, so a route file never imports the app that
 * registers it (issue 13: app.ts and every route file were one cycle).
 */
export type RoutePlugin = FastifyPluginAsync<{ deps: HttpDeps }>;

/** One entry of the app's route list; createHttpApp registers the list it is given, in order. */
export interface RouteEntry { name: string; plugin: RoutePlugin }
