// Real lines own their calls: each attempt records the line's own job reference (written before the line commits the
// fax, so a restart re-attaches instead of resending) and what the call reported: remote id, duration, line status.
export const m024LineJobs = {
  version: 24,
  name: 'line-jobs',
  sql: `
ALTER TABLE job_attempts ADD COLUMN line_ref TEXT;
-- 1 when the line keeps the job while faxgate is down (HylaFAX): a restart tracks it again instead of "maybe sent"
ALTER TABLE job_attempts ADD COLUMN line_durable INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_attempts ADD COLUMN remote_id TEXT;
ALTER TABLE job_attempts ADD COLUMN duration_s REAL;
ALTER TABLE job_attempts ADD COLUMN line_code TEXT;
ALTER TABLE job_attempts ADD COLUMN line_text TEXT;
ALTER TABLE jobs ADD COLUMN line TEXT;
ALTER TABLE jobs ADD COLUMN remote_id TEXT;
ALTER TABLE jobs ADD COLUMN duration_s REAL;
ALTER TABLE jobs ADD COLUMN line_code TEXT;
ALTER TABLE jobs ADD COLUMN line_text TEXT;
`,
  pg: `
ALTER TABLE job_attempts ADD COLUMN line_ref TEXT COLLATE "C";
ALTER TABLE job_attempts ADD COLUMN line_durable INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_attempts ADD COLUMN remote_id TEXT COLLATE "C";
ALTER TABLE job_attempts ADD COLUMN duration_s DOUBLE PRECISION;
ALTER TABLE job_attempts ADD COLUMN line_code TEXT COLLATE "C";
ALTER TABLE job_attempts ADD COLUMN line_text TEXT COLLATE "C";
ALTER TABLE jobs ADD COLUMN line TEXT COLLATE "C";
ALTER TABLE jobs ADD COLUMN remote_id TEXT COLLATE "C";
ALTER TABLE jobs ADD COLUMN duration_s DOUBLE PRECISION;
ALTER TABLE jobs ADD COLUMN line_code TEXT COLLATE "C";
ALTER TABLE jobs ADD COLUMN line_text TEXT COLLATE "C";
`,
};
