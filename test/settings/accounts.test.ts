// Accounts and integration settings: creation, hashed keys, validation naming the field, audit trail.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { createAccountStore, hashApiKey } from '../../src/settings/accounts.js';
import { systemClock } from '../../src/domain/types.js';
import { FaxError } from '../../src/domain/errors.js';
import { tempDir } from '../helpers/tmp.js';

function store() {
  const db = openDatabase(tempDir());
  return { db, accounts: createAccountStore({ db, clock: systemClock }) };
}

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FaxError);
    expect((e as FaxError).code).toBe('invalid-settings');
    return ((e as FaxError).details!.errors as { field: string }[]).map((x) => x.field);
  }
  throw new Error('expected a validation error');
}

describe('accounts', () => {
  it('stores only the hash of the API key and finds the account by key and sender', () => {
    const { db, accounts } = store();
    const a = accounts.create({ name: 'Clinic', senders: ['Front@Clinic.example'], inbound: ['+15550001111'] });
    expect(a.apiKey).toMatch(/^fgk_/);
    expect(a.feedbackSecret).toMatch(/^whsec_/);
    const raw = JSON.stringify(db.prepare('SELECT * FROM api_keys').all());
    expect(raw).not.toContain(a.apiKey);
    expect(raw).toContain(hashApiKey(a.apiKey));
    expect(accounts.findByApiKey(a.apiKey)?.id).toBe(a.id);
    expect(accounts.findByApiKey(`${a.apiKey}x`)).toBeUndefined();
    expect(accounts.findBySender('front@clinic.example')?.id).toBe(a.id);
    expect(accounts.findByInboundNumber('+15550001111')?.id).toBe(a.id);
    expect(a.settings.outgoing.unsupportedFiles).toBe('ignore');
  });

  it('refuses a sender registered to another account', () => {
    const { accounts } = store();
    accounts.create({ name: 'A', senders: ['a@x.example'] });
    expect(fieldsOf(() => accounts.create({ name: 'B', senders: ['A@x.example'] }))).toEqual(['sender']);
  });

  it('developer accounts need a designated number; standard accounts refuse one', () => {
    const { accounts } = store();
    expect(fieldsOf(() => accounts.create({ name: 'D', senders: ['d@x.example'], kind: 'developer' }))).toEqual(['designatedFaxNumber']);
    expect(fieldsOf(() => accounts.create({ name: 'S', senders: ['s@x.example'], designated: '+15551230000' }))).toEqual(['designatedFaxNumber']);
    const d = accounts.create({ name: 'D', senders: ['d@x.example'], kind: 'developer', designated: '+15551230000' });
    expect(d.settings.designatedFaxNumber).toBe('+15551230000');
  });
});

describe('integration settings', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['unknown key', { 'outgoing.colour': 'red' }, ['outgoing.colour']],
    ['bad enum', { outgoing: { unsupportedFiles: 'drop' } }, ['outgoing.unsupportedFiles']],
    ['bad boolean', { 'incoming.deleteAfterRetrieval': 'maybe' }, ['incoming.deleteAfterRetrieval']],
    ['method without URL', { 'incoming.feedbackMethod': 'xml' }, ['incoming.feedbackMethod']],
    ['when without URL', { outgoing: { feedbackWhen: 'always' } }, ['outgoing.feedbackWhen']],
    ['non-http URL', { feedbackUrl: 'ftp://x.example/' }, ['feedbackUrl']],
    ['relative URL', { feedbackUrl: '/hook' }, ['feedbackUrl']],
    ['designated on standard', { designatedFaxNumber: '+15551230000' }, ['designatedFaxNumber']],
    ['two bad fields', { 'outgoing.feedbackWhen': 'sometimes', feedbackUrl: 'nope' }, ['outgoing.feedbackWhen', 'feedbackUrl']],
  ];
  it.each(cases)('refuses %s naming the field', (_name, change, fields) => {
    const { accounts } = store();
    const a = accounts.create({ name: 'A', senders: ['a@x.example'] });
    expect(fieldsOf(() => accounts.updateSettings(a.id, change, 'test'))).toEqual(fields);
    expect(accounts.mustGet(a.id).settings).toEqual(a.settings);
  });

  it('applies a valid partial change, coerces CLI strings and records old → new', () => {
    const { accounts } = store();
    const a = accounts.create({ name: 'A', senders: ['a@x.example'] });
    const s = accounts.updateSettings(a.id, {
      feedbackUrl: 'https://hooks.example/fax', 'outgoing.feedbackWhen': 'failure', 'incoming.deleteAfterRetrieval': 'true',
    }, 'tester');
    expect(s.outgoing.feedbackWhen).toBe('failure');
    expect(s.incoming.deleteAfterRetrieval).toBe(true);
    expect(accounts.mustGet(a.id).settings.feedbackUrl).toBe('https://hooks.example/fax');
    const log = accounts.auditLog(a.id);
    expect(log.find((e) => e.field === 'outgoing.feedbackWhen')).toMatchObject({ actor: 'tester', old: 'never', new: 'failure' });
  });
});
