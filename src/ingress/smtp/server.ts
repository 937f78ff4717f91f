// SMTP ingress: smtp-server adapter that checks senders and recipients, spools and parses DATA, calls intake.submit()
// and translates the result or FaxError into the docs/smtp.md reply, always inside the session.
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { addressGroup } from '../client-address.js';
import type { SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { FaxgateSmtpServer } from './owned-server.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { Account, AccountStore } from '../../settings/types.js';
import { FaxError, isFaxError, smtpReply } from '../../domain/errors.js';
import type { FileReport } from '../../domain/types.js';
import type { Intake, IntakeResult } from '../../intake/index.js';
import { checkRecipientCount } from '../../intake/rules.js';
import { parseRecipient } from './address.js';
import { spoolData } from './receive.js';
import type { DmarcCheck } from './dmarc.js';
import { readFromMailbox } from './from-header.js';
import { MessageParseError, parseMessage, type ParseLimits } from './parse.js';

/** Reply text is cut here (a huge file list); longer text is split over a multi-line reply of ≤ 400 chars a line. */
const MAX_REPLY_CHARS = 6000;
const MAX_LINE_CHARS = 400;
const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3} /;

export interface SmtpIngressDeps {
  config: Config;
  accounts: AccountStore;
  intake: Intake;
  logger: Logger;
  parseLimits?: Partial<ParseLimits>;
  /** the whole DATA transfer must finish within this (the socket timeout only catches idle clients, not trickles) */
  dataTimeoutMs?: number;
  /** docs/smtp.md DMARC check of the From domain; required when config.dmarc is on, unused when off */
  dmarc?: DmarcCheck;
  /** starts a session's deadline and returns its cancel; default a real timer (tests fire it themselves) */
  sessionTimer?: (fire: () => void, ms: number) => () => void;
  /** told the code of every reply sent, the library's own included (src/metrics) */
  metrics?: { smtpReply(code: number): void };
}

function realTimer(fire: () => void, ms: number): () => void {
  const t = setTimeout(fire, ms);
  t.unref();
  return () => clearTimeout(t);
}

type Conn = SMTPConnection;

/**
 * A connection's share of the server (issue #12.2): its client-address slot, the deadline of the whole session, and
 * the commands it sent since it opened or since its last message.
 */
interface Slot { key: string; cancel: () => void; commands: number; processing: boolean; expired: boolean }

interface TxnState { account?: Account; sender?: string; recipients: Map<string, string> }

type SmtpError = Error & { responseCode: number };

/** A FaxError as an smtp-server error: the catalogue's code and enhanced code, never smtp-server's defaults. */
export function toSmtpError(e: FaxError): SmtpError {
  const { responseCode, message } = smtpReply(e);
  const err = new Error(clip(message)) as SmtpError;
  err.responseCode = responseCode;
  return err;
}

/** Split `2.0.0 long text` into lines that each start with the enhanced code (RFC 3463 multi-line replies). */
export function splitReply(text: string): string[] {
  const m = ENHANCED.exec(text);
  if (!m || text.length <= MAX_LINE_CHARS) return [text];
  const code = m[0];
  const lines: string[] = [];
  let rest = text.slice(code.length);
  while (rest.length) {
    let cut = rest.length;
    if (cut > MAX_LINE_CHARS) {
      const space = rest.lastIndexOf(' ', MAX_LINE_CHARS);
      cut = space > 40 ? space : MAX_LINE_CHARS;
    }
    lines.push(code + rest.slice(0, cut).trim());
    rest = rest.slice(cut).trimStart();
  }
  return lines;
}

function clip(s: string): string {
  const flat = s.replace(/[\r\n]+/g, ' ');
  return flat.length > MAX_REPLY_CHARS ? `${flat.slice(0, MAX_REPLY_CHARS - 12)} ...and more` : flat;
}

/**
 * `250 2.0.0` text: the job ids and every file that was dropped or skipped. Recipients that already had their job
 * under this Message-ID (a retried or split transaction) are named apart: `queued as <new>; already queued as <earlier>`.
 */
export function acceptedReply(r: IntakeResult): string {
  const dropped = r.files.filter((f: FileReport) => f.verdict !== 'accepted');
  const earlier = new Set(r.earlier);
  const fresh = r.jobs.filter((j) => !earlier.has(j.id)).map((j) => j.id);
  const old = r.jobs.filter((j) => earlier.has(j.id)).map((j) => j.id);
  const queued = [
    ...(fresh.length ? [`queued as ${fresh.join(' ')}`] : []),
    ...(old.length ? [`already queued as ${old.join(' ')}`] : []),
  ];
  const parts = [`2.0.0 ${queued.join('; ')}`];
  if (dropped.length) parts.push(`dropped: ${dropped.map((f) => `${f.name} (${f.verdict})`).join(', ')}`);
  return clip(parts.join('; '));
}

export function createSmtpIngress(deps: SmtpIngressDeps) {
  const { config, accounts, intake, logger } = deps;
  const spoolRoot = path.join(config.dataDir, 'tmp', 'smtp');
  const state = new Map<string, TxnState>();
  const connections = new Map<string, Conn>();
  const dataTimeoutMs = deps.dataTimeoutMs ?? 10 * 60_000;
  const sessionTimer = deps.sessionTimer ?? realTimer;
  const slots = new Map<string, Slot>();
  const perAddress = new Map<string, number>();
  let txnSeq = 0;
  const stateOf = (s: SMTPServerSession): TxnState => {
    let st = state.get(s.id);
    if (!st) state.set(s.id, (st = { recipients: new Map() }));
    return st;
  };
  const fail = (cb: (err?: Error | null) => void, e: unknown, log: Record<string, unknown>) => {
    const fe = isFaxError(e) ? e : new FaxError('internal');
    if (!isFaxError(e)) logger.error({ ...log, err: (e as Error)?.message }, 'smtp handler failed');
    else logger.info({ ...log, code: fe.code }, 'smtp refusal');
    cb(toSmtpError(fe));
  };

  /** A limit ends the session: its 421 from the catalogue (smtp-server closes on every 421), and the connection closed. */
  const hangUp = (conn: Conn, e: FaxError, log: Record<string, unknown>) => {
    logger.info({ ...log, session: conn.id, ip: conn.remoteAddress, code: e.code }, 'smtp session ended by a limit');
    const { responseCode, message } = smtpReply(e);
    conn.send(responseCode, message);
    conn.close();
  };
  const release = (id: string) => {
    const slot = slots.get(id);
    if (!slot) return;
    slots.delete(id);
    slot.cancel();
    const n = (perAddress.get(slot.key) ?? 1) - 1;
    if (n > 0) perAddress.set(slot.key, n);
    else perAddress.delete(slot.key);
  };
  /** The session's time is up: now, or (a message fully received and being processed) right after its reply. */
  const expire = (conn: Conn) => {
    const slot = slots.get(conn.id);
    if (!slot) return;
    if (slot.processing) slot.expired = true;
    else hangUp(conn, new FaxError('session-too-long', `session time limit reached (${config.smtpSessionMaxMs / 1000} s); closing connection`), {});
  };
  /** After a message's reply: the command count starts again, and a session whose time ran out meanwhile ends. */
  const messageDone = (id: string) => {
    const slot = slots.get(id);
    if (!slot) return;
    slot.commands = 0;
    slot.processing = false;
    const conn = connections.get(id);
    if (slot.expired && conn) expire(conn);
  };

  // Fail closed: DMARC switched on without a check wired would silently accept spoofed From domains.
  if (config.dmarc && !deps.dmarc) throw new Error('FAXGATE_DMARC is on but no DMARC check was given to the SMTP ingress');
  const dmarc = config.dmarc ? deps.dmarc : undefined;
  const tls = config.tlsCert && config.tlsKey
    ? { key: readFileSync(config.tlsKey), cert: readFileSync(config.tlsCert) }
    : undefined;

  /**
   * Each connection, as this ingress sets it up. smtp-server prefixes every reply with an enhanced code chosen from the
   * numeric code alone (550 → 5.1.1); our replies carry the catalogue's own, so for those the automatic one is off,
   * and every reply passes send(), so it is counted by code. The connections are kept by session id (opened / onClose)
   * so the DATA deadline can close a trickling client.
   */
  class Connection extends SMTPConnection {
    override send(code: number, data?: string | string[] | null, context?: string | false): void {
      deps.metrics?.smtpReply(code);
      if (typeof data !== 'string' || !ENHANCED.test(data)) return super.send(code, data, context);
      const lines = splitReply(data);
      return super.send(code, lines.length === 1 ? lines[0] : lines, false);
    }

    /**
     * Issue #12.9: STARTTLS is hidden without a certificate, but smtp-server still runs the command, with its bundled
     * test key (public, CN=localhost), so a client would get "encryption" anyone can undo. Refused instead with 502
     * 5.5.1, not 454 4.7.0: RFC 3207's 454 means TLS is unavailable for a temporary reason and invites a retry, while
     * here the extension is not offered at all (not in the EHLO reply) until the operator configures a certificate,
     * which RFC 5321 §4.2.4 answers with 502 (command not implemented) and RFC 3463 with 5.5.1.
     */
    override handler_STARTTLS(command: Buffer, cb: () => void): void {
      if (tls) return super.handler_STARTTLS(command, cb);
      const { responseCode, message } = smtpReply(new FaxError('tls-not-available', 'STARTTLS is not offered: this server has no TLS certificate configured'));
      this.send(responseCode, message);
      cb();
    }

    /**
     * Issue #12.2, so idle or looping clients cannot hold the server's slots: at most smtpMaxPerAddress connections
     * per client address (the rest of smtpMaxClients stays for others), smtpSessionMaxMs for a whole session however
     * busy, and smtpMaxIdleCommands commands without a message. Checked as the connection starts, before
     * smtp-server's greeting delay and reverse lookup, so a refused connection holds nothing while it waits.
     */
    override init(): void {
      const key = addressGroup(this.remoteAddress);
      const held = perAddress.get(key) ?? 0;
      if (held >= config.smtpMaxPerAddress) {
        super.init(); // socket listeners first, so the close is seen through
        hangUp(this, new FaxError('too-many-connections', `too many connections from your address (at most ${config.smtpMaxPerAddress}); try again later`), {});
        return;
      }
      perAddress.set(key, held + 1);
      const cancel = sessionTimer(() => expire(this), config.smtpSessionMaxMs);
      slots.set(this.id, { key, cancel, commands: 0, processing: false, expired: false });
      super.init();
    }

    /** The slot is free as soon as the server closes (a client slow to close its side holds no slot). */
    override close(): void {
      release(this.id);
      super.close();
    }

    /**
     * Every command counts when it arrives, except QUIT; an accepted RCPT gives its count back (onRcptTo) and a
     * message sets the count to zero (messageDone). NOOP/RSET/HELP loops and refused MAIL/RCPT loops end here.
     */
    override _onCommand(command: Buffer, cb?: () => void): void {
      const slot = slots.get(this.id);
      if (slot) {
        const name = String(command ?? '').trim().split(/\s+/)[0].toUpperCase();
        if (name !== 'QUIT') slot.commands++;
        if (slot.commands > config.smtpMaxIdleCommands) {
          return hangUp(this, new FaxError('too-many-commands', `too many commands without a message (at most ${config.smtpMaxIdleCommands}); closing connection`), {});
        }
      }
      return super._onCommand(command, cb);
    }
  }

  const server = new FaxgateSmtpServer({
    name: new URL(config.publicUrl).hostname || 'faxgate',
    banner: 'faxgate email-to-fax gateway',
    secure: false,
    ...(tls ?? {}),
    hideSTARTTLS: !tls,
    disabledCommands: ['AUTH'],
    // RFC 3463 codes on every reply (smtp-server hides them by default).
    hideENHANCEDSTATUSCODES: false,
    authOptional: true,
    size: config.maxMessageBytes,
    maxClients: config.smtpMaxClients,
    socketTimeout: 120_000,
    closeTimeout: 10_000,
    logger: false,

    onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      state.set(session.id, { recipients: new Map() });
      const addr = address.address.trim().toLowerCase();
      const account = addr ? accounts.findBySender(addr) : undefined;
      if (!account) return fail(cb, new FaxError('sender-not-registered', `sender ${addr.slice(0, 80) || '<>'} is not registered for fax on this server; ask whoever runs your fax account to add this address, or send from an address that is registered`), { session: session.id });
      const st = stateOf(session);
      st.account = account;
      st.sender = addr;
      cb();
    },

    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      const st = stateOf(session);
      try {
        if (!st.account) throw new FaxError('sender-not-registered');
        const { number, strict } = parseRecipient(address.address, config.faxDomains);
        const e164 = intake.checkRecipient(st.account, number, { strict });
        if (!st.recipients.has(address.address.toLowerCase())) checkRecipientCount(st.recipients.size + 1, 'message');
        st.recipients.set(address.address.toLowerCase(), e164);
        // An accepted recipient is part of a transaction (bounded by intake's MAX_RECIPIENTS): it gives its command back.
        const slot = slots.get(session.id);
        if (slot && slot.commands > 0) slot.commands--;
        cb();
      } catch (e) {
        fail(cb, e, { session: session.id });
      }
    },

    onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null, message?: string) => void) {
      const st = stateOf(session);
      const dir = path.join(spoolRoot, `${session.id}-${++txnSeq}`);
      const raw = path.join(dir, 'message.eml');
      const log = { session: session.id };
      // A client trickling bytes never trips the idle timeout: bound the whole transfer, then hang up.
      const deadline = setTimeout(() => {
        logger.info(log, 'DATA transfer exceeded its time limit; closing the connection');
        const conn = connections.get(session.id);
        conn?.send(421, '4.4.2 data transfer took too long, closing connection');
        conn?.close();
        stream.destroy(new FaxError('internal', 'data transfer took too long'));
      }, dataTimeoutMs);
      (async () => {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const { bare } = await spoolData(stream, raw, config.maxMessageBytes).finally(() => clearTimeout(deadline));
        // Received in full: the session's time limit waits for this message's reply.
        const slot = slots.get(session.id);
        if (slot) slot.processing = true;
        if (stream.sizeExceeded) throw new FaxError('message-too-large', `message exceeds the ${config.maxMessageBytes} byte limit (about ${Math.max(1, Math.round(config.maxMessageBytes / 1_048_576))} MB); send fewer or smaller attachments, in several messages if need be`);
        if (bare) throw new FaxError('bare-line-ending');
        if (!st.account || !st.sender || st.recipients.size === 0) throw new FaxError('no-recipients');
        let parsed;
        try {
          parsed = await parseMessage(raw, dir, deps.parseLimits);
        } catch (e) {
          if (e instanceof MessageParseError) throw new FaxError('malformed-message', e.message.slice(0, 200));
          throw e;
        }
        // The identity: the one plain mailbox of the one From field, read from the raw header by one strict rule
        // (issue #12.1). It must be a sender of the same account as the envelope (no spoofing a colleague), and with
        // DMARC on, DMARC must have judged exactly this mailbox, so both checks authorise the same identity.
        const from = await readFromMailbox(raw);
        intake.checkFromHeader(st.account, from);
        // docs/smtp.md: with DMARC on, the From domain must also pass DMARC with alignment (before anything is stored).
        if (dmarc) {
          const v = await dmarc.check({ message: raw, ip: session.remoteAddress, helo: session.hostNameAppearsAs, mailFrom: st.sender, from });
          if (v.identityMismatch) throw new FaxError('from-header-invalid', v.reason.slice(0, 200));
          if (!v.pass) throw new FaxError(v.temporary ? 'sender-auth-temperror' : 'sender-auth-failed', v.reason.slice(0, 200));
        }
        const text = parsed.text;
        const result = await intake.submit({
          source: 'email',
          accountId: st.account.id,
          sender: st.sender,
          recipients: [...st.recipients.values()],
          files: parsed.files,
          ...(parsed.html ? { bodyHtml: parsed.html } : {}),
          subject: parsed.subject,
          // X-Fax-Send-At is passed on as written; intake checks it (invalid-send-at) as it does the API's sendAt.
          ...(parsed.sendAt ? { sendAt: parsed.sendAt } : {}),
          ...(text.trim() ? { body: { from: parsed.fromText, to: parsed.toText, subject: parsed.subject, date: parsed.date, text } } : {}),
          // intake's email rules: a report is nothing to fax, the dedup key is sender and Message-ID
          email: { contentType: parsed.contentType, ...(parsed.messageId ? { messageId: parsed.messageId } : {}) },
          rawMessage: raw,
        });
        logger.info({ ...log, submissionId: result.submissionId, jobs: result.jobs.map((j) => j.id), duplicate: result.duplicate }, 'message accepted');
        return acceptedReply(result);
      })().then(
        async (msg) => {
          clearTimeout(deadline);
          await rm(dir, { recursive: true, force: true }).catch(() => undefined);
          cb(null, msg);
          messageDone(session.id);
        },
        async (e) => {
          clearTimeout(deadline);
          // A refusal must still drain the stream or the session stalls.
          if (!stream.readableEnded) stream.resume();
          await rm(dir, { recursive: true, force: true }).catch(() => undefined);
          fail(cb, e, log);
          messageDone(session.id);
        },
      ).finally(() => {
        // Next transaction starts clean (unless the connection is already gone).
        if (state.has(session.id)) state.set(session.id, { recipients: new Map() });
      });
    },

    onClose(session: SMTPServerSession) {
      state.delete(session.id);
      connections.delete(session.id);
      release(session.id);
    },
  }, Connection, (conn) => connections.set(conn.id, conn));

  // A listen failure is not logged here: listen() rejects with it and `faxgate serve` names the port in one line.
  server.on('error', (e) => {
    if ((e as NodeJS.ErrnoException).syscall !== 'listen') logger.error({ err: e.message }, 'smtp server error');
  });

  return {
    server,
    async listen(port = config.smtpPort, host = config.bindHost): Promise<number> {
      await rm(spoolRoot, { recursive: true, force: true });
      await mkdir(spoolRoot, { recursive: true, mode: 0o700 });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return (server.server.address() as AddressInfo).port;
    },
    close(): Promise<void> {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export type SmtpIngress = ReturnType<typeof createSmtpIngress>;
