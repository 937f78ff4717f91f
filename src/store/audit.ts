// The settings audit trail (table settings_audit): the one module that writes and reads it, for the account store and the type registry.
import type { DB } from './db.js';

export interface AuditEntry { accountId: string | null; actor: string; at: string; field: string; old: unknown; new: unknown }

/** Which changes a listing shows: the file-type registry's rows (field `types.<id>.<what>`), the rest, or both. */
export type AuditScope = 'all' | 'types' | 'settings';

export interface AuditLog {
  /** One change; call it inside the transaction that makes the change, so both happen or neither. */
  record(entry: AuditEntry): void;
  /** The newest changes first, of one account (or all), in one scope. */
  list(accountId?: string, limit?: number, scope?: AuditScope): AuditEntry[];
}

/** The SQLite audit trail on the data folder's database (the stores that record into it share this handle). */
export function createAuditLog(db: DB): AuditLog {
  const insert = db.prepare('INSERT INTO settings_audit (account_id, actor, at, field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?)');
  return {
    record(e) {
      insert.run(e.accountId, e.actor, e.at, e.field, JSON.stringify(e.old ?? null), JSON.stringify(e.new ?? null));
    },
    list(accountId, limit = 50, scope = 'all') {
      const where = [accountId ? 'account_id = ?' : '', scope === 'types' ? "field LIKE 'types.%'" : scope === 'settings' ? "field NOT LIKE 'types.%'" : '']
        .filter(Boolean);
      const sql = `SELECT * FROM settings_audit${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      const rows = db.prepare(sql).all(...(accountId ? [accountId] : []), limit) as {
        account_id: string | null; actor: string; at: string; field: string; old_value: string; new_value: string;
      }[];
      return rows.map((r) => ({ accountId: r.account_id, actor: r.actor, at: r.at, field: r.field, old: JSON.parse(r.old_value), new: JSON.parse(r.new_value) }));
    },
  };
}
