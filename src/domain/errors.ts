// The one error catalogue: every refusal has a stable code carrying its SMTP reply, enhanced code and HTTP status.
// Adapters translate a FaxError with this table; nothing falls through to a protocol's default.

export interface CatalogueEntry {
  smtp: number;
  enhanced: string;
  http: number;
  title: string;
}

export const CATALOGUE = {
  'relay-denied': { smtp: 550, enhanced: '5.7.1', http: 403, title: 'Relaying denied: not a fax domain' },
  'invalid-number': { smtp: 553, enhanced: '5.1.3', http: 400, title: 'Malformed fax number' },
  'not-designated-number': {
    smtp: 550, enhanced: '5.7.1', http: 403,
    title: 'Developer accounts may only fax their designated fax number',
  },
  'sender-not-registered': { smtp: 550, enhanced: '5.7.1', http: 403, title: 'Sender is not registered for fax' },
  // One From field holding one plain mailbox (issue #12.1): anything else may read as different identities to the
  // registered-sender check and to DMARC, so it is refused for good, whatever the DMARC setting.
  'from-header-invalid': { smtp: 550, enhanced: '5.7.1', http: 400, title: 'The From header must be exactly one plain mailbox' },
  'sender-auth-failed': { smtp: 550, enhanced: '5.7.1', http: 403, title: 'Sender failed authentication (DMARC)' },
  // RFC 7489 §6.6.2: a DNS failure while checking DMARC is temporary, so the client retries rather than bounces.
  'sender-auth-temperror': { smtp: 451, enhanced: '4.7.0', http: 503, title: 'Sender authentication (DMARC) could not be checked, try again later' },
  'too-many-recipients': { smtp: 452, enhanced: '4.5.3', http: 400, title: 'Too many recipients' },
  'message-too-large': { smtp: 552, enhanced: '5.3.4', http: 413, title: 'Message too large' },
  'unsupported-attachment': {
    smtp: 554, enhanced: '5.6.1', http: 415, title: 'Unsupported attachment and the account rejects such jobs',
  },
  'nothing-to-fax': { smtp: 554, enhanced: '5.6.0', http: 422, title: 'Nothing to fax' },
  'bare-line-ending': { smtp: 554, enhanced: '5.6.0', http: 400, title: 'Bare CR or LF line endings are not allowed' },
  'no-recipients': { smtp: 554, enhanced: '5.5.1', http: 400, title: 'No valid recipients' },
  // Issue #12.2: limits that end an SMTP session (421 closes the connection; the client may come back later).
  'too-many-connections': { smtp: 421, enhanced: '4.7.0', http: 429, title: 'Too many connections from your address, try again later' },
  'session-too-long': { smtp: 421, enhanced: '4.4.2', http: 408, title: 'Session time limit reached, closing connection' },
  'too-many-commands': { smtp: 421, enhanced: '4.7.0', http: 429, title: 'Too many commands without a message, closing connection' },
  // Issue #12.9: STARTTLS without a configured certificate (a permanent condition, see ingress/smtp/server.ts).
  'tls-not-available': { smtp: 502, enhanced: '5.5.1', http: 501, title: 'TLS is not offered: no certificate is configured' },
  // Issue #12.7: large JSON bodies (base64 files) are received a few at a time; the client retries after Retry-After.
  'too-many-uploads': { smtp: 451, enhanced: '4.7.0', http: 429, title: 'Too many large uploads at once from this account, try again later' },
  'server-busy': { smtp: 421, enhanced: '4.3.2', http: 503, title: 'The server is busy with other large uploads, try again later' },
  'internal': { smtp: 451, enhanced: '4.3.0', http: 500, title: 'Temporary internal failure, try again later' },
  'unauthorized': { smtp: 530, enhanced: '5.7.0', http: 401, title: 'Missing or invalid API key' },
  // Issue #12.8: a client (or a credential) in backoff after repeated failed authentications; Retry-After says when.
  'auth-throttled': { smtp: 454, enhanced: '4.7.0', http: 429, title: 'Too many failed authentication attempts, try again later' },
  'forbidden': { smtp: 550, enhanced: '5.7.1', http: 403, title: 'Not allowed' },
  'not-found': { smtp: 550, enhanced: '5.1.1', http: 404, title: 'Not found' },
  'gone': { smtp: 550, enhanced: '5.1.1', http: 410, title: 'Gone' },
  'invalid-request': { smtp: 501, enhanced: '5.5.4', http: 400, title: 'Invalid request' },
  'receipt-not-sender': { smtp: 550, enhanced: '5.7.1', http: 422, title: 'Receipt address is not a registered sender of the account' },
  // A request body in a media type the route does not take (text/plain, a form, XML); the problem lists the accepted.
  'unsupported-media-type': { smtp: 554, enhanced: '5.6.0', http: 415, title: 'Unsupported media type' },
  'invalid-settings': { smtp: 501, enhanced: '5.5.4', http: 400, title: 'Invalid settings' },
  'type-unavailable': { smtp: 501, enhanced: '5.5.4', http: 409, title: 'The type has no working renderer on this host' },
  'idempotency-conflict': { smtp: 451, enhanced: '4.3.0', http: 409, title: 'Idempotency-Key reused with a different request' },
  'not-ready': { smtp: 451, enhanced: '4.3.0', http: 409, title: 'Not ready yet' },
  'invalid-state': { smtp: 451, enhanced: '4.3.0', http: 409, title: 'Not possible in the current state' },
  // Issue 18: the fax API's cancel, resend, schedule and list.
  'fax-finished': { smtp: 550, enhanced: '5.3.0', http: 409, title: 'The fax has already finished and cannot be cancelled' },
  'nothing-to-resend': { smtp: 550, enhanced: '5.3.0', http: 409, title: 'The fax was never rendered, so there is nothing to resend' },
  'invalid-send-at': { smtp: 550, enhanced: '5.5.4', http: 422, title: 'sendAt must be an ISO 8601 time with an offset, at most 30 days ahead' },
  'invalid-cursor': { smtp: 501, enhanced: '5.5.4', http: 400, title: 'The cursor is not one this server gave out' },
  'malformed-message': { smtp: 554, enhanced: '5.6.0', http: 400, title: 'The message cannot be parsed' },
  // Issue #17: `faxgate serve` cannot start; the CLI prints one line naming the port or folder and what to do.
  'port-in-use': { smtp: 421, enhanced: '4.3.0', http: 503, title: 'The port is in use by another program' },
  'port-unavailable': { smtp: 421, enhanced: '4.3.0', http: 503, title: 'The port cannot be listened on' },
  'data-folder-in-use': { smtp: 421, enhanced: '4.3.0', http: 503, title: 'Another faxgate serve is using the data folder' },
  // Issue 21: a carrier's webhook (Telnyx) that faxgate will not act on; the carrier's own deliveries never see these.
  'webhook-unsigned': { smtp: 550, enhanced: '5.7.0', http: 401, title: 'The webhook carries no signature' },
  'webhook-signature-invalid': { smtp: 550, enhanced: '5.7.0', http: 401, title: 'The webhook signature does not match' },
  'webhook-stale': { smtp: 550, enhanced: '5.7.0', http: 401, title: 'The webhook timestamp is too far from the server clock (replayed or stale)' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof CATALOGUE;

/** A refusal with a stable code; `details` carries structured data such as the per-file report or field errors. */
export class FaxError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? CATALOGUE[code].title);
    this.name = 'FaxError';
    this.code = code;
    this.details = details;
  }
  get entry(): CatalogueEntry {
    return CATALOGUE[this.code];
  }
}

export function isFaxError(e: unknown): e is FaxError {
  return e instanceof FaxError;
}

/** SMTP reply text for an error: enhanced code first, as RFC 3463 asks. */
export function smtpReply(e: FaxError): { responseCode: number; message: string } {
  const { smtp, enhanced } = e.entry;
  return { responseCode: smtp, message: `${enhanced} ${e.message}` };
}
