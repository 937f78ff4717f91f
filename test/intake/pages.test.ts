// Subject modifiers and the page options a submission keeps: table-driven, the same rule for email and web service.
import { describe, expect, it } from 'vitest';
import { pageOptions, parseSubjectModifiers, stationId } from '../../src/intake/pages.js';
import { DEFAULT_SETTINGS, withDefaults } from '../../src/settings/validate.js';
import type { Account } from '../../src/settings/accounts.js';

describe('parseSubjectModifiers', () => {
  it.each([
    ['Referral', { subject: 'Referral' }],
    ['[cover] Referral', { subject: 'Referral', cover: true }],
    ['Referral [NoCover]', { subject: 'Referral', cover: false }],
    ['[standard] Lab results', { subject: 'Lab results', resolution: 'standard' }],
    ['[fine]', { subject: '', resolution: 'fine' }],
    ['[ superfine ] scan', { subject: 'scan', resolution: 'superfine' }],
    ['[cover][standard] both', { subject: 'both', cover: true, resolution: 'standard' }],
    ['[cover] then [nocover]: the last wins', { subject: 'then : the last wins', cover: false }],
    ['[urgent] kept, not a modifier', { subject: '[urgent] kept, not a modifier' }],
    ['Re: [cover] in the middle', { subject: 'Re: in the middle', cover: true }],
  ])('%j', (subject, expected) => {
    expect(parseSubjectModifiers(subject)).toEqual(expected);
  });
});

const account = (over: Partial<Account['settings']> = {}): Account => ({
  id: 'acct_1', name: 'Acme', kind: 'standard', country: '1', feedbackSecret: 'x', createdAt: '', senders: [], inboundNumbers: [],
  settings: withDefaults({ ...structuredClone(DEFAULT_SETTINGS), ...over }),
} as unknown as Account);

describe('pageOptions', () => {
  const choices = { subject: 'Referral', from: 'desk@acme.example', recipients: ['+15550100200'] };
  it.each([
    ['defaults: header on (account name, UTC), no cover, no station id', {}, {}, { header: true, cover: false, csid: undefined, senderName: 'Acme', timezone: 'UTC' }],
    ['header off', { header: { enabled: false, format: 'x' } }, {}, { header: false, cover: false, csid: undefined }],
    ['account cover on', { cover: { enabled: true, notice: 'N' } }, {}, { header: true, cover: true }],
    ['account cover on, submission off', { cover: { enabled: true, notice: '' } }, { cover: false }, { cover: false }],
    ['account cover off, submission on', {}, { cover: true }, { cover: true }],
    ['station id from the fax number', { sender: { name: 'Front desk', faxNumber: '+15550100100', csid: '' } }, {}, { csid: '+15550100100', senderName: 'Front desk' }],
    ['station id set', { sender: { name: '', faxNumber: '+15550100100', csid: '+1 555 010 0100' } }, {}, { csid: '+1 555 010 0100' }],
  ] as const)('%s', (_n, settings, sub, want) => {
    const o = pageOptions(account(settings as Partial<Account['settings']>), { ...choices, ...sub }, 'Body text');
    if ('header' in want) expect(Boolean(o.header)).toBe(want.header);
    if ('cover' in want) expect(Boolean(o.cover)).toBe(want.cover);
    if ('csid' in want) expect(o.csid).toBe(want.csid);
    if ('senderName' in want) expect(o.header?.senderName).toBe(want.senderName);
    if ('timezone' in want) expect(o.header?.timezone).toBe(want.timezone);
  });

  it('the cover carries the message: coverText before the body text', () => {
    const a = account({ cover: { enabled: true, notice: 'Confidential' } });
    expect(pageOptions(a, choices, 'Body text').cover).toMatchObject({ text: 'Body text', notice: 'Confidential', from: 'Acme <desk@acme.example>', to: ['+15550100200'] });
    expect(pageOptions(a, { ...choices, coverText: 'Cover text' }, 'Body text').cover?.text).toBe('Cover text');
    expect(stationId(a)).toBe('');
  });
});
