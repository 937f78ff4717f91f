// /v1/openapi.json: an OpenAPI 3 document generated from the route schemas, describing every route the app serves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteOptions } from 'fastify';
import { makeHarness, type Harness } from './harness.js';

let h: Harness;
const routes: { method: string; url: string }[] = [];
beforeAll(async () => {
  h = makeHarness();
  // Routes are added while plugins load (at ready), so this sees every one of them.
  h.app.addHook('onRoute', (r: RouteOptions) => {
    for (const m of ([] as string[]).concat(r.method)) if (m !== 'HEAD') routes.push({ method: m.toLowerCase(), url: r.url });
  });
  await h.app.ready();
});
afterAll(() => h.app.close());

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z_]+)/g, '{$1}');

describe('OpenAPI document', () => {
  it('is served without auth as OpenAPI 3 with the security schemes', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/v1/openapi.json' });
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes).toMatchObject({ apiKey: { scheme: 'bearer' }, adminToken: { scheme: 'bearer' } });
    expect(doc.components.schemas).toHaveProperty('Problem');
    expect(doc.components.schemas).toHaveProperty('FileReport');
  });

  it('describes every /v1 API route the app serves, each with responses', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    const api = routes.filter((r) => r.url.startsWith('/v1/'));
    expect(api.length).toBeGreaterThanOrEqual(9);
    for (const r of api) {
      const op = doc.paths[toOpenApiPath(r.url)]?.[r.method];
      expect(op, `${r.method} ${r.url}`).toBeTruthy();
      expect(Object.keys(op.responses ?? {}).length, `${r.method} ${r.url} responses`).toBeGreaterThan(0);
    }
    for (const [method, path] of [
      ['post', '/v1/faxes'], ['get', '/v1/faxes/{id}'], ['get', '/v1/faxes/{id}/image'], ['post', '/v1/screen'],
      ['get', '/v1/settings/integration'], ['put', '/v1/settings/integration'], ['get', '/v1/admin/types'], ['put', '/v1/admin/types'],
    ]) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeTruthy();
  });

  it('documents both request forms of POST /v1/faxes, its statuses and the Idempotency-Key header', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    const op = doc.paths['/v1/faxes'].post;
    expect(Object.keys(op.requestBody.content).sort()).toEqual(['application/json', 'multipart/form-data']);
    expect(op.requestBody.content['multipart/form-data'].schema.properties.file.items.format).toBe('binary');
    expect(op.requestBody.content['application/json'].schema.properties.files.items.properties.data.format).toBe('byte');
    expect(Object.keys(op.responses).sort()).toEqual(['202', '400', '401', '403', '409', '413', '415', '422', '429', '500', '503']);
    expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'idempotency-key' })]));
    expect(op.security).toEqual([{ apiKey: [] }]);
    expect(doc.paths['/v1/admin/types'].put.security).toEqual([{ adminToken: [] }]);
    const image = doc.paths['/v1/faxes/{id}/image'].get;
    expect(Object.keys(image.responses['200'].content).sort()).toEqual(['application/pdf', 'image/tiff']);
  });
});
