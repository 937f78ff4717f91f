// Issue 18: an account an administrator disabled (when): it can no longer send, sign in or use the web service.
export const m004AccountDisabled = {
  version: 4,
  name: 'account-disabled',
  sql: `
ALTER TABLE accounts ADD COLUMN disabled_at TEXT;
`,
  pg: `
ALTER TABLE accounts ADD COLUMN disabled_at TEXT COLLATE "C";
`,
};
