// The outgoing mail relay (FAXGATE_SMTP_RELAY): parsing the URL, describing it without credentials, one send through nodemailer.
import { createTransport } from 'nodemailer';
import type { RelaySpec } from '../config.js';

export { parseRelay, type RelaySpec } from '../config.js';

/** What logs, /readyz and `serve` may show of the relay: scheme, host and port, and whether it logs in, never who. */
export function describeRelay(r: RelaySpec): string {
  return `${r.secure ? 'smtps' : 'smtp'}://${r.host}:${r.port}${r.user ? ' (with login)' : ''}`;
}

/** One outgoing message as the outbox stores it; the envelope sender is always empty (MAIL FROM:<>). */
export interface OutgoingMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  attachments?: { filename: string; contentType: string; content: Buffer }[];
}

/**
 * What one attempt came to: `sent` (the relay took it for at least one recipient), `retry` (4xx, connection, TLS,
 * timeout, login: waiting may help) or `refused` (5xx for the message or every recipient: waiting does not help).
 */
export type SendOutcome =
  | { outcome: 'sent'; response: string; rejected: string[] }
  | { outcome: 'retry' | 'refused'; error: string };

export interface Relay {
  description: string;
  send(m: OutgoingMessage): Promise<SendOutcome>;
  close(): void;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 300);

/** A relay through nodemailer's SMTP transport: STARTTLS whenever the relay offers it, TLS from the start for smtps. */
export function createRelay(spec: RelaySpec, opts: { timeoutMs?: number; name?: string } = {}): Relay {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const transport = createTransport({
    host: spec.host, port: spec.port, secure: spec.secure,
    ...(spec.user ? { auth: { user: spec.user, pass: spec.pass ?? '' } } : {}),
    ...(opts.name ? { name: opts.name } : {}),
    connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs,
    logger: false, debug: false,
  });
  return {
    description: describeRelay(spec),
    async send(m) {
      try {
        const info = await transport.sendMail({
          // An empty envelope sender: a bounce of a receipt goes nowhere, so two auto-responders cannot loop.
          envelope: { from: '', to: m.to },
          from: m.from, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: m.messageId,
          ...(m.inReplyTo ? { inReplyTo: m.inReplyTo } : {}),
          ...(m.references?.length ? { references: m.references } : {}),
          headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
          attachments: (m.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
        });
        return { outcome: 'sent', response: oneLine(String(info.response ?? '')), rejected: (info.rejected ?? []).map(String) };
      } catch (e) {
        const err = e as { responseCode?: number; code?: string; response?: string; message?: string; rejectedErrors?: { responseCode?: number }[] };
        const codes = [err.responseCode, ...(err.rejectedErrors ?? []).map((r) => r.responseCode)].filter((c): c is number => typeof c === 'number');
        // A refusal of the message or of every recipient is final only when every code said so (5xx).
        const permanent = err.code !== 'EAUTH' && codes.length > 0 && codes.every((c) => c >= 500);
        const detail = err.response ? oneLine(err.response) : oneLine(err.message ?? String(e));
        return { outcome: permanent ? 'refused' : 'retry', error: `${err.code ? `${err.code}: ` : ''}${detail}` };
      }
    },
    close() {
      transport.close();
    },
  };
}
