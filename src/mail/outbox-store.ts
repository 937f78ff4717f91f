// The SQLite mail outbox: mail_outbox, owned here (docs/ARCHITECTURE.md "Tables").
import type { DB } from '../store/db.js';
import { outboxClaims } from '../store/outbox.js';
import type { MailOutboxStore, MailRow } from './types.js';

export function createSqliteMailOutbox(db: DB): MailOutboxStore {
  const insert = db.prepare(`INSERT INTO mail_outbox (id, account_id, kind, subject_id, recipients, message, attachment, status, attempts, next_attempt_at, created_at)
    VALUES (@id, @accountId, @kind, @subjectId, @recipients, @message, @attachment, 'pending', 0, @now, @now) ON CONFLICT DO NOTHING`);
  const finish = db.prepare('UPDATE mail_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, relay_response = COALESCE(?, relay_response), completed_at = ? WHERE id = ?');
  return {
    ...outboxClaims(db, 'mail_outbox'),
    insert: (r) => insert.run(r).changes > 0,
    get: (id) => db.prepare('SELECT * FROM mail_outbox WHERE id = ?').get(id) as MailRow | undefined,
    forSubject: (subjectId) => db.prepare('SELECT * FROM mail_outbox WHERE subject_id = ? ORDER BY created_at, rowid').all(subjectId) as MailRow[],
    finish(id, f) {
      finish.run(f.status, f.attempts, f.next, f.error, f.response, f.completedAt, id);
    },
    forgetInbound(subjectId, reason) {
      db.prepare(`UPDATE mail_outbox SET message = '{}',
          last_error = CASE WHEN status = 'pending' THEN ? ELSE last_error END,
          status = CASE WHEN status = 'pending' THEN 'gone' ELSE status END, next_attempt_at = NULL
        WHERE subject_id = ? AND kind = 'inbound'`).run(reason, subjectId);
    },
  };
}
