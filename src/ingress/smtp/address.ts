// Fax recipient addresses: `<digits|+E.164>@<fax domain>` and RFC 3192 `FAX=+number[/T33S=..]@<fax domain>`.
import { FaxError } from '../../domain/errors.js';
import { NUMBER_EXAMPLE } from '../../domain/numbers.js';

function malformed(local: string): string {
  return `"${local.slice(0, 40)}" is not a fax number; write it like ${NUMBER_EXAMPLE} or 555-123-4567`;
}

export interface ParsedRecipient {
  /** the number text to normalise (digits with optional +) */
  number: string;
  /** true for the plain local part: only digits with an optional leading + are allowed */
  strict: boolean;
}

/**
 * Split a recipient address and check its domain against the fax domains.
 * Throws relay-denied for a foreign domain and invalid-number for a local part that is not a number.
 */
export function parseRecipient(address: string, faxDomains: string[]): ParsedRecipient {
  const at = address.lastIndexOf('@');
  if (at <= 0) throw new FaxError('invalid-number', `the recipient must be <fax number>@<fax domain>, like ${NUMBER_EXAMPLE}@${faxDomains[0] ?? 'fax.example'}`);
  const domain = address.slice(at + 1).toLowerCase().replace(/\.$/, '');
  if (!faxDomains.includes(domain)) throw new FaxError('relay-denied', `relaying denied: ${domain.slice(0, 80)} is not a fax domain of this server, which only sends faxes; address the message to the fax number, like ${NUMBER_EXAMPLE}@${faxDomains[0] ?? 'fax.example'}`);
  let local = address.slice(0, at);
  if (local.startsWith('"') && local.endsWith('"') && local.length >= 2) local = local.slice(1, -1);
  const fax = /^fax=(.*)$/i.exec(local);
  if (fax) {
    // RFC 3192: FAX=<global-phone>[/T33S=<subaddress>]; the qualifiers after '/' are not dialled.
    const number = fax[1].split('/')[0];
    // RFC 3191 allows '-' and '.' as visual separators in the number.
    const cleaned = number.replace(/[-.]/g, '');
    if (!/^\+?\d+$/.test(cleaned)) throw new FaxError('invalid-number', malformed(local));
    return { number: cleaned, strict: true };
  }
  // People write numbers with separators (555-010-2001, 555.010.2001, (555)0102001); none is dialled.
  const plain = local.replace(/[-.()]/g, '');
  if (!/^\+?\d+$/.test(plain)) throw new FaxError('invalid-number', malformed(local));
  return { number: plain, strict: true };
}
