// A real SMTP relay for the mail tests: smtp-server on loopback (a free port), capturing each message parsed by mailparser.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface Captured { mailFrom: string; rcptTo: string[]; raw: Buffer; parsed: ParsedMail }

/**
 * `script` says how each DATA is answered, in order ('ok' once it runs out): `451` / `550` refuse with that code.
 * `login` makes the relay demand AUTH PLAIN with these credentials.
 */
export async function startRelay(opts: { script?: ('ok' | 451 | 550)[]; login?: { user: string; pass: string } } = {}) {
  const messages: Captured[] = [];
  const refusals: number[] = [];
  const script = [...(opts.script ?? [])];
  const sessions: SMTPServerSession[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: opts.login ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.login,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _s, cb) {
      if (opts.login && auth.username === opts.login.user && auth.password === opts.login.pass) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onConnect(s, cb) {
      sessions.push(s);
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const next = script.shift() ?? 'ok';
        if (next !== 'ok') {
          refusals.push(next);
          cb(Object.assign(new Error(next === 451 ? 'Try again later (test)' : 'Mailbox unavailable (test)'), { responseCode: next }));
          return;
        }
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((parsed) => {
          messages.push({
            mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            rcptTo: session.envelope.rcptTo.map((r) => r.address), raw, parsed,
          });
          cb();
        }, cb);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: opts.login ? `smtp://${encodeURIComponent(opts.login.user)}:${encodeURIComponent(opts.login.pass)}@127.0.0.1:${port}` : `smtp://127.0.0.1:${port}`,
    messages,
    refusals,
    sessions,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Wait for a condition on real events, polling; the timeout is only a hang guard (a loaded machine is slow, not wrong). */
export async function until(cond: () => boolean, what: string, timeoutMs = 50_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
