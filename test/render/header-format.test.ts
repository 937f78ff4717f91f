// The header line format: every documented code, "|" fields, literal %, the account's time zone, unknown codes refused.
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEADER_FORMAT, FAX_CODES, TIME_CODES, checkHeaderFormat, formatHeader, type HeaderFields } from '../../src/render/header-format.js';

const F: HeaderFields = {
  at: new Date('2026-03-08T14:05:09Z'), timezone: 'America/New_York', senderName: 'Acme Clinic', senderNumber: '+15550100100',
  csid: '+1 555 010 0100', to: '+15550100200', subject: 'Referral', jobId: 'job_abc', page: 2, pages: 5,
};

describe('formatHeader', () => {
  it.each([
    // time codes, in the account's zone (2026-03-08 is the day New York switches to daylight time: 10:05 EDT)
    ['%Y', '2026'], ['%y', '26'], ['%m', '03'], ['%b', 'Mar'], ['%d', '08'], ['%e', '8'], ['%a', 'Sun'],
    ['%H', '10'], ['%I', '10'], ['%p', 'AM'], ['%M', '05'], ['%S', '09'], ['%Z', 'EDT'],
    // fax codes
    ['%%d', '+15550100200'], ['%%n', '+15550100100'], ['%%l', '+1 555 010 0100'], ['%%s', 'Acme Clinic'], ['%%S', 'Referral'],
    ['%%i', 'job_abc'], ['%%P', '2'], ['%%T', '5'],
    // literals
    ['100%%% sure', '100% sure'], ['plain text', 'plain text'],
  ])('%s → %s', (format, expected) => {
    expect(formatHeader(format, F)).toEqual([expected]);
  });

  it('every documented code is covered above', () => {
    expect(Object.keys(TIME_CODES).sort()).toEqual(['H', 'I', 'M', 'S', 'Y', 'Z', 'a', 'b', 'd', 'e', 'm', 'p', 'y'].sort());
    expect(Object.keys(FAX_CODES).sort()).toEqual(['P', 'S', 'T', 'd', 'i', 'l', 'n', 's'].sort());
  });

  it.each([
    ['the default, in New York', DEFAULT_HEADER_FORMAT, 'America/New_York', ['2026-03-08 10:05 EDT', 'From: Acme Clinic +15550100100', 'To: +15550100200', 'Page 2/5']],
    ['the default, in UTC', DEFAULT_HEADER_FORMAT, 'UTC', ['2026-03-08 14:05 UTC', 'From: Acme Clinic +15550100100', 'To: +15550100200', 'Page 2/5']],
    ['afternoon, 12-hour', '%I:%M %p', 'Asia/Tokyo', ['11:05 PM']],
    ['empty fields and doubled spaces closed up', 'From %%s  %%S||x', 'UTC', ['From Acme Clinic Referral', '', 'x']],
  ])('%s', (_n, format, timezone, expected) => {
    expect(formatHeader(format, { ...F, timezone })).toEqual(expected);
  });

  it('%%l falls back to the sender number without a station id; a subject with control characters stays one line', () => {
    expect(formatHeader('%%l|%%S', { ...F, csid: '', subject: 'a\tb\nc' })).toEqual(['+15550100100', 'a b c']);
  });
});

describe('checkHeaderFormat', () => {
  it.each([
    [DEFAULT_HEADER_FORMAT, null],
    ['%%%', null],
    ['', /must not be empty/],
    ['%Q', /unknown codes %Q/],
    ['%%x and %%', /unknown codes %%x, %%/],
    ['trailing %', /unknown codes %/],
  ])('%j', (format, expected) => {
    const r = checkHeaderFormat(format);
    if (expected === null) expect(r).toBeNull();
    else expect(r).toMatch(expected);
  });
});
