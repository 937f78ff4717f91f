// Received faxes: one row per fax, which becomes a content-free tombstone once the fax is retrieved-and-deleted or deleted.
// No image bytes are ever stored here: the image lives in the data folder (inbound/<id>/), so deleting it cannot leave
// content in SQLite free pages; only metadata rows are kept, and the numbers are blanked when the fax is tombstoned.
export const m040Inbound = {
  version: 40,
  name: 'inbound',
  sql: `
CREATE TABLE inbound_faxes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  to_number TEXT,
  from_number TEXT,
  pages INTEGER NOT NULL,
  size INTEGER,
  received_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('stored','deleted')),
  retrieval_count INTEGER NOT NULL DEFAULT 0,
  first_retrieved_at TEXT,
  last_retrieved_at TEXT,
  last_retrieved_by TEXT,
  deleted_at TEXT,
  deleted_by TEXT,
  deleted_reason TEXT CHECK (deleted_reason IS NULL OR deleted_reason IN ('retrieved','deleted')),
  purged_at TEXT
);
CREATE INDEX inbound_faxes_account ON inbound_faxes(account_id, seq);
CREATE INDEX inbound_faxes_unpurged ON inbound_faxes(status, purged_at);
`,
};
