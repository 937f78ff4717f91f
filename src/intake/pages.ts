// How a submission's pages will look, decided once for both ingresses: subject modifiers, cover page, header line, TSI.
import type { Account } from '../settings/types.js';
import type { CoverSpec, PageHeaderSpec, Resolution, SubmissionOptions } from '../domain/types.js';
import { withDefaults } from '../settings/validate.js';

/** The subject-line modifiers an email sender may use (docs/smtp.md §3), case-insensitive, anywhere in the subject. */
export const SUBJECT_MODIFIERS: Record<string, { cover?: boolean; resolution?: Resolution }> = {
  cover: { cover: true },
  nocover: { cover: false },
  standard: { resolution: 'standard' },
  fine: { resolution: 'fine' },
  superfine: { resolution: 'superfine' },
};

/** Take the `[cover]`-style modifiers out of a subject; the last of each kind wins. */
export function parseSubjectModifiers(subject: string): { subject: string; cover?: boolean; resolution?: Resolution } {
  let cover: boolean | undefined;
  let resolution: Resolution | undefined;
  const rest = subject.replace(/\[\s*([A-Za-z]+)\s*\]/g, (m, word: string) => {
    const mod = SUBJECT_MODIFIERS[word.toLowerCase()];
    if (!mod) return m;
    if (mod.cover !== undefined) cover = mod.cover;
    if (mod.resolution) resolution = mod.resolution;
    return ' ';
  });
  return { subject: rest.replace(/\s{2,}/g, ' ').trim(), ...(cover !== undefined ? { cover } : {}), ...(resolution ? { resolution } : {}) };
}

/** The station id: the account's sender.csid, else its fax number as digits and "+" (T.30 allows nothing else). */
export function stationId(account: Account): string {
  const s = withDefaults(account.settings).sender;
  return (s.csid || s.faxNumber.replace(/[^0-9+]/g, '')).slice(0, 20);
}

export interface PageChoices {
  /** the submission's own choice (API `cover`, form `cover=on|off`, or a subject modifier): overrides the account */
  cover?: boolean;
  coverText?: string;
  subject: string;
  /** the sender as the cover names them */
  from: string;
  recipients: string[];
}

/** The page options stored with a submission, from the account's settings of this moment and the submission's choices. */
export function pageOptions(account: Account, c: PageChoices, bodyText: string | undefined): Pick<SubmissionOptions, 'header' | 'cover' | 'csid'> {
  const st = withDefaults(account.settings);
  const senderName = st.sender.name || account.name;
  const csid = stationId(account);
  const header: PageHeaderSpec | undefined = st.header.enabled
    ? { format: st.header.format, timezone: st.timezone, senderName, senderNumber: st.sender.faxNumber, csid, ...(c.subject ? { subject: c.subject } : {}) }
    : undefined;
  const wantCover = c.cover ?? st.cover.enabled;
  const cover: CoverSpec | undefined = wantCover
    ? {
      to: c.recipients, from: c.from ? `${senderName} <${c.from}>` : senderName, senderNumber: st.sender.faxNumber, subject: c.subject,
      text: c.coverText ?? bodyText ?? '', notice: st.cover.notice, timezone: st.timezone,
    }
    : undefined;
  return { ...(header ? { header } : {}), ...(cover ? { cover } : {}), ...(csid ? { csid } : {}) };
}
