// The account pages and the admin's account pages over inject(): sign-in leads back where it started (and nowhere
// else), every new form refuses a missing session or CSRF token, another account's faxes are not found, lists page.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Browser } from './jar.js';
import { webApp, world } from './harness.js';
import { multipart } from '../ingress/http/harness.js';

describe('account pages', () => {
  const w = world();
  let app: FastifyInstance;
  let faxId = '';
  beforeAll(async () => {
    app = await webApp({ ...w.deps, pageSize: 1 });
    w.accounts.addInboundNumber(w.standard.id, '+15550009999', 'test');
    const tiff = path.join(w.dir, 'in.tif');
    execFileSync('convert', ['-size', '1728x2156', 'xc:white', '-monochrome', '-compress', 'Group4', '-density', '204x196', '-units', 'PixelsPerInch', tiff]);
    faxId = (await w.parts.inbound.receive({ to: '+15550009999', from: '+14155550123', path: tiff, name: 'in.tif' }))!.id;
    for (const to of ['+15550102000', '+15550102001', '+15550102002']) {
      await w.parts.intake.submit({ source: 'api', accountId: w.standard.id, sender: 'test', recipients: [to], files: [], coverText: 'Hello' });
    }
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers / with the landing page and the pages\' security headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("script-src 'none'");
    expect(res.body).toContain('href="/v1/openapi.json"');
  });

  it.each(['/faxes', '/inbound', '/send'])('%s signed out shows the sign-in, which leads back to it', async (url) => {
    const b = new Browser(app);
    const page = await b.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<input type="hidden" name="next" value="${url}">`);
    const res = await b.post('/settings/sign-in', { _csrf: b.csrf(), apiKey: w.standard.apiKey, next: url });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(url);
  });

  it('follows no other next page (no open redirect)', async () => {
    const b = new Browser(app);
    await b.get('/faxes');
    const res = await b.post('/settings/sign-in', { _csrf: b.csrf(), apiKey: w.standard.apiKey, next: 'https://evil.example/' });
    expect(res.headers.location).toBe('/settings');
  });

  it('every form refuses a missing session (401) and a missing or wrong CSRF token (403), changing nothing', async () => {
    const targets = [`/inbound/${faxId}/delete`, '/send/confirm', '/send/discard', `/faxes/${w.parts.jobs.list(w.standard.id)[0].id}/cancel`,
      `/faxes/${w.parts.jobs.list(w.standard.id)[0].id}/resend`];
    for (const url of targets) expect((await new Browser(app).post(url, { _csrf: 'x' })).statusCode, url).toBe(401);
    const b = new Browser(app);
    await b.signIn(w.standard.apiKey);
    for (const url of targets) {
      expect((await b.post(url, {})).statusCode, url).toBe(403);
      expect((await b.post(url, { _csrf: 'forged' })).statusCode, url).toBe(403);
    }
    expect(w.parts.inbound.get(w.standard.id, faxId).status).toBe('stored');
    expect(w.parts.jobs.list(w.standard.id).every((j) => j.status === 'received')).toBe(true);
    // A file upload from a stranger is refused before its body is read.
    const form = multipart([['to', '+15550102000']], [{ name: 'a.txt', data: Buffer.from('hello') }]);
    const res = await app.inject({ method: 'POST', url: '/send', payload: form.payload, headers: form.headers });
    expect(res.statusCode).toBe(401);
  });

  it('another account sees none of the faxes', async () => {
    const b = new Browser(app);
    await b.signIn(w.developer.apiKey);
    const job = w.parts.jobs.list(w.standard.id)[0];
    expect((await b.get(`/faxes/${job.id}`)).statusCode).toBe(404);
    expect((await b.get(`/inbound/${faxId}/view`)).statusCode).toBe(404);
    expect((await b.post(`/inbound/${faxId}/delete`, { _csrf: (await b.get('/inbound'), b.csrf()) })).statusCode).toBe(404);
    expect((await b.get('/inbound')).body).toContain('No fax has been received');
  });

  it('pages the fax list by the service\'s cursor, newest first, each fax once', async () => {
    const b = new Browser(app);
    await b.signIn(w.standard.apiKey);
    const seen: string[] = [];
    let url: string | undefined = '/faxes';
    while (url) {
      const body: string = (await b.get(url)).body;
      seen.push(...[...body.matchAll(/<a href="\/faxes\/(job_[0-9a-f]+)">/g)].map((m) => m[1]));
      url = /<a href="(\/faxes\?[^"]+)">Older faxes<\/a>/.exec(body)?.[1]?.replace(/&amp;/g, '&');
    }
    expect(seen).toEqual(w.parts.jobs.list(w.standard.id).map((j) => j.id));
    expect((await b.get('/faxes?status=nonsense')).statusCode).toBe(400);
  });

  it('the send form checks the numbers before anything is screened or stored', async () => {
    const b = new Browser(app);
    await b.signIn(w.developer.apiKey);
    await b.get('/send');
    const form = multipart([['_csrf', b.csrf()], ['to', '+15559999999']], []);
    const res = await app.inject({ method: 'POST', url: '/send', payload: form.payload, headers: { ...form.headers, cookie: b.cookieHeader } });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('aria-invalid="true"');
    expect(res.body).toMatch(/Fax number\(s\): \+15559999999: /);
    expect(res.body).toContain('Files: choose a file, or write a message.');
  });

  it('schedules a fax: the send-at time (read as UTC) is checked by intake\'s rule, then the fax carries its time', async () => {
    const b = new Browser(app);
    await b.signIn(w.standard.apiKey);
    const post = async (sendAt: string) => {
      await b.get('/send');
      const form = multipart([['_csrf', b.csrf()], ['to', '+15550102050'], ['coverText', 'Later, please'], ['sendAt', sendAt]], []);
      return b.remember(await app.inject({ method: 'POST', url: '/send', payload: form.payload, headers: { ...form.headers, cookie: b.cookieHeader } }));
    };
    const local = (ms: number) => new Date(Date.now() + ms).toISOString().slice(0, 16);
    for (const [at, message] of [[local(-3_600_000), 'that time has passed'], [local(40 * 86_400_000), 'at most 30 days ahead'], ['soon', 'give a date and time']]) {
      const res = await post(at);
      expect(res.statusCode, at).toBe(400);
      expect(res.body).toContain(`Send at: ${message}`);
      expect(res.body).toMatch(/id="send-at"[^>]*aria-invalid="true"/);
    }
    const at = local(2 * 86_400_000);
    const review = await post(at);
    expect(review.statusCode).toBe(200);
    expect(review.body).toContain(`<dt>Send at</dt><dd>${at.replace('T', ' ')}:00 UTC</dd>`);
    const draft = /name="draft" value="([^"]+)"/.exec(review.body)![1];
    const sent = await b.post('/send/confirm', { _csrf: b.csrf(), draft });
    expect(sent.statusCode).toBe(303);
    const job = w.parts.jobs.list(w.standard.id).find((j) => j.to === '+15550102050')!;
    // No workers run here: the job waits to be rendered, then (src/jobs) as `scheduled` until its time.
    expect(job.sendAt).toBe(new Date(`${at}Z`).toISOString());
    const page = await b.get(sent.headers.location as string);
    expect(page.body).toContain('Scheduled for');
  });
});

describe('admin account forms', () => {
  const w = world();
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await webApp(w.deps);
  });
  afterAll(async () => {
    await app.close();
  });

  it('refuse a missing session (401) or CSRF token (403) and change nothing', async () => {
    const id = w.standard.id;
    const targets: [string, Record<string, string>][] = [
      ['/admin/accounts', { name: 'Forged', senders: 'forged@evil.example' }],
      [`/admin/accounts/${id}/senders`, { action: 'add', value: 'forged@evil.example' }],
      [`/admin/accounts/${id}/numbers`, { action: 'add', value: '+15550107777' }],
      [`/admin/accounts/${id}/keys`, { action: 'issue' }],
    ];
    const b = new Browser(app);
    for (const [url, form] of targets) expect((await b.post(url, form)).statusCode, url).toBe(401);
    await b.adminSignIn();
    for (const [url, form] of targets) expect((await b.post(url, { ...form, _csrf: 'forged' })).statusCode, url).toBe(403);
    // An account holder's session is not an admin's.
    const holder = new Browser(app);
    await holder.signIn(w.standard.apiKey);
    expect((await holder.get('/admin/accounts')).statusCode).toBe(303);
    expect(w.accounts.list()).toHaveLength(2);
    expect(w.accounts.get(id)!.senders).toEqual(['front@clinic.example']);
    expect(w.accounts.listApiKeys(id)).toHaveLength(1);
  });

  it('an unknown account is not found', async () => {
    const b = new Browser(app);
    await b.adminSignIn();
    expect((await b.get('/admin/accounts/acc_missing')).statusCode).toBe(404);
  });
});
