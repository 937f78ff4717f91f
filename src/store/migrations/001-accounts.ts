// Accounts, their senders, API keys, inbound numbers, integration settings and the settings audit trail.
export const m001Accounts = {
  version: 1,
  name: 'accounts',
  sql: `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('standard','developer')),
  country TEXT NOT NULL DEFAULT '1',
  feedback_secret TEXT NOT NULL,
  settings TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE account_senders (
  email TEXT PRIMARY KEY COLLATE NOCASE,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE inbound_numbers (
  number TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE
);
CREATE TABLE settings_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  field TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT
);
CREATE INDEX settings_audit_account ON settings_audit(account_id, id);
`,
};
