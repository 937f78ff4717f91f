// The Telnyx line's own tables (issue 21; owner src/lines/telnyx/store.ts): each handed-over fax under faxgate's key
// and Telnyx's fax id, and every webhook event id seen (de-duplication; received faxes waiting to be fetched).
export const m026Telnyx = {
  version: 26,
  name: 'telnyx',
  sql: `
CREATE TABLE telnyx_faxes (
  key TEXT PRIMARY KEY,
  line TEXT NOT NULL,
  job_id TEXT NOT NULL,
  fax_id TEXT UNIQUE,
  tiff_path TEXT NOT NULL,
  pages INTEGER NOT NULL,
  state TEXT NOT NULL,
  rank INTEGER NOT NULL DEFAULT 0,
  page_count INTEGER,
  duration_secs INTEGER,
  failure_reason TEXT,
  submit_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE telnyx_events (
  event_id TEXT PRIMARY KEY,
  line TEXT NOT NULL,
  event_type TEXT NOT NULL,
  fax_id TEXT,
  occurred_at TEXT,
  received_at TEXT NOT NULL,
  -- a fax.received event still to be fetched and stored: its payload (JSON); NULL once done or for other events
  pending TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX telnyx_events_pending ON telnyx_events(line) WHERE pending IS NOT NULL;
`,
  pg: `
CREATE TABLE telnyx_faxes (
  key TEXT COLLATE "C" PRIMARY KEY,
  line TEXT COLLATE "C" NOT NULL,
  job_id TEXT COLLATE "C" NOT NULL,
  fax_id TEXT COLLATE "C" UNIQUE,
  tiff_path TEXT COLLATE "C" NOT NULL,
  pages INTEGER NOT NULL,
  state TEXT COLLATE "C" NOT NULL,
  rank INTEGER NOT NULL DEFAULT 0,
  page_count INTEGER,
  duration_secs INTEGER,
  failure_reason TEXT COLLATE "C",
  submit_error TEXT COLLATE "C",
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE telnyx_events (
  event_id TEXT COLLATE "C" PRIMARY KEY,
  line TEXT COLLATE "C" NOT NULL,
  event_type TEXT COLLATE "C" NOT NULL,
  fax_id TEXT COLLATE "C",
  occurred_at TEXT COLLATE "C",
  received_at TEXT COLLATE "C" NOT NULL,
  pending TEXT COLLATE "C",
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT COLLATE "C"
);
CREATE INDEX telnyx_events_pending ON telnyx_events(line) WHERE pending IS NOT NULL;
`,
};
