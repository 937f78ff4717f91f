// Accounts and integration settings: creation, hashed keys, validation naming the field, audit trail.
import { describe, expect, it } from 'vitest';
import { openTestDatabase } from '../helpers/test-db.js';
import { createSqliteAccountStore, hashApiKey } from '../../src/settings/accounts.js';
import { systemClock } from '../../src/domain/types.js';
import { FaxError } from '../../src/domain/errors.js';
import { tempDir } from '../helpers/tmp.js';

function store() {
  const db = openTestDatabase(tempDir());
  return { db, accounts: createSqliteAccountStore({ db, clock: systemClock }) };
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

describe('API keys, senders and inbound numbers after creation (issue #17)', () => {
  it('an account holds several keys; a revoked one no longer finds the account; only hashes are stored', () => {
    const { db, accounts } = store();
    const a = accounts.create({ name: 'Clinic', senders: ['c@clinic.example'] });
    const k = accounts.addApiKey(a.id, 'test');
    expect(accounts.findByApiKey(k.apiKey)?.id).toBe(a.id);
    expect(accounts.findByApiKey(a.apiKey)?.id).toBe(a.id);
    expect(JSON.stringify(db.prepare('SELECT * FROM api_keys').all())).not.toContain(k.apiKey);
    expect(accounts.listApiKeys(a.id).map((x) => x.id)).toContain(k.id);
    const r = accounts.revokeApiKey(a.id, k.id, 'test');
    expect(r.revokedAt).not.toBeNull();
    expect(accounts.findByApiKey(k.apiKey)).toBeUndefined();
    expect(accounts.findByApiKey(a.apiKey)?.id).toBe(a.id);
    expect(() => accounts.revokeApiKey(a.id, k.id, 'test')).toThrow(expect.objectContaining({ code: 'invalid-state' }));
    const b = accounts.create({ name: 'Other', senders: ['o@other.example'] });
    const bKey = accounts.listApiKeys(b.id)[0];
    expect(() => accounts.revokeApiKey(a.id, bKey.id, 'test')).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('senders and inbound numbers are added and removed with the same checks as at creation', () => {
    const { accounts } = store();
    const a = accounts.create({ name: 'A', senders: ['a@x.example'], country: '44' });
    const b = accounts.create({ name: 'B', senders: ['b@x.example'] });
    expect(accounts.addSender(a.id, 'A2@x.example', 't').senders).toEqual(['a2@x.example', 'a@x.example']);
    expect(fieldsOf(() => accounts.addSender(b.id, 'a2@x.example', 't'))).toEqual(['sender']);
    expect(accounts.removeSender(a.id, 'a@x.example', 't').senders).toEqual(['a2@x.example']);
    expect(fieldsOf(() => accounts.removeSender(a.id, 'a2@x.example', 't'))).toEqual(['sender']);
    // national numbers are read with the account's country code
    expect(accounts.addInboundNumber(a.id, '020 7946 0000', 't').inboundNumbers).toEqual(['+442079460000']);
    expect(fieldsOf(() => accounts.addInboundNumber(b.id, '+442079460000', 't'))).toEqual(['inbound']);
    expect(() => accounts.removeInboundNumber(b.id, '+442079460000', 't')).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(accounts.removeInboundNumber(a.id, '+442079460000', 't').inboundNumbers).toEqual([]);
  });
});
