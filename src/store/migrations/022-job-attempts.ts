// Transmission attempts recorded before the call, so a restart can tell "never dialled" from "maybe sent".
export const m022JobAttempts = {
  version: 22,
  name: 'job-attempts',
  sql: `
CREATE TABLE job_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  -- the job's attempt count when claimed; an attempt given back (never dialled, or hung up) is counted again
  attempt INTEGER NOT NULL,
  line TEXT NOT NULL,
  claimed_at TEXT NOT NULL,
  -- committed just before the line is dialled: NULL means the call never started
  dialled_at TEXT,
  finished_at TEXT,
  -- NULL while the call is, or may have been, under way
  outcome TEXT,
  pages_sent INTEGER
);
CREATE INDEX job_attempts_job ON job_attempts(job_id, id);
`,
};
