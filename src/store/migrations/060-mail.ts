// Mail outbox (issue 15): receipts and fax-to-email messages, one row per message, written in the state change's transaction.
// The text and HTML are rendered when the row is written (every retry sends the same message under the same
// Message-ID); attachments are made from the fax's pages at send time, so no page image is copied into SQLite.
export const m060Mail = {
  version: 60,
  name: 'mail',
  sql: `
CREATE TABLE mail_outbox (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('receipt','inbound')),
  subject_id TEXT NOT NULL,
  recipients TEXT NOT NULL,
  message TEXT NOT NULL,
  attachment TEXT NOT NULL CHECK (attachment IN ('none','first-page','pdf')),
  status TEXT NOT NULL CHECK (status IN ('pending','sent','failed','gone')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  last_error TEXT,
  relay_response TEXT,
  created_at TEXT NOT NULL,
  completed_at TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at);
-- one receipt per submission and one fax-to-email message per received fax, even if a hook fires twice
CREATE UNIQUE INDEX mail_outbox_one ON mail_outbox(kind, subject_id);
`,
};
