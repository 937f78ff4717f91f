// Fax number normalisation: E.164, national numbers with the account's country, and malformed input.
import { describe, expect, it } from 'vitest';
import { normalizeNumber } from '../../src/domain/numbers.js';
import { parseRecipient } from '../../src/ingress/smtp/address.js';

describe('normalizeNumber', () => {
  it.each([
    ['+15551234567', '1', false, '+15551234567'],
    ['5551234567', '1', false, '+15551234567'],
    ['15551234567', '1', false, '+15551234567'],
    ['020 7946 0018', '44', false, '+442079460018'],
    ['00442079460018', '1', false, '+442079460018'],
    ['(555) 123-4567', '1', false, '+15551234567'],
    ['+9999999001', '1', true, '+9999999001'],
    ['555-123-4567', '1', true, null],
    ['abc', '1', false, null],
    ['+0123456789', '1', false, null],
    ['+1234567890123456', '1', false, null],
    ['12', '1', false, null],
    ['011442079460018', '1', false, '+442079460018'],
    ['011442079460018', '1', true, '+442079460018'],
    // 011 is an exit code only in the North American plan: in the UK 0114 is Sheffield.
    ['0114 496 0000', '44', false, '+441144960000'],
  ])('%s (country %s, strict %s) → %s', (raw, cc, strict, want) => {
    expect(normalizeNumber(raw, cc, strict)).toBe(want);
  });
});

describe('parseRecipient', () => {
  it.each([
    ['555-010-2001@fax.localhost', '5550102001'],
    ['555.010.2001@fax.localhost', '5550102001'],
    ['(555)010-2001@fax.localhost', '5550102001'],
    ['+1-555-010-2001@fax.localhost', '+15550102001'],
    ['FAX=+1-555-010-2001/T33S=12@fax.localhost', '+15550102001'],
  ])('%s → %s', (address, number) => {
    expect(parseRecipient(address, ['fax.localhost']).number).toBe(number);
  });

  it.each(['john.doe@fax.localhost', '555 0102001@fax.localhost', '+@fax.localhost', '555-010-2001x@fax.localhost'])('%s is invalid-number', (address) => {
    expect(() => parseRecipient(address, ['fax.localhost'])).toThrow(expect.objectContaining({ code: 'invalid-number' }));
  });
});
