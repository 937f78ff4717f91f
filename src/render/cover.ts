// The cover page: To, From, Subject, date, total pages, the message (body text or coverText) and the account's notice.
import type { CoverSpec } from '../domain/types.js';
import type { PageEncoder } from './encode.js';
import { formatHeader } from './header-format.js';
import { COLUMNS, cleanText, escapeMarkup, linesPerPage, renderPage, wrapLines } from './text.js';
import type { FaxPage } from './tiff.js';
import { RenderFailure, type Budget, type Geometry } from './types.js';

/**
 * One labelled field, the label in bold. No column alignment by spaces: the page font may be proportional where the
 * monospace font is not installed, and a ragged column looks worse than none.
 */
function field(label: string, value: string): string[] {
  const lines = wrapLines(cleanText(`${label} ${value}`).replace(/\n/g, ' '));
  return lines.map((l, i) => (i === 0 ? escapeMarkup(l).replace(/^([A-Za-z]+:)/, '<b>$1</b>') : escapeMarkup(l)));
}

/** The cover's markup pages; `totalPages` is filled in by the caller once the rest of the fax is known. */
export function coverLines(c: CoverSpec, at: Date, totalPages: number, coverPages: number): string[] {
  const date = formatHeader('%a %e %b %Y %H:%M %Z', {
    at, timezone: c.timezone, senderName: '', senderNumber: '', csid: '', to: '', subject: '', jobId: '', page: 0, pages: 0,
  })[0];
  const rule = '━'.repeat(COLUMNS);
  const out = [
    '', '<span size="xx-large" weight="bold">FAX</span>', rule, '',
    ...field('To:', c.to.join(', ')),
    ...field('From:', c.from + (c.senderNumber ? `, fax ${c.senderNumber}` : '')),
    ...field('Subject:', c.subject || '(none)'),
    ...field('Date:', date),
    ...field('Pages:', `${totalPages} including ${coverPages === 1 ? 'this cover page' : `${coverPages} cover pages`}`),
    '', '─'.repeat(COLUMNS), '',
    ...wrapLines(cleanText(c.text)).filter((l) => l !== '\f').map(escapeMarkup),
  ];
  if (c.notice.trim()) out.push('', '─'.repeat(COLUMNS), ...wrapLines(cleanText(c.notice)).filter((l) => l !== '\f').map((l) => `<i>${escapeMarkup(l)}</i>`));
  return out;
}

/** Markup lines into pages; the big title takes the room of two lines. */
function split(lines: string[], per: number): string[][] {
  const pages: string[][] = [];
  let cur: string[] = [];
  let used = 0;
  for (const l of lines) {
    const h = l.includes('xx-large') ? 2 : 1;
    if (used + h > per && cur.length) {
      pages.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(l);
    used += h;
  }
  if (cur.length) pages.push(cur);
  return pages;
}

/** How many pages the cover takes (the page count printed on it depends on it). */
export function coverPageCount(c: CoverSpec, geom: Geometry): number {
  return split(coverLines(c, new Date(0), 999, 9), linesPerPage(geom)).length;
}

export async function renderCoverPages(c: CoverSpec, at: Date, restPages: number, geom: Geometry, encoder: PageEncoder, budget: Budget): Promise<FaxPage[]> {
  const n = coverPageCount(c, geom);
  if (n + restPages > budget.limits.maxPages) throw new RenderFailure('too-many-pages', `the cover takes ${n} pages, past the page limit`);
  const pages = split(coverLines(c, at, n + restPages, n), linesPerPage(geom));
  const out: FaxPage[] = [];
  for (const p of pages) out.push(await renderPage(p, geom, encoder, budget));
  return out;
}
