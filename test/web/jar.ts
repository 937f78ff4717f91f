// A cookie-jar client over fastify inject() for the web page tests, and readers for the page structures they check.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { ADMIN_TOKEN } from './harness.js';

/** A tiny cookie jar over inject(): remembers Set-Cookie values and pulls the CSRF token out of the last page. */
export class Browser {
  cookies = new Map<string, string>();
  last?: LightMyRequestResponse;
  constructor(readonly app: FastifyInstance) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string) {
    return this.remember(await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader } }));
  }

  async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    return this.remember(await this.app.inject({
      method: 'POST', url, payload: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader, ...headers },
    }));
  }

  /** The CSRF token of the last page's first form. */
  csrf(): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(this.last?.body ?? '');
    if (!m) throw new Error('no CSRF field on the page');
    return m[1];
  }

  /** Keep the cookies of a response made outside get()/post() (a multipart inject). */
  remember(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string; expires?: Date }[]) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    this.last = res;
    return res;
  }

  async signIn(apiKey: string) {
    await this.get('/settings');
    const res = await this.post('/settings/sign-in', { _csrf: this.csrf(), apiKey });
    if (res.statusCode === 303) await this.get('/settings');
    return res;
  }

  async adminSignIn(token = ADMIN_TOKEN) {
    await this.get('/admin');
    const res = await this.post('/admin/sign-in', { _csrf: this.csrf(), adminToken: token });
    if (res.statusCode === 303) await this.get('/admin');
    return res;
  }
}

/** The text of a control's inline error message (`<id>-error`), without the hidden "Error:" prefix. */
export function inlineError(body: string, id: string): string {
  const m = new RegExp(`<span class="error" id="${id}-error">(?:<span class="visually-hidden">Error: </span>)?([^<]*)</span>`).exec(body);
  return m ? m[1] : '';
}

/** [target id, text] of each link in the error summary. */
export function summaryLinks(body: string): [string, string][] {
  const summary = /<div class="summary"[\s\S]*?<\/div>/.exec(body)?.[0] ?? '';
  return [...summary.matchAll(/<li><a href="#([^"]+)">([^<]*)<\/a><\/li>/g)].map((m) => [m[1], m[2]]);
}

/** [type id, what, who] of each row of the admin page's "Recent type changes" list. */
export function typeChanges(body: string): [string, string, string][] {
  return [...body.matchAll(/<tr data-type="([^"]+)" data-what="([^"]+)">[\s\S]*?<td data-label="Changed by">([^<]*)<\/td>/g)].map((m) => [m[1], m[2], m[3]]);
}

export const validForm = (csrf: string, extra: Record<string, string> = {}) => ({
  _csrf: csrf,
  'incoming.feedbackMethod': 'xml',
  'incoming.deleteAfterRetrieval': 'true',
  'outgoing.feedbackWhen': 'failure',
  'outgoing.feedbackMethod': 'xml',
  feedbackUrl: 'https://hooks.example/fax',
  'outgoing.unsupportedFiles': 'reject',
  ...extra,
});
