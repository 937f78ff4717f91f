// The account store's port: what intake, the adapters, the web pages, feedback and the CLI ask of accounts. The
// SQLite implementation is ./accounts.ts (createSqliteAccountStore); a PostgreSQL one implements this same interface.
import type { AuditEntry, AuditScope } from '../store/audit.js';
import type { IntegrationSettings } from '../domain/types.js';

export type AccountKind = 'standard' | 'developer';

export interface Account {
  id: string;
  name: string;
  kind: AccountKind;
  country: string;
  senders: string[];
  inboundNumbers: string[];
  settings: IntegrationSettings;
  feedbackSecret: string;
  /** while a rotated-out secret is still signed with (never the secret itself): when that stops */
  previousSecretExpiresAt?: string;
  /** the fax line this account's faxes go out on (FAXGATE_LINES); absent = the default line */
  line?: string;
  createdAt: string;
  /** when an administrator disabled the account: it sends nothing, signs in nowhere and its keys are refused */
  disabledAt?: string;
}

export interface CreateAccountInput {
  name: string;
  senders: string[];
  kind?: AccountKind;
  designated?: string;
  inbound?: string[];
  country?: string;
}

/** What is known of an API key: its id (records name it api:key_<id>) and dates; only the key's hash is stored. */
export interface ApiKeyInfo { id: string; createdAt: string; revokedAt: string | null }

export interface AccountStore {
  /** Create an account; returns it with the API key, which is shown once and stored only hashed. */
  create(input: CreateAccountInput, actor?: string): Account & {
    apiKey: string;
    apiKeyId: string;
  };
  get: (id: string) => Account | undefined;
  mustGet: (id: string) => Account;
  list(): Account[];
  count(): number;
  findBySender(email: string): Account | undefined;
  findByApiKey(key: string): Account | undefined;
  /** Is the API key with this hash (hashApiKey) still active for this account (not revoked)? Web sessions keep only the hash. */
  apiKeyHashActive(accountId: string, keyHash: string): boolean;
  /** The account and the id of a valid API key, for requests that must record which key acted. */
  authenticateApiKey(key: string): {
    account: Account;
    keyId: string;
  } | undefined;
  findByInboundNumber(number: string): Account | undefined;
  issueApiKey: (accountId: string) => string;
  listApiKeys: (accountId: string) => ApiKeyInfo[];
  /** Issue one more key (accounts may hold several, so a key can be replaced without downtime). */
  addApiKey(accountId: string, actor: string): ApiKeyInfo & {
    apiKey: string;
  };
  /**
  * Revoke one of the account's keys, named by its id as listed, as records name it (key_<id>), or by the id's
  * first 8 or more characters; the web service and web sessions opened with it refuse it from then on. Only this
  * account's keys can be named.
  */
  revokeApiKey(accountId: string, keyId: string, actor: string): ApiKeyInfo;
  addSender(accountId: string, email: string, actor: string): Account;
  /** Remove a sender address; the last one stays, since email is how a standard account faxes. */
  removeSender(accountId: string, email: string, actor: string): Account;
  addInboundNumber(accountId: string, number: string, actor: string): Account;
  /** Stop receiving on a number; faxes already received on it stay with the account. */
  removeInboundNumber(accountId: string, number: string, actor: string): Account;
  /**
  * Send this account's faxes on the named line (null: the default line). `known` is the configured line names: an
  * account is never pointed at a line that does not exist.
  */
  setLine(accountId: string, line: string | null, known: readonly string[], actor: string): Account;
  /**
  * Disable the account (or enable it again): a disabled account's email and web-service submissions are refused
  * with account-disabled, its keys open no web session, and faxes it already submitted still run to their end.
  * Received faxes are still kept for it (a fax is never lost), only not shown until it is enabled.
  */
  setDisabled(accountId: string, disabled: boolean, actor: string): Account;
  /** Apply a partial settings change; throws invalid-settings with per-field errors; records each changed field. */
  updateSettings(accountId: string, change: Record<string, unknown>, actor: string): IntegrationSettings;
  /**
  * Replace the signing secret. The replaced one stays valid (deliveries carry a signature with each) for the grace
  * period, so integrators can switch without losing feedback; `immediate` (a leaked secret) ends it at once. Only
  * one previous secret is kept: rotating again during a grace drops the oldest.
  */
  rotateFeedbackSecret(accountId: string, actor: string, opts?: {
    immediate?: boolean;
  }): string;
  /**
  * The secrets a delivery is signed with now: the current one first, then the rotated-out one while its grace
  * lasts. An expired previous secret is erased here, so it is not kept once it no longer serves.
  */
  signingSecrets(accountId: string): string[];
  audit: (accountId: string | null, actor: string, field: string, oldV: unknown, newV: unknown) => void;
  /**
  * The newest changes first. `scope` splits the file-type registry's rows (field `types.<id>.<what>`, written by
  * src/attachments/registry.ts) from the rest, so the admin page can list each without one crowding out the other.
  */
  auditLog(accountId?: string, limit?: number, scope?: AuditScope): AuditEntry[];
}
