// No 5xx for a client mistake: every /v1 route with a body, sent the wrong media type, an empty or malformed body, an
// oversized or unknown field, answers 4xx with a stable code (issue #17).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../src/domain/errors.js';
import { ADMIN_TOKEN, auth, makeHarness, type Harness } from './harness.js';

let h: Harness;
let key: string;
/** Every route that takes a body, from the service's own OpenAPI document: [method, path]. */
let routes: [string, string][];

beforeAll(async () => {
  h = makeHarness({});
  await h.app.ready();
  key = h.account().apiKey;
  const doc = (await h.app.inject({ method: 'GET', url: '/v1/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops)
    .filter((m) => ['post', 'put', 'patch'].includes(m)).map((m): [string, string] => [m.toUpperCase(), p.replace(/\{id\}/, 'job_0000')]));
});
afterAll(async () => {
  await h.feedback.close();
  await h.app.close();
});

const tokenFor = (url: string) => (url.startsWith('/v1/admin') || url.startsWith('/v1/sandbox') ? ADMIN_TOKEN : key);

function send(method: string, url: string, contentType: string | undefined, payload: string) {
  const headers: Record<string, string> = { ...auth(tokenFor(url)) };
  if (contentType) headers['content-type'] = contentType;
  return h.app.inject({ method: method as 'POST', url, headers, payload });
}

const MISTAKES: [string, string | undefined, string][] = [
  ['text/plain', 'text/plain', 'hello'],
  ['a form (curl -d)', 'application/x-www-form-urlencoded', 'to=%2B15551230001&file=x'],
  ['XML', 'application/xml', '<fax/>'],
  ['no content type', undefined, 'hello'],
  ['an empty JSON body', 'application/json', ''],
  ['malformed JSON', 'application/json', '{"to": '],
  ['a JSON array', 'application/json', '[1,2]'],
  ['an unknown field', 'application/json', '{"bogus": 1}'],
  ['an oversized field', 'application/json', JSON.stringify({ to: 'x'.repeat(100_000), coverText: 'y'.repeat(2_000_000) })],
  ['multipart without a boundary', 'multipart/form-data', 'garbage'],
  ['multipart cut short', 'multipart/form-data; boundary=XX', '--XX\r\nContent-Disposition: form-data; name="to"\r\n\r\n+1555'],
];

describe('no 5xx for a client mistake', () => {
  it('finds the routes that take a body', () => {
    expect(routes.map(([m, p]) => `${m} ${p}`)).toEqual(expect.arrayContaining(['POST /v1/faxes', 'PUT /v1/settings/integration', 'POST /v1/screen']));
  });

  it.each(MISTAKES)('%s: every route answers 4xx with a catalogue code', async (_name, contentType, payload) => {
    for (const [method, url] of routes) {
      const r = await send(method, url, contentType, payload);
      expect(r.statusCode, `${method} ${url}: ${r.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, `${method} ${url}: ${r.body.slice(0, 200)}`).toBeLessThan(500);
      expect(Object.keys(CATALOGUE)).toContain(r.json().code);
    }
  });

  it.each([
    ['text/plain', 'hello'],
    ['application/x-www-form-urlencoded', 'to=%2B15551230001'],
  ])('POST /v1/faxes as %s is 415 unsupported-media-type naming the accepted types', async (contentType, payload) => {
    const r = await send('POST', '/v1/faxes', contentType, payload);
    expect(r.statusCode).toBe(415);
    expect(r.json()).toMatchObject({ code: 'unsupported-media-type', accepted: ['multipart/form-data', 'application/json'] });
  });

  it('a wrong media type without credentials is still 401 first', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { 'content-type': 'text/plain' }, payload: 'x' });
    expect(r.statusCode).toBe(401);
  });

  const many = Array.from({ length: 51 }, (_, i) => `+1555123${String(i).padStart(4, '0')}`);
  it('51 recipients in JSON are the documented too-many-recipients', async () => {
    const r = await send('POST', '/v1/faxes', 'application/json', JSON.stringify({ to: many, files: [{ name: 'a.txt', data: 'aGk=' }] }));
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('too-many-recipients');
  });

  it('51 recipients in multipart are the documented too-many-recipients', async () => {
    const parts = [...many.map((n) => `--XX\r\nContent-Disposition: form-data; name="to"\r\n\r\n${n}\r\n`),
      '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XX--\r\n'];
    const r = await send('POST', '/v1/faxes', 'multipart/form-data; boundary=XX', parts.join(''));
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('too-many-recipients');
  });

  // Refusals fastify's router makes before any route runs must still be problem+json with a catalogue code.
  it.each([
    ['an id longer than the router allows', `/v1/faxes/${'j'.repeat(5000)}`],
    ['an id that does not percent-decode', '/v1/faxes/%E0%A4%A'],
  ])('GET with %s is a 4xx problem with a catalogue code', async (_name, url) => {
    const r = await h.app.inject({ method: 'GET', url, headers: auth(key) });
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    expect(r.statusCode).toBeLessThan(500);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Object.keys(CATALOGUE)).toContain(r.json().code);
  });
});
