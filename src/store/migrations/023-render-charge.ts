// Render time charged per submission (and so per account), for fair queueing of renders across accounts.
export const m023RenderCharge = {
  version: 23,
  name: 'render-charge',
  sql: `
ALTER TABLE submissions ADD COLUMN render_ms INTEGER;
ALTER TABLE submissions ADD COLUMN rendered_at TEXT;
CREATE INDEX submissions_rendered ON submissions(rendered_at, account_id);
`,
  // PostgreSQL: BIGINT, as it adds up every render of the submission (SUM of it is cast back to BIGINT by the readers).
  pg: `
ALTER TABLE submissions ADD COLUMN render_ms BIGINT;
ALTER TABLE submissions ADD COLUMN rendered_at TEXT COLLATE "C";
CREATE INDEX submissions_rendered ON submissions(rendered_at, account_id);
`,
};
