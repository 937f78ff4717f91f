// HylaFAX job states and status codes (faxd/STATUS.txt) mapped to the typed outcomes of the fax line boundary.
import type { LineResult } from '../types.js';

/** JPARM STATE answers (faxq's job states 1..8). */
export type HylafaxJobState = 'SUSPENDED' | 'PENDING' | 'SLEEPING' | 'BLOCKED' | 'READY' | 'ACTIVE' | 'DONE' | 'FAILED';

export const FINAL_STATES: ReadonlySet<string> = new Set(['DONE', 'FAILED']);

/**
 * The call-failure texts (STATUS.txt 000-012) as HylaFAX words them. With MAXDIALS 1 the job usually ends with 333
 * "<one of these>; too many attempts to dial", so the real reason is read back from the text.
 */
const CALL_TEXTS: [RegExp, number][] = [
  [/^busy signal detected/i, 1],
  [/^no carrier detected/i, 2],
  [/^no answer from remote/i, 3],
  [/^no local dialtone/i, 4],
  [/^invalid dialing command/i, 5],
  [/^unknown problem/i, 6],
  [/^carrier established, but phase a failure/i, 7],
  [/^data connection established/i, 8],
  [/^glare/i, 9],
  [/^blacklisted by modem/i, 10],
  [/^ringback detected, no answer/i, 11],
  [/^ring detected without successful handshake/i, 12],
];

/** What each call-failure code means for the fax. */
const CALL_RESULT: Record<number, LineResult> = {
  1: 'busy',
  2: 'no-carrier',
  3: 'no-answer',
  // our own line has no dial tone: a fault on the line's side, not the called number's
  4: 'internal',
  5: 'rejected',
  // the modem gave no dial result before its timeout: in practice a call nobody answered
  6: 'no-answer',
  7: 'no-carrier',
  8: 'not-a-fax',
  // an incoming call took the line as it dialled: as good as busy, worth another try
  9: 'busy',
  10: 'rejected',
  11: 'no-answer',
  12: 'no-carrier',
};

export interface HylafaxFinal {
  state: string;
  /** STATUSCODE, e.g. "333" (000 for none) */
  code: string;
  /** STATUS, e.g. "No answer from remote; too many attempts to dial" */
  text: string;
  pagesSent: number;
}

const CANCELLED_TEXT = /aborted by (request|user)|interrupted by user|operator intervention/i;

/** The typed result of a final HylaFAX job (state DONE or FAILED). */
export function hylafaxResult(f: HylafaxFinal): LineResult {
  const code = Number.parseInt(f.code, 10) || 0;
  if (f.state === 'DONE') return 'sent';
  // The reason a dial or try limit wraps ("No answer from remote; too many attempts to dial").
  const reason = f.text.split(';')[0].trim().replace(/^REJECT:\s*/i, '');
  const wrapped = CALL_TEXTS.find(([re]) => re.test(reason))?.[1];
  if (code === 344 || code === 345 || code === 129 || code === 280 || code === 301 || CANCELLED_TEXT.test(f.text)) return 'cancelled';
  if (code === 333 || code === 334) {
    if (wrapped !== undefined) return CALL_RESULT[wrapped];
    return afterAnswer(f.pagesSent);
  }
  if (code >= 1 && code <= 12) return CALL_RESULT[code];
  if (wrapped !== undefined) return CALL_RESULT[wrapped];
  // Kill time, bad dial string, unregistered modem, invalid job, too many pages, JobControl and TSI/PWD refusals.
  if (code === 325 || (code >= 327 && code <= 332) || code === 335 || code === 336 || code === 348 || code === 350 || code === 351) return 'rejected';
  // The document and the far machine (or our modem) cannot agree on resolution, width, length or coding.
  if (code >= 400 && code <= 419) return 'rejected';
  // T.30 failures once the far end answered (Class 1 and Class 2 codes), including 128 "remote disconnected".
  if ((code >= 50 && code < 300) || code === 337 || code === 338 || code === 339 || code === 342) return afterAnswer(f.pagesSent);
  return 'internal';
}

/** A fax session that failed once the far end answered: dropped if pages had gone, else no working fax at the far end. */
function afterAnswer(pagesSent: number): LineResult {
  return pagesSent > 0 ? 'line-dropped' : 'no-carrier';
}

const MESSAGES: Record<LineResult, string> = {
  sent: 'sent',
  busy: 'the line was busy',
  'no-answer': 'no answer',
  'no-carrier': 'answered, but no fax tones',
  'not-a-fax': 'the called number is not a fax machine',
  'line-dropped': 'the line dropped during the call',
  rejected: 'the fax line refused the fax',
  cancelled: 'cancelled',
  internal: 'the fax line failed on its own side',
};

/** Human text for the job record: the typed meaning, with HylaFAX's own words for what is not plain from it. */
export function hylafaxMessage(result: LineResult, f: HylafaxFinal, pages: { sent: number; total?: number }): string {
  if (result === 'sent') return `sent ${pages.sent} page${pages.sent === 1 ? '' : 's'}`;
  const base = MESSAGES[result];
  const text = f.text.trim();
  if (result === 'line-dropped' && pages.total) return `${base} after ${pages.sent} of ${pages.total} pages (${text})`;
  return text && (result === 'rejected' || result === 'internal' || result === 'line-dropped') ? `${base}: ${text}` : base;
}
