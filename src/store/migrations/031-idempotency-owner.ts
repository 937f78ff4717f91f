// Issue #12.4: each Idempotency-Key claim records the server instance holding it, so a claim dies with its process.
export const m031IdempotencyOwner = {
  version: 31,
  name: 'idempotency-owner',
  // NULL for rows written before this migration: no running instance owns them, so an in-flight one is dead.
  sql: `ALTER TABLE idempotency_keys ADD COLUMN owner TEXT;`,
  pg: `ALTER TABLE idempotency_keys ADD COLUMN owner TEXT COLLATE "C";`,
};
