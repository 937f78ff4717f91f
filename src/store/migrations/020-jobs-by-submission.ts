// Jobs looked up by their submission: a rendering's recipients, and the per-recipient duplicate check of a message.
export const m020JobsBySubmission = {
  version: 20,
  name: 'jobs-by-submission',
  sql: `
CREATE INDEX IF NOT EXISTS jobs_submission ON jobs(submission_id);
`,
  pg: `
CREATE INDEX IF NOT EXISTS jobs_submission ON jobs(submission_id);
`,
};
