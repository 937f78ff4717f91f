// Held SMTP slots (issue #12.2): connections per client address, a session's total time and the commands sent
// without a message are bounded, each answered with a 421 of the catalogue and a close. Real loopback server and raw
// sockets (127.0.0.2 is another client address on the loopback network); limits are tiny configured values, and
// every wait is for a reply or a close, never a fixed sleep.
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../src/domain/errors.js';
import { openSmtpClient, rawMessage, startSmtpHarness, type SmtpClient, type SmtpHarness } from './harness.js';

const SENDER = 'front@clinic.example';
let h: SmtpHarness | undefined;
const clients: SmtpClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.end();
  await h?.close();
  h = undefined;
});

async function start(overrides: Parameters<typeof startSmtpHarness>[0] = {}) {
  h = await startSmtpHarness(overrides);
  h.accounts.create({ name: 'Clinic', senders: [SENDER] });
  return h;
}
const connect = (localAddress = '127.0.0.1') => {
  const c = openSmtpClient(h!.port, { localAddress });
  clients.push(c);
  return c;
};

describe('connections per client address', () => {
  it('50 idle connections from one address no longer take every slot (defaults: 50 in all, 10 per address)', async () => {
    await start();
    const first = Array.from({ length: 50 }, () => connect('127.0.0.1'));
    const greetings = await Promise.all(first.map((c) => c.reply()));
    expect(greetings.filter((g) => g.startsWith('220 ')).length).toBe(10);
    const refused = greetings.filter((g) => !g.startsWith('220 '));
    expect(refused.length).toBe(40);
    for (const r of refused) expect(r).toMatch(/^421 4\.7\.0 too many connections from your address/);
    // The refused ones are closed by the server.
    await Promise.all(first.filter((_, i) => !greetings[i].startsWith('220 ')).map((c) => c.closed));
    // Everyone else still gets in.
    const other = connect('127.0.0.2');
    expect(await other.reply()).toMatch(/^220 /);
    expect(await other.command('EHLO other.test')).toMatch(/^250/);
  });

  it('a slot is free again as soon as one of the connections ends', async () => {
    await start({ smtpMaxClients: 10, smtpMaxPerAddress: 2 });
    const a = connect();
    const b = connect();
    expect(await a.reply()).toMatch(/^220 /);
    expect(await b.reply()).toMatch(/^220 /);
    const c = connect();
    expect(await c.reply()).toMatch(/^421 4\.7\.0 /);
    await c.closed;
    expect(await a.command('QUIT')).toMatch(/^221 /);
    const d = connect();
    expect(await d.reply()).toMatch(/^220 /);
  });
});

describe('session time', () => {
  it('a client that keeps the session alive with NOOPs is answered 421 4.4.2 and closed when its time is up', async () => {
    // The deadline is fired by hand: the session is cut at the moment its time is up, however fast this machine is.
    const deadlines: { ms: number; fire: () => void; cancelled: boolean }[] = [];
    h = await startSmtpHarness({}, {
      sessionTimer: (fire, ms) => {
        const d = { ms, fire, cancelled: false };
        deadlines.push(d);
        return () => { d.cancelled = true; };
      },
    });
    const c = connect();
    expect(await c.reply()).toMatch(/^220 /);
    for (let i = 0; i < 5; i++) expect(await c.command('NOOP')).toMatch(/^250 /);
    expect(deadlines).toHaveLength(1);
    expect(deadlines[0].ms).toBe(600_000); // the default: 10 minutes
    deadlines[0].fire();
    expect(await c.reply()).toMatch(/^421 4\.4\.2 session time limit reached/);
    await c.closed;
    expect(deadlines[0].cancelled).toBe(true); // the slot was released
  });

  it('with the real timer and a tiny configured limit, an idle session ends with 421 4.4.2 and a close', async () => {
    await start({ smtpSessionMaxMs: 200 });
    const c = connect();
    // The 421 may come before or after the greeting (smtp-server greets after its reverse lookup).
    let r = await c.reply();
    if (r.startsWith('220 ')) r = await c.reply();
    expect(r).toMatch(/^421 4\.4\.2 session time limit reached/);
    await c.closed;
  });
});

describe('commands without a message', () => {
  it('the 21st command outside a transaction (NOOP/RSET/HELP loop) is answered 421 4.7.0 and the connection closed', async () => {
    await start();
    const c = connect();
    expect(await c.reply()).toMatch(/^220 /);
    const loop = ['EHLO loop.test', 'NOOP', 'RSET', 'HELP', 'VRFY x', 'NOOP'];
    for (let i = 0; i < 20; i++) expect(await c.command(loop[i % loop.length])).toMatch(/^[25]\d\d[ -]/);
    expect(await c.command('NOOP')).toMatch(/^421 4\.7\.0 too many commands without a message/);
    await c.closed;
  });

  it('a message resets the count, and recipients do not count', async () => {
    await start({ smtpMaxIdleCommands: 5 });
    const c = connect();
    expect(await c.reply()).toMatch(/^220 /);
    expect(await c.command('EHLO client.test')).toMatch(/^250/);
    expect(await c.command('NOOP')).toMatch(/^250/);
    expect(await c.command(`MAIL FROM:<${SENDER}>`)).toMatch(/^250/);
    for (let i = 0; i < 12; i++) expect(await c.command(`RCPT TO:<+1555123${String(i).padStart(4, '0')}@fax.localhost>`)).toMatch(/^250/);
    expect(await c.command('DATA')).toMatch(/^354/);
    c.send(`${rawMessage(SENDER, 'x@fax.localhost', 'hello\r\n')}\r\n.\r\n`);
    expect(await c.reply()).toMatch(/^250 2\.0\.0 queued as job_/);
    for (let i = 0; i < 5; i++) expect(await c.command('NOOP')).toMatch(/^250/);
    expect(await c.command('NOOP')).toMatch(/^421 4\.7\.0 /);
    await c.closed;
  });

  it('refused recipients count', async () => {
    await start({ smtpMaxIdleCommands: 5 });
    const c = connect();
    expect(await c.reply()).toMatch(/^220 /);
    expect(await c.command('EHLO client.test')).toMatch(/^250/);
    expect(await c.command(`MAIL FROM:<${SENDER}>`)).toMatch(/^250/);
    for (let i = 0; i < 3; i++) expect(await c.command('RCPT TO:<someone@elsewhere.example>')).toMatch(/^550 5\.7\.1 /);
    expect(await c.command('RCPT TO:<someone@elsewhere.example>')).toMatch(/^421 4\.7\.0 /);
    await c.closed;
  });
});

describe('the catalogue entries', () => {
  it('are 421 with their enhanced codes', () => {
    expect(CATALOGUE['too-many-connections']).toMatchObject({ smtp: 421, enhanced: '4.7.0' });
    expect(CATALOGUE['too-many-commands']).toMatchObject({ smtp: 421, enhanced: '4.7.0' });
    expect(CATALOGUE['session-too-long']).toMatchObject({ smtp: 421, enhanced: '4.4.2' });
  });
});
