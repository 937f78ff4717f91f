// Fax number normalisation: E.164, national numbers with the account's country, and malformed input.
import { describe, expect, it } from 'vitest';
import { normalizeNumber } from '../../src/domain/numbers.js';

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
  ])('%s (country %s, strict %s) → %s', (raw, cc, strict, want) => {
    expect(normalizeNumber(raw, cc, strict)).toBe(want);
  });
});
