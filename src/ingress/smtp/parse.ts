// Parses a spooled message with mailparser's streaming parser: attachments go straight to disk, the body becomes
// text (HTML converted with bounded html-to-text), forwarded message/rfc822 parts are opened to a bounded depth.
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MailParser, type AddressObject, type AttachmentStream, type MessageText } from 'mailparser';
import { convert } from 'html-to-text';
import { readFile, writeFile } from 'node:fs/promises';
import { inlineCidImages } from '../../formats/html.js';
import type { SubmissionFile } from '../../intake/index.js';

export interface ParsedMessage {
  /** the From header as display text (the identity is read by from-header.ts, never from here) */
  fromText: string;
  toText: string;
  subject: string;
  date: string;
  messageId?: string;
  /** the X-Fax-Send-At header as written (docs/smtp.md): intake decides what it means */
  sendAt?: string;
  /** the top-level Content-Type (e.g. multipart/report for delivery reports) */
  contentType: string;
  /** body text (plain part, or HTML converted), forwarded messages' text appended; may be blank */
  text: string;
  files: SubmissionFile[];
  /**
   * An HTML-only body as a page of its own (`text` still holds its flattened text): its cid: images inlined as
   * data: URLs and the message's From/To/Subject/Date set above it, so intake can fax it laid out instead.
   */
  html?: SubmissionFile;
}

export interface ParseLimits {
  maxDepth: number;
  maxAttachments: number;
  maxTextChars: number;
  maxHtmlChars: number;
  timeoutMs: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxDepth: 3, maxAttachments: 100, maxTextChars: 2_000_000, maxHtmlChars: 2_000_000, timeoutMs: 60_000,
};

export class MessageParseError extends Error {}

/** HTML body → plain text; bounded in input, depth and children so a hostile body cannot stall the process. */
export function htmlToText(html: string, maxChars: number): string {
  return convert(html.slice(0, maxChars), {
    wordwrap: false,
    limits: { maxInputLength: maxChars, maxDepth: 200, maxChildNodes: 20_000, ellipsis: '...' },
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'style', format: 'skip' },
      { selector: 'script', format: 'skip' },
    ],
  });
}

/** Display text of an address header. */
function addressText(v: AddressObject | AddressObject[] | undefined): string {
  return (v ? ([] as AddressObject[]).concat(v) : []).map((o) => o.text).join(', ');
}

interface Counter { n: number; dir: string; limits: ParseLimits }

interface OnePart {
  headers: { fromText: string; toText: string; subject: string; date: string; messageId?: string; sendAt?: string; contentType: string };
  text: string;
  files: (SubmissionFile & { contentType: string; cid?: string })[];
  /** the body's HTML when it has no plain text */
  html?: string;
}

async function parseOne(file: string, depth: number, c: Counter, signal: AbortSignal): Promise<OnePart> {
  const parser = new MailParser({
    skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true,
    checksumAlgo: false, maxChildNodes: 500, maxHeadSize: 256 * 1024,
  });
  const files: OnePart['files'] = [];
  const writes: Promise<void>[] = [];
  let msgText: MessageText | undefined;
  const out: OnePart = { headers: { fromText: '', toText: '', subject: '', date: '', contentType: 'text/plain' }, text: '', files };

  parser.on('headers', (h) => {
    const ct = h.get('content-type') as { value?: string } | string | undefined;
    const contentType = (typeof ct === 'string' ? ct : ct?.value ?? 'text/plain').toLowerCase();
    const sendAt = h.get('x-fax-send-at');
    out.headers = {
      ...(typeof sendAt === 'string' && sendAt.trim() ? { sendAt: sendAt.trim().slice(0, 100) } : {}),
      fromText: addressText(parser.from), toText: addressText(parser.to), subject: parser.subject ?? '',
      date: parser.date && !Number.isNaN(parser.date.getTime()) ? parser.date.toUTCString() : '',
      ...(parser.messageId ? { messageId: parser.messageId } : {}),
      contentType,
    };
  });
  /** The declared type keeps its charset, so detection can decode a legacy-charset text attachment. */
  const withCharset = (d: AttachmentStream): string => {
    const ct = d.headers?.get('content-type') as { params?: Record<string, string> } | undefined;
    const charset = ct?.params?.charset;
    return charset && /^[\w.:-]{1,40}$/.test(charset) ? `${d.contentType}; charset=${charset}` : d.contentType;
  };
  parser.on('data', (d: AttachmentStream | MessageText) => {
    if (d.type === 'text') {
      msgText = d;
      return;
    }
    const idx = c.n++;
    if (idx >= c.limits.maxAttachments) {
      // Past the cap: drain and drop (reported as a parse refusal below).
      d.content.resume();
      d.content.once('end', () => d.release?.());
      return;
    }
    const p = path.join(c.dir, `part-${String(idx).padStart(3, '0')}`);
    const entry = {
      name: (d.filename ?? '').slice(0, 200) || `attachment-${idx + 1}`,
      path: p,
      size: 0,
      contentType: d.contentType,
      ...(d.contentType ? { declaredType: withCharset(d) } : {}),
      ...(d.cid && (d.related || d.contentDisposition === 'inline') && d.contentType.startsWith('image/') ? { inline: true, cid: d.cid } : {}),
    };
    files.push(entry);
    writes.push(pipeline(d.content, createWriteStream(p, { mode: 0o600 })).then(() => {
      entry.size = d.size ?? 0;
      d.release?.();
    }));
  });

  const done = new Promise<void>((resolve, reject) => {
    parser.once('end', resolve);
    parser.once('error', reject);
    signal.addEventListener('abort', () => reject(new MessageParseError('parsing took too long')), { once: true });
  });
  // Large reads: mailparser's per-chunk overhead dominates with the default 64 KB (a 1 MB read halves parse time).
  const input = createReadStream(file, { highWaterMark: 1024 * 1024 });
  input.once('error', (e) => parser.destroy(e));
  input.pipe(parser);
  try {
    await done;
    await Promise.all(writes);
  } catch (e) {
    input.destroy();
    parser.destroy();
    throw e instanceof MessageParseError ? e : new MessageParseError(`the message cannot be parsed: ${(e as Error).message}`);
  }
  if (c.n > c.limits.maxAttachments) throw new MessageParseError(`more than ${c.limits.maxAttachments} attachments`);

  let text = msgText?.text ?? '';
  if (!text.trim() && msgText?.html) {
    // Only a real HTML part: its converted text is the body (inline images are reported, not faxed).
    text = htmlToText(msgText.html, c.limits.maxHtmlChars);
    if (msgText.html.length <= c.limits.maxHtmlChars) out.html = msgText.html;
  }
  out.text = text.slice(0, c.limits.maxTextChars);

  // Forwarded messages kept as attachments: open them (bounded depth) for their text and attachments.
  if (depth < c.limits.maxDepth) {
    const keep: OnePart['files'] = [];
    for (const f of files) {
      if (f.contentType !== 'message/rfc822') {
        keep.push(f);
        continue;
      }
      const inner = await parseOne(f.path, depth + 1, c, signal);
      await rm(f.path, { force: true });
      const h = inner.headers;
      const head = ['---------- Forwarded message ----------',
        h.fromText && `From: ${h.fromText}`, h.date && `Date: ${h.date}`, h.subject && `Subject: ${h.subject}`, h.toText && `To: ${h.toText}`]
        .filter(Boolean).join('\n');
      if (inner.text.trim()) out.text = `${out.text.trimEnd()}\n\n${head}\n\n${inner.text}`.slice(0, c.limits.maxTextChars);
      keep.push(...inner.files.map((x) => ({ ...x, depth: (x.depth ?? 0) + 1 })));
    }
    out.files = keep;
  }
  return out;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The HTML body as a self-contained page: the message's headers on top, its inline images as data: URLs. */
async function htmlBodyFile(r: OnePart, dir: string): Promise<SubmissionFile> {
  const parts = await Promise.all(r.files.filter((f) => f.inline && f.cid).map(async (f) => ({ contentId: f.cid!, data: await readFile(f.path) })));
  const { html } = inlineCidImages(r.html ?? '', parts);
  const h = r.headers;
  const rows = [['From', h.fromText], ['To', h.toText], ['Subject', h.subject], ['Date', h.date]]
    .map(([k, v]) => `<tr><th style="text-align:left;padding-right:1em;vertical-align:top">${k}:</th><td>${escapeHtml(v)}</td></tr>`).join('');
  const block = `<table style="font:13px sans-serif;border-bottom:2px solid #000;margin:0 0 12px 0;width:100%">${rows}</table>`;
  // after the <body> tag when there is one (so a DOCTYPE keeps its mode), else the fragment gets a page around it;
  // either way it starts as an HTML document, which is how detection knows it from text
  const m = /<body\b[^>]*>/i.exec(html);
  const page = m
    ? html.slice(0, m.index + m[0].length) + block + html.slice(m.index + m[0].length)
    : `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${block}${html}</body></html>`;
  const p = path.join(dir, 'body.html');
  // the text is UTF-8 now (mailparser decoded it): say so before any <meta> of the sender's charset is read
  const withCharset = m ? page.replace(/<head\b[^>]*>/i, (x) => `${x}<meta charset="utf-8">`) : page;
  const data = Buffer.from(/^\s*<(!doctype|html)/i.test(withCharset) ? withCharset : `<!DOCTYPE html>${withCharset}`, 'utf8');
  await writeFile(p, data, { mode: 0o600 });
  return { name: 'message.html', path: p, size: data.length, declaredType: 'text/html; charset=utf-8' };
}

/** Parse the spooled message at `file`, writing attachments into `dir`. Throws MessageParseError for hostile input. */
export async function parseMessage(file: string, dir: string, limits: Partial<ParseLimits> = {}): Promise<ParsedMessage> {
  const l = { ...DEFAULT_PARSE_LIMITS, ...limits };
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), l.timeoutMs);
  try {
    const r = await parseOne(file, 0, { n: 0, dir, limits: l }, ac.signal);
    return {
      ...r.headers,
      text: r.text,
      files: r.files.map(({ contentType: _ct, cid: _cid, ...f }) => f),
      ...(r.html !== undefined ? { html: await htmlBodyFile(r, dir) } : {}),
    };
  } finally {
    clearTimeout(timer);
  }
}
