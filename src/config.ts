// Configuration from FAXGATE_* variables and an optional JSON config file, validated at start with every problem listed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isIP } from 'node:net';
import { parseLines, type LineConfig } from './lines/config.js';

export interface Config {
  dataDir: string;
  /** postgres://… : all state in PostgreSQL, shared by several instances (docs/scale.md); unset: SQLite in dataDir */
  databaseUrl?: string;
  bindHost: string;
  smtpPort: number;
  httpPort: number;
  faxDomains: string[];
  adminToken?: string;
  publicUrl: string;
  maxMessageBytes: number;
  maxPages: number;
  maxMegapixels: number;
  /** PDF content (every non-image Flate stream) decompressed, per document; past it `too-complex` (issue #12.3) */
  maxPdfInflatedMb: number;
  /** declared pixels of one image inside a PDF, whatever its compression; past it `too-many-pixels` */
  maxPdfImageMegapixels: number;
  renderTimeoutMs: number;
  renderMemoryMb: number;
  /** warm LibreOffice instances (absent: 1 on up to 2 cores, else 2; 0: a cold LibreOffice per document) */
  officePoolSize?: number;
  /** a warm instance is replaced after this many documents */
  officeRecycleAfter: number;
  tlsCert?: string;
  tlsKey?: string;
  dmarc: boolean;
  defaultCountry: string;
  sandboxSecondsPerPage: number;
  retryScale: number;
  retryAttempts: number;
  retrySpacingSeconds: number;
  feedbackAllowPrivate: boolean;
  /** hours a rotated feedback signing secret keeps being signed with, beside the new one (0 = cut off at once) */
  feedbackSecretGraceHours: number;
  workers: number;
  logLevel: string;
  smtpMaxClients: number;
  /** connections at once from one client address (IPv4 address, IPv6 /64); below smtpMaxClients */
  smtpMaxPerAddress: number;
  /** a session's whole life, however busy; then 421 and close */
  smtpSessionMaxMs: number;
  /** commands since the connection opened or the last message (recipients accepted do not count); then 421 */
  smtpMaxIdleCommands: number;
  /** large JSON request bodies (base64 files) received and decoded at once, in all accounts (issue #12.7) */
  httpJsonMaxConcurrent: number;
  /** the same, for one account; at most httpJsonMaxConcurrent */
  httpJsonMaxPerAccount: number;
  /** a JSON body above this many bytes (or of unknown length) counts as large: gated, and decoded off the event loop */
  httpJsonLargeBytes: number;
  /**
   * reverse proxies (addresses, CIDRs, or loopback / linklocal / uniquelocal) whose X-Forwarded-For is believed for the
   * client address of HTTP requests; empty (the default): the socket's address is the client's
   */
  trustedProxies: string[];
  /** how often crash leftovers (DATA/tmp, orphaned submission folders) are swept while running */
  cleanupIntervalMs: number;
  /** GET /metrics: `admin` (admin token), `open` (no token: a private scrape network) or `off` */
  metrics: 'admin' | 'open' | 'off';
  /** the fax lines besides the built-in sandbox (FAXGATE_LINES, src/lines/config.ts) */
  lines: LineConfig[];
  /** the line faxes go out on unless their account names one; the first configured line, else the sandbox */
  defaultLine?: string;
  /** outgoing mail relay, smtp://user:pass@host:587 or smtps://host:465 (docs/mail.md); absent: no receipts, no fax-to-email */
  smtpRelay?: string;
  /** the From: of receipts and fax-to-email; default `faxgate <faxgate@host of FAXGATE_PUBLIC_URL>` */
  mailFrom?: string;
}

type Kind = 'string' | 'int' | 'number' | 'bool' | 'list' | 'lines';
interface Field { key: keyof Config; env: string; kind: Kind; def?: unknown; min?: number; max?: number }

const FIELDS: Field[] = [
  { key: 'dataDir', env: 'FAXGATE_DATA_DIR', kind: 'string', def: './var' },
  { key: 'databaseUrl', env: 'FAXGATE_DATABASE_URL', kind: 'string' },
  { key: 'bindHost', env: 'FAXGATE_BIND', kind: 'string', def: '0.0.0.0' },
  { key: 'smtpPort', env: 'FAXGATE_SMTP_PORT', kind: 'int', def: 2525, min: 0, max: 65535 },
  { key: 'httpPort', env: 'FAXGATE_HTTP_PORT', kind: 'int', def: 8080, min: 0, max: 65535 },
  { key: 'faxDomains', env: 'FAXGATE_FAX_DOMAINS', kind: 'list', def: ['fax.localhost'] },
  { key: 'adminToken', env: 'FAXGATE_ADMIN_TOKEN', kind: 'string' },
  { key: 'publicUrl', env: 'FAXGATE_PUBLIC_URL', kind: 'string' },
  { key: 'maxMessageBytes', env: 'FAXGATE_MAX_MESSAGE_BYTES', kind: 'int', def: 25 * 1024 * 1024, min: 1024 },
  { key: 'maxPages', env: 'FAXGATE_MAX_PAGES', kind: 'int', def: 200, min: 1 },
  { key: 'maxMegapixels', env: 'FAXGATE_MAX_MEGAPIXELS', kind: 'number', def: 40, min: 0.01 },
  { key: 'maxPdfInflatedMb', env: 'FAXGATE_MAX_PDF_INFLATED_MB', kind: 'int', def: 64, min: 1, max: 4096 },
  { key: 'maxPdfImageMegapixels', env: 'FAXGATE_MAX_PDF_IMAGE_MEGAPIXELS', kind: 'number', def: 400, min: 1 },
  { key: 'renderTimeoutMs', env: 'FAXGATE_RENDER_TIMEOUT_MS', kind: 'int', def: 60_000, min: 100 },
  { key: 'renderMemoryMb', env: 'FAXGATE_RENDER_MEMORY_MB', kind: 'int', def: 512, min: 64 },
  { key: 'officePoolSize', env: 'FAXGATE_OFFICE_POOL_SIZE', kind: 'int', min: 0, max: 16 },
  { key: 'officeRecycleAfter', env: 'FAXGATE_OFFICE_RECYCLE_AFTER', kind: 'int', def: 50, min: 1 },
  { key: 'tlsCert', env: 'FAXGATE_TLS_CERT', kind: 'string' },
  { key: 'tlsKey', env: 'FAXGATE_TLS_KEY', kind: 'string' },
  { key: 'dmarc', env: 'FAXGATE_DMARC', kind: 'bool', def: false },
  { key: 'defaultCountry', env: 'FAXGATE_DEFAULT_COUNTRY', kind: 'string', def: '1' },
  { key: 'sandboxSecondsPerPage', env: 'FAXGATE_SANDBOX_SECONDS_PER_PAGE', kind: 'number', def: 2, min: 0 },
  { key: 'retryScale', env: 'FAXGATE_RETRY_SCALE', kind: 'number', def: 1, min: 0 },
  { key: 'retryAttempts', env: 'FAXGATE_RETRY_ATTEMPTS', kind: 'int', def: 3, min: 1, max: 10 },
  { key: 'retrySpacingSeconds', env: 'FAXGATE_RETRY_SPACING_SECONDS', kind: 'number', def: 300, min: 0 },
  { key: 'feedbackAllowPrivate', env: 'FAXGATE_FEEDBACK_ALLOW_PRIVATE', kind: 'bool', def: false },
  { key: 'feedbackSecretGraceHours', env: 'FAXGATE_FEEDBACK_SECRET_GRACE_HOURS', kind: 'number', def: 24, min: 0, max: 720 },
  { key: 'workers', env: 'FAXGATE_WORKERS', kind: 'int', def: 2, min: 1, max: 64 },
  { key: 'logLevel', env: 'FAXGATE_LOG_LEVEL', kind: 'string', def: 'info' },
  { key: 'smtpMaxClients', env: 'FAXGATE_SMTP_MAX_CLIENTS', kind: 'int', def: 50, min: 1 },
  { key: 'smtpMaxPerAddress', env: 'FAXGATE_SMTP_MAX_PER_ADDRESS', kind: 'int', def: 10, min: 1 },
  { key: 'smtpSessionMaxMs', env: 'FAXGATE_SMTP_SESSION_MAX_MS', kind: 'int', def: 10 * 60_000, min: 100 },
  { key: 'smtpMaxIdleCommands', env: 'FAXGATE_SMTP_MAX_IDLE_COMMANDS', kind: 'int', def: 20, min: 3 },
  { key: 'httpJsonMaxConcurrent', env: 'FAXGATE_HTTP_JSON_MAX_CONCURRENT', kind: 'int', def: 4, min: 1 },
  { key: 'httpJsonMaxPerAccount', env: 'FAXGATE_HTTP_JSON_MAX_PER_ACCOUNT', kind: 'int', def: 2, min: 1 },
  { key: 'httpJsonLargeBytes', env: 'FAXGATE_HTTP_JSON_LARGE_BYTES', kind: 'int', def: 1024 * 1024, min: 1024 },
  { key: 'trustedProxies', env: 'FAXGATE_TRUSTED_PROXIES', kind: 'list', def: [] },
  { key: 'cleanupIntervalMs', env: 'FAXGATE_CLEANUP_INTERVAL_MS', kind: 'int', def: 10 * 60_000, min: 1000 },
  { key: 'metrics', env: 'FAXGATE_METRICS', kind: 'string', def: 'admin' },
  { key: 'lines', env: 'FAXGATE_LINES', kind: 'lines', def: [] },
  { key: 'defaultLine', env: 'FAXGATE_DEFAULT_LINE', kind: 'string' },
  { key: 'smtpRelay', env: 'FAXGATE_SMTP_RELAY', kind: 'string' },
  { key: 'mailFrom', env: 'FAXGATE_MAIL_FROM', kind: 'string' },
];

/** FAXGATE_SMTP_RELAY (docs/mail.md), parsed here so a bad one stops the start with the other problems. */
export interface RelaySpec {
  secure: boolean;
  host: string;
  port: number;
  user?: string;
  pass?: string;
}

/** The relay URL's problem in words (never echoing it: it may hold a password), or the parsed relay. */
export function parseRelay(url: string): RelaySpec | { problem: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { problem: 'must be a URL such as smtp://user:password@mail.example.com:587 or smtps://mail.example.com:465' };
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') return { problem: `must start with smtp:// or smtps://, not ${u.protocol}//` };
  if (!u.hostname) return { problem: 'names no host' };
  const secure = u.protocol === 'smtps:';
  const port = u.port ? Number(u.port) : secure ? 465 : 587;
  if (u.pathname && u.pathname !== '/') return { problem: 'must have no path' };
  return {
    secure, host: u.hostname.replace(/^\[|\]$/g, ''), port,
    ...(u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : {}),
  };
}

/** What fastify's trustProxy (proxy-addr) accepts: an address, address/prefix length, or one of its named ranges. */
function isProxyRange(p: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(p)) return true;
  const [addr, bits, extra] = p.split('/');
  const family = isIP(addr);
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseValue(f: Field, raw: unknown, problems: string[]): unknown {
  const s = typeof raw === 'string' ? raw.trim() : raw;
  switch (f.kind) {
    case 'string':
      return String(s);
    case 'lines':
      return parseLines(s, problems, f.env);
    case 'list':
      return (Array.isArray(s) ? s.map(String) : String(s).split(',')).map((x) => x.trim().toLowerCase()).filter(Boolean);
    case 'bool': {
      if (typeof s === 'boolean') return s;
      const v = String(s).toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
      problems.push(`${f.env}: expected a boolean (1/0, true/false), got "${String(raw)}"`);
      return f.def;
    }
    case 'int':
    case 'number': {
      const n = Number(s);
      if (s === '' || !Number.isFinite(n) || (f.kind === 'int' && !Number.isInteger(n))) {
        problems.push(`${f.env}: expected ${f.kind === 'int' ? 'a whole number' : 'a number'}, got "${String(raw)}"`);
        return f.def;
      }
      if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) {
        problems.push(`${f.env}: ${n} is out of range ${f.min ?? '-inf'}..${f.max ?? 'inf'}`);
        return f.def;
      }
      return n;
    }
  }
}

/**
 * Build the configuration: defaults, then the JSON file named by FAXGATE_CONFIG (keys as in Config),
 * then environment variables, then explicit overrides (CLI flags). Throws ConfigError listing every problem.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  let file: Record<string, unknown> = {};
  if (env.FAXGATE_CONFIG) {
    try {
      file = JSON.parse(readFileSync(env.FAXGATE_CONFIG, 'utf8')) as Record<string, unknown>;
      const known = new Set(FIELDS.map((f) => f.key as string));
      for (const k of Object.keys(file)) if (!known.has(k)) problems.push(`${env.FAXGATE_CONFIG}: unknown key "${k}"`);
    } catch (e) {
      problems.push(`FAXGATE_CONFIG: cannot read ${env.FAXGATE_CONFIG}: ${(e as Error).message}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) {
    let v: unknown = f.def;
    if (file[f.key] !== undefined) v = parseValue(f, file[f.key], problems);
    if (env[f.env] !== undefined && env[f.env] !== '') v = parseValue(f, env[f.env], problems);
    if (overrides[f.key] !== undefined) v = overrides[f.key];
    out[f.key] = v;
  }
  const cfg = out as unknown as Config;
  cfg.dataDir = path.resolve(cfg.dataDir);
  if (!cfg.publicUrl) cfg.publicUrl = `http://localhost:${cfg.httpPort}`;
  if (!/^https?:\/\/[^/]+/.test(cfg.publicUrl)) problems.push(`FAXGATE_PUBLIC_URL: must be an http(s) URL, got "${cfg.publicUrl}"`);
  if (Boolean(cfg.tlsCert) !== Boolean(cfg.tlsKey)) problems.push('FAXGATE_TLS_CERT and FAXGATE_TLS_KEY must be set together');
  if (cfg.databaseUrl !== undefined && !/^postgres(ql)?:\/\/[^/]/.test(cfg.databaseUrl)) problems.push('FAXGATE_DATABASE_URL: must be a postgres:// URL');
  if (cfg.faxDomains.length === 0) problems.push('FAXGATE_FAX_DOMAINS: at least one fax domain is needed');
  if (!/^[1-9]\d{0,2}$/.test(cfg.defaultCountry)) problems.push(`FAXGATE_DEFAULT_COUNTRY: a country calling code such as 1 or 44, got "${cfg.defaultCountry}"`);
  // One address must not be able to take every slot: what it may hold leaves room for other clients.
  if (cfg.smtpMaxPerAddress >= cfg.smtpMaxClients) {
    problems.push(`FAXGATE_SMTP_MAX_PER_ADDRESS: ${cfg.smtpMaxPerAddress} must be smaller than FAXGATE_SMTP_MAX_CLIENTS (${cfg.smtpMaxClients}), so one address cannot take every connection`);
  }
  if (cfg.httpJsonMaxPerAccount > cfg.httpJsonMaxConcurrent) {
    problems.push(`FAXGATE_HTTP_JSON_MAX_PER_ACCOUNT: ${cfg.httpJsonMaxPerAccount} must not be larger than FAXGATE_HTTP_JSON_MAX_CONCURRENT (${cfg.httpJsonMaxConcurrent})`);
  }
  for (const p of cfg.trustedProxies) {
    if (!isProxyRange(p)) problems.push(`FAXGATE_TRUSTED_PROXIES: "${p}" is not an IP address, a CIDR range, or loopback / linklocal / uniquelocal`);
  }
  if (!['admin', 'open', 'off'].includes(cfg.metrics)) problems.push(`FAXGATE_METRICS: one of admin, open, off, got "${cfg.metrics}"`);
  const lineNames = ['sandbox', ...cfg.lines.map((l) => l.name)];
  if (cfg.defaultLine !== undefined && !lineNames.includes(cfg.defaultLine)) {
    problems.push(`FAXGATE_DEFAULT_LINE: "${cfg.defaultLine}" is not a configured line (${lineNames.join(', ')})`);
  }
  if (cfg.smtpRelay !== undefined && cfg.smtpRelay !== '') {
    const r = parseRelay(cfg.smtpRelay);
    if ('problem' in r) problems.push(`FAXGATE_SMTP_RELAY: ${r.problem}`);
  }
  if (cfg.mailFrom && !/^[^<>]*<[^\s@<>]+@[^\s@<>]+>$|^[^\s@<>]+@[^\s@<>]+$/.test(cfg.mailFrom.trim())) {
    problems.push('FAXGATE_MAIL_FROM: an address such as faxgate@example.com or "Fax <fax@example.com>"');
  }
  if (cfg.adminToken !== undefined && cfg.adminToken.length < 16) problems.push('FAXGATE_ADMIN_TOKEN: use at least 16 characters');
  if (problems.length) throw new ConfigError(problems);
  return cfg;
}
