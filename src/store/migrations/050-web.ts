// Web page sessions (server-side, only a hash of the random session id is stored) and the cookie-signing secret.
export const m050Web = {
  version: 50,
  name: 'web-sessions',
  sql: `
CREATE TABLE web_sessions (
  id_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('account','admin')),
  account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,
  -- which credential opened the session: the session ends when that API key is revoked or the admin token changes
  credential TEXT NOT NULL,
  csrf TEXT NOT NULL,
  flash TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions(expires_at);
CREATE TABLE web_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`,
  pg: `
CREATE TABLE web_sessions (
  id_hash TEXT COLLATE "C" PRIMARY KEY,
  kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('account','admin')),
  account_id TEXT COLLATE "C" REFERENCES accounts(id) ON DELETE CASCADE,
  credential TEXT COLLATE "C" NOT NULL,
  csrf TEXT COLLATE "C" NOT NULL,
  flash TEXT COLLATE "C",
  created_at TEXT COLLATE "C" NOT NULL,
  expires_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions(expires_at);
CREATE TABLE web_secrets (
  name TEXT COLLATE "C" PRIMARY KEY,
  value TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL
);
`,
};
