// Plain text → fax pages: monospace layout with wrapping and pagination, glyphs by Pango/fontconfig through sharp
// (any script the installed fonts cover), and the email body page with its From/To/Subject/Date header.
import { byteOrderMark } from '../formats/bytes.js';
import type { SubmissionBody } from '../domain/types.js';
import { toPage } from './bitmap.js';
import type { PageEncoder } from './encode.js';
import { loadSharp, imageFailure } from './image.js';
import type { FaxPage } from './tiff.js';
import { RenderFailure, overBudget, type Budget, type Geometry } from './types.js';

export const TEXT_FONT = 'Noto Sans Mono';
const FONT_PT = 10;
const LINE_PT = 12;
export const COLUMNS = 80;
const MARGIN_TOP_IN = 0.5;
const MARGIN_BOTTOM_IN = 0.4;
/** Render square at the fax's horizontal resolution, then scale rows to the vertical one. */
const DPI = 204;

/** The email body page's header lines and text: the body as intake stored it with the submission. */
export type BodyPage = SubmissionBody;

/** Display width in columns: East Asian wide/fullwidth characters take two, combining marks none. */
function charWidth(cp: number): number {
  if (cp === 0) return 0;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3)
    || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60)
    || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd)
  ) return 2;
  return 1;
}

/** Normalise line ends, expand tabs, drop control characters; form feeds become page breaks (\f kept). */
export function cleanText(s: string): string {
  return s
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => {
      let out = '';
      let col = 0;
      for (const ch of line) {
        if (ch === '\t') {
          const n = 8 - (col % 8);
          out += ' '.repeat(n);
          col += n;
        } else if (ch === '\f') {
          out += '\f';
        } else if (/[\p{Cc}]/u.test(ch)) {
          continue;
        } else {
          out += ch;
          col += charWidth(ch.codePointAt(0) ?? 0);
        }
      }
      return out.trimEnd();
    })
    .join('\n');
}

/** Wrap to `cols` display columns, preferring to break after a space. */
export function wrapLines(text: string, cols = COLUMNS): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    // a form feed starts a new page: marked by a lone \f line
    const parts = raw.split('\f');
    parts.forEach((line, i) => {
      if (i > 0) out.push('\f');
      if (line === '') {
        // an empty line is kept; the empty pieces around a form feed are not
        if (parts.length === 1) out.push('');
        return;
      }
      let cur = '';
      let w = 0;
      let lastSpace = -1;
      for (const ch of line) {
        const cw = charWidth(ch.codePointAt(0) ?? 0);
        if (w + cw > cols) {
          if (lastSpace > 0) {
            out.push(cur.slice(0, lastSpace).trimEnd());
            cur = cur.slice(lastSpace + 1);
          } else {
            out.push(cur);
            cur = '';
          }
          w = [...cur].reduce((n, c) => n + charWidth(c.codePointAt(0) ?? 0), 0);
          lastSpace = -1;
        }
        cur += ch;
        w += cw;
        if (ch === ' ') lastSpace = cur.length - 1;
      }
      out.push(cur);
    });
  }
  return out;
}

/** Split wrapped lines into pages of `perPage` lines (a \f line forces a break). */
export function paginate(lines: string[], perPage: number): string[][] {
  const pages: string[][] = [[]];
  for (const l of lines) {
    const cur = pages[pages.length - 1];
    if (l === '\f') {
      pages.push([]);
      continue;
    }
    if (cur.length >= perPage) pages.push([l]);
    else cur.push(l);
  }
  while (pages.length > 1 && pages[pages.length - 1].every((l) => l === '')) pages.pop();
  return pages;
}

export const escapeMarkup = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function linesPerPage(geom: Geometry): number {
  const usableIn = geom.height / geom.yres - MARGIN_TOP_IN - MARGIN_BOTTOM_IN;
  return Math.max(1, Math.floor((usableIn * 72) / LINE_PT));
}

/** One page of markup lines → a coded fax page. */
export async function renderPage(markupLines: string[], geom: Geometry, encoder: PageEncoder, budget: Budget): Promise<FaxPage> {
  const sharp = await loadSharp();
  const stride = (geom.width + 7) >> 3;
  const blockW = Math.round((COLUMNS * FONT_PT * 0.6 * DPI) / 72);
  const x0 = Math.max(0, Math.floor((geom.width - blockW) / 2));
  const y0 = Math.round(MARGIN_TOP_IN * geom.yres);
  const body = markupLines.join('\n');
  if (body.trim() === '') return encoder.encode(new Uint8Array(stride * geom.height), geom.width, geom.height, geom);
  const left = Math.ceil((budget.deadline - Date.now()) / 1000);
  if (left <= 0) throw overBudget(budget);
  const rendered = await sharp({
    text: {
      text: body, font: `${TEXT_FONT} ${FONT_PT}`, dpi: DPI, rgba: false, spacing: LINE_PT,
      // a little slack: our column count decides the wrapping, Pango only breaks what we misjudged
      width: geom.width - x0 - 8, wrap: 'char',
    },
  }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  const w = rendered.info.width;
  let h = Math.max(1, Math.round((rendered.info.height * geom.yres) / DPI));
  const maxH = geom.height - y0 - Math.round(MARGIN_BOTTOM_IN * geom.yres / 2);
  let tw = w;
  if (h > maxH) {
    // Pango wrapped more than we planned: shrink to fit rather than lose lines
    tw = Math.max(1, Math.floor((w * maxH) / h));
    h = maxH;
  }
  const scaled = await sharp(rendered.data, { raw: { width: w, height: rendered.info.height, channels: 1 } })
    .negate() // Pango draws ink as white on black
    .resize(tw, h, { fit: 'fill', kernel: 'linear' })
    .toColourspace('b-w')
    .timeout({ seconds: left })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const grey = new Uint8Array(scaled.data.buffer, scaled.data.byteOffset, scaled.data.byteLength);
  const packed = toPage(grey, scaled.info.width, scaled.info.height, geom, x0, y0, 'threshold', 150);
  return encoder.encode(packed, geom.width, geom.height, geom);
}

async function renderPages(pages: string[][], geom: Geometry, encoder: PageEncoder, budget: Budget): Promise<FaxPage[]> {
  if (pages.length > budget.limits.maxPages) {
    throw new RenderFailure('too-many-pages', `${pages.length} pages of text, more than the limit of ${budget.limits.maxPages}`);
  }
  try {
    const out: FaxPage[] = [];
    for (const p of pages) out.push(await renderPage(p.map(escapeMarkup), geom, encoder, budget));
    return out;
  } catch (e) {
    throw imageFailure(e);
  }
}

export async function renderTextString(text: string, geom: Geometry, encoder: PageEncoder, budget: Budget): Promise<FaxPage[]> {
  return renderPages(paginate(wrapLines(cleanText(text)), linesPerPage(geom)), geom, encoder, budget);
}

/** Decode a text file: BOMs first, then UTF-8 if valid, then the declared charset, else Windows-1252. */
export async function decodeText(bytes: Buffer, charset?: string): Promise<string> {
  const iconv = (await import('iconv-lite')).default;
  const bom = byteOrderMark(bytes);
  if (bom) return bom.charset === 'utf-8' ? bytes.subarray(bom.length).toString('utf8') : iconv.decode(bytes.subarray(bom.length), bom.charset);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    if (charset && iconv.encodingExists(charset)) return iconv.decode(bytes, charset);
    return iconv.decode(bytes, 'windows-1252');
  }
}

/** The email body as the first page(s): bold header block, a rule, then the body text. */
export async function renderBodyPages(b: BodyPage, geom: Geometry, encoder: PageEncoder, budget: Budget): Promise<FaxPage[]> {
  const header: string[] = [];
  for (const [label, value] of [['From', b.from], ['To', b.to], ['Subject', b.subject], ['Date', b.date]] as const) {
    const lines = wrapLines(cleanText(`${label}: ${value ?? ''}`).replace(/\n/g, ' '));
    lines.forEach((l, i) => {
      const esc = escapeMarkup(l);
      header.push(i === 0 ? esc.replace(/^([A-Za-z]+:)/, '<b>$1</b>') : esc);
    });
  }
  header.push('─'.repeat(COLUMNS), '');
  const bodyLines = wrapLines(cleanText(b.text)).filter((l) => l !== '\f').map(escapeMarkup);
  const per = linesPerPage(geom);
  const all = [...header, ...bodyLines];
  const pages: string[][] = [];
  for (let i = 0; i < all.length; i += per) pages.push(all.slice(i, i + per));
  while (pages.length > 1 && pages[pages.length - 1].every((l) => l === '')) pages.pop();
  if (pages.length > budget.limits.maxPages) {
    throw new RenderFailure('too-many-pages', `${pages.length} pages of text, more than the limit of ${budget.limits.maxPages}`);
  }
  try {
    const out: FaxPage[] = [];
    for (const p of pages) out.push(await renderPage(p, geom, encoder, budget));
    return out;
  } catch (e) {
    throw imageFailure(e);
  }
}
