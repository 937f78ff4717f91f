// The type registry's admin switches and caps; the rows' names, MIME types and renderers live with the code defaults.
export const m010Types = {
  version: 10,
  name: 'file-types',
  sql: `
CREATE TABLE file_types (
  id TEXT PRIMARY KEY,
  enabled INTEGER CHECK (enabled IS NULL OR enabled IN (0, 1)),
  max_bytes INTEGER CHECK (max_bytes IS NULL OR max_bytes > 0),
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
`,
  pg: `
CREATE TABLE file_types (
  id TEXT COLLATE "C" PRIMARY KEY,
  enabled INTEGER CHECK (enabled IS NULL OR enabled IN (0, 1)),
  max_bytes BIGINT CHECK (max_bytes IS NULL OR max_bytes > 0),
  updated_at TEXT COLLATE "C" NOT NULL,
  updated_by TEXT COLLATE "C" NOT NULL
);
`,
};
