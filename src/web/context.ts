// What the page modules share with the plugin that owns sign-in: the signed-in session, the CSRF check, page output.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionKind, WebSession } from './sessions.js';

export type Body = Record<string, unknown>;
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const FORM_LIMIT = 64 * 1024;

export interface Area {
  kind: SessionKind;
  base: '/settings' | '/admin';
  cookie: string;
  /** the cookie's path: the account's session serves /settings, /faxes, /inbound and /send */
  path: string;
}

export const ACCOUNT: Area = { kind: 'account', base: '/settings', cookie: 'fg_settings', path: '/' };
export const ADMIN: Area = { kind: 'admin', base: '/admin', cookie: 'fg_admin', path: '/admin' };

/** A refusal shown as a page with this status and message (the plugin's error handler draws it). */
export class Refusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface Signed { id: string; session: WebSession }

export interface WebContext {
  /** the signed-in session of this area, or undefined */
  current(area: Area, req: FastifyRequest): Signed | undefined;
  /** a signed-in session whose posted CSRF token matches (origin checked too); refuses otherwise */
  requireSession(area: Area, req: FastifyRequest): Signed;
  /** the origin check alone, before a multipart body is read */
  checkOrigin(req: FastifyRequest): void;
  /** the CSRF token of a body already read, against the session */
  checkCsrf(session: WebSession, body: Body | undefined): void;
  sendPage(reply: FastifyReply, status: number, markup: string): FastifyReply;
  /** the account sign-in form, returning to `next` after signing in */
  accountSignIn(req: FastifyRequest, reply: FastifyReply, next: string): FastifyReply;
  setFlash(sessionId: string, text: string): void;
  takeFlash(sessionId: string): string | undefined;
}
