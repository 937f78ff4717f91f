// Fax number parsing: E.164 with a leading +, or national numbers completed with the account's country code.

const E164 = /^\+[1-9]\d{6,14}$/;

export function isE164(s: string): boolean {
  return E164.test(s);
}

/**
 * Normalise a fax number to E.164, or return null when it is malformed.
 * `strict` (the email local part) allows only digits with an optional leading +; otherwise
 * the usual separators (space, dash, dot, parentheses) are tolerated.
 */
export function normalizeNumber(raw: string, defaultCountry = '1', strict = false): string | null {
  let s = raw.trim();
  if (!strict) s = s.replace(/[\s\-.()/]/g, '');
  if (!/^\+?\d+$/.test(s)) return null;
  let e164: string;
  if (s.startsWith('+')) e164 = s;
  else if (s.startsWith('00')) e164 = `+${s.slice(2)}`;
  // 011 is the international prefix inside the North American plan only (elsewhere 011… is a national number,
  // e.g. Sheffield's 0114 in the UK).
  else if (defaultCountry === '1' && s.startsWith('011')) e164 = `+${s.slice(3)}`;
  else if (defaultCountry === '1' && s.length === 11 && s.startsWith('1')) e164 = `+${s}`;
  else if (s.startsWith('0')) e164 = `+${defaultCountry}${s.slice(1)}`;
  else e164 = `+${defaultCountry}${s}`;
  return isE164(e164) ? e164 : null;
}

/** A number written the way we accept it, shown in the refusal of a malformed one. */
export const NUMBER_EXAMPLE = '+15551234567';
