// Issue 21: a received fax whose call ended before the whole document arrived (a carrier's partial_content) is kept,
// marked partial, so the recipient knows pages may be missing.
export const m042InboundPartial = {
  version: 42,
  name: 'inbound-partial',
  sql: `
ALTER TABLE inbound_faxes ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
`,
  pg: `
ALTER TABLE inbound_faxes ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
`,
};
