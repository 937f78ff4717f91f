// Bearer authentication: API keys resolve to one account (every object is scoped to it); admin routes need the admin token.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FaxError } from '../../domain/errors.js';
import { apiKeyActor, safeEqual } from '../../settings/accounts.js';
import type { Account } from '../../settings/types.js';
import { retryAfterSeconds, type FailureThrottle } from './throttle.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated account (set by requireAccount). */
    account?: Account;
    /** `api:key_<key id>`: the actor recorded in audit trails and as the job's sender (never part of the key). */
    actor?: string;
  }
  interface FastifyInstance {
    /** failed-authentication counters shared by every route (createHttpApp decorates the app with deps.throttle) */
    authThrottle?: FailureThrottle;
  }
}

/** Extract the token from `Authorization: Bearer <token>`; undefined when absent or malformed. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(h);
  return m?.[1];
}

/**
 * What the failure throttle counts a presented key under (its first characters; the throttle keeps only a digest of
 * it, and it is never recorded anywhere else: records name a key by its id).
 */
export function keyCredential(key: string): string {
  return key.slice(0, 10);
}

export const bearerSecurity = [{ apiKey: [] }];
/** An async hook usable as onRequest (preferred: refuse before reading an upload) or preHandler. */
export type AuthHook = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
export const adminSecurity = [{ adminToken: [] }];

/** The one credential the admin-token counter is about (there is only one admin token). */
const ADMIN_CREDENTIAL = 'admin-token';

/** A refusal while the client or the credential is in backoff: 429 auth-throttled with Retry-After. */
export function throttled(reply: FastifyReply, waitMs: number): FaxError {
  const seconds = retryAfterSeconds(waitMs);
  reply.header('retry-after', String(seconds));
  return new FaxError('auth-throttled', `too many failed attempts: wait ${seconds} s before trying again`, { retryAfter: seconds });
}

/**
 * Hook (use as onRequest): authenticate the API key; sets `req.account` and `req.actor`, or answers 401.
 *
 * Failures are throttled (issue #12.8) per client address and per key prefix. The key is always looked up first (a
 * hash and an index probe, the same work whatever the throttle says), so a correct key is served even while other
 * clients behind the same address are in backoff; a wrong one is then answered 429 instead of 401, which tells the
 * guesser nothing the 401 would not. Letting a correct key through costs nothing: keys carry 256 random bits.
 */
export function requireAccount(accounts: { authenticateApiKey(key: string): { account: Account; keyId: string } | undefined }): AuthHook {
  return async function (req: FastifyRequest, reply: FastifyReply) {
    const key = bearerToken(req);
    const found = key ? accounts.authenticateApiKey(key) : undefined;
    const throttle = req.server.authThrottle;
    if (key && found) {
      throttle?.succeed('api-key', keyCredential(key));
      // A right key of a disabled account is not a guess (not counted), but nothing is served to it.
      if (found.account.disabledAt) throw new FaxError('account-disabled', 'this fax account is disabled; ask the gateway\'s administrator');
      req.account = found.account;
      req.actor = apiKeyActor(found.keyId);
      return;
    }
    // No credential at all is not a guess: it is not counted.
    if (key && throttle) {
      const waiting = throttle.waitMs('api-key', req.ip, keyCredential(key));
      const wait = throttle.fail('api-key', req.ip, keyCredential(key));
      if (waiting > 0) throw throttled(reply, wait);
    }
    reply.header('www-authenticate', 'Bearer realm="faxgate"');
    throw new FaxError('unauthorized', key ? 'the API key is not valid' : 'send Authorization: Bearer <api key>');
  };
}

/**
 * Hook (use as onRequest): the admin token (constant-time compare); 403 when the operator set none, 401 when wrong.
 *
 * Unlike an API key the admin token is chosen by the operator and may be guessable, so while a client address is in
 * backoff its attempts are answered 429 without comparing at all: a guess sent then is never answered, right or
 * wrong (and no comparison runs whose timing could tell). The token's own counter (every address together) only turns
 * wrong tokens into 429 after comparing, so guesses from many addresses cannot lock the operator out.
 */
export function requireAdmin(adminToken: string | undefined): AuthHook {
  return async function (req: FastifyRequest, reply: FastifyReply) {
    if (!adminToken) throw new FaxError('forbidden', 'the admin API is disabled: set FAXGATE_ADMIN_TOKEN');
    const token = bearerToken(req);
    const throttle = req.server.authThrottle;
    if (token && throttle) {
      const addressWait = throttle.waitMs('admin-token', req.ip);
      if (addressWait > 0) throw throttled(reply, addressWait);
    }
    if (token && safeEqual(token, adminToken)) {
      throttle?.succeed('admin-token', ADMIN_CREDENTIAL);
      req.actor = 'admin:api';
      return;
    }
    if (token && throttle) {
      const waiting = throttle.waitMs('admin-token', req.ip, ADMIN_CREDENTIAL);
      const wait = throttle.fail('admin-token', req.ip, ADMIN_CREDENTIAL);
      if (waiting > 0) throw throttled(reply, wait);
    }
    reply.header('www-authenticate', 'Bearer realm="faxgate-admin"');
    throw new FaxError('unauthorized', 'send Authorization: Bearer <admin token>');
  };
}

/** The authenticated account of a request behind requireAccount (throws if the route forgot the hook). */
export function accountOf(req: FastifyRequest): Account {
  if (!req.account) throw new FaxError('unauthorized');
  return req.account;
}
