// The admin's queue-and-lines page and account management: every change goes through the account store, which
// records it in the audit trail (store/audit.ts) under the actor admin:web.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Clock } from '../domain/types.js';
import { isFaxError } from '../domain/errors.js';
import type { Health } from '../health/index.js';
import type { AccountStore } from '../settings/types.js';
import type { JobsPort } from '../ingress/http/deps.js';
import { ADMIN, FORM_LIMIT, Refusal, str, type Body, type Signed, type WebContext } from './context.js';
import { accountPage, accountsPage, queuePage, type CreateValues } from './admin-ops-page.js';

export interface AdminOpsDeps {
  accounts: Pick<AccountStore, 'get' | 'list' | 'create' | 'addSender' | 'removeSender' | 'addInboundNumber' | 'removeInboundNumber' | 'addApiKey' | 'revokeApiKey' | 'listApiKeys' | 'setDisabled'>;
  jobs: Pick<JobsPort, 'statusCounts' | 'oldestOpenSince' | 'failedSince'>;
  health: Health;
  clock: Clock;
}

const ACTOR = 'admin:web';
const HOUR = 3_600_000;
const split = (s: string) => s.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);

export function adminAccountRoutes(app: FastifyInstance, ctx: WebContext, deps: AdminOpsDeps): void {
  /** Signed-out visitors are sent to the admin sign-in. */
  const signedIn = (req: Parameters<WebContext['current']>[1], reply: FastifyReply): Signed | undefined => {
    const cur = ctx.current(ADMIN, req);
    if (!cur) void reply.redirect('/admin', 303);
    return cur;
  };

  app.get('/admin/queue', async (req, reply) => {
    const cur = signedIn(req, reply);
    if (!cur) return reply;
    const now = deps.clock.now();
    const readiness = await deps.health.readiness();
    return ctx.sendPage(reply, 200, queuePage({
      csrf: cur.session.csrf, counts: deps.jobs.statusCounts() as Record<string, number>, oldestOpenSince: deps.jobs.oldestOpenSince(),
      now, failedLastHour: deps.jobs.failedSince(new Date(now.getTime() - HOUR)), checks: readiness.checks,
    }));
  });

  const listView = () => deps.accounts.list().map((a) => ({ ...a, activeKeys: deps.accounts.listApiKeys(a.id).filter((k) => !k.revokedAt).length }));

  app.get('/admin/accounts', async (req, reply) => {
    const cur = signedIn(req, reply);
    if (!cur) return reply;
    return ctx.sendPage(reply, 200, accountsPage({ csrf: cur.session.csrf, accounts: listView(), status: ctx.takeFlash(cur.id) }));
  });

  app.post('/admin/accounts', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
    const cur = ctx.requireSession(ADMIN, req);
    const b = req.body as Body;
    const values: CreateValues = { name: str(b.name).trim(), kind: str(b.kind) === 'developer' ? 'developer' : 'standard', senders: str(b.senders), designated: str(b.designated).trim(), inbound: str(b.inbound) };
    try {
      if (!values.name) throw new Refusal(400, 'Name: give the account a name.');
      const created = deps.accounts.create({
        name: values.name, kind: values.kind as 'standard' | 'developer', senders: split(values.senders),
        ...(values.designated ? { designated: values.designated } : {}), inbound: split(values.inbound),
      }, ACTOR);
      return ctx.sendPage(reply, 201, accountsPage({ csrf: cur.session.csrf, accounts: listView(), created: { id: created.id, name: created.name, apiKey: created.apiKey } }));
    } catch (e) {
      const message = e instanceof Refusal || isFaxError(e) ? e.message : undefined;
      if (message === undefined) throw e;
      return ctx.sendPage(reply, 400, accountsPage({ csrf: cur.session.csrf, accounts: listView(), error: message, values }));
    }
  });

  function account(id: string) {
    const a = id.length <= 64 ? deps.accounts.get(id) : undefined;
    if (!a) throw new Refusal(404, 'There is no such account.');
    return a;
  }
  const showAccount = (reply: FastifyReply, status: number, cur: Signed, id: string, extra: { error?: string; newKey?: string; status?: string } = {}) =>
    ctx.sendPage(reply, status, accountPage({ csrf: cur.session.csrf, account: account(id), keys: deps.accounts.listApiKeys(id), ...extra }));

  app.get<{ Params: { id: string } }>('/admin/accounts/:id', async (req, reply) => {
    const cur = signedIn(req, reply);
    if (!cur) return reply;
    return showAccount(reply, 200, cur, req.params.id, { status: ctx.takeFlash(cur.id) });
  });

  /** One change to an account; a refused one (a bad address, the last sender) is shown on its page. */
  async function change(req: { body: unknown; params: { id: string } } & Parameters<WebContext['current']>[1], reply: FastifyReply,
    apply: (id: string, b: Body) => string | { newKey: string }) {
    const cur = ctx.requireSession(ADMIN, req);
    const id = account(req.params.id).id;
    try {
      const out = apply(id, req.body as Body);
      if (typeof out !== 'string') return showAccount(reply, 200, cur, id, out);
      ctx.setFlash(cur.id, out);
      return reply.redirect(`/admin/accounts/${id}`, 303);
    } catch (e) {
      if (!isFaxError(e) && !(e instanceof Refusal)) throw e;
      return showAccount(reply, 400, cur, id, { error: e.message });
    }
  }

  const addRemove = (what: 'senders' | 'numbers') => async (req: Parameters<typeof change>[0], reply: FastifyReply) =>
    change(req, reply, (id, b) => {
      const value = str(b.value).trim();
      if (!value) throw new Refusal(400, what === 'senders' ? 'Give an email address.' : 'Give a fax number.');
      const remove = str(b.action) === 'remove';
      if (what === 'senders') (remove ? deps.accounts.removeSender : deps.accounts.addSender)(id, value, ACTOR);
      else (remove ? deps.accounts.removeInboundNumber : deps.accounts.addInboundNumber)(id, value, ACTOR);
      return `${remove ? 'Removed' : 'Added'} ${value}.`;
    });
  app.post<{ Params: { id: string } }>('/admin/accounts/:id/senders', { bodyLimit: FORM_LIMIT }, addRemove('senders'));
  app.post<{ Params: { id: string } }>('/admin/accounts/:id/numbers', { bodyLimit: FORM_LIMIT }, addRemove('numbers'));

  app.post<{ Params: { id: string } }>('/admin/accounts/:id/keys', { bodyLimit: FORM_LIMIT }, async (req, reply) =>
    change(req, reply, (id, b) => {
      if (str(b.action) === 'issue') return { newKey: deps.accounts.addApiKey(id, ACTOR).apiKey };
      const key = deps.accounts.revokeApiKey(id, str(b.keyId), ACTOR);
      return `Revoked key_${key.id}: requests and web sessions using it are refused from now on.`;
    }));

  app.post<{ Params: { id: string } }>('/admin/accounts/:id/state', { bodyLimit: FORM_LIMIT }, async (req, reply) =>
    change(req, reply, (id, b) => {
      const action = str(b.action);
      if (action !== 'disable' && action !== 'enable') throw new Refusal(400, 'Choose disable or enable.');
      deps.accounts.setDisabled(id, action === 'disable', ACTOR);
      return action === 'disable' ? 'Disabled: its email, web service and pages are refused from now on.' : 'Enabled again.';
    }));

  for (const target of ['/admin/accounts/:id/senders', '/admin/accounts/:id/numbers', '/admin/accounts/:id/keys', '/admin/accounts/:id/state']) {
    app.get<{ Params: { id: string } }>(target, async (req, reply) => reply.redirect(`/admin/accounts/${encodeURIComponent(req.params.id)}`, 303));
  }
}
