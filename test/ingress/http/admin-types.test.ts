// GET/PUT /v1/admin/types: admin token only, partial changes, unavailable types refused, effect on the next submission.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, auth, corpusBytes, makeHarness, type Harness } from './harness.js';

const PDF = corpusBytes('pdf/pdf_three_pages.pdf');
let h: Harness;
beforeAll(async () => {
  h = makeHarness();
  await h.app.ready();
});
afterAll(() => h.app.close());

const admin = auth(ADMIN_TOKEN);
const put = (payload: unknown, headers = admin) => h.app.inject({ method: 'PUT', url: '/v1/admin/types', headers, payload: payload as object });

describe('/v1/admin/types', () => {
  it('refuses without the admin token (401) and with an API key (401)', async () => {
    const a = h.account();
    for (const headers of [{}, auth(a.apiKey), auth(`${ADMIN_TOKEN}x`)]) {
      const r = await h.app.inject({ method: 'GET', url: '/v1/admin/types', headers });
      expect(r.statusCode).toBe(401);
      expect(r.json().code).toBe('unauthorized');
    }
  });

  it('is switched off (403) when the operator set no admin token', async () => {
    const bare = makeHarness({ adminToken: undefined });
    const r = await bare.app.inject({ method: 'GET', url: '/v1/admin/types', headers: admin });
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('forbidden');
    await bare.app.close();
  });

  it('lists every type with enabled, available, maxBytes and reason', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/v1/admin/types', headers: admin });
    expect(r.statusCode).toBe(200);
    const rows = r.json().types as { id: string; enabled: boolean; available: boolean; maxBytes: number | null; reason: string }[];
    expect(rows.find((t) => t.id === 'pdf')).toMatchObject({ enabled: true, available: true, maxBytes: null });
    expect(rows.find((t) => t.id === 'svg')).toMatchObject({ enabled: false, available: false });
    expect(rows.find((t) => t.id === 'docx')?.reason).toMatch(/LibreOffice/);
  });

  it('applies a partial change, audited, and the next HTTP submission obeys it', async () => {
    const a = h.account();
    const submit = () => h.app.inject({ method: 'POST', url: '/v1/faxes', headers: auth(a.apiKey), payload: { to: '+15551112222', files: [{ name: 'a.pdf', data: PDF.toString('base64') }] } });
    expect((await submit()).statusCode).toBe(202);
    const r = await put({ pdf: { enabled: false }, png: { maxBytes: 1000 } });
    expect(r.statusCode).toBe(200);
    expect(r.json().types.find((t: { id: string }) => t.id === 'pdf').enabled).toBe(false);
    expect(r.json().types.find((t: { id: string }) => t.id === 'png').maxBytes).toBe(1000);
    const off = await submit();
    expect(off.statusCode).toBe(422);
    expect(off.json().files[0]).toMatchObject({ detected: 'pdf', verdict: 'unsupported-type' });
    expect(h.accounts.auditLog(undefined, 10).map((e) => [e.field, e.actor])).toEqual(expect.arrayContaining([['types.pdf.enabled', 'admin:api']]));
    expect((await put({ pdf: { enabled: true }, png: { maxBytes: null } })).statusCode).toBe(200);
    expect((await submit()).statusCode).toBe(202);
  });

  it('refuses to enable an unavailable type with its reason (409 type-unavailable), changing nothing', async () => {
    const r = await put({ png: { enabled: false }, docx: { enabled: true } });
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ code: 'type-unavailable' });
    expect(r.json().detail).toMatch(/LibreOffice/);
    const list = await h.app.inject({ method: 'GET', url: '/v1/admin/types', headers: admin });
    expect(list.json().types.find((t: { id: string }) => t.id === 'png').enabled).toBe(true);
  });

  it.each([
    ['unknown type', { nosuch: { enabled: true } }],
    ['unknown field', { pdf: { colour: 'red' } }],
    ['wrong type', { pdf: { enabled: 'yes' } }],
    ['negative cap', { pdf: { maxBytes: -5 } }],
    ['empty change', {}],
  ])('400 invalid-request (%s)', async (_n, body) => {
    const r = await put(body);
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('invalid-request');
  });
});
