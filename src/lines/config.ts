// FAXGATE_LINES: the configured fax lines (JSON), checked at start with every problem listed like the other settings.

export interface SandboxLineConfig { name: string; kind: 'sandbox' }

export interface HylafaxLineConfig {
  name: string;
  kind: 'hylafax';
  /** hfaxd's address */
  host: string;
  port: number;
  user: string;
  /** only when hfaxd asks for one (hosts.hfaxd entry with a password) */
  password?: string;
  /** the modem (HylaFAX device id such as ttyIAX0) to send on; any modem when absent */
  modem?: string;
  /** the line's own fax number (E.164): received faxes with no dialled number (NDID) are for it */
  number?: string;
  /** minutes HylaFAX may hold a fax before giving up (its kill time) */
  killMinutes: number;
  /** the drop folder the faxrcvd hook writes received faxes to; receiving is off when absent */
  receiveDir?: string;
}

export interface TelnyxLineConfig {
  name: string;
  kind: 'telnyx';
  /** the API v2 key (Bearer); never printed */
  apiKey: string;
  /** the Programmable Fax Application (its connection id) faxes are sent with */
  connectionId: string;
  /** the account's fax number (E.164) faxes are sent from; received faxes with no dialled number belong to it */
  from: string;
  /** the account's webhook public key: base64 of the 32-byte Ed25519 key (Mission Control, Keys & Credentials) */
  publicKey: string;
  /** faxgate's public base URL as Telnyx reaches it: webhooks and the fax documents' signed links are under it */
  webhookBaseUrl: string;
  /** the API base (default https://api.telnyx.com); tests point it at a fake carrier */
  apiBase: string;
  /** Telnyx's `quality` for outgoing faxes */
  quality: 'normal' | 'high' | 'very_high' | 'ultra_light' | 'ultra_dark';
}

export type LineConfig = SandboxLineConfig | HylafaxLineConfig | TelnyxLineConfig;

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const KEYS: Record<LineConfig['kind'], readonly string[]> = {
  sandbox: ['name', 'kind'],
  hylafax: ['name', 'kind', 'host', 'port', 'user', 'password', 'modem', 'number', 'killMinutes', 'receiveDir'],
  telnyx: ['name', 'kind', 'apiKey', 'connectionId', 'from', 'publicKey', 'webhookBaseUrl', 'apiBase', 'quality'],
};
const QUALITIES = ['normal', 'high', 'very_high', 'ultra_light', 'ultra_dark'] as const;

/** Parse the FAXGATE_LINES value (a JSON array, or the array from the config file). Problems name the line. */
export function parseLines(raw: unknown, problems: string[], where = 'FAXGATE_LINES'): LineConfig[] {
  let v = raw;
  if (typeof v === 'string') {
    if (!v.trim()) return [];
    try {
      v = JSON.parse(v);
    } catch {
      problems.push(`${where}: not valid JSON (expected an array of lines such as [{"name":"office","kind":"hylafax","host":"127.0.0.1","user":"faxgate"}])`);
      return [];
    }
  }
  if (!Array.isArray(v)) {
    problems.push(`${where}: expected an array of lines`);
    return [];
  }
  const out: LineConfig[] = [];
  const seen = new Set<string>();
  v.forEach((item: unknown, i) => {
    const at = `${where}[${i}]`;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      problems.push(`${at}: expected an object`);
      return;
    }
    const o = item as Record<string, unknown>;
    const name = typeof o.name === 'string' ? o.name : '';
    if (!NAME.test(name)) {
      problems.push(`${at}: "name" must be 1-32 lower-case letters, digits, - or _`);
      return;
    }
    if (seen.has(name)) problems.push(`${at}: the name "${name}" is used twice`);
    seen.add(name);
    const kind = o.kind;
    if (kind !== 'sandbox' && kind !== 'hylafax' && kind !== 'telnyx') {
      problems.push(`${at} (${name}): "kind" must be sandbox, hylafax or telnyx`);
      return;
    }
    for (const k of Object.keys(o)) if (!KEYS[kind].includes(k)) problems.push(`${at} (${name}): unknown key "${k}"`);
    if (kind === 'sandbox') {
      out.push({ name, kind });
      return;
    }
    const str = (k: string, required: boolean): string | undefined => {
      const x = o[k];
      if (x === undefined) {
        if (required) problems.push(`${at} (${name}): "${k}" is required`);
        return undefined;
      }
      if (typeof x !== 'string' || !x.trim() || /[\r\n]/.test(x)) {
        problems.push(`${at} (${name}): "${k}" must be a non-empty string on one line`);
        return undefined;
      }
      return x.trim();
    };
    const int = (k: string, def: number, min: number, max: number): number => {
      const x = o[k];
      if (x === undefined) return def;
      if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
        problems.push(`${at} (${name}): "${k}" must be a whole number ${min}..${max}`);
        return def;
      }
      return x;
    };
    if (kind === 'telnyx') {
      out.push(parseTelnyx(name, at, str, problems));
      return;
    }
    const number = str('number', false);
    if (number && !/^\+[1-9]\d{6,14}$/.test(number)) problems.push(`${at} (${name}): "number" must be E.164, such as +15550000001`);
    const modem = str('modem', false);
    if (modem && !/^[A-Za-z0-9_.-]{1,32}$/.test(modem)) problems.push(`${at} (${name}): "modem" must be a HylaFAX device id such as ttyIAX0`);
    out.push({
      name, kind,
      host: str('host', true) ?? '127.0.0.1',
      port: int('port', 4559, 1, 65535),
      user: str('user', true) ?? 'faxgate',
      ...(str('password', false) !== undefined ? { password: str('password', false) } : {}),
      ...(modem ? { modem } : {}),
      ...(number ? { number } : {}),
      killMinutes: int('killMinutes', 30, 1, 24 * 60),
      ...(str('receiveDir', false) ? { receiveDir: str('receiveDir', false) } : {}),
    });
  });
  return out;
}

type Str = (k: string, required: boolean) => string | undefined;

function httpUrl(v: string | undefined, key: string, at: string, problems: string[]): string | undefined {
  if (v === undefined) return undefined;
  try {
    const u = new URL(v);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
    return v.replace(/\/+$/, '');
  } catch {
    problems.push(`${at}: "${key}" must be an http(s) URL`);
    return undefined;
  }
}

function parseTelnyx(name: string, at0: string, str: Str, problems: string[]): TelnyxLineConfig {
  const at = `${at0} (${name})`;
  const from = str('from', true) ?? '';
  if (from && !/^\+[1-9]\d{6,14}$/.test(from)) problems.push(`${at}: "from" must be E.164, such as +15550000001`);
  const publicKey = str('publicKey', true) ?? '';
  if (publicKey && Buffer.from(publicKey, 'base64').length !== 32) {
    problems.push(`${at}: "publicKey" must be the base64 of a 32-byte Ed25519 public key (Telnyx: Keys & Credentials, Public Key)`);
  }
  const quality = str('quality', false) ?? 'high';
  if (!(QUALITIES as readonly string[]).includes(quality)) problems.push(`${at}: "quality" must be one of ${QUALITIES.join(', ')}`);
  return {
    name, kind: 'telnyx',
    apiKey: str('apiKey', true) ?? '',
    connectionId: str('connectionId', true) ?? '',
    from, publicKey,
    webhookBaseUrl: httpUrl(str('webhookBaseUrl', true), 'webhookBaseUrl', at, problems) ?? '',
    apiBase: httpUrl(str('apiBase', false), 'apiBase', at, problems) ?? 'https://api.telnyx.com',
    quality: quality as TelnyxLineConfig['quality'],
  };
}

/** A line as `faxgate lines list` shows it: never the password or API key. */
export function describeLine(l: LineConfig): Record<string, unknown> {
  if (l.kind === 'sandbox') return { name: l.name, kind: l.kind };
  if (l.kind === 'telnyx') return { ...l, apiKey: '(set)' };
  const { password, ...rest } = l;
  return { ...rest, ...(password ? { password: '(set)' } : {}) };
}
