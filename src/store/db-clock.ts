// The database's clock for instances sharing one PostgreSQL: leases and due times written by one instance are read
// by another, so all of them must agree on "now" even when their own clocks drift apart.
import type { Clock } from '../domain/types.js';
import type { DB } from './sql.js';

/**
 * A clock that follows the database server's. It asks the server every `refreshMs` (one round trip) and in between
 * adds the last measured offset to the local clock, so reading the time costs nothing on the hot paths.
 */
export function databaseClock(db: DB, { local = () => Date.now(), refreshMs = 10_000 }: { local?: () => number; refreshMs?: number } = {}): Clock {
  const ask = db.prepare('SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT AS ms');
  let offset = 0;
  let measuredAt = -Infinity;
  const measure = (t: number) => {
    const before = local();
    const { ms } = ask.get() as { ms: number };
    const after = local();
    // The server read its clock somewhere within the round trip; the middle of it is the best guess.
    offset = ms - (before + after) / 2;
    measuredAt = t;
  };
  return {
    now() {
      const t = local();
      if (t - measuredAt >= refreshMs || t < measuredAt) measure(t);
      return new Date(local() + offset);
    },
  };
}
