// What the inbound module shows to the API, CLI and feedback, and the narrow shapes of the parts it depends on.
import type { Readable } from 'node:stream';
import type { DB } from '../store/db.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { AccountStore } from '../settings/types.js';
import type { Clock } from '../domain/types.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Detector } from '../attachments/detect.js';
import type { Renderer } from '../render/index.js';

export type InboundStatus = 'stored' | 'deleted';

/** A received fax, or its tombstone (status `deleted`: numbers and size are gone, times and pages stay). */
export interface InboundFax {
  id: string;
  accountId: string;
  status: InboundStatus;
  from: string | null;
  to: string | null;
  /** the sender's station id (TSI) as the far fax machine announced it, when the line reports one; null once deleted */
  remoteId: string | null;
  /** the call ended before the whole document arrived (the line said so): pages may be missing */
  partial: boolean;
  pages: number;
  size: number | null;
  receivedAt: string;
  imageUrl: string | null;
  retrievalCount: number;
  firstRetrievedAt: string | null;
  lastRetrievedAt: string | null;
  /** api:key_<key id> (or `cli`/`admin`) of the last complete image download */
  lastRetrievedBy: string | null;
  deletedAt: string | null;
  deletedBy: string | null;
  deletedReason: 'retrieved' | 'deleted' | null;
}

export interface InboundPage { items: InboundFax[]; nextCursor: string | null }

export type ImageFormat = 'tiff' | 'pdf';

export interface InboundImage {
  path: string;
  size: number;
  contentType: string;
  filename: string;
  stream: Readable;
  /** Call once the whole body was handed to the client: records the retrieval and, if the account asks, deletes. */
  onComplete(): Promise<void>;
  /** Call when the response was interrupted: releases the fax without recording anything. */
  onAbort(): void;
}

/** The notice given to feedback inside the transaction that records the fax. */
export type { InboundNotice } from '../domain/types.js';
import type { InboundNotice } from '../domain/types.js';

export interface InboundFeedback {
  onInboundReceived(n: InboundNotice): unknown;
  /** drop the numbers kept in notification rows once the fax is deleted for good */
  forgetInbound?(id: string): unknown;
}

/** What receiving needs of the renderer (src/render): normalising a received TIFF/PDF, and its PDF. */
export type InboundRenderer = Pick<Renderer, 'renderDoc' | 'toPdf'>;

/** What receiving needs of the detector (src/attachments). */
export type InboundDetector = Pick<Detector, 'detect'>;

/** The received faxes' rows (table `inbound_faxes`): the SQLite implementation is ./store.ts (createSqliteInboundStore). */
export interface InboundStore {
  insert(f: {
    id: string; accountId: string; to: string; from: string; pages: number; size: number; receivedAt: string;
    remoteId?: string; lineKey?: string; partial?: boolean;
  }): void;
  /** The fax a line already handed over under this key (a repeated hand-over after a crash), tombstones included. */
  byLineKey(key: string): InboundFax | null;
  /** Another account's fax is indistinguishable from a missing one. */
  mustGet(accountId: string, id: string): InboundFax;
  list(accountId: string, opts: { limit?: number; cursor?: string | null; filters?: InboundFilters }): InboundPage;
  /** Count a complete download; with `andDelete` the same update turns the row into a tombstone. False if already gone. */
  recordRetrieval(accountId: string, id: string, by: string, at: string, andDelete: boolean): boolean;
  /** The tombstone keeps id, account, times, page count and who; the numbers, TSI and size are blanked (the line key stays). */
  tombstone(accountId: string, id: string, by: string, at: string): boolean;
  markPurged(id: string, at: string): void;
  unpurged(): string[];
  exists(id: string): boolean;
  isPurged(id: string): boolean;
}

export interface InboundDeps {
  db: DB;
  /** the unit of work a received fax and its announcements (feedback's and mail's outbox rows) commit in; by default one over `db` */
  unit?: UnitOfWork;
  accounts: Pick<AccountStore, 'findByInboundNumber' | 'get'>;
  renderer: InboundRenderer;
  detector: InboundDetector;
  feedback?: InboundFeedback;
  clock: Clock;
  config: Pick<Config, 'dataDir' | 'publicUrl' | 'maxPages' | 'maxMessageBytes' | 'renderTimeoutMs'>;
  logger: Logger;
}

/** GET /v1/inbound's filters (those of GET /v1/faxes that apply to a received fax); times are ISO 8601 UTC. */
export interface InboundFilters {
  status?: ('stored' | 'deleted')[];
  /** the called number (one of the account's inbound numbers), E.164 */
  to?: string;
  /** received at or after */
  from?: string;
  /** received before */
  until?: string;
}
