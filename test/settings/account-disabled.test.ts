// A disabled account (issue 18, /admin accounts): refused with account-disabled on SMTP (at RCPT), the web service and
// the pages, recorded in the audit trail, and enabled again by the same form; nothing of a refused fax is recorded.
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createSmtpIngress } from '../../src/ingress/smtp/server.js';
import { silentLogger } from '../../src/logger.js';
import { auth, makeHarness, type Harness } from '../ingress/http/harness.js';
import { Browser } from '../web/jar.js';
import { webApp, world } from '../web/harness.js';

describe('a disabled account on the email and web-service paths', () => {
  let h: Harness;
  let smtp: ReturnType<typeof createSmtpIngress>;
  let port: number;
  let acct: ReturnType<Harness['account']>;
  beforeAll(async () => {
    h = makeHarness();
    await h.app.ready();
    smtp = createSmtpIngress({ config: h.config, accounts: h.accounts, intake: h.intake, logger: silentLogger });
    port = await smtp.listen(0, '127.0.0.1');
    acct = h.account();
    h.accounts.setDisabled(acct.id, true, 'test');
  });
  afterAll(async () => {
    await smtp.close();
    await h.app.close();
  });

  const post = () => h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...auth(acct.apiKey), 'content-type': 'application/json' }, payload: { to: ['+15554440001'], coverText: 'hi' } });
  const mail = () => nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
    .sendMail({ from: acct.senders[0], to: `+15554440001@${h.config.faxDomains[0]}`, subject: 'x', text: 'hello' });

  it.each([
    ['POST /v1/faxes', post],
    ['GET /v1/faxes', () => h.app.inject({ method: 'GET', url: '/v1/faxes', headers: auth(acct.apiKey) })],
  ])('%s answers 403 account-disabled', async (_name, call) => {
    const r = await call();
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('account-disabled');
  });

  it('SMTP refuses the recipient with 550 5.7.1 and records no job', async () => {
    const err = await mail().then(() => undefined, (e: { responseCode?: number; response?: string }) => e);
    expect(err?.responseCode).toBe(550);
    expect(err?.response).toMatch(/^550[ -]5\.7\.1/);
    expect(h.jobs.list(acct.id)).toHaveLength(0);
  });

  it('intake refuses it whatever the adapter (a direct submit)', async () => {
    await expect(h.intake.submit({ source: 'api', accountId: acct.id, sender: 'test', recipients: ['+15554440001'], files: [], coverText: 'x' }))
      .rejects.toMatchObject({ code: 'account-disabled' });
  });

  it('is recorded, and an enabled account sends again on both paths', async () => {
    expect(h.accounts.auditLog(acct.id).some((e) => e.field === 'disabled' && e.actor === 'test')).toBe(true);
    h.accounts.setDisabled(acct.id, false, 'test');
    expect(h.accounts.get(acct.id)!.disabledAt).toBeUndefined();
    expect((await post()).statusCode).toBe(202);
    expect((await mail()).response).toMatch(/^250/);
  });
});

describe('disabling from /admin/accounts', () => {
  const w = world();
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await webApp(w.deps);
  });
  afterAll(async () => {
    await app.close();
  });

  it('ends the account\'s sessions, refuses its sign-in, and enabling lets it in again', async () => {
    const user = new Browser(app);
    expect((await user.signIn(w.standard.apiKey)).statusCode).toBe(303);
    expect((await user.get('/faxes')).body).not.toContain('name="apiKey"');

    const admin = new Browser(app);
    await admin.adminSignIn();
    await admin.get(`/admin/accounts/${w.standard.id}`);
    const off = await admin.post(`/admin/accounts/${w.standard.id}/state`, { _csrf: admin.csrf(), action: 'disable' });
    expect(off.statusCode).toBe(303);
    expect((await admin.get(`/admin/accounts/${w.standard.id}`)).body).toMatch(/id="account-state"><span class="no">Disabled/);
    expect(w.accounts.auditLog(w.standard.id).some((e) => e.field === 'disabled' && e.actor === 'admin:web')).toBe(true);

    // the open session is over: the page asks to sign in again, and signing in is refused
    expect((await user.get('/faxes')).body).toContain('name="apiKey"');
    expect((await new Browser(app).signIn(w.standard.apiKey)).statusCode).toBe(403);
    // without the CSRF token nothing changes
    expect((await admin.post(`/admin/accounts/${w.standard.id}/state`, { action: 'enable' })).statusCode).toBe(403);
    expect(w.accounts.get(w.standard.id)!.disabledAt).toBeDefined();

    await admin.get(`/admin/accounts/${w.standard.id}`);
    expect((await admin.post(`/admin/accounts/${w.standard.id}/state`, { _csrf: admin.csrf(), action: 'enable' })).statusCode).toBe(303);
    expect((await new Browser(app).signIn(w.standard.apiKey)).statusCode).toBe(303);
  });
});
