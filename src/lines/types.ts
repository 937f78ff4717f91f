// The fax line boundary: hand a fax over, follow it to its end, re-attach after a restart, cancel it, check health.

/** Why a call did not deliver the fax, as fax users know the reasons. */
export type LineReason =
  | 'busy'
  | 'no-answer'
  /** dialled, answered, but no fax tones (a voice line, a modem that never trained) */
  | 'no-carrier'
  | 'not-a-fax'
  /** the call dropped after it started sending pages */
  | 'line-dropped'
  /** the line refused the fax (bad number, document it cannot send, kill time expired, blocked) */
  | 'rejected'
  /** cancelled on request before or during the call */
  | 'cancelled'
  /** the line failed on its own side (a modem error, a server fault) */
  | 'internal';

export type LineResult = 'sent' | LineReason;

/** Outcomes faxgate dials again (faxgate alone owns retries: every line is told to try once). */
export const RETRYABLE_RESULTS: ReadonlySet<LineResult> = new Set<LineResult>(['busy', 'no-answer', 'no-carrier']);

export interface LineOutcome {
  result: LineResult;
  pagesSent: number;
  /** pages the line was given, when it reports them */
  pagesTotal?: number;
  /** seconds on the line for this call, when known */
  durationSeconds?: number;
  /** the remote station's id (CSID) as the far machine announced it */
  remoteId?: string;
  /** the id this side announced (TSI), when the line sets it */
  localId?: string;
  /** the line's own status code and text (HylaFAX statuscode/status, a carrier's failure_reason) */
  lineCode?: string;
  lineText?: string;
  /** human text for the job record and feedback */
  message: string;
}

export interface OutgoingFax {
  jobId: string;
  /** the job's attempt number: with jobId the key under which the line job is found again */
  attempt: number;
  to: string;
  tiffPath: string;
  pages: number;
  /** vertical resolution of the rendered pages in lines per inch (98 standard, 196 fine, 391 superfine) */
  lpi?: number;
  /** who asked for the fax (shown in the line's own records) */
  from?: string;
  /** the station id (TSI) to announce: up to 20 of ITU-T T.30's digits, "+" and space (the account's sender.csid) */
  localId?: string;
}

/** The line's own reference for a handed-over fax; stored with the attempt, opaque to the rest of faxgate. */
export type LineJobRef = string;

export interface SubmitHooks {
  /**
   * Called once the line knows its own job reference and before it commits the fax to be sent: the worker records it
   * durably (the attempt's "dialled" step). False means the claim was lost meanwhile: the line drops the prepared fax
   * unsent and `submit` resolves undefined.
   */
  handedOver(ref: LineJobRef): boolean;
}

export interface LineHealth {
  ok: boolean;
  /** one line for `faxgate lines list|test` and /readyz, e.g. "hfaxd 127.0.0.1:4559: 2 modems idle" */
  detail: string;
}

/** A line that has no record of a reference it was asked about (never committed, or purged long after it ended). */
export class LineJobUnknownError extends Error {
  override readonly name = 'LineJobUnknownError';
}

/** The line cannot take a fax right now (server down, login refused): nothing was handed over. */
export class LineUnavailableError extends Error {
  override readonly name = 'LineUnavailableError';
}

/** Told the count of pages through so far during a call. */
export type PageHook = (pagesSent: number) => void;

export interface FaxLine {
  readonly name: string;
  /** sandbox, hylafax, … */
  readonly kind: string;
  /**
   * True when the line keeps its jobs while faxgate is down (HylaFAX's queue): after a restart a recorded reference
   * is tracked again, never resubmitted. False for a call that lives in this process (the sandbox): a restart during
   * such a call leaves the fax "maybe sent".
   */
  readonly durable: boolean;
  /**
   * Hand the fax over, told to try once. Resolves with the line's reference after `hooks.handedOver` accepted it, or
   * undefined when the hook refused. Rejects with LineUnavailableError when nothing could be handed over, and with an
   * AbortError when `signal` aborted before the fax was committed.
   */
  submit(fax: OutgoingFax, hooks: SubmitHooks, signal?: AbortSignal): Promise<LineJobRef | undefined>;
  /**
   * Follow a handed-over fax until its call is final. When `signal` aborts (a shutdown): a durable line stops
   * watching and rejects with an AbortError, leaving the fax to its line (the next start resumes); a line without
   * memory hangs up and rejects with an AbortError only if nothing was delivered. Rejects with LineJobUnknownError
   * when the line has no such job. `onPage` is told the count of pages through so far, as the line learns it
   * (progress feedback, outgoing.feedbackEvents `all`); a line that cannot see pages during the call never calls it.
   */
  track(ref: LineJobRef, fax: OutgoingFax, signal?: AbortSignal, onPage?: PageHook): Promise<LineOutcome>;
  /** Stop a handed-over fax: `cancelled` when it will not be (further) sent, `finished` when it already ended. */
  cancel(ref: LineJobRef): Promise<'cancelled' | 'finished' | 'unknown'>;
  /** Whether the line can take faxes now. Never throws. */
  check(): Promise<LineHealth>;
}
