// HTTP routes of feedback: the public WSDL, and redeliver (bearer auth, account-scoped, same webhook-id, current URL).
import { afterAll, describe, expect, it } from 'vitest';
import { createWebService } from '../../src/web-service.js';
import { feedbackWsdl } from '../../src/feedback/wsdl.js';
import { silentLogger } from '../../src/logger.js';
import { httpDeps } from '../ingress/http/harness.js';
import { job, makeEnv, receiver, until } from './helpers.js';

const env = makeEnv();
const fb = env.make();
fb.start();
const app = createWebService(httpDeps({ config: env.config, db: env.db, accounts: env.accounts, feedback: fb, logger: silentLogger }).deps);
afterAll(async () => { await app.close(); await fb.close(); });

describe('GET /v1/feedback.wsdl', () => {
  it('is public XML', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/feedback.wsdl' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toBe(feedbackWsdl());
    expect(res.body).toContain('targetNamespace="urn:faxgate:feedback:1"');
  });
});

describe('OpenAPI', () => {
  it('documents both feedback routes', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/feedback.wsdl', '/v1/faxes/{id}/feedback/redeliver']));
  });
});

describe('POST /v1/faxes/{id}/feedback/redeliver', () => {
  it('needs an API key', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/faxes/job_x/feedback/redeliver' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('unauthorized');
  });

  it('re-sends the last feedback under the same webhook-id to the current feedbackUrl; other accounts get 404', async () => {
    const first = await receiver();
    const second = await receiver();
    afterAll(async () => { await first.close(); await second.close(); });
    const acc = env.accounts.create({ name: 'Redeliver', senders: ['redeliver@acme.example'] });
    env.accounts.updateSettings(acc.id, { feedbackUrl: first.url, 'outgoing.feedbackWhen': 'always' }, 'test');
    const other = env.accounts.create({ name: 'Other', senders: ['other@acme.example'] });
    const j = job(acc.id);
    env.db.transaction(() => fb.onJobTerminal(j))();
    await until(() => fb.outboxFor(j.id)[0]?.status === 'delivered', 'first delivery');

    const foreign = await app.inject({ method: 'POST', url: `/v1/faxes/${j.id}/feedback/redeliver`, headers: { authorization: `Bearer ${other.apiKey}` } });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe('not-found');
    const unknown = await app.inject({ method: 'POST', url: '/v1/faxes/job_nope/feedback/redeliver', headers: { authorization: `Bearer ${acc.apiKey}` } });
    expect(unknown.statusCode).toBe(404);

    env.accounts.updateSettings(acc.id, { feedbackUrl: second.url, 'outgoing.feedbackMethod': 'xml' }, 'test');
    const res = await app.inject({ method: 'POST', url: `/v1/faxes/${j.id}/feedback/redeliver`, headers: { authorization: `Bearer ${acc.apiKey}` } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'queued', webhookId: first.requests[0].headers['webhook-id'] });
    await until(() => second.requests.length === 1, 'the redelivery');
    expect(second.requests[0].headers['webhook-id']).toBe(first.requests[0].headers['webhook-id']);
    expect(second.requests[0].headers['content-type']).toMatch(/^text\/xml/);
    expect(second.requests[0].body).toContain(`<FaxId>${j.id}</FaxId>`);
    await until(() => fb.deliveriesFor(j.id).length === 2, 'both attempts recorded');
    expect(fb.deliveriesFor(j.id).map((d) => [d.url, d.outcome])).toEqual([[first.url, 'delivered'], [second.url, 'delivered']]);
    expect(first.requests).toHaveLength(1);
  });
});
