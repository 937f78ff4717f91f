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
  /** Transmit one fax; resolves with the outcome, never throws for a call-level failure. */
  send(fax: OutgoingFax, signal?: AbortSignal): Promise<LineOutcome>;
}
