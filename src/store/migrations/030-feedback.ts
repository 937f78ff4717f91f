// Feedback outbox (one row per feedback to deliver, written in the state change's transaction) and every attempt.
export const m030Feedback = {
  version: 30,
  name: 'feedback',
  sql: `
CREATE TABLE feedback_outbox (
  id TEXT PRIMARY KEY,
  webhook_id TEXT NOT NULL,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  subject_id TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('outbound','inbound')),
  origin TEXT NOT NULL CHECK (origin IN ('event','redeliver')),
  method TEXT NOT NULL CHECK (method IN ('http-post','xml')),
  url TEXT NOT NULL,
  fields TEXT NOT NULL,
  body TEXT NOT NULL,
  content_type TEXT NOT NULL,
  soap_action TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending','delivered','failed','blocked','gone')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  completed_at TEXT
);
CREATE INDEX feedback_outbox_due ON feedback_outbox(status, next_attempt_at);
CREATE INDEX feedback_outbox_subject ON feedback_outbox(subject_id, created_at);
-- exactly one event feedback per job / inbound fax, even if a hook fires twice
CREATE UNIQUE INDEX feedback_outbox_one_event ON feedback_outbox(subject_id, direction) WHERE origin = 'event';

CREATE TABLE feedback_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  outbox_id TEXT NOT NULL REFERENCES feedback_outbox(id) ON DELETE CASCADE,
  subject_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  at TEXT NOT NULL,
  url TEXT NOT NULL,
  method TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('delivered','failed','blocked','gone')),
  status_code INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX feedback_attempts_subject ON feedback_attempts(subject_id, id);
`,
};
