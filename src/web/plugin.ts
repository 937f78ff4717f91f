// Fastify plugin serving the web pages: sign-in and /settings for account holders (API key) and /admin (admin token);
// the other pages (account-routes.ts, admin-routes.ts) share its sessions through a WebContext.
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie, { Signer } from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import type { Config } from '../config.js';
import type { DB } from '../store/db.js';
import type { TypeRegistryPort } from '../attachments/registry.js';
import { systemClock, type Clock } from '../domain/types.js';
import { isFaxError } from '../domain/errors.js';
import { hashApiKey, safeEqual } from '../settings/accounts.js';
import type { AccountStore } from '../settings/types.js';
import { flatten } from '../settings/validate.js';
import { createWebSessions, type WebSession } from './sessions.js';
import { ACCOUNT, ADMIN, FORM_LIMIT, Refusal, str, type Area, type Body, type WebContext } from './context.js';
import { accountPages, type AccountPagesDeps } from './account-routes.js';
import { adminAccountRoutes, type AdminOpsDeps } from './admin-routes.js';
import { page, SECURITY_HEADERS, signInBody } from './layout.js';
import { html } from './html.js';
import { formToChange, settingsPage, type SettingsError } from './settings-page.js';
import { adminPage, formatMb, isLocked, mbToBytes, type AdminError, type TypeRow } from './admin-page.js';
import { createFailureThrottle, retryAfterSeconds, type FailureThrottle } from '../ingress/http/throttle.js';
import { keyCredential } from '../ingress/http/auth.js';

export interface WebDeps {
  accounts: AccountStore;
  jobs: AccountPagesDeps['jobs'];
  intake: AccountPagesDeps['intake'];
  images: AccountPagesDeps['images'];
  feedback: AccountPagesDeps['feedback'];
  inbound: AccountPagesDeps['inbound'];
  health: AdminOpsDeps['health'];
  faxes: AccountPagesDeps['faxes'];
  pageSize?: number;
  /** the same registry email and the web service screen against */
  registry: TypeRegistryPort;
  config: Pick<Config, 'adminToken' | 'publicUrl' | 'dataDir' | 'maxMessageBytes'>;
  db: DB;
  clock?: Clock;
  /** cookie-signing secret; by default one is generated once per data folder and kept in the database */
  cookieSecret?: string;
  /** failed sign-ins from one address (or with one key) before backoff starts, when no throttle is given (5) */
  signInAttempts?: number;
  /** failed-sign-in counters (issue #12.8); the HTTP app passes its own, shared with the API's (kinds keep them apart) */
  throttle?: FailureThrottle;
}

const SETTINGS = ACCOUNT;
const LOGIN_COOKIE = 'fg_login';
const ADMIN_CREDENTIAL = 'admin-token';
/** where a sign-in may lead back to (nothing else is followed: no open redirect) */
const NEXT_PAGES = new Set(['/settings', '/faxes', '/inbound', '/send']);

/** The web pages as a fastify plugin: `app.register(webPages(deps))`. */
export function webPages(deps: WebDeps) {
  return async function webPagesPlugin(app: FastifyInstance): Promise<void> {
    const clock = deps.clock ?? systemClock;
    const sessions = createWebSessions({ db: deps.db, clock });
    const secret = deps.cookieSecret ?? sessions.cookieSecret();
    const signer = new Signer(secret);
    const mac = (purpose: string, value: string) => createHmac('sha256', secret).update(`${purpose}:${value}`).digest('base64url');
    const throttle = deps.throttle ?? createFailureThrottle({ clock, freeFailures: deps.signInAttempts ?? 5 });

    // The parent app may already parse cookies and forms; add them only to this plugin's scope when it does not.
    if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
    if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(fastifyFormbody, { bodyLimit: FORM_LIMIT });
    // /send takes files (streamed to disk by the HTTP adapter's receiveMultipart, as POST /v1/faxes does).
    if (!app.hasContentTypeParser('multipart/form-data')) await app.register(fastifyMultipart, { throwFileSizeLimit: true });

    // HTML pages are not part of the web service's OpenAPI document.
    app.addHook('onRoute', (route) => {
      route.schema = { ...(route.schema ?? {}), hide: true } as typeof route.schema;
    });

    app.addHook('onSend', async (_req, reply, payload) => {
      // A response that set its own policy keeps it (a received fax shown in the browser's PDF viewer).
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!(k === 'content-security-policy' && reply.hasHeader(k))) reply.header(k, v);
      return payload;
    });

    app.setErrorHandler(async (err: Error & { statusCode?: number }, req, reply) => {
      const status = err instanceof Refusal ? err.status : (err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500);
      if (status >= 500) req.log.error({ err }, 'web page failed');
      const message = err instanceof Refusal ? err.message
        : status === 413 ? 'The form was too large.'
          : status < 500 ? 'The request could not be understood.' : 'Something went wrong on our side; please try again.';
      return reply.code(status).type('text/html; charset=utf-8')
        .send(page({ title: status === 403 ? 'Not allowed' : 'Problem', body: html`<p role="alert">${message}</p><p><a href="${req.url.startsWith('/admin') ? '/admin' : '/settings'}">Back</a></p>` }));
    });

    const publicHost = (() => {
      try {
        return new URL(deps.config.publicUrl).host;
      } catch {
        return undefined;
      }
    })();
    const secure = (req: FastifyRequest) => req.protocol === 'https' || deps.config.publicUrl.startsWith('https:');
    const setCookie = (req: FastifyRequest, reply: FastifyReply, name: string, value: string, path: string) =>
      reply.setCookie(name, signer.sign(value), { path, httpOnly: true, sameSite: 'strict', secure: secure(req) });
    const readCookie = (req: FastifyRequest, name: string): string | undefined => {
      const rawValue = req.cookies?.[name];
      if (!rawValue) return undefined;
      const r = signer.unsign(rawValue);
      return r.valid && r.value ? r.value : undefined;
    };
    const sendPage = (reply: FastifyReply, status: number, markup: string) => reply.code(status).type('text/html; charset=utf-8').send(markup);

    /** Cross-site form posts are refused outright when the browser says where they came from. */
    function checkOrigin(req: FastifyRequest): void {
      const site = req.headers['sec-fetch-site'];
      if (site === 'cross-site' || site === 'same-site') throw new Refusal(403, 'Forms on this page can only be sent from this site.');
      const origin = req.headers.origin;
      if (origin === undefined) return;
      let host: string | undefined;
      try {
        host = new URL(origin).host;
      } catch {
        host = undefined;
      }
      // Behind a reverse proxy the Host header may be the proxy's upstream address: the public URL's host counts too.
      if (!host || (host !== req.headers.host && host !== publicHost)) throw new Refusal(403, 'Forms on this page can only be sent from this site.');
    }

    function credentialValid(area: Area, s: WebSession): boolean {
      if (area.kind === 'admin') {
        const token = deps.config.adminToken;
        return Boolean(token) && safeEqual(s.credential, mac('admin', token as string));
      }
      const account = s.accountId ? deps.accounts.get(s.accountId) : undefined;
      // A disabled account's sessions end at once, as a revoked key's do.
      return Boolean(account && !account.disabledAt && deps.accounts.apiKeyHashActive(account.id, s.credential));
    }

    /** The signed-in session of this area, or undefined (cookie missing, forged, expired, or its credential revoked). */
    function current(area: Area, req: FastifyRequest): { id: string; session: WebSession } | undefined {
      const id = readCookie(req, area.cookie);
      const session = id ? sessions.get(id, area.kind) : undefined;
      if (!id || !session) return undefined;
      if (!credentialValid(area, session)) {
        sessions.destroy(id);
        return undefined;
      }
      return { id, session };
    }

    /** A signed-in session whose CSRF token matches the posted one; anything else is refused. */
    function requireSession(area: Area, req: FastifyRequest): { id: string; session: WebSession } {
      checkOrigin(req);
      const cur = current(area, req);
      if (!cur) throw new Refusal(401, 'You are not signed in (or your session ended). Please sign in again.');
      checkCsrf(cur.session, req.body as Body | undefined);
      return cur;
    }

    function checkCsrf(session: WebSession, body: Body | undefined): void {
      const token = str(body?._csrf);
      if (!token || !safeEqual(token, session.csrf)) throw new Refusal(403, 'This form is out of date or did not come from this site. Reload the page and try again.');
    }

    /** Sign-in forms carry a token bound to a pre-session cookie, so another site cannot sign a browser in. */
    function loginToken(req: FastifyRequest, reply: FastifyReply): string {
      let nonce = readCookie(req, LOGIN_COOKIE);
      if (!nonce) {
        nonce = randomBytes(24).toString('base64url');
        setCookie(req, reply, LOGIN_COOKIE, nonce, '/');
      }
      return mac('login', nonce);
    }

    function loginTokenValid(req: FastifyRequest): boolean {
      const nonce = readCookie(req, LOGIN_COOKIE);
      const token = str((req.body as Body | undefined)?._csrf);
      return Boolean(nonce && token) && safeEqual(token, mac('login', nonce as string));
    }

    /** A sign-in refused while the address (or the credential) is in backoff (issue #12.8). */
    function tooMany(reply: FastifyReply, waitMs: number): never {
      const seconds = retryAfterSeconds(waitMs);
      reply.header('retry-after', String(seconds));
      throw new Refusal(429, `Too many failed sign-ins. Wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`);
    }

    // ---- /settings: account holders ------------------------------------------------------------------------

    const TITLES: Record<string, string> = { '/settings': 'Integration settings', '/faxes': 'Sent faxes', '/inbound': 'Received faxes', '/send': 'Send a fax' };
    const settingsSignIn = (req: FastifyRequest, reply: FastifyReply, status: number, error?: string, next = '/settings') =>
      sendPage(reply, status, page({
        title: TITLES[next] ?? 'Integration settings',
        error: Boolean(error),
        body: signInBody({
          action: '/settings/sign-in', fieldName: 'apiKey', label: 'API key', csrf: loginToken(req, reply), error,
          ...(next !== '/settings' ? { next } : {}),
          help: 'The API key faxgate gave you when your account was created (it starts with fgk_).',
          intro: next === '/settings'
            ? html`<p>Sign in with your account's API key to see and change how faxgate reports faxes to your web service.</p>`
            : html`<p>Sign in with your account's API key to send faxes and see the faxes you sent and received.</p>`,
        }),
      }));

    /** An area's main page: its sign-in when signed out, else the page with the flash message of the last change. */
    const signedInPage = (area: Area, signIn: (req: FastifyRequest, reply: FastifyReply, status: number) => unknown,
      render: (reply: FastifyReply, status: number, cur: { id: string; session: WebSession }, extra: { status?: string }) => unknown) =>
      async (req: FastifyRequest, reply: FastifyReply) => {
        const cur = current(area, req);
        if (!cur) return signIn(req, reply, 200);
        return render(reply, 200, cur, { status: sessions.takeFlash(cur.id) });
      };

    function renderSettings(reply: FastifyReply, status: number, cur: { id: string; session: WebSession }, extra: {
      values?: Record<string, unknown>; errors?: SettingsError[]; status?: string; secret?: { value: string; rotated: boolean; previousUntil?: string };
    } = {}) {
      const account = deps.accounts.get(cur.session.accountId as string);
      if (!account) throw new Refusal(401, 'Your account no longer exists.');
      return sendPage(reply, status, settingsPage({
        accountName: account.name, accountId: account.id, kind: account.kind, csrf: cur.session.csrf,
        values: extra.values ?? flatten(account.settings),
        errors: extra.errors, status: extra.status, secret: extra.secret,
      }));
    }

    app.get('/settings', signedInPage(SETTINGS, settingsSignIn, renderSettings));

    app.post('/settings/sign-in', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
      checkOrigin(req);
      const nextRaw = str((req.body as Body | undefined)?.next);
      const next = NEXT_PAGES.has(nextRaw) ? nextRaw : '/settings';
      if (!loginTokenValid(req)) return settingsSignIn(req, reply, 403, 'The sign-in form expired (or cookies are blocked). Please try again.', next);
      const key = str((req.body as Body | undefined)?.apiKey).trim();
      // Looked up first (a hash and an index probe): a correct key signs in even while others behind the same
      // address are in backoff; a wrong one is then refused 429 rather than 401, which tells a guesser nothing more.
      const account = key && key.length <= 512 ? deps.accounts.findByApiKey(key) : undefined;
      if (!account) {
        const credential = keyCredential(key);
        const waiting = throttle.waitMs('web-settings', req.ip, credential);
        const wait = throttle.fail('web-settings', req.ip, credential);
        if (waiting > 0) tooMany(reply, wait);
        return settingsSignIn(req, reply, 401, 'That API key is not valid. Check it and try again.', next);
      }
      throttle.succeed('web-settings', keyCredential(key));
      if (account.disabledAt) return settingsSignIn(req, reply, 403, 'This fax account is disabled. Ask the gateway\'s administrator.', next);
      // A fresh id at every sign-in (no fixation); a session this browser had before is ended.
      const previous = readCookie(req, SETTINGS.cookie);
      if (previous) sessions.destroy(previous);
      const { id } = sessions.create('account', account.id, hashApiKey(key));
      setCookie(req, reply, SETTINGS.cookie, id, SETTINGS.path);
      return reply.redirect(next, 303);
    });

    app.post('/settings', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
      const cur = requireSession(SETTINGS, req);
      const account = deps.accounts.get(cur.session.accountId as string);
      if (!account) throw new Refusal(401, 'Your account no longer exists.');
      const change = formToChange(req.body as Body, account.kind);
      try {
        deps.accounts.updateSettings(account.id, change, `web:${account.id}`);
      } catch (e) {
        if (isFaxError(e) && e.code === 'invalid-settings') {
          const errors = (e.details?.errors as SettingsError[] | undefined) ?? [{ field: '', message: e.message }];
          const values = { ...flatten(account.settings), ...change };
          return renderSettings(reply, 400, cur, { values, errors });
        }
        throw e;
      }
      sessions.setFlash(cur.id, 'Saved');
      return reply.redirect('/settings', 303);
    });

    app.post('/settings/secret', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
      const cur = requireSession(SETTINGS, req);
      const accountId = cur.session.accountId as string;
      const action = str((req.body as Body).action);
      if (action === 'rotate' || action === 'rotate-now') {
        // rotate-now is for a leaked secret: the old one stops being signed with at once, with no grace period.
        const value = deps.accounts.rotateFeedbackSecret(accountId, `web:${accountId}`, { immediate: action === 'rotate-now' });
        const previousUntil = deps.accounts.get(accountId)?.previousSecretExpiresAt;
        return renderSettings(reply, 200, cur, { secret: { value, rotated: true, ...(previousUntil ? { previousUntil } : {}) } });
      }
      if (action !== 'show') throw new Refusal(400, 'Unknown action.');
      const account = deps.accounts.get(accountId);
      return renderSettings(reply, 200, cur, { secret: { value: account?.feedbackSecret ?? '', rotated: false } });
    });

    app.post('/settings/sign-out', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
      const cur = requireSession(SETTINGS, req);
      sessions.destroy(cur.id);
      reply.clearCookie(SETTINGS.cookie, { path: SETTINGS.path });
      return reply.redirect('/settings', 303);
    });

    // Form targets opened directly (a bookmark, a reload after the page was left) lead back to the page.
    for (const target of ['/settings/sign-in', '/settings/secret', '/settings/sign-out', '/admin/sign-in', '/admin/types', '/admin/sign-out']) {
      app.get(target, async (_req, reply) => reply.redirect(target.startsWith('/admin') ? '/admin' : '/settings', 303));
    }

    // ---- /admin: the operator ------------------------------------------------------------------------------

    const adminSignIn = (req: FastifyRequest, reply: FastifyReply, status: number, error?: string) => {
      if (!deps.config.adminToken) {
        return sendPage(reply, 403, page({
          title: 'Administration',
          body: html`<p role="alert">The admin pages are switched off. Start faxgate with <code>FAXGATE_ADMIN_TOKEN</code> set (16 or more characters) and sign in here with that token.</p>`,
        }));
      }
      return sendPage(reply, status, page({
        title: 'Administration',
        error: Boolean(error),
        body: signInBody({
          action: '/admin/sign-in', fieldName: 'adminToken', label: 'Admin token', csrf: loginToken(req, reply), error,
          help: 'The value of FAXGATE_ADMIN_TOKEN this server was started with.',
          intro: html`<p>Sign in with the admin token to manage the supported file types and see recent settings changes.</p>`,
        }),
      }));
    };

    const rowsOf = (): TypeRow[] => deps.registry.list();

    function renderAdmin(reply: FastifyReply, status: number, cur: { id: string; session: WebSession }, extra: {
      status?: string; errors?: AdminError[]; submitted?: Body;
    } = {}) {
      return sendPage(reply, status, adminPage({
        types: rowsOf(), csrf: cur.session.csrf,
        audit: deps.accounts.auditLog(undefined, 50, 'settings'), typeChanges: deps.accounts.auditLog(undefined, 50, 'types'),
        status: extra.status, errors: extra.errors, submitted: extra.submitted,
      }));
    }

    app.get('/admin', signedInPage(ADMIN, adminSignIn, renderAdmin));

    app.post('/admin/sign-in', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
      checkOrigin(req);
      const token = deps.config.adminToken;
      if (!token) return adminSignIn(req, reply, 403);
      if (!loginTokenValid(req)) return adminSignIn(req, reply, 403, 'The sign-in form expired (or cookies are blocked). Please try again.');
      // The admin token may be guessable (the operator chose it): an address in backoff is not compared at all, so
      // guesses sent then go unanswered. The token's own counter only refuses wrong ones (others cannot lock it).
      const addressWait = throttle.waitMs('web-admin', req.ip);
      if (addressWait > 0) tooMany(reply, addressWait);
      const given = str((req.body as Body | undefined)?.adminToken).trim();
      if (!given || !safeEqual(given, token)) {
        const waiting = throttle.waitMs('web-admin', req.ip, ADMIN_CREDENTIAL);
        const wait = throttle.fail('web-admin', req.ip, ADMIN_CREDENTIAL);
        if (waiting > 0) tooMany(reply, wait);
        return adminSignIn(req, reply, 401, 'That admin token is not valid.');
      }
      throttle.succeed('web-admin', ADMIN_CREDENTIAL);
      const previous = readCookie(req, ADMIN.cookie);
      if (previous) sessions.destroy(previous);
      const { id } = sessions.create('admin', null, mac('admin', token));
      setCookie(req, reply, ADMIN.cookie, id, ADMIN.path);
      return reply.redirect('/admin', 303);
    });

    app.post('/admin/types', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
      const cur = requireSession(ADMIN, req);
      const body = req.body as Body;
      const change: Record<string, { enabled?: boolean; maxBytes?: number | null }> = {};
      const errors: AdminError[] = [];
      for (const t of rowsOf()) {
        // Every row on the form sends its max-size field; a row missing from the post (e.g. a type added since the
        // page was drawn) is left alone rather than read as "unchecked".
        if (typeof body[`maxMb.${t.id}`] !== 'string') continue;
        const entry: { enabled?: boolean; maxBytes?: number | null } = {};
        // A locked checkbox is not submitted by the browser: leave that type as it is.
        const enabled = isLocked(t) ? t.enabled : str(body[`enabled.${t.id}`]) === 'true';
        if (enabled !== t.enabled) entry.enabled = enabled;
        const maxText = str(body[`maxMb.${t.id}`]).trim();
        if (maxText !== formatMb(t.maxBytes)) {
          if (maxText === '') entry.maxBytes = null;
          else if (!/^\d+(\.\d+)?$/.test(maxText) || mbToBytes(maxText) < 1) errors.push({ text: `Max size for ${t.id} must be a positive number of MB, or empty for no limit.`, typeId: t.id, what: 'max' });
          else entry.maxBytes = mbToBytes(maxText);
        }
        if (Object.keys(entry).length) change[t.id] = entry;
      }
      if (errors.length) return renderAdmin(reply, 400, cur, { errors, submitted: body });
      if (Object.keys(change).length) {
        try {
          deps.registry.update(change, 'admin:web');
        } catch (e) {
          if (isFaxError(e) && (e.code === 'type-unavailable' || e.code === 'invalid-request' || e.code === 'invalid-settings')) {
            // type-unavailable names the type (details.id): its checkbox is the control to mark.
            const id = typeof e.details?.id === 'string' ? e.details.id : undefined;
            const list: AdminError[] = (e.details?.errors as { message?: string }[] | undefined)?.map((x) => ({ text: String(x.message ?? x) }))
              ?? [{ text: e.message, ...(id ? { typeId: id, what: 'enabled' as const } : {}) }];
            return renderAdmin(reply, e.code === 'type-unavailable' ? 409 : 400, cur, { errors: list, submitted: body });
          }
          throw e;
        }
      }
      sessions.setFlash(cur.id, Object.keys(change).length ? 'Saved' : 'Nothing changed');
      return reply.redirect('/admin', 303);
    });

    app.post('/admin/sign-out', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
      const cur = requireSession(ADMIN, req);
      sessions.destroy(cur.id);
      reply.clearCookie(ADMIN.cookie, { path: ADMIN.path });
      return reply.redirect('/admin', 303);
    });

    const ctx: WebContext = {
      current, requireSession, checkOrigin, checkCsrf, sendPage,
      accountSignIn: (req, reply, next) => settingsSignIn(req, reply, 200, undefined, next),
      setFlash: (id, text) => sessions.setFlash(id, text),
      takeFlash: (id) => sessions.takeFlash(id),
    };
    accountPages(app, ctx, { ...deps, clock });
    adminAccountRoutes(app, ctx, { ...deps, clock });
  };
}
