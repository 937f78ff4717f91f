// The SQLite account store (the AccountStore of ./types.ts): accounts, senders, hashed API keys, inbound numbers, integration settings and their audit trail.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { DB } from '../store/db.js';
import { createAuditLog, type AuditEntry, type AuditScope } from '../store/audit.js';
import type { Clock, IntegrationSettings } from '../domain/types.js';
import { FaxError } from '../domain/errors.js';
import { isE164, normalizeNumber } from '../domain/numbers.js';
import { applySettingsChange, DEFAULT_SETTINGS, withDefaults } from './validate.js';

import type { Account, AccountKind, AccountStore, ApiKeyInfo, CreateAccountInput } from './types.js';

export type { Account, AccountKind, AccountStore, ApiKeyInfo, CreateAccountInput } from './types.js';
export type { AuditEntry } from '../store/audit.js';

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$|^[^\s@<>]+@localhost$/i;

/** API keys are random; only their SHA-256 is stored (they have 256 bits of entropy, so no slow hash is needed). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** How records name the API key that acted: by its stored id, never by any characters of the key. */
export function apiKeyActor(keyId: string): string {
  return `api:key_${keyId}`;
}

export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

interface Row {
  id: string; name: string; kind: AccountKind; country: string; feedback_secret: string; settings: string; created_at: string;
  feedback_secret_previous: string | null; feedback_secret_previous_until: string | null; line: string | null;
  disabled_at: string | null;
}

/** How long a rotated-out signing secret is still signed with, unless the caller says otherwise. */
export const DEFAULT_SECRET_GRACE_MS = 24 * 3_600_000;

export function createSqliteAccountStore({ db, clock, secretGraceMs = DEFAULT_SECRET_GRACE_MS }: { db: DB; clock: Clock; secretGraceMs?: number }): AccountStore {
  const inGrace = (r: Row): boolean => Boolean(r.feedback_secret_previous && r.feedback_secret_previous_until && Date.parse(r.feedback_secret_previous_until) > clock.now().getTime());
  const rowToAccount = (r: Row): Account => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    country: r.country,
    feedbackSecret: r.feedback_secret,
    ...(inGrace(r) ? { previousSecretExpiresAt: r.feedback_secret_previous_until as string } : {}),
    settings: withDefaults(JSON.parse(r.settings) as Partial<IntegrationSettings>),
    ...(r.line ? { line: r.line } : {}),
    createdAt: r.created_at,
    ...(r.disabled_at ? { disabledAt: r.disabled_at } : {}),
    senders: (db.prepare('SELECT email FROM account_senders WHERE account_id = ? ORDER BY email').all(r.id) as { email: string }[]).map((x) => x.email),
    inboundNumbers: (db.prepare('SELECT number FROM inbound_numbers WHERE account_id = ? ORDER BY number').all(r.id) as { number: string }[]).map((x) => x.number),
  });

  function get(id: string): Account | undefined {
    const r = db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as Row | undefined;
    return r && rowToAccount(r);
  }

  function mustGet(id: string): Account {
    const a = get(id);
    if (!a) throw new FaxError('not-found', `no account ${id}`);
    return a;
  }

  /** A new key; records name it by its id (see apiKeyActor), so no part of the key is stored but its hash. */
  function issueKey(accountId: string): { key: string; id: string } {
    const key = `fgk_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    // The prefix column (which once held the key's first characters) stays empty.
    db.prepare("INSERT INTO api_keys (id, account_id, hash, prefix, created_at) VALUES (?, ?, ?, '', ?)").run(
      id, accountId, hashApiKey(key), clock.now().toISOString(),
    );
    return { key, id };
  }
  const issueApiKey = (accountId: string): string => issueKey(accountId).key;

  function senderProblem(email: string): string | undefined {
    if (!EMAIL.test(email)) return `${email} is not an email address`;
    const owner = db.prepare('SELECT account_id FROM account_senders WHERE email = ?').get(email) as { account_id: string } | undefined;
    return owner ? `${email} is already registered to ${owner.account_id}` : undefined;
  }

  /** The number in E.164, or the reason it cannot be an inbound number. */
  function inboundNumber(n: string, country: string): { e164: string } | { problem: string } {
    const e = normalizeNumber(n, country);
    if (!e) return { problem: `${n} is not a valid fax number (for example +15550001111)` };
    const owner = db.prepare('SELECT account_id FROM inbound_numbers WHERE number = ?').get(e) as { account_id: string } | undefined;
    return owner ? { problem: `${e} already belongs to ${owner.account_id}` } : { e164: e };
  }

  function listApiKeys(accountId: string): ApiKeyInfo[] {
    mustGet(accountId);
    const rows = db.prepare('SELECT id, created_at, revoked_at FROM api_keys WHERE account_id = ? ORDER BY created_at, id').all(accountId) as {
      id: string; created_at: string; revoked_at: string | null;
    }[];
    return rows.map((r) => ({ id: r.id, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  const invalid = (field: string, message: string) => new FaxError('invalid-settings', message, { errors: [{ field, message }] });

  const auditTrail = createAuditLog(db);
  function audit(accountId: string | null, actor: string, field: string, oldV: unknown, newV: unknown): void {
    auditTrail.record({ accountId, actor, at: clock.now().toISOString(), field, old: oldV, new: newV });
  }

  /** One change to a sender or inbound-number row and its audit entry, in one transaction; the account as it is now. */
  function changeRow(accountId: string, actor: string, field: string, oldV: unknown, newV: unknown, sql: string, ...args: unknown[]): Account {
    db.transaction(() => {
      db.prepare(sql).run(...args);
      audit(accountId, actor, field, oldV, newV);
    })();
    return mustGet(accountId);
  }

  return {
    /** Create an account; returns it with the API key, which is shown once and stored only hashed. */
    create(input: CreateAccountInput, actor = 'cli'): Account & { apiKey: string; apiKeyId: string } {
      const errors: { field: string; message: string }[] = [];
      const kind = input.kind ?? 'standard';
      const country = input.country ?? '1';
      if (!input.name?.trim()) errors.push({ field: 'name', message: 'name is required' });
      if (!['standard', 'developer'].includes(kind)) errors.push({ field: 'kind', message: 'kind must be standard or developer' });
      if (!/^[1-9]\d{0,2}$/.test(country)) errors.push({ field: 'country', message: 'country must be a calling code such as 1 or 44' });
      const senders = input.senders.map((s) => s.trim().toLowerCase());
      if (senders.length === 0) errors.push({ field: 'sender', message: 'at least one sender address is required' });
      for (const s of senders) {
        const problem = senderProblem(s);
        if (problem) errors.push({ field: 'sender', message: problem });
      }
      const inbound: string[] = [];
      for (const n of input.inbound ?? []) {
        const r = inboundNumber(n, country);
        if ('problem' in r) errors.push({ field: 'inbound', message: r.problem });
        else inbound.push(r.e164);
      }
      const settings: IntegrationSettings = structuredClone(DEFAULT_SETTINGS);
      if (kind === 'developer') {
        if (!input.designated || !isE164(input.designated)) {
          errors.push({ field: 'designatedFaxNumber', message: 'developer accounts need --designated with an E.164 number' });
        } else settings.designatedFaxNumber = input.designated;
      } else if (input.designated) {
        errors.push({ field: 'designatedFaxNumber', message: 'designatedFaxNumber is only for developer accounts' });
      }
      if (errors.length) throw new FaxError('invalid-settings', errors.map((e) => e.message).join('; '), { errors });
      const id = `acc_${randomBytes(8).toString('hex')}`;
      const secret = `whsec_${randomBytes(32).toString('base64')}`;
      let issued = { key: '', id: '' };
      db.transaction(() => {
        db.prepare('INSERT INTO accounts (id, name, kind, country, feedback_secret, settings, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
          id, input.name.trim(), kind, country, secret, JSON.stringify(settings), clock.now().toISOString(),
        );
        for (const s of senders) db.prepare('INSERT INTO account_senders (email, account_id) VALUES (?, ?)').run(s, id);
        for (const n of inbound) db.prepare('INSERT INTO inbound_numbers (number, account_id) VALUES (?, ?)').run(n, id);
        issued = issueKey(id);
        audit(id, actor, 'account', null, { name: input.name.trim(), kind });
      })();
      return { ...mustGet(id), apiKey: issued.key, apiKeyId: issued.id };
    },
    get,
    mustGet,
    list(): Account[] {
      return (db.prepare('SELECT * FROM accounts ORDER BY created_at, id').all() as Row[]).map(rowToAccount);
    },
    count(): number {
      return (db.prepare('SELECT COUNT(*) AS n FROM accounts').get() as { n: number }).n;
    },
    findBySender(email: string): Account | undefined {
      const r = db.prepare('SELECT account_id FROM account_senders WHERE email = ?').get(email.trim().toLowerCase()) as { account_id: string } | undefined;
      return r && get(r.account_id);
    },
    findByApiKey(key: string): Account | undefined {
      if (!key || key.length > 200) return undefined;
      // Lookup by hash of a high-entropy key: an index probe on a digest leaks nothing useful about the key.
      const r = db.prepare('SELECT account_id FROM api_keys WHERE hash = ? AND revoked_at IS NULL').get(hashApiKey(key)) as { account_id: string } | undefined;
      return r && get(r.account_id);
    },
    /** Is the API key with this hash (hashApiKey) still active for this account (not revoked)? Web sessions keep only the hash. */
    apiKeyHashActive(accountId: string, keyHash: string): boolean {
      return Boolean(db.prepare('SELECT 1 FROM api_keys WHERE hash = ? AND account_id = ? AND revoked_at IS NULL').get(keyHash, accountId));
    },
    /** The account and the id of a valid API key, for requests that must record which key acted. */
    authenticateApiKey(key: string): { account: Account; keyId: string } | undefined {
      if (!key || key.length > 200) return undefined;
      const r = db.prepare('SELECT id, account_id FROM api_keys WHERE hash = ? AND revoked_at IS NULL').get(hashApiKey(key)) as { id: string; account_id: string } | undefined;
      const account = r && get(r.account_id);
      return account && { account, keyId: r.id };
    },
    findByInboundNumber(number: string): Account | undefined {
      const r = db.prepare('SELECT account_id FROM inbound_numbers WHERE number = ?').get(number) as { account_id: string } | undefined;
      return r && get(r.account_id);
    },
    issueApiKey,
    listApiKeys,
    /** Issue one more key (accounts may hold several, so a key can be replaced without downtime). */
    addApiKey(accountId: string, actor: string): ApiKeyInfo & { apiKey: string } {
      mustGet(accountId);
      let issued = { id: '', key: '' };
      db.transaction(() => {
        issued = issueKey(accountId);
        audit(accountId, actor, 'apiKey', null, { id: issued.id, added: true });
      })();
      const info = listApiKeys(accountId).find((k) => k.id === issued.id) as ApiKeyInfo;
      return { ...info, apiKey: issued.key };
    },
    /**
     * Revoke one of the account's keys, named by its id as listed, as records name it (key_<id>), or by the id's
     * first 8 or more characters; the web service and web sessions opened with it refuse it from then on. Only this
     * account's keys can be named.
     */
    revokeApiKey(accountId: string, keyId: string, actor: string): ApiKeyInfo {
      const keys = listApiKeys(accountId);
      const want = keyId.trim().replace(/^(api:)?key_/, '');
      const exact = keys.filter((k) => k.id === want);
      const matches = exact.length ? exact : want.length >= 8 ? keys.filter((k) => k.id.startsWith(want)) : [];
      if (matches.length === 0) throw new FaxError('not-found', `account ${accountId} has no API key ${keyId}`);
      if (matches.length > 1) throw new FaxError('invalid-request', `${keyId} names several keys of ${accountId}; give more of the id`);
      const k = matches[0];
      if (k.revokedAt) throw new FaxError('invalid-state', `API key ${k.id} was already revoked at ${k.revokedAt}`);
      const at = clock.now().toISOString();
      db.transaction(() => {
        db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND account_id = ?').run(at, k.id, accountId);
        audit(accountId, actor, 'apiKey', { id: k.id }, { id: k.id, revoked: true });
      })();
      return { ...k, revokedAt: at };
    },
    setDisabled(accountId: string, disabled: boolean, actor: string): Account {
      const a = mustGet(accountId);
      if (Boolean(a.disabledAt) === disabled) return a;
      const at = disabled ? clock.now().toISOString() : null;
      return changeRow(accountId, actor, 'disabled', a.disabledAt ?? null, at, 'UPDATE accounts SET disabled_at = ? WHERE id = ?', at, accountId);
    },
    addSender(accountId: string, email: string, actor: string): Account {
      mustGet(accountId);
      const e = email.trim().toLowerCase();
      const problem = senderProblem(e);
      if (problem) throw invalid('sender', problem);
      return changeRow(accountId, actor, 'sender', null, e, 'INSERT INTO account_senders (email, account_id) VALUES (?, ?)', e, accountId);
    },
    /** Remove a sender address; the last one stays, since email is how a standard account faxes. */
    removeSender(accountId: string, email: string, actor: string): Account {
      const a = mustGet(accountId);
      const e = email.trim().toLowerCase();
      if (!a.senders.includes(e)) throw new FaxError('not-found', `${e} is not a sender of ${accountId}`);
      if (a.senders.length === 1) throw invalid('sender', `${e} is the account's only sender; add another first`);
      return changeRow(accountId, actor, 'sender', e, null, 'DELETE FROM account_senders WHERE email = ? AND account_id = ?', e, accountId);
    },
    addInboundNumber(accountId: string, number: string, actor: string): Account {
      const a = mustGet(accountId);
      const r = inboundNumber(number.trim(), a.country);
      if ('problem' in r) throw invalid('inbound', r.problem);
      return changeRow(accountId, actor, 'inboundNumber', null, r.e164, 'INSERT INTO inbound_numbers (number, account_id) VALUES (?, ?)', r.e164, accountId);
    },
    /** Stop receiving on a number; faxes already received on it stay with the account. */
    removeInboundNumber(accountId: string, number: string, actor: string): Account {
      const a = mustGet(accountId);
      const e = normalizeNumber(number.trim(), a.country) ?? number.trim();
      if (!a.inboundNumbers.includes(e)) throw new FaxError('not-found', `${e} is not an inbound number of ${accountId}`);
      return changeRow(accountId, actor, 'inboundNumber', e, null, 'DELETE FROM inbound_numbers WHERE number = ? AND account_id = ?', e, accountId);
    },
    /**
     * Send this account's faxes on the named line (null: the default line). `known` is the configured line names: an
     * account is never pointed at a line that does not exist.
     */
    setLine(accountId: string, line: string | null, known: readonly string[], actor: string): Account {
      const a = mustGet(accountId);
      if (line !== null && !known.includes(line)) throw invalid('line', `${line} is not a configured fax line (${known.join(', ')})`);
      return changeRow(accountId, actor, 'line', a.line ?? null, line, 'UPDATE accounts SET line = ? WHERE id = ?', line, accountId);
    },
    /** Apply a partial settings change; throws invalid-settings with per-field errors; records each changed field. */
    updateSettings(accountId: string, change: Record<string, unknown>, actor: string): IntegrationSettings {
      const account = mustGet(accountId);
      const result = applySettingsChange(account.settings, change, account.kind, { senders: account.senders, inboundNumbers: account.inboundNumbers });
      if (!result.ok) {
        throw new FaxError('invalid-settings', result.errors.map((e) => e.message).join('; '), { errors: result.errors });
      }
      db.transaction(() => {
        db.prepare('UPDATE accounts SET settings = ? WHERE id = ?').run(JSON.stringify(result.settings), accountId);
        for (const c of result.changed) audit(accountId, actor, c.field, c.old, c.new);
      })();
      return result.settings;
    },
    /**
     * Replace the signing secret. The replaced one stays valid (deliveries carry a signature with each) for the grace
     * period, so integrators can switch without losing feedback; `immediate` (a leaked secret) ends it at once. Only
     * one previous secret is kept: rotating again during a grace drops the oldest.
     */
    rotateFeedbackSecret(accountId: string, actor: string, opts: { immediate?: boolean } = {}): string {
      const current = mustGet(accountId);
      const secret = `whsec_${randomBytes(32).toString('base64')}`;
      const graceMs = opts.immediate ? 0 : secretGraceMs;
      const until = graceMs > 0 ? new Date(clock.now().getTime() + graceMs).toISOString() : null;
      db.transaction(() => {
        db.prepare('UPDATE accounts SET feedback_secret = ?, feedback_secret_previous = ?, feedback_secret_previous_until = ? WHERE id = ?')
          .run(secret, until ? current.feedbackSecret : null, until, accountId);
        // The audit trail says that and until when, never which secret.
        audit(accountId, actor, 'feedbackSecret', '(rotated)', until ? `(rotated; the previous secret is also signed with until ${until})` : '(rotated; the previous secret no longer works)');
      })();
      return secret;
    },
    /**
     * The secrets a delivery is signed with now: the current one first, then the rotated-out one while its grace
     * lasts. An expired previous secret is erased here, so it is not kept once it no longer serves.
     */
    signingSecrets(accountId: string): string[] {
      const r = db.prepare('SELECT * FROM accounts WHERE id = ?').get(accountId) as Row | undefined;
      if (!r) return [];
      if (inGrace(r)) return [r.feedback_secret, r.feedback_secret_previous as string];
      if (r.feedback_secret_previous !== null || r.feedback_secret_previous_until !== null) {
        db.prepare('UPDATE accounts SET feedback_secret_previous = NULL, feedback_secret_previous_until = NULL WHERE id = ? AND feedback_secret_previous_until = ?')
          .run(accountId, r.feedback_secret_previous_until);
      }
      return [r.feedback_secret];
    },
    audit,
    /**
     * The newest changes first. `scope` splits the file-type registry's rows (field `types.<id>.<what>`, written by
     * src/attachments/registry.ts) from the rest, so the admin page can list each without one crowding out the other.
     */
    auditLog(accountId?: string, limit = 50, scope: AuditScope = 'all'): AuditEntry[] {
      return auditTrail.list(accountId, limit, scope);
    },
  };
}

