// The From header rule (issue #12.1): exactly one From field holding one plain mailbox (`addr` or `name <addr>`),
// refused otherwise with 550 5.7.1 from-header-invalid, whether DMARC is on or off. Real loopback server, raw bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../src/domain/errors.js';
import { FromHeaderError, fromHeaderMailbox, plainMailbox } from '../../../src/ingress/smtp/from-header.js';
import { smtpDialog, startSmtpHarness, type SmtpHarness } from './harness.js';

const SENDER = 'front@clinic.example';
const OTHER = 'back@clinic.example';
let h: SmtpHarness;

beforeAll(async () => {
  h = await startSmtpHarness();
  h.accounts.create({ name: 'Clinic', senders: [SENDER, OTHER] });
});
afterAll(async () => h?.close());

const submissions = () => (h.db.prepare('SELECT COUNT(*) AS n FROM submissions').get() as { n: number }).n;

/** One transaction whose header block is `headerLines` verbatim; returns the reply to the message. */
async function deliver(headerLines: string[]): Promise<string> {
  const msg = `${[...headerLines, 'To: +15551234567@fax.localhost', 'Subject: from rule', `Message-ID: <${Math.random().toString(36).slice(2)}@t>`].join('\r\n')}\r\n\r\nplease fax\r\n.\r\n`;
  const replies = await smtpDialog(h.port, ['EHLO client.test\r\n', `MAIL FROM:<${SENDER}>\r\n`, 'RCPT TO:<+15551234567@fax.localhost>\r\n', 'DATA\r\n', msg, 'QUIT\r\n']);
  return replies[5] ?? replies.join(' | ');
}

describe('From header over SMTP (DMARC off)', () => {
  const refused: [string, string[]][] = [
    ['a comment after the address', [`From: ${SENDER} (c).attacker.example`]],
    ['a comment as the display name', [`From: ${SENDER} (Front desk)`]],
    ['a group of registered senders', [`From: desk: ${SENDER}, ${OTHER};`]],
    ['two registered mailboxes in one field', [`From: ${SENDER}, ${OTHER}`]],
    ['two From fields (first registered, second not)', [`From: ${SENDER}`, 'From: evil@attacker.example']],
    ['two From fields, one spelled with a space before the colon', [`From: ${SENDER}`, 'From : evil@attacker.example']],
    ['two From fields of the same registered sender', [`From: ${SENDER}`, `from: ${SENDER}`]],
    ['no From field at all', ['Sender: front@clinic.example']],
    ['an address-looking display name outside quotes', [`From: ${SENDER} <evil@attacker.example>`]],
    ['an encoded word in the address', ['From: =?utf-8?q?front=40clinic.example?=']],
  ];
  it.each(refused)('refuses %s with 550 5.7.1 and stores nothing', async (_name, lines) => {
    const before = submissions();
    const reply = await deliver(lines);
    expect(reply).toMatch(/^550 5\.7\.1 .*From header/);
    expect(submissions()).toBe(before);
  });

  const accepted: [string, string[]][] = [
    ['a bare address', [`From: ${SENDER}`]],
    ['an angle address', [`From: <${SENDER}>`]],
    ['a display name', [`From: Front Desk <${SENDER}>`]],
    ['a quoted display name with parentheses, comma and colon inside', [`From: "Desk (1), Clinic: A" <${SENDER}>`]],
    ['an encoded-word display name', [`From: =?utf-8?q?Fr=C3=B6nt_Desk?= <${SENDER}>`]],
    ['a folded field', [`From: Front Desk\r\n <${SENDER}>`]],
    ['the field name and the address in another case', ['FROM: Front@Clinic.Example']],
  ];
  it.each(accepted)('accepts %s', async (_name, lines) => {
    expect(await deliver(lines)).toMatch(/^250 2\.0\.0 queued as job_/);
  });
});

describe('the catalogue entry', () => {
  it('is a permanent 5.7.1 refusal', () => {
    expect(CATALOGUE['from-header-invalid']).toMatchObject({ smtp: 550, enhanced: '5.7.1' });
  });
});

describe('plainMailbox / fromHeaderMailbox', () => {
  it.each([
    ['a@b.example', 'a@b.example'], ['<A@B.Example>', 'a@b.example'], ['  Name <a.b+c@d-e.example>  ', 'a.b+c@d-e.example'],
    ['"x \\" (y), z" <a@b.example>', 'a@b.example'], ['=?utf-8?b?w7Y=?= <a@b.example>', 'a@b.example'],
  ])('%s → %s', (v, want) => expect(plainMailbox(v)).toBe(want));

  it.each([
    '', 'a@b.example (c)', '(c) a@b.example', 'a@b.example (c).x.example', 'a@b.example, c@d.example', 'g: a@b.example;', 'g:;',
    'a@b.example <c@d.example>', '<a@b.example> x', '<a@b.example> <c@d.example>', '"unterminated <a@b.example>', 'a@[127.0.0.1]',
    '"q"@b.example', 'a@b..example', 'a@-b.example', 'a..b@c.example', '@b.example', 'a@', '<a@b.example', 'a@b.example>',
    'x <a@b.example', '=?utf-8?q?a=40b.example?=', 'a=?x?=@b.example', 'a@b.example\u0000', 'n\u0001 <a@b.example>', 'a@b.example;',
  ])('refuses %j', (v) => expect(() => plainMailbox(v)).toThrow(FromHeaderError));

  it('reads the header block only, and exactly one From field', () => {
    expect(fromHeaderMailbox('Subject: x\r\nFrom: A <a@b.example>\r\n\r\nFrom: c@d.example\r\n')).toBe('a@b.example');
    expect(() => fromHeaderMailbox('From: a@b.example\r\nFROM: a@b.example\r\n\r\n')).toThrow(/2 From/);
    expect(() => fromHeaderMailbox('Subject: x\r\n\r\nFrom: a@b.example\r\n')).toThrow(/no From/);
    expect(fromHeaderMailbox('From:\r\n a@b.example\r\nSubject: x\r\n\r\n')).toBe('a@b.example');
  });
});
