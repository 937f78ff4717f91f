// The header line's format string, in the style of HylaFAX's TagLineFormat: %X time codes, %%X fax codes, "|" fields.

/** The default: date, time and zone | sender name and number | recipient | page n/N (docs/pages.md §1). */
export const DEFAULT_HEADER_FORMAT = '%Y-%m-%d %H:%M %Z|From: %%s %%n|To: %%d|Page %%P/%%T';

/** What one page's header line is made of. */
export interface HeaderFields {
  /** when the page is sent */
  at: Date;
  /** IANA zone the time is shown in */
  timezone: string;
  senderName: string;
  senderNumber: string;
  /** the station id the line announces (empty: the sender number is used) */
  csid: string;
  /** the recipient's number */
  to: string;
  subject: string;
  jobId: string;
  page: number;
  pages: number;
}

/** %X: the time of sending in the account's zone (the strftime codes a header needs). */
export const TIME_CODES: Record<string, string> = {
  Y: 'year, 4 digits', y: 'year, 2 digits', m: 'month 01-12', b: 'month name, abbreviated', d: 'day 01-31', e: 'day 1-31',
  a: 'weekday, abbreviated', H: 'hour 00-23', I: 'hour 01-12', p: 'AM or PM', M: 'minute', S: 'second', Z: 'zone abbreviation (EST, CET, UTC)',
};

/** %%X: the fax and its page (HylaFAX's letters where HylaFAX has one). */
export const FAX_CODES: Record<string, string> = {
  d: 'recipient number', n: 'sender fax number', l: 'station id (TSI), else the sender fax number', s: 'sender name',
  S: 'subject', i: 'job id', P: 'page number', T: 'total pages (cover page included)',
};

type Token = { text: string } | { time: string } | { fax: string } | { field: true };

function tokens(format: string): { tokens: Token[]; bad: string[] } {
  const out: Token[] = [];
  const bad: string[] = [];
  let lit = '';
  const flush = () => {
    if (lit) out.push({ text: lit });
    lit = '';
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === '|') {
      flush();
      out.push({ field: true });
    } else if (c !== '%') {
      lit += c;
    } else if (format[i + 1] === '%') {
      const k = format[i + 2];
      if (k === '%') lit += '%';
      else if (k !== undefined && FAX_CODES[k]) {
        flush();
        out.push({ fax: k });
      } else bad.push(`%%${k ?? ''}`);
      i += 2;
    } else {
      const k = format[i + 1];
      if (k !== undefined && TIME_CODES[k]) {
        flush();
        out.push({ time: k });
      } else bad.push(`%${k ?? ''}`);
      i += 1;
    }
  }
  flush();
  return { tokens: out, bad };
}

/** Null when the format is usable, else the problem (for the settings validator). */
export function checkHeaderFormat(format: string): string | null {
  if (format.trim() === '') return 'must not be empty (switch header.enabled off instead)';
  const { bad } = tokens(format);
  if (bad.length) {
    return `has unknown codes ${[...new Set(bad)].join(', ')} (time: ${Object.keys(TIME_CODES).map((k) => `%${k}`).join(' ')}; `
      + `fax: ${Object.keys(FAX_CODES).map((k) => `%%${k}`).join(' ')}; %%% for %)`;
  }
  return null;
}

/** The time parts of `at` in `timezone`. */
function timeParts(at: Date, timezone: string): Record<string, string> {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit',
    second: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
  }).formatToParts(at);
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  const month = new Intl.DateTimeFormat('en-US', { timeZone: timezone, month: 'short' }).format(at);
  const h = Number(get('hour')) % 24;
  return {
    Y: get('year'), y: get('year').slice(-2), m: get('month'), b: month, d: get('day'), e: String(Number(get('day'))),
    a: get('weekday'), H: String(h).padStart(2, '0'), I: String(h % 12 || 12).padStart(2, '0'), p: h < 12 ? 'AM' : 'PM',
    M: get('minute'), S: get('second'), Z: get('timeZoneName'),
  };
}

/** One string per "|" field, codes filled in; runs of spaces left by empty values are closed up. */
export function formatHeader(format: string, f: HeaderFields): string[] {
  const t = timeParts(f.at, f.timezone);
  const fax: Record<string, string> = {
    d: f.to, n: f.senderNumber, l: f.csid || f.senderNumber, s: f.senderName, S: f.subject, i: f.jobId,
    P: String(f.page), T: String(f.pages),
  };
  const fields: string[] = [''];
  for (const tok of tokens(format).tokens) {
    if ('field' in tok) fields.push('');
    else fields[fields.length - 1] += 'text' in tok ? tok.text : 'time' in tok ? t[tok.time] : fax[tok.fax];
  }
  // values are one line of printable text whatever the sender typed (a subject with a tab or newline)
  return fields.map((s) => s.replace(/[\p{Cc}]/gu, ' ').replace(/ {2,}/g, ' ').trim());
}
