// The signing secret a rotation replaced, still signed with (beside the new one) until its grace period ends.
export const m055FeedbackSecretGrace = {
  version: 55,
  name: 'feedback-secret-grace',
  sql: `
ALTER TABLE accounts ADD COLUMN feedback_secret_previous TEXT;
ALTER TABLE accounts ADD COLUMN feedback_secret_previous_until TEXT;
`,
  pg: `
ALTER TABLE accounts ADD COLUMN feedback_secret_previous TEXT COLLATE "C";
ALTER TABLE accounts ADD COLUMN feedback_secret_previous_until TEXT COLLATE "C";
`,
};
