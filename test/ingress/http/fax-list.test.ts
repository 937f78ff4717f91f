// GET /v1/faxes and GET /v1/inbound at the real HTTP edge, through the generated client (client/): newest first, each
// filter, and keyset pages that stay right while new faxes arrive between two requests (an injected clock gives every
// submission its own, known time).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/domain/types.js';
import { FAX_TIFF } from '../../inbound/parts.js';
import { createFaxgateClient, type paths } from '../../../client/index.js';
import { auth, makeHarness, type Harness } from './harness.js';

let h: Harness;
let base: string;
let t = Date.parse('2026-12-01T09:00:00.000Z');
/** Every reading is one second later: submission times are distinct and known without sleeping. */
const clock: Clock = { now: () => new Date((t += 1000)) };

type Page = { items: { id: string; to: string; status: string; source: string; clientReference?: string; submittedAt: string }[]; nextCursor: string | null };

async function submit(key: string, to: string, extra: { clientReference?: string } = {}): Promise<string> {
  const { data, response } = await createFaxgateClient(base, key).POST('/v1/faxes', {
    body: { to, files: [{ name: 'a.txt', data: Buffer.from('hello').toString('base64') }], ...extra },
  });
  expect(response.status).toBe(202);
  return data!.jobs[0].id;
}

/** The list through the client; `query` as the route's own parameters (arrays repeat: status=a&status=b). */
type ListQuery = NonNullable<paths['/v1/faxes']['get']['parameters']['query']>;

async function list(key: string, query: ListQuery): Promise<Page> {
  const { data, error, response } = await createFaxgateClient(base, key).GET('/v1/faxes', { params: { query } });
  expect(response.status, JSON.stringify(error)).toBe(200);
  return data as Page;
}

beforeAll(async () => {
  h = makeHarness({}, { clock });
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await h.app.close();
});

describe('GET /v1/faxes', () => {
  it('pages newest first on a keyset: faxes submitted between two pages neither repeat nor skip a row', async () => {
    const a = h.account();
    const first: string[] = [];
    for (let i = 0; i < 5; i++) first.push(await submit(a.apiKey, `+1555000010${i}`));
    const p1 = await list(a.apiKey, { limit: 2 });
    expect(p1.items.map((x) => x.id)).toEqual([first[4], first[3]]);
    expect(p1.nextCursor).toEqual(expect.any(String));
    // Two new faxes arrive: an offset would now show first[3] again; the keyset goes on after it.
    await submit(a.apiKey, '+15550000200');
    await submit(a.apiKey, '+15550000201');
    const p2 = await list(a.apiKey, { limit: 2, cursor: p1.nextCursor! });
    expect(p2.items.map((x) => x.id)).toEqual([first[2], first[1]]);
    const p3 = await list(a.apiKey, { limit: 2, cursor: p2.nextCursor! });
    expect(p3.items.map((x) => x.id)).toEqual([first[0]]);
    expect(p3.nextCursor).toBeNull();
    expect((await list(a.apiKey, {})).items).toHaveLength(7);
  });

  it('filters combine: status, to, source, from/until, clientReference; another account sees none of them', async () => {
    const a = h.account();
    const b = h.account();
    const x = await submit(a.apiKey, '+15550000301', { clientReference: 'inv-1' });
    const from = new Date(t + 1).toISOString();
    const y = await submit(a.apiKey, '+15550000302', { clientReference: 'inv-2' });
    const until = new Date(t + 1).toISOString();
    const z = await submit(a.apiKey, '+15550000302');
    await createFaxgateClient(base, a.apiKey).POST('/v1/faxes/{id}/cancel', { params: { path: { id: z } } });
    const ids = async (q: ListQuery) => (await list(a.apiKey, q)).items.map((i) => i.id);
    expect(await ids({ status: ['cancelled'] })).toEqual([z]);
    expect(await ids({ status: ['received', 'cancelled'] })).toEqual([z, y, x]);
    expect(await ids({ to: '+1 555 000 0302' })).toEqual([z, y]);
    expect(await ids({ source: 'api' })).toEqual([z, y, x]);
    expect(await ids({ source: 'email' })).toEqual([]);
    expect(await ids({ from, until })).toEqual([y]);
    expect(await ids({ clientReference: 'inv-1' })).toEqual([x]);
    expect((await list(a.apiKey, { clientReference: 'inv-2' })).items[0]).toMatchObject({ clientReference: 'inv-2', to: '+15550000302' });
    expect((await list(b.apiKey, {})).items).toEqual([]);
  });

  it('refuses a bad limit, status, time or cursor with 400 and a stable code', async () => {
    const a = h.account();
    for (const [q, code] of [['limit=101', 'invalid-request'], ['limit=0', 'invalid-request'], ['status=lost', 'invalid-request'],
      ['from=yesterday', 'invalid-request'], ['cursor=bm9wZQ', 'invalid-cursor']] as const) {
      const r = await h.app.inject({ method: 'GET', url: `/v1/faxes?${q}`, headers: auth(a.apiKey) });
      expect(r.statusCode, q).toBe(400);
      expect(r.json(), q).toMatchObject({ code });
    }
  });
});

describe('GET /v1/inbound filters', () => {
  it('status, to and from/until apply to received faxes, with the same cursor paging', async () => {
    const a = h.accounts.create({ name: 'In', senders: ['in@in.example'], inbound: ['+15550009001', '+15550009002'] });
    const got: string[] = [];
    for (const to of ['+15550009001', '+15550009002', '+15550009001']) {
      const fax = await h.deps.inbound.receive({ to, from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' });
      got.push(fax!.id);
    }
    const q = async (query: NonNullable<paths['/v1/inbound']['get']['parameters']['query']>) => {
      const { data, response } = await createFaxgateClient(base, a.apiKey).GET('/v1/inbound', { params: { query } });
      expect(response.status).toBe(200);
      return data!;
    };
    expect((await q({ to: '+15550009001' })).items.map((i) => i.id)).toEqual([got[2], got[0]]);
    expect((await q({ status: ['deleted'] })).items).toEqual([]);
    const p1 = await q({ to: '+15550009001', limit: 1 });
    expect(p1.items.map((i) => i.id)).toEqual([got[2]]);
    expect((await q({ to: '+15550009001', limit: 1, cursor: p1.nextCursor! })).items.map((i) => i.id)).toEqual([got[0]]);
    expect((await q({ until: '2000-01-01' })).items).toEqual([]);
    expect((await q({ from: '2000-01-01' })).items).toHaveLength(3);
  });
});
