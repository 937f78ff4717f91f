// The unsupported-files policy a submission was accepted under, so later steps judge by it, not by today's setting.
export const m021SubmissionPolicy = {
  version: 21,
  name: 'submission-policy',
  // Submissions stored before this take their account's setting at upgrade time: the best that is known of them.
  sql: `
ALTER TABLE submissions ADD COLUMN unsupported_files TEXT NOT NULL DEFAULT 'ignore' CHECK (unsupported_files IN ('ignore','reject'));
UPDATE submissions SET unsupported_files = CASE
  WHEN (SELECT json_extract(a.settings, '$.outgoing.unsupportedFiles') FROM accounts a WHERE a.id = submissions.account_id) = 'reject'
  THEN 'reject' ELSE 'ignore' END;
`,
  pg: `
ALTER TABLE submissions ADD COLUMN unsupported_files TEXT COLLATE "C" NOT NULL DEFAULT 'ignore' CHECK (unsupported_files IN ('ignore','reject'));
UPDATE submissions SET unsupported_files = CASE
  WHEN (SELECT a.settings::jsonb #>> '{outgoing,unsupportedFiles}' FROM accounts a WHERE a.id = submissions.account_id) = 'reject'
  THEN 'reject' ELSE 'ignore' END;
`,
};
