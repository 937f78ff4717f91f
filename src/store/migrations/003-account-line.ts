// The fax line an account's faxes go out on (FAXGATE_LINES names it); NULL means the configured default line.
export const m003AccountLine = {
  version: 3,
  name: 'account-line',
  sql: `ALTER TABLE accounts ADD COLUMN line TEXT;`,
  pg: `ALTER TABLE accounts ADD COLUMN line TEXT COLLATE "C";`,
};
