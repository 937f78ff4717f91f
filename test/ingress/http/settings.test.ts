// GET/PUT /v1/settings/integration: partial updates, field-naming refusals, audit with the key prefix, isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, makeHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = makeHarness();
  await h.app.ready();
});
afterAll(() => h.app.close());

const put = (key: string, payload: unknown) =>
  h.app.inject({ method: 'PUT', url: '/v1/settings/integration', headers: auth(key), payload: payload as object });

describe('integration settings over HTTP', () => {
  it('GET shows the defaults of docs/settings.md', async () => {
    const a = h.account();
    const r = await h.app.inject({ method: 'GET', url: '/v1/settings/integration', headers: auth(a.apiKey) });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      feedbackUrl: '',
      incoming: { feedbackMethod: 'never', deleteAfterRetrieval: false },
      outgoing: { feedbackWhen: 'never', feedbackMethod: 'http-post', unsupportedFiles: 'ignore' },
      timezone: 'UTC',
      header: { enabled: true, format: '%Y-%m-%d %H:%M %Z|From: %%s %%n|To: %%d|Page %%P/%%T' },
      sender: { name: '', faxNumber: '', csid: '' },
      cover: { enabled: false, notice: '' },
      email: { receipts: 'always', receiptAttachment: 'none', faxToEmail: [] },
    });
  });

  it('PUT changes only the fields sent, records each change with api:key_<key id>, and leaves other accounts alone', async () => {
    const a = h.account();
    const other = h.account();
    const r = await put(a.apiKey, { feedbackUrl: 'https://hooks.example/fax', outgoing: { feedbackWhen: 'failure' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ feedbackUrl: 'https://hooks.example/fax', outgoing: { feedbackWhen: 'failure', feedbackMethod: 'http-post', unsupportedFiles: 'ignore' } });
    const dotted = await put(a.apiKey, { 'outgoing.unsupportedFiles': 'reject' });
    expect(dotted.json().outgoing).toMatchObject({ feedbackWhen: 'failure', unsupportedFiles: 'reject' });
    const log = h.accounts.auditLog(a.id).filter((e) => e.field !== 'account');
    expect(log.map((e) => [e.field, e.old, e.new, e.actor])).toEqual([
      ['outgoing.unsupportedFiles', 'ignore', 'reject', `api:key_${a.apiKeyId}`],
      ['outgoing.feedbackWhen', 'never', 'failure', `api:key_${a.apiKeyId}`],
      ['feedbackUrl', '', 'https://hooks.example/fax', `api:key_${a.apiKeyId}`],
    ]);
    expect(h.accounts.get(other.id)!.settings.outgoing.unsupportedFiles).toBe('ignore');
    // Takes effect at once: the next GET (and the next submission) sees it.
    const g = await h.app.inject({ method: 'GET', url: '/v1/settings/integration', headers: auth(a.apiKey) });
    expect(g.json().outgoing.unsupportedFiles).toBe('reject');
  });

  it.each([
    ['unknown key', { colour: 'red' }, ['colour']],
    ['bad enum', { outgoing: { feedbackWhen: 'sometimes' } }, ['outgoing.feedbackWhen']],
    ['method without url', { incoming: { feedbackMethod: 'xml' } }, ['incoming.feedbackMethod']],
    ['bad url', { feedbackUrl: 'ftp://x.example' }, ['feedbackUrl']],
    ['several at once', { feedbackUrl: 'nope', outgoing: { unsupportedFiles: 'drop' }, extra: 1 }, ['feedbackUrl', 'outgoing.unsupportedFiles', 'extra']],
    ['designated number on a standard account', { designatedFaxNumber: '+15551234567' }, ['designatedFaxNumber']],
    ['not an object', [1, 2], ['(body)']],
  ])('400 naming each invalid field (%s), nothing changes', async (_n, body, fields) => {
    const a = h.account();
    const r = await put(a.apiKey, body);
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    const p = r.json();
    expect(p.code).toBe('invalid-settings');
    expect(p.errors.map((e: { field: string }) => e.field).sort()).toEqual([...fields].sort());
    for (const e of p.errors) expect(e.message).toBeTruthy();
    expect(h.accounts.auditLog(a.id).filter((e) => e.field !== 'account')).toEqual([]);
  });

  it('a developer account keeps its designated number valid', async () => {
    const d = h.account({ kind: 'developer', designated: '+15550000001' });
    expect((await put(d.apiKey, { designatedFaxNumber: '+15550000002' })).json().designatedFaxNumber).toBe('+15550000002');
    const r = await put(d.apiKey, { designatedFaxNumber: '555' });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('designatedFaxNumber');
  });

  it('needs the API key', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/v1/settings/integration' })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'PUT', url: '/v1/settings/integration', payload: {} })).statusCode).toBe(401);
  });
});
