// Bearer authentication: API keys resolve to one account (every object is scoped to it); admin routes need the admin token.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FaxError } from '../../domain/errors.js';
import { safeEqual, type Account } from '../../settings/accounts.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated account (set by requireAccount). */
    account?: Account;
    /** `api:<key prefix>`: the actor recorded in audit trails and as the job's sender. */
    actor?: string;
  }
}

/** Extract the token from `Authorization: Bearer <token>`; undefined when absent or malformed. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(h);
  return m?.[1];
}

/** The non-secret prefix of an API key as stored beside its hash (`fgk_` + 6 characters). */
export function keyPrefix(key: string): string {
  return key.slice(0, 10);
}

export const bearerSecurity = [{ apiKey: [] }];
/** An async hook usable as onRequest (preferred: refuse before reading an upload) or preHandler. */
export type AuthHook = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
export const adminSecurity = [{ adminToken: [] }];

/** Hook (use as onRequest): authenticate the API key; sets `req.account` and `req.actor`, or answers 401. */
export function requireAccount(accounts: { findByApiKey(key: string): Account | undefined }): AuthHook {
  return async function (req: FastifyRequest, reply: FastifyReply) {
    const key = bearerToken(req);
    const account = key ? accounts.findByApiKey(key) : undefined;
    if (!key || !account) {
      reply.header('www-authenticate', 'Bearer realm="faxgate"');
      throw new FaxError('unauthorized', key ? 'the API key is not valid' : 'send Authorization: Bearer <api key>');
    }
    req.account = account;
    req.actor = `api:${keyPrefix(key)}`;
  };
}

/** Hook (use as onRequest): the admin token (constant-time compare); 403 when the operator set none, 401 when wrong. */
export function requireAdmin(adminToken: string | undefined): AuthHook {
  return async function (req: FastifyRequest, reply: FastifyReply) {
    if (!adminToken) throw new FaxError('forbidden', 'the admin API is disabled: set FAXGATE_ADMIN_TOKEN');
    const token = bearerToken(req);
    if (!token || !safeEqual(token, adminToken)) {
      reply.header('www-authenticate', 'Bearer realm="faxgate-admin"');
      throw new FaxError('unauthorized', 'send Authorization: Bearer <admin token>');
    }
    req.actor = 'admin:api';
  };
}

/** The authenticated account of a request behind requireAccount (throws if the route forgot the hook). */
export function accountOf(req: FastifyRequest): Account {
  if (!req.account) throw new FaxError('unauthorized');
  return req.account;
}
