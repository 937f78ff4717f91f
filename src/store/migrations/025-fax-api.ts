// Issue 18 (the fax API): a cancel asked for during a call, the job a resend re-sends, the caller's reference, a
// scheduled fax's time, and the keyset index the newest-first list pages on.
export const m025FaxApi = {
  version: 25,
  name: 'fax-api',
  sql: `
ALTER TABLE jobs ADD COLUMN cancel_requested_at TEXT;
ALTER TABLE jobs ADD COLUMN resent_from TEXT REFERENCES jobs(id);
ALTER TABLE jobs ADD COLUMN client_reference TEXT;
ALTER TABLE jobs ADD COLUMN send_at TEXT;
CREATE INDEX jobs_account_keyset ON jobs(account_id, created_at, id);
CREATE INDEX jobs_resent_from ON jobs(resent_from) WHERE resent_from IS NOT NULL;
`,
  pg: `
ALTER TABLE jobs ADD COLUMN cancel_requested_at TEXT COLLATE "C";
ALTER TABLE jobs ADD COLUMN resent_from TEXT COLLATE "C" REFERENCES jobs(id);
ALTER TABLE jobs ADD COLUMN client_reference TEXT COLLATE "C";
ALTER TABLE jobs ADD COLUMN send_at TEXT COLLATE "C";
CREATE INDEX jobs_account_keyset ON jobs(account_id, created_at, id);
CREATE INDEX jobs_resent_from ON jobs(resent_from) WHERE resent_from IS NOT NULL;
`,
};
