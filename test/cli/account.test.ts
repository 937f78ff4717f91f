// `faxgate account key|sender|inbound` in-process on a real data folder; a revoked key is then refused by the web service.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/account.js';
import { UsageError } from '../../src/cli/args.js';
import { FaxError } from '../../src/domain/errors.js';
import { makeHarness, auth } from '../ingress/http/harness.js';
import { captureCli } from '../helpers/cli.js';

async function account(...args: string[]): Promise<{ code: number; out: string }> {
  const { code, out } = await captureCli(() => run(args));
  return { code, out };
}

const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof FaxError ? e.code : e instanceof UsageError ? 'usage' : String(e)));

afterEach(() => vi.restoreAllMocks());

describe('faxgate account key', () => {
  it('add prints a new key once; list shows ids, never key material; revoke makes the web service refuse it', async () => {
    const h = makeHarness();
    const acc = h.account();
    const get = (key: string) => h.app.inject({ method: 'GET', url: '/v1/settings/integration', headers: auth(key) });
    const d = ['--data', h.dataDir];

    const added = await account('key', 'add', acc.id, ...d, '--json');
    expect(added.code).toBe(0);
    const k = JSON.parse(added.out) as { id: string; apiKey: string };
    expect(k.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(k.apiKey).toMatch(/^fgk_/);
    expect((await get(k.apiKey)).statusCode).toBe(200);
    expect((await get(acc.apiKey)).statusCode).toBe(200);

    const list = await account('key', 'list', acc.id, ...d);
    expect(list.out).toMatch(/^ID\s+CREATED\s+REVOKED/);
    expect(list.out).toContain(k.id);
    expect(list.out).not.toContain(k.apiKey);
    expect(list.out).not.toContain(acc.apiKey);
    const json = JSON.parse((await account('key', 'list', acc.id, ...d, '--json')).out) as { id: string; revokedAt: string | null }[];
    expect(json.map((x) => Object.keys(x).sort())).toEqual([['createdAt', 'id', 'revokedAt'], ['createdAt', 'id', 'revokedAt']]);
    expect(JSON.stringify(json)).not.toContain('fgk_');

    // the first key, as records name it (key_<id>); the new one keeps working
    const first = json.find((x) => x.id !== k.id)!;
    expect(first.id).toBe(acc.apiKeyId);
    const revoked = await account('key', 'revoke', acc.id, `key_${first.id}`, ...d);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toContain(`revoked API key ${first.id}`);
    expect((await get(acc.apiKey)).statusCode).toBe(401);
    expect((await get(k.apiKey)).statusCode).toBe(200);

    // by the id's first 8 characters; the last one gone, the output says how to get one
    const last = await account('key', 'revoke', acc.id, k.id.slice(0, 8), ...d);
    expect(last.out).toContain(`faxgate account key add ${acc.id}`);
    expect((await get(k.apiKey)).statusCode).toBe(401);
    expect(await codeOf(account('key', 'revoke', acc.id, k.id, ...d))).toBe('invalid-state');
    await h.app.close();
    h.db.close();
  });

  it('refuses a key of another account, an unknown key and an unknown account', async () => {
    const h = makeHarness();
    const a = h.account();
    const b = h.account();
    const d = ['--data', h.dataDir];
    const bKey = (JSON.parse((await account('key', 'list', b.id, ...d, '--json')).out) as { id: string }[])[0];
    expect(await codeOf(account('key', 'revoke', a.id, bKey.id, ...d))).toBe('not-found');
    expect(h.accounts.findByApiKey(b.apiKey)?.id).toBe(b.id);
    expect(await codeOf(account('key', 'revoke', a.id, '00000000-0000-4000-8000-000000000000', ...d))).toBe('not-found');
    // fewer than 8 characters name no key, even when they match
    expect(await codeOf(account('key', 'revoke', a.id, a.apiKeyId.slice(0, 4), ...d))).toBe('not-found');
    expect(await codeOf(account('key', 'add', 'acc_nobody', ...d))).toBe('not-found');
    expect(await codeOf(account('key', 'revoke', a.id, ...d))).toBe('usage');
    expect(await codeOf(account('key', 'rotate', a.id, ...d))).toBe('usage');
    h.db.close();
  });
});

describe('faxgate account sender|inbound', () => {
  it('adds and removes senders and inbound numbers, which then route mail and faxes', async () => {
    const h = makeHarness();
    const acc = h.account();
    const d = ['--data', h.dataDir];
    expect((await account('sender', 'add', acc.id, 'Billing@Clinic.example', ...d)).code).toBe(0);
    expect(h.accounts.findBySender('billing@clinic.example')?.id).toBe(acc.id);
    const shown = JSON.parse((await account('sender', 'remove', acc.id, acc.senders[0], ...d, '--json')).out) as { senders: string[] };
    expect(shown.senders).toEqual(['billing@clinic.example']);
    expect(h.accounts.findBySender(acc.senders[0])).toBeUndefined();
    // the last sender stays
    expect(await codeOf(account('sender', 'remove', acc.id, 'billing@clinic.example', ...d))).toBe('invalid-settings');
    expect(await codeOf(account('sender', 'add', acc.id, 'not-an-address', ...d))).toBe('invalid-settings');

    const other = h.account();
    expect(await codeOf(account('sender', 'add', other.id, 'billing@clinic.example', ...d))).toBe('invalid-settings');

    expect((await account('inbound', 'add', acc.id, '555-000-2222', ...d)).code).toBe(0);
    expect(h.accounts.findByInboundNumber('+15550002222')?.id).toBe(acc.id);
    expect(await codeOf(account('inbound', 'add', other.id, '+15550002222', ...d))).toBe('invalid-settings');
    expect(await codeOf(account('inbound', 'add', acc.id, '12', ...d))).toBe('invalid-settings');
    expect(await codeOf(account('inbound', 'remove', other.id, '+15550002222', ...d))).toBe('not-found');
    expect((await account('inbound', 'remove', acc.id, '+15550002222', ...d)).code).toBe(0);
    expect(h.accounts.findByInboundNumber('+15550002222')).toBeUndefined();
    expect(h.accounts.auditLog(acc.id).map((e) => e.field)).toEqual(expect.arrayContaining(['sender', 'inboundNumber']));
    h.db.close();
  });
});
