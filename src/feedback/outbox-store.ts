// The SQLite feedback outbox: feedback_outbox and feedback_attempts, owned here (docs/ARCHITECTURE.md "Tables").
import type { DB } from '../store/db.js';
import { outboxClaims } from '../store/outbox.js';
import type { AttemptOutcome } from './deliver.js';
import type { FeedbackMethod } from './format.js';
import type { FeedbackOutboxStore, OutboxRow } from './types.js';

export function createSqliteFeedbackOutbox(db: DB): FeedbackOutboxStore {
  const insert = db.prepare(`INSERT INTO feedback_outbox
    (id, webhook_id, account_id, subject_id, direction, origin, method, url, fields, body, content_type, soap_action, status, attempts, next_attempt_at, created_at)
    VALUES (@id, @webhookId, @accountId, @subjectId, @direction, @origin, @method, @url, @fields, @body, @contentType, @soapAction, 'pending', 0, @now, @now) ON CONFLICT DO NOTHING`);
  const get = db.prepare('SELECT * FROM feedback_outbox WHERE id = ?');
  const addAttempt = db.prepare(`INSERT INTO feedback_attempts (outbox_id, subject_id, webhook_id, at, url, method, outcome, status_code, error, duration_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const afterAttempt = db.prepare('UPDATE feedback_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, completed_at = ? WHERE id = ?');
  const recordAttempt = db.transaction((row: OutboxRow, a: Parameters<FeedbackOutboxStore['recordAttempt']>[1]) => {
    addAttempt.run(row.id, row.subject_id, row.webhook_id, a.at, row.url, row.method, a.outcome, a.statusCode ?? null, a.error ?? null, a.durationMs);
    afterAttempt.run(a.status, a.attempts, a.next, a.error ?? null, a.completedAt, row.id);
  });

  return {
    ...outboxClaims(db, 'feedback_outbox'),
    insert: (r) => insert.run(r).changes > 0,
    get: (id) => get.get(id) as OutboxRow | undefined,
    forSubject: (subjectId) => db.prepare('SELECT * FROM feedback_outbox WHERE subject_id = ? ORDER BY created_at, rowid').all(subjectId) as OutboxRow[],
    lastOutbound: (accountId, jobId) => db.prepare(
      "SELECT * FROM feedback_outbox WHERE subject_id = ? AND account_id = ? AND direction = 'outbound' ORDER BY created_at DESC, rowid DESC LIMIT 1",
    ).get(jobId, accountId) as OutboxRow | undefined,
    makeDue(id, nowIso) {
      db.prepare("UPDATE feedback_outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending'").run(nowIso, id);
    },
    retarget(id, to) {
      db.prepare("UPDATE feedback_outbox SET url = ?, method = ?, body = ?, content_type = ?, soap_action = ? WHERE id = ? AND status = 'pending'")
        .run(to.url, to.method, to.body, to.content_type, to.soap_action, id);
    },
    drop(id, reason, atIso) {
      db.prepare("UPDATE feedback_outbox SET status = 'gone', last_error = ?, next_attempt_at = NULL, completed_at = ? WHERE id = ? AND status = 'pending'")
        .run(reason, atIso, id);
    },
    forgetInbound(subjectId, reason) {
      db.prepare(`UPDATE feedback_outbox SET fields = '{}', body = '',
          last_error = CASE WHEN status = 'pending' THEN ? ELSE last_error END,
          status = CASE WHEN status = 'pending' THEN 'gone' ELSE status END,
          next_attempt_at = NULL
        WHERE subject_id = ? AND direction = 'inbound'`).run(reason, subjectId);
    },
    recordAttempt: (row, a) => recordAttempt(row, a),
    attemptsFor(subjectId) {
      const rows = db.prepare('SELECT * FROM feedback_attempts WHERE subject_id = ? ORDER BY id').all(subjectId) as {
        at: string; url: string; webhook_id: string; method: FeedbackMethod; outcome: AttemptOutcome; status_code: number | null; error: string | null; duration_ms: number;
      }[];
      return rows.map((r) => ({
        at: r.at, url: r.url, webhookId: r.webhook_id, method: r.method, outcome: r.outcome,
        ...(r.status_code !== null ? { statusCode: r.status_code } : {}),
        ...(r.error !== null ? { error: r.error } : {}),
        durationMs: r.duration_ms,
      }));
    },
  };
}
