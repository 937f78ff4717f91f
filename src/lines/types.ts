// The fax line boundary: where the sandbox, a T.38 gateway or a carrier API plugs in. Kept deliberately narrow.

export type LineResult = 'sent' | 'busy' | 'no-answer' | 'not-a-fax' | 'line-dropped';

export interface LineOutcome {
  result: LineResult;
  pagesSent: number;
  /** human text for the job record and feedback */
  message: string;
}

export interface OutgoingFax {
  jobId: string;
  to: string;
  tiffPath: string;
  pages: number;
}

export interface FaxLine {
  readonly name: string;
  /**
   * Transmit one fax; resolves with the outcome, never throws for a call-level failure. When `signal` aborts (a
   * shutdown), the line either hangs up before the fax is complete and rejects with an `AbortError` — a promise that
   * nothing was delivered, so the job is queued again — or finishes the call and resolves as usual. A call cut off by
   * a kill leaves no outcome at all: the job store then reports it "maybe sent" and never dials it again on its own
   * (an adapter for a real line could instead look the call up in the line's own records at restart).
   */
  send(fax: OutgoingFax, signal?: AbortSignal): Promise<LineOutcome>;
}
