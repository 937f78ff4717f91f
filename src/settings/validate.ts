// Validation of integration settings (docs/settings.md): one function used by the CLI, the API and the web pages.
import type { EmailSettings, FaxToEmailRule, IntegrationSettings } from '../domain/types.js';
import { isE164 } from '../domain/numbers.js';
import { checkHeaderFormat, DEFAULT_HEADER_FORMAT } from '../render/header-format.js';

/** Mail settings of an account made before they existed: receipts on (they need FAXGATE_SMTP_RELAY), no attachment. */
export const DEFAULT_EMAIL: EmailSettings = { receipts: 'always', receiptAttachment: 'none', faxToEmail: [] };

/** The account's mail settings, with the defaults for what it never set. */
export function emailSettings(s: IntegrationSettings): EmailSettings {
  return { ...DEFAULT_EMAIL, ...(s.email ?? {}) };
}

export const DEFAULT_SETTINGS: IntegrationSettings = {
  feedbackUrl: '',
  incoming: { feedbackMethod: 'never', deleteAfterRetrieval: false },
  outgoing: { feedbackWhen: 'never', feedbackMethod: 'http-post', unsupportedFiles: 'ignore' },
  timezone: 'UTC',
  header: { enabled: true, format: DEFAULT_HEADER_FORMAT },
  sender: { name: '', faxNumber: '', csid: '' },
  cover: { enabled: false, notice: '' },
  email: DEFAULT_EMAIL,
};

/** Settings as stored, completed with the defaults of fields added since the account was made. */
export function withDefaults(s: Partial<IntegrationSettings>): IntegrationSettings {
  const d = DEFAULT_SETTINGS;
  return {
    ...d, ...s,
    incoming: { ...d.incoming, ...s.incoming },
    outgoing: { ...d.outgoing, ...s.outgoing },
    header: { ...d.header, ...s.header },
    sender: { ...d.sender, ...s.sender },
    cover: { ...d.cover, ...s.cover },
    email: { ...DEFAULT_EMAIL, ...s.email },
  };
}

/**
 * One problem with a change. `message` is the API's text (names the API field); `problem` is the same without the field
 * name, so a page can put the label people see in front of it; `fix` names the field to change when it is not `field`
 * (a rule across fields: the method asks for a URL, the URL is what must be entered).
 */
export interface FieldError { field: string; message: string; problem: string; fix?: string }

const fieldError = (field: string, problem: string): FieldError => ({ field, message: `${field} ${problem}`, problem });

const ENUMS: Record<string, readonly string[]> = {
  'incoming.feedbackMethod': ['never', 'http-post', 'xml'],
  'outgoing.feedbackWhen': ['always', 'never', 'success', 'failure'],
  'outgoing.feedbackMethod': ['http-post', 'xml'],
  'outgoing.unsupportedFiles': ['ignore', 'reject'],
  'outgoing.feedbackEvents': ['final', 'all'],
  'email.receipts': ['always', 'never', 'success', 'failure'],
  'email.receiptAttachment': ['none', 'first-page', 'pdf'],
};
const BOOLEANS = new Set(['incoming.deleteAfterRetrieval', 'header.enabled', 'cover.enabled']);
const STRINGS = new Set(['feedbackUrl', 'designatedFaxNumber', 'timezone', 'header.format', 'sender.name', 'sender.faxNumber', 'sender.csid', 'cover.notice']);

/** An IANA zone name (Area/Location, or UTC): offsets and abbreviations are refused, so the header says a real place's time. */
export function checkTimezone(tz: string): string | null {
  if (!/^(?:UTC|[A-Za-z]+(?:\/[A-Za-z0-9_+-]+){1,2})$/.test(tz)) return 'must be an IANA time zone name such as America/New_York or UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    return 'is not a time zone this server knows (IANA names such as Europe/Berlin)';
  }
  return null;
}

/** ITU-T T.30 station ids (TSI/CSID): 20 characters of digits, "+" and space. */
export function checkCsid(v: string): string | null {
  if (v.length > 20) return 'is longer than 20 characters';
  if (!/^[0-9+ ]*$/.test(v)) return 'may hold only digits, + and spaces (ITU-T T.30)';
  return null;
}

/** Text printed on the pages: one line of printable characters (no control characters), bounded. */
function checkLine(v: string, max: number): string | null {
  if (v.length > max) return `is longer than ${max} characters`;
  if (/[\p{Cc}]/u.test(v)) return 'must be one line without control characters';
  return null;
}

/** The checks of the text settings on the pages: each returns the problem or null. */
const TEXT_CHECKS: Record<string, (v: string) => string | null> = {
  timezone: checkTimezone,
  'header.format': (v) => checkLine(v, 200) ?? checkHeaderFormat(v),
  'sender.name': (v) => checkLine(v, 60),
  'sender.faxNumber': (v) => (v === '' || isE164(v) ? null : 'must be an E.164 number such as +15551234567, or empty'),
  'sender.csid': checkCsid,
  'cover.notice': (v) => (v.length > 2000 ? 'is longer than 2000 characters' : /[\x00-\x09\x0b-\x1f\x7f]/.test(v) ? 'must not contain control characters' : null),
};
export const SETTING_KEYS = [...Object.keys(ENUMS), ...BOOLEANS, ...STRINGS, 'email.faxToEmail', 'outgoing.retries'];

/** The most retries an account or a submission may ask for (issue 18): six calls to a busy number at most. */
export const MAX_RETRIES = 5;
const FAX_TO_EMAIL_FORMATS = ['pdf', 'link', 'notice'] as const;

/** What a change may be checked against besides the settings: the account's senders and inbound numbers. */
export interface SettingsContext { senders?: readonly string[]; inboundNumbers?: readonly string[] }

/** email.faxToEmail in its text form (the CLI's `settings show`, the settings page). */
export function formatFaxToEmail(rules: readonly FaxToEmailRule[]): string {
  return rules.map((r) => `${r.number} ${r.format} ${r.to.join(' ')}`).join('; ');
}

/**
 * email.faxToEmail from its JSON form (rules) or its text form, one rule per `;`: the number (or `*`), the format,
 * then the addresses: `* pdf a@x.example b@x.example; +15550100200 notice c@x.example`. Empty text: no rules.
 */
export function parseFaxToEmail(raw: unknown, ctx: SettingsContext = {}): { rules: FaxToEmailRule[] } | { problem: string } {
  let items: unknown[];
  if (typeof raw === 'string') {
    items = raw.split(/[;\n]/).map((x) => x.trim()).filter(Boolean).map((part) => {
      const [number, format, ...to] = part.split(/[\s,]+/).filter(Boolean);
      return { number, format, to };
    });
  } else if (Array.isArray(raw)) items = raw;
  else return { problem: 'must be a list of rules {number, to, format} or text such as "* pdf alice@example.com"' };
  const rules: FaxToEmailRule[] = [];
  for (const it of items) {
    const r = (it ?? {}) as { number?: unknown; to?: unknown; format?: unknown };
    const number = typeof r.number === 'string' ? r.number.trim() : '';
    if (number !== '*' && !isE164(number)) return { problem: `has a rule for "${String(r.number ?? '')}": a rule is for an inbound number such as +15550100200, or * for the account's other numbers` };
    if (number !== '*' && ctx.inboundNumbers && !ctx.inboundNumbers.includes(number)) return { problem: `has a rule for ${number}, which is not an inbound number of this account` };
    if (rules.some((x) => x.number === number)) return { problem: `has two rules for ${number}` };
    if (typeof r.format !== 'string' || !(FAX_TO_EMAIL_FORMATS as readonly string[]).includes(r.format)) {
      return { problem: `rule ${number}: the format must be one of ${FAX_TO_EMAIL_FORMATS.join(', ')}` };
    }
    const to = (Array.isArray(r.to) ? r.to : typeof r.to === 'string' ? r.to.split(/[\s,]+/) : []).map((x) => String(x).trim().toLowerCase()).filter(Boolean);
    if (to.length === 0) return { problem: `rule ${number}: at least one address is needed` };
    if (to.length > 10) return { problem: `rule ${number}: at most 10 addresses` };
    // Mail goes only to the account's own registered senders: never a relay for strangers.
    const stranger = ctx.senders ? to.find((a) => !ctx.senders!.includes(a)) : undefined;
    if (stranger) return { problem: `rule ${number}: ${stranger} is not a registered sender of this account (mail goes only to its senders)` };
    rules.push({ number, to: [...new Set(to)], format: r.format as FaxToEmailRule['format'] });
  }
  return { rules };
}

/** Flatten nested settings to dotted keys ("outgoing.feedbackWhen"). */
export function flatten(obj: object, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v, key));
    else out[key] = v;
  }
  return out;
}

function unflatten(flat: Record<string, unknown>): IntegrationSettings {
  const out: Record<string, Record<string, unknown> | unknown> = {};
  for (const [k, v] of Object.entries(flat)) {
    const parts = k.split('.');
    if (parts.length === 1) out[k] = v;
    else {
      const group = (out[parts[0]] ??= {}) as Record<string, unknown>;
      group[parts[1]] = v;
    }
  }
  return out as unknown as IntegrationSettings;
}

function checkUrl(url: string): string | null {
  if (url === '') return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an absolute http:// or https:// URL';
  if (u.username || u.password) return 'must not contain credentials';
  if (url.length > 2048) return 'is longer than 2048 characters';
  return null;
}

/**
 * Apply a partial change (nested object, dotted keys, or both) to current settings.
 * Returns the new settings or the list of field errors; string values from the CLI or a form are coerced.
 */
export function applySettingsChange(
  current: IntegrationSettings,
  change: Record<string, unknown>,
  kind: 'standard' | 'developer',
  ctx: SettingsContext = {},
): { ok: true; settings: IntegrationSettings; changed: { field: string; old: unknown; new: unknown }[] } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const flatCurrent = flatten(current);
  const flatChange = flatten(change);
  const next = { ...flatCurrent };
  for (const [key, raw] of Object.entries(flatChange)) {
    if (ENUMS[key]) {
      if (typeof raw !== 'string' || !ENUMS[key].includes(raw)) {
        errors.push(fieldError(key, `must be one of ${ENUMS[key].join(', ')}`));
      } else next[key] = raw;
    } else if (BOOLEANS.has(key)) {
      const v = raw === 'true' ? true : raw === 'false' ? false : raw;
      if (typeof v !== 'boolean') errors.push(fieldError(key, 'must be true or false'));
      else next[key] = v;
    } else if (key === 'feedbackUrl') {
      if (typeof raw !== 'string') errors.push(fieldError(key, 'must be a string'));
      else {
        const problem = checkUrl(raw.trim());
        if (problem) errors.push(fieldError(key, problem));
        else next[key] = raw.trim();
      }
    } else if (key === 'outgoing.retries') {
      // Empty (or null) clears it: FAXGATE_RETRY_ATTEMPTS decides again.
      if (raw === '' || raw === null) delete next[key];
      else {
        const n = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_RETRIES) errors.push(fieldError(key, `must be a whole number from 0 to ${MAX_RETRIES}, or empty`));
        else next[key] = n;
      }
    } else if (key === 'email.faxToEmail') {
      const r = parseFaxToEmail(raw, ctx);
      if ('problem' in r) errors.push(fieldError(key, r.problem));
      else next[key] = r.rules;
    } else if (key === 'designatedFaxNumber') {
      if (kind !== 'developer') {
        if (raw !== undefined && raw !== null && raw !== '') {
          errors.push(fieldError(key, 'is only for developer accounts'));
        }
      } else if (typeof raw !== 'string' || !isE164(raw.trim())) {
        errors.push(fieldError(key, 'must be an E.164 number such as +15551234567'));
      } else next[key] = raw.trim();
    } else if (TEXT_CHECKS[key]) {
      if (typeof raw !== 'string') errors.push(fieldError(key, 'must be a string'));
      else {
        const v = key === 'cover.notice' ? raw.replace(/\r\n?/g, '\n').trim() : raw.trim();
        const problem = TEXT_CHECKS[key](v);
        if (problem) errors.push(fieldError(key, problem));
        else next[key] = v;
      }
    } else {
      errors.push(fieldError(key, `is not a known setting (known: ${SETTING_KEYS.join(', ')})`));
    }
  }
  if (errors.length === 0) {
    const needsUrl = next['incoming.feedbackMethod'] !== 'never' || next['outgoing.feedbackWhen'] !== 'never';
    if (needsUrl && !next.feedbackUrl) {
      const field = next['incoming.feedbackMethod'] !== 'never' && 'incoming.feedbackMethod' in flatChange
        ? 'incoming.feedbackMethod'
        : 'outgoing.feedbackWhen' in flatChange ? 'outgoing.feedbackWhen' : 'feedbackUrl';
      errors.push({
        field, message: 'a feedback method other than never needs a feedbackUrl', problem: 'is needed while feedback is switched on', fix: 'feedbackUrl',
      });
    }
    if (kind === 'developer' && !next.designatedFaxNumber) {
      errors.push({ field: 'designatedFaxNumber', message: 'developer accounts need a designatedFaxNumber', problem: 'is required for a developer account' });
    }
  }
  if (errors.length) return { ok: false, errors };
  const changed = Object.keys(next)
    .filter((k) => JSON.stringify(next[k]) !== JSON.stringify(flatCurrent[k]))
    .map((k) => ({ field: k, old: flatCurrent[k], new: next[k] }));
  return { ok: true, settings: unflatten(next), changed };
}
