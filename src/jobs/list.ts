// The account's jobs newest first, filtered, in keyset pages on (created_at, id): a page boundary is a position in
// that order, not an offset, so faxes arriving between two requests neither repeat nor skip a row of the next page.
import type { DB } from '../store/db.js';
import type { JobSource, JobStatus } from '../domain/jobs.js';

export interface JobFilters {
  status?: JobStatus[];
  to?: string;
  source?: JobSource;
  /** submitted at or after (ISO 8601) */
  from?: string;
  /** submitted before (ISO 8601) */
  until?: string;
  clientReference?: string;
}

/** The last row of the previous page. */
export interface Keyset { createdAt: string; id: string }

/** Rows of `jobs` (the store maps them): at most `limit`, strictly after `after` in newest-first order. */
export function listJobs(db: DB, accountId: string, f: JobFilters, opts: { limit: number; after?: Keyset }): unknown[] {
  const where = ['account_id = ?'];
  const args: (string | number)[] = [accountId];
  if (f.status?.length) {
    where.push(`status IN (${f.status.map(() => '?').join(',')})`);
    args.push(...f.status);
  }
  if (f.to) { where.push('to_number = ?'); args.push(f.to); }
  if (f.source) { where.push('source = ?'); args.push(f.source); }
  if (f.from) { where.push('created_at >= ?'); args.push(f.from); }
  if (f.until) { where.push('created_at < ?'); args.push(f.until); }
  if (f.clientReference !== undefined) { where.push('client_reference = ?'); args.push(f.clientReference); }
  if (opts.after) {
    where.push('(created_at < ? OR (created_at = ? AND id < ?))');
    args.push(opts.after.createdAt, opts.after.createdAt, opts.after.id);
  }
  return db.prepare(`SELECT * FROM jobs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`).all(...args, opts.limit);
}
