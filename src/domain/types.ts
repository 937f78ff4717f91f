// Shared domain vocabulary: detected facts, per-file verdicts, screen decisions and settings shapes.

/** Why a file is not faxed (docs/screen.md §3), plus `inline` for images that belong to an HTML body. */
export const REASON_CODES = [
  'unsupported-type', 'unknown-type', 'empty', 'too-large', 'encrypted', 'damaged', 'too-many-pages', 'too-many-pixels',
  // Issue #12.3: content that inflates past the document budget or expands like a compression bomb.
  'too-complex',
  // Issue 19: a winmail.dat or Outlook .msg that holds no file and no message text.
  'nothing-inside',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];
export type Verdict = 'accepted' | ReasonCode | 'inline';

/** What detection and preflight observed about one file's bytes. Facts only: no policy. */
export interface DetectedFacts {
  name: string;
  size: number;
  declaredType?: string;
  /** registry id, or null when the content matches no known type */
  detected: string | null;
  mime?: string;
  /** declared Content-Type disagrees with the detected type */
  mismatch: boolean;
  /** page count (PDF pages, TIFF directories, 1 for single images) when known without rendering */
  pages?: number;
  width?: number;
  height?: number;
  encrypted?: boolean;
  damaged?: boolean;
  /** a human note on why it is damaged / what was seen */
  note?: string;
  /** an image that belongs to an HTML body (multipart/related, cid:) */
  inline?: boolean;
  /** text whose content is only whitespace (screened as `empty`) */
  blank?: boolean;
  /** for text: the charset to decode it with (utf-8, utf-16le/be, or the declared legacy charset) */
  charset?: string;
  /** a known type in a variant no installed decoder handles (e.g. TIFF with LZMA compression): human text */
  unsupportedVariant?: string;
  /** PDF: decoded bytes of its non-image streams (Flate, LZW, run-length, ASCII85/hex, none), counted up to just past the limit */
  inflatedBytes?: number;
  /** PDF: the highest expansion (output ÷ stored bytes) of one stream that inflated past 1 MB */
  inflateRatio?: number;
  /** PDF: the image with the most declared pixels (Width × Height), whatever its compression */
  pdfImage?: { width: number; height: number };
  /** PDF: streams found, counted up to just past the most that are measured */
  pdfStreams?: number;
  /** HTML: references to remote images, style sheets and frames, which are never fetched (left out of the page) */
  remoteRefs?: number;
  /** a winmail.dat or attached .msg that was not opened into its files, and why (the screen gives its verdict) */
  container?: 'nothing-inside' | 'damaged' | 'too-deep' | 'too-many' | 'too-large';
  /** PDF: measuring its streams ran out of its time before the end */
  inflateTimedOut?: boolean;
}

/** One line of the per-file report shown in SMTP replies, API responses, job records and feedback. */
export interface FileReport {
  name: string;
  size: number;
  declaredType?: string;
  detected: string | null;
  mime?: string;
  verdict: Verdict;
  /** human-readable reason when not accepted */
  reason?: string;
  /** what is left out of an accepted file: an HTML page's remote images and style sheets (nothing is fetched) */
  note?: string;
  pages?: number;
}

export interface ScreenDecision {
  outcome: 'accept' | 'reject';
  reason?: 'unsupported-attachment' | 'nothing-to-fax';
  files: FileReport[];
}

export type UnsupportedFilesPolicy = 'ignore' | 'reject';
export type Resolution = 'standard' | 'fine' | 'superfine';
export type Paper = 'letter' | 'a4';

export interface IntegrationSettings {
  feedbackUrl: string;
  incoming: { feedbackMethod: 'never' | 'http-post' | 'xml'; deleteAfterRetrieval: boolean };
  outgoing: {
    feedbackWhen: 'always' | 'never' | 'success' | 'failure';
    feedbackMethod: 'http-post' | 'xml';
    unsupportedFiles: UnsupportedFilesPolicy;
    /** calls after the first before a busy/no-answer fax fails (0–5); absent: FAXGATE_RETRY_ATTEMPTS − 1 */
    retries?: number;
    /** `final` (absent): one feedback when the fax ends; `all`: also when it is queued and when a call starts */
    feedbackEvents?: 'final' | 'all';
  };
  designatedFaxNumber?: string;
  /** the account's IANA time zone: the header line's and the cover page's date and time (docs/settings.md §2) */
  timezone: string;
  /** the header line on every sent page (docs/pages.md §1) */
  header: { enabled: boolean; format: string };
  /** who the pages say sent them: name and number in the header, the station id (TSI) the line announces */
  sender: { name: string; faxNumber: string; csid: string };
  /** the cover page (docs/pages.md §3): off unless the account or the submission asks for it */
  cover: { enabled: boolean; notice: string };
  /** mail to people (docs/mail.md); absent on accounts made before it: read through emailSettings() */
  email?: EmailSettings;
}

export type ReceiptWhen = 'always' | 'never' | 'success' | 'failure';
export type ReceiptAttachment = 'none' | 'first-page' | 'pdf';
export type FaxToEmailFormat = 'pdf' | 'link' | 'notice';

/** Where a received fax is mailed: `number` is one of the account's inbound numbers, or `*` for the rest. */
export interface FaxToEmailRule { number: string; to: string[]; format: FaxToEmailFormat }

export interface EmailSettings {
  receipts: ReceiptWhen;
  receiptAttachment: ReceiptAttachment;
  faxToEmail: FaxToEmailRule[];
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What feedback is told of a newly received fax, inside the transaction that records it (never image bytes). */
export interface InboundNotice {
  id: string;
  accountId: string;
  from: string;
  to: string;
  pages: number;
  receivedAt: string;
  imageUrl: string;
  /** the sending station's id (CSID/TSI) as the line reported it */
  remoteId?: string;
}

/** The message body of an email submission, kept with the submission and faxed on its own pages. */
export interface SubmissionBody { from: string; to: string; subject: string; date: string; text: string }

/** The header line a submission keeps from its account's settings at intake (docs/pages.md §1). */
export interface PageHeaderSpec { format: string; timezone: string; senderName: string; senderNumber: string; csid: string; subject?: string }

/** The cover page a submission asked for (docs/pages.md §3), laid out when the fax is rendered. */
export interface CoverSpec { to: string[]; from: string; senderNumber: string; subject: string; text: string; notice: string; timezone: string }

/** How a submission's pages are made and sent, fixed at intake (stored as JSON with the submission). */
export interface SubmissionOptions {
  resolution: Resolution;
  paper: Paper;
  coverText?: string;
  header?: PageHeaderSpec;
  cover?: CoverSpec;
  /** the station id (TSI) the line announces for this fax */
  csid?: string;
  /** an API submission's receipt address (a registered sender of the account, checked by intake) */
  receiptTo?: string;
  /** the caller's reference (≤ 100 characters), copied to each job and echoed in every feedback */
  clientReference?: string;
  /** this fax's feedback URL instead of the account's feedbackUrl (same SSRF guard and signing) */
  callbackUrl?: string;
  /** calls per job before it fails (1 + the submission's retries, else the account's outgoing.retries) */
  maxAttempts?: number;
  /** not dialled before this time (ISO 8601, UTC): the jobs wait `scheduled` once rendered */
  sendAt?: string;
}

/** One stored file of a submission (written by intake, read back by the render worker). */
export interface StoredFile {
  name: string;
  /** file name inside the submission folder */
  stored: string;
  size: number;
  declaredType?: string;
  facts: DetectedFacts;
}
