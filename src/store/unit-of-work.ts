// One unit of work: writes of several stores (a job's terminal state and its feedback outbox row, a received fax and
// its notification) committed together or not at all, through one explicit object instead of a shared handle.
import type { DB } from './db.js';

export interface UnitOfWork {
  /** Run `work` as one transaction; a unit started inside another joins it (both commit with the outer one). */
  run<T>(work: () => T): T;
  /** Is a unit running now? A hook that must write inside its caller's unit checks this. */
  active(): boolean;
}

/** The SQLite unit of work: a better-sqlite3 transaction on the data folder's database (every store shares it). */
export function sqliteUnitOfWork(db: DB): UnitOfWork {
  return {
    run: (work) => db.transaction(work)(),
    active: () => db.inTransaction,
  };
}
