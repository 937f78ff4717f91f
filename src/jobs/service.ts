// The fax API's job-level actions (issue 18): cancel, resend and the newest-first list, over the job store and the
// fax lines. Protocol-free: the HTTP routes and the web pages call the same three functions.
import type { Logger } from '../logger.js';
import { FaxError } from '../domain/errors.js';
import { JOB_STATUSES, type JobSnapshot, type JobSource, type JobStatus } from '../domain/jobs.js';
import type { LineSet } from '../lines/registry.js';
import type { Account, AccountStore } from '../settings/types.js';
import type { JobFilters, JobStore, Keyset } from './types.js';

/** The list's filters as a caller gives them (strings from a query); checked here, once for every caller. */
export interface FaxListFilters {
  status?: string | string[];
  to?: string;
  source?: string;
  from?: string;
  until?: string;
  clientReference?: string;
}

export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 50;

export interface FaxPage { items: JobSnapshot[]; nextCursor: string | null }

export interface FaxService {
  /** Cancel a fax not yet sent (ends `cancelled`), or hang it up on its line; throws not-found, fax-finished. */
  cancel(accountId: string, jobId: string): Promise<JobSnapshot>;
  /** New job(s) from the same rendering, to the same number or to `to`, linked to the first; throws not-found, nothing-to-resend. */
  resend(accountId: string, jobId: string, opts?: { to?: string[] }): JobSnapshot[];
  /** The account's faxes newest first; `cursor` is a previous page's nextCursor (opaque). */
  listFaxes(accountId: string, filters: FaxListFilters, page?: { limit?: number; cursor?: string }): FaxPage;
}

export interface FaxServiceDeps {
  jobs: JobStore;
  /** the configured lines, to hang up or kill a fax already handed over */
  lines: Pick<LineSet, 'byName'>;
  accounts: Pick<AccountStore, 'get'>;
  /** a number under the account's rules as E.164 (intake.checkRecipient); throws invalid-number and the like */
  checkRecipient(account: Account, raw: string): string;
  /** after new work is queued (the workers' kick) */
  onQueued?: () => void;
  logger: Logger;
}

/** Opaque to callers; a position in (created_at, id) order. Base64url JSON, so a foreign or edited one is refused. */
export function encodeCursor(k: Keyset): string {
  return Buffer.from(JSON.stringify([k.createdAt, k.id])).toString('base64url');
}

export function decodeCursor(c: string): Keyset {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && !Number.isNaN(Date.parse(v[0]))) {
      return { createdAt: v[0], id: v[1] };
    }
  } catch { /* refused below */ }
  throw new FaxError('invalid-cursor', 'cursor: give back a nextCursor exactly as this server returned it');
}

/** A time filter: ISO 8601 (a date alone is that day's start, UTC); compared with the stored UTC times. */
export function isoFilter(name: string, v: string | undefined): string | undefined {
  if (v === undefined || v === '') return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(v)) throw new FaxError('invalid-request', `${name}: give an ISO 8601 date or time`);
  return new Date(t).toISOString();
}

export function parseLimit(limit: number | string | undefined): number {
  if (limit === undefined || limit === '') return DEFAULT_PAGE;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw new FaxError('invalid-request', `limit: a whole number from 1 to ${MAX_PAGE}`);
  return n;
}

function statusFilter(v: string | string[] | undefined): JobStatus[] | undefined {
  if (v === undefined) return undefined;
  const list = ([] as string[]).concat(v).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const s of list) {
    if (!(JOB_STATUSES as readonly string[]).includes(s)) throw new FaxError('invalid-request', `status: ${s} is none of ${JOB_STATUSES.join(', ')}`);
  }
  return list.length ? list as JobStatus[] : undefined;
}

export function createFaxService(deps: FaxServiceDeps): FaxService {
  const { jobs, lines, logger } = deps;
  const owned = (accountId: string, jobId: string): JobSnapshot => {
    const job = jobs.get(accountId, jobId);
    if (!job) throw new FaxError('not-found', `no fax ${jobId}`);
    return job;
  };

  return {
    async cancel(accountId, jobId) {
      owned(accountId, jobId);
      const { job, onLine } = jobs.requestCancel(jobId, 'cancel requested');
      if (onLine) {
        // Already handed over: the line hangs up (sandbox) or kills its job (HylaFAX JKILL); the worker following the
        // call then records `cancelled`. A call that finished first keeps its own outcome.
        const line = lines.byName(onLine.line);
        try {
          const r = line ? await line.cancel(onLine.lineRef) : 'unknown';
          logger.info({ jobId, line: onLine.line, result: r }, 'cancel on the line');
          if (r !== 'cancelled') jobs.note(jobId, `the line answered the cancel with "${r}"`);
        } catch (e) {
          logger.warn({ jobId, line: onLine.line, err: (e as Error).message }, 'the line could not cancel the fax');
          jobs.note(jobId, 'the line could not be told to cancel; the call goes on');
        }
      }
      return jobs.get(accountId, jobId) ?? job;
    },

    resend(accountId, jobId, opts = {}) {
      const first = owned(accountId, jobId);
      const account = deps.accounts.get(accountId);
      if (!account) throw new FaxError('not-found', `no fax ${jobId}`);
      const raw = opts.to?.length ? opts.to : [first.to];
      // The account's rules today (a developer account's designated number), as for a new submission.
      const to = [...new Set(raw.map((n) => deps.checkRecipient(account, n)))];
      const made = jobs.resend(jobId, to, 'resend');
      deps.onQueued?.();
      return made;
    },

    listFaxes(accountId, filters, page = {}) {
      const limit = parseLimit(page.limit);
      // Each filter is checked once; an absent or empty one is left out.
      const status = statusFilter(filters.status);
      const from = isoFilter('from', filters.from);
      const until = isoFilter('until', filters.until);
      const f: JobFilters = {
        ...(status ? { status } : {}),
        ...(filters.to ? { to: filters.to } : {}),
        ...(filters.source ? { source: sourceFilter(filters.source) } : {}),
        ...(from ? { from } : {}),
        ...(until ? { until } : {}),
        ...(filters.clientReference !== undefined && filters.clientReference !== '' ? { clientReference: filters.clientReference } : {}),
      };
      const after = page.cursor ? decodeCursor(page.cursor) : undefined;
      // One more than asked tells whether a next page exists without a second query.
      const rows = jobs.page(accountId, f, { limit: limit + 1, ...(after ? { after } : {}) });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.submittedAt, id: last.id }) : null };
    },
  };
}

function sourceFilter(v: string): JobSource {
  if (v !== 'email' && v !== 'api') throw new FaxError('invalid-request', 'source: email or api');
  return v;
}
