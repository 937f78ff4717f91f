// The SQLite outbox stores and unit of work over one test database, as main.ts wires them for feedback and mail.
import { createSqliteFeedbackOutbox } from '../../src/feedback/index.js';
import { createSqliteMailOutbox } from '../../src/mail/index.js';
import type { DB } from '../../src/store/db.js';
import { sqliteUnitOfWork } from '../../src/store/unit-of-work.js';

export const feedbackParts = (db: DB) => ({ outbox: createSqliteFeedbackOutbox(db), unit: sqliteUnitOfWork(db) });
export const mailParts = (db: DB) => ({ outbox: createSqliteMailOutbox(db), unit: sqliteUnitOfWork(db) });
