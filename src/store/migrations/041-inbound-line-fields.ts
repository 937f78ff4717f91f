// Received faxes from real fax lines: the sender's station id (TSI) as the far machine announced it, and the line's own
// key for the reception so a hand-over repeated after a crash is recognised instead of stored twice.
export const m041InboundLineFields = {
  version: 41,
  name: 'inbound-line-fields',
  sql: `
ALTER TABLE inbound_faxes ADD COLUMN remote_id TEXT;
ALTER TABLE inbound_faxes ADD COLUMN line_key TEXT;
CREATE UNIQUE INDEX inbound_faxes_line_key ON inbound_faxes(line_key) WHERE line_key IS NOT NULL;
`,
  pg: `
ALTER TABLE inbound_faxes ADD COLUMN remote_id TEXT COLLATE "C";
ALTER TABLE inbound_faxes ADD COLUMN line_key TEXT COLLATE "C";
CREATE UNIQUE INDEX inbound_faxes_line_key ON inbound_faxes(line_key) WHERE line_key IS NOT NULL;
`,
};
