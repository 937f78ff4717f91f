// Fax recipient addresses: `<digits|+E.164>@<fax domain>` and RFC 3192 `FAX=+number[/T33S=..]@<fax domain>`.
import { FaxError } from '../../domain/errors.js';

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
  if (at <= 0) throw new FaxError('invalid-number', 'the recipient must be <fax number>@<fax domain>');
  const domain = address.slice(at + 1).toLowerCase().replace(/\.$/, '');
  if (!faxDomains.includes(domain)) throw new FaxError('relay-denied', `relaying denied: ${domain.slice(0, 80)} is not a fax domain`);
  let local = address.slice(0, at);
  if (local.startsWith('"') && local.endsWith('"') && local.length >= 2) local = local.slice(1, -1);
  const fax = /^fax=(.*)$/i.exec(local);
  if (fax) {
    // RFC 3192: FAX=<global-phone>[/T33S=<subaddress>]; the qualifiers after '/' are not dialled.
    const number = fax[1].split('/')[0];
    // RFC 3191 allows '-' and '.' as visual separators in the number.
    const cleaned = number.replace(/[-.]/g, '');
    if (!/^\+?\d+$/.test(cleaned)) throw new FaxError('invalid-number', `"${local.slice(0, 40)}" is not a valid fax number`);
    return { number: cleaned, strict: true };
  }
  if (!/^\+?\d+$/.test(local)) throw new FaxError('invalid-number', `"${local.slice(0, 40)}" is not a valid fax number`);
  return { number: local, strict: true };
}
