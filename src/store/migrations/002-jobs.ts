// Submissions (one per message/request, rendered once), jobs (one per recipient), their history, dedup and idempotency.
export const m002Jobs = {
  version: 2,
  name: 'jobs',
  sql: `
CREATE TABLE submissions (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  source TEXT NOT NULL CHECK (source IN ('email','api')),
  sender TEXT NOT NULL,
  dir TEXT NOT NULL,
  dedup_key TEXT,
  files TEXT NOT NULL,
  body TEXT,
  options TEXT NOT NULL,
  render_status TEXT NOT NULL DEFAULT 'pending',
  pages INTEGER NOT NULL DEFAULT 0,
  tiff_path TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX submissions_dedup ON submissions(account_id, dedup_key, created_at);

CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  source TEXT NOT NULL,
  to_number TEXT NOT NULL,
  sender TEXT NOT NULL,
  status TEXT NOT NULL,
  resolution TEXT NOT NULL,
  paper TEXT NOT NULL,
  pages INTEGER NOT NULL DEFAULT 0,
  pages_sent INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  status_code INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  files TEXT NOT NULL,
  next_attempt_at TEXT,
  lease_owner TEXT,
  lease_until TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  completed_at TEXT
);
CREATE INDEX jobs_account ON jobs(account_id, created_at);
CREATE INDEX jobs_status ON jobs(status, next_attempt_at);

CREATE TABLE job_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  at TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  note TEXT
);
CREATE INDEX job_events_job ON job_events(job_id, id);

CREATE TABLE idempotency_keys (
  account_id TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  response TEXT NOT NULL,
  status INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (account_id, key)
);
`,
};
