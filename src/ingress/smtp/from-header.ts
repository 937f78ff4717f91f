// The From header rule (docs/smtp.md, issue #12.1). The identity a message is faxed as is read here, once, from the raw
// header block, by one strict rule: exactly one From field holding exactly one plain mailbox, `addr` or
// `display name <addr>`. Comments, groups, several mailboxes, several From fields, quoted local parts, domain
// literals and encoded words outside the display name are refused: those are where address parsers disagree
// (two nodemailer versions read `bob@reg.example (c).attacker.example` as two different mailboxes), and a
// registered-sender check and a DMARC check that read different identities authorise nobody.
import { open } from 'node:fs/promises';
import { FaxError } from '../../domain/errors.js';

export class FromHeaderError extends Error {}

/** The header block is read up to this (mailparser refuses larger heads as well). */
export const MAX_HEAD_BYTES = 256 * 1024;

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** dot-atom local part @ host name (ASCII; an internationalised domain comes as its xn-- form) */
const ADDR_SPEC = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*@${LABEL}(?:\\.${LABEL})*$`);
/** control characters other than tab (CR and LF are gone once the field is unfolded) */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const WSP = /[ \t]/;

const refuse = (why: string): never => {
  throw new FromHeaderError(why);
};

/**
 * The one mailbox of a From field's value, lower-cased; throws FromHeaderError saying why it is not plain.
 * The value may still be folded (CRLF before a space or tab).
 */
export function plainMailbox(raw: string): string {
  const v = raw.replace(/\r\n(?=[ \t])/g, '');
  if (CONTROL.test(v)) refuse('it holds a control character');
  let inQuote = false;
  let open = -1;
  let close = -1;
  let atOutside = false;
  for (let i = 0; i < v.length; i++) {
    const ch = v[i];
    if (inQuote) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuote = false;
      continue;
    }
    if (open >= 0 && close < 0) {
      // inside <...>: an addr-spec and nothing else (no spaces, comments or routes)
      if (ch === '>') close = i;
      else if ('<"(),:;[]\\'.includes(ch) || WSP.test(ch)) refuse('the address in <> is not a plain address');
      continue;
    }
    if (close >= 0) {
      if (!WSP.test(ch)) refuse('there is text after the address');
      continue;
    }
    switch (ch) {
      case '"': inQuote = true; break;
      case '(': case ')': refuse('comments are not allowed'); break;
      case ',': refuse('it names more than one mailbox'); break;
      case ':': case ';': refuse('groups are not allowed'); break;
      case '[': case ']': case '\\': case '>': refuse(`"${ch}" is not allowed outside quotes`); break;
      case '<': open = i; break;
      case '@': atOutside = true; break;
      default: break;
    }
  }
  if (inQuote) refuse('a quoted string is not closed');
  if (open >= 0 && close < 0) refuse('"<" is not closed');
  let addr: string;
  if (open >= 0) {
    // An unquoted @ in the display name (`a@b.example <c@d.example>`) shows one address and sends as another.
    if (atOutside) refuse('the display name looks like an address; quote it');
    addr = v.slice(open + 1, close);
  } else {
    addr = v.trim();
  }
  if (!addr) refuse('it has no address');
  const at = addr.lastIndexOf('@');
  if (!ADDR_SPEC.test(addr) || at > 64 || addr.length > 254) refuse('the address is not a plain local@domain address');
  // An encoded word is only a display name (RFC 2047 §5); some parsers decode one inside an address.
  if (addr.includes('=?')) refuse('the address holds an encoded word');
  return addr.toLowerCase();
}

/**
 * The mailbox of the one From field of a header block (text up to the first empty line; anything after it is
 * ignored). Field names are compared case-insensitively and with blanks before the colon trimmed (RFC 5322 obs
 * syntax), so no spelling of a second From field slips past the count.
 */
export function fromHeaderMailbox(text: string): string {
  const end = text.startsWith('\r\n') ? 0 : text.indexOf('\r\n\r\n');
  const head = end >= 0 ? text.slice(0, end) : text;
  const fields: string[] = [];
  for (const line of head.split('\r\n')) {
    if (WSP.test(line[0] ?? '') && fields.length) fields[fields.length - 1] += `\r\n${line}`;
    else fields.push(line);
  }
  const from = fields.filter((f) => f.includes(':') && f.slice(0, f.indexOf(':')).trim().toLowerCase() === 'from');
  if (from.length === 0) refuse('the message has no From field');
  if (from.length > 1) refuse(`the message has ${from.length} From fields`);
  return plainMailbox(from[0].slice(from[0].indexOf(':') + 1));
}

/**
 * The mailbox of the one From field of the spooled message at `file` (CRLF line endings: bare CR/LF were refused
 * while spooling). Throws FaxError from-header-invalid with the reason.
 */
export async function readFromMailbox(file: string): Promise<string> {
  const fh = await open(file, 'r');
  let text: string;
  try {
    const buf = Buffer.alloc(MAX_HEAD_BYTES + 4);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    // latin1 keeps every byte one character: only ASCII decides the structure, the display name is not decoded.
    text = buf.subarray(0, bytesRead).toString('latin1');
    if (bytesRead === buf.length && !text.includes('\r\n\r\n')) {
      throw new FaxError('from-header-invalid', 'From header refused: the header block is too large');
    }
  } finally {
    await fh.close();
  }
  try {
    return fromHeaderMailbox(text);
  } catch (e) {
    if (e instanceof FromHeaderError) {
      throw new FaxError('from-header-invalid', `From header refused: ${e.message}; send exactly one From field with one plain address (name <address>)`);
    }
    throw e;
  }
}
