// Server-side sessions for the web pages: the cookie carries only a random id; the row holds the account, CSRF token and expiry.
import { createHash, randomBytes } from 'node:crypto';
import type { DB } from '../store/db.js';
import type { Clock } from '../domain/types.js';

export type SessionKind = 'account' | 'admin';

export interface WebSession {
  kind: SessionKind;
  accountId: string | null;
  credential: string;
  csrf: string;
  createdAt: string;
  expiresAt: string;
}

interface Row {
  kind: SessionKind; account_id: string | null; credential: string; csrf: string; created_at: string; expires_at: string;
}

export interface SessionOptions {
  db: DB;
  clock: Clock;
  /** a session unused for this long ends */
  idleMs?: number;
  /** and none lives longer than this, however busy */
  maxMs?: number;
}

const hashId = (id: string): string => createHash('sha256').update(id).digest('hex');

export function createWebSessions({ db, clock, idleMs = 60 * 60_000, maxMs = 12 * 60 * 60_000 }: SessionOptions) {
  const now = () => clock.now().getTime();
  const iso = (ms: number) => new Date(ms).toISOString();

  return {
    /**
     * The secret that signs session cookies: generated once per data folder and kept in the database, so it is
     * never a literal in the code and survives restarts (sessions stay valid across a restart).
     */
    cookieSecret(): string {
      const found = db.prepare("SELECT value FROM web_secrets WHERE name = 'cookie'").get() as { value: string } | undefined;
      if (found) return found.value;
      const value = randomBytes(32).toString('base64url');
      db.prepare("INSERT INTO web_secrets (name, value, created_at) VALUES ('cookie', ?, ?) ON CONFLICT DO NOTHING").run(value, iso(now()));
      return (db.prepare("SELECT value FROM web_secrets WHERE name = 'cookie'").get() as { value: string }).value;
    },

    /** Start a session; returns the id for the cookie (only its hash is stored) and the CSRF token for forms. */
    create(kind: SessionKind, accountId: string | null, credential: string): { id: string; csrf: string } {
      const id = randomBytes(32).toString('base64url');
      const csrf = randomBytes(32).toString('base64url');
      const t = now();
      db.prepare('DELETE FROM web_sessions WHERE expires_at < ?').run(iso(t));
      db.prepare(
        'INSERT INTO web_sessions (id_hash, kind, account_id, credential, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(hashId(id), kind, accountId, credential, csrf, iso(t), iso(Math.min(t + idleMs, t + maxMs)));
      return { id, csrf };
    },

    /** The live session of that kind for a cookie id, sliding its idle expiry; undefined when unknown or expired. */
    get(id: string, kind: SessionKind): WebSession | undefined {
      const h = hashId(id);
      const r = db.prepare('SELECT * FROM web_sessions WHERE id_hash = ? AND kind = ?').get(h, kind) as Row | undefined;
      if (!r) return undefined;
      const t = now();
      if (Date.parse(r.expires_at) <= t) {
        db.prepare('DELETE FROM web_sessions WHERE id_hash = ?').run(h);
        return undefined;
      }
      const expiresAt = iso(Math.min(t + idleMs, Date.parse(r.created_at) + maxMs));
      db.prepare('UPDATE web_sessions SET expires_at = ? WHERE id_hash = ?').run(expiresAt, h);
      return { kind: r.kind, accountId: r.account_id, credential: r.credential, csrf: r.csrf, createdAt: r.created_at, expiresAt };
    },

    /** A one-time message shown on the next page (e.g. "Saved" after a redirect). */
    setFlash(id: string, message: string): void {
      db.prepare('UPDATE web_sessions SET flash = ? WHERE id_hash = ?').run(message, hashId(id));
    },

    takeFlash(id: string): string | undefined {
      const h = hashId(id);
      const r = db.prepare('SELECT flash FROM web_sessions WHERE id_hash = ?').get(h) as { flash: string | null } | undefined;
      if (!r?.flash) return undefined;
      db.prepare('UPDATE web_sessions SET flash = NULL WHERE id_hash = ?').run(h);
      return r.flash;
    },

    destroy(id: string): void {
      db.prepare('DELETE FROM web_sessions WHERE id_hash = ?').run(hashId(id));
    },
  };
}

export type WebSessions = ReturnType<typeof createWebSessions>;
