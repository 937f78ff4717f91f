// Content sniffing beyond file-type's magic numbers: a few extra magics, text validity (streamed), HTML/SVG/email/PostScript.
import { open } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { byteOrderMark } from '../formats/bytes.js';

export interface Sniffed { id: string | null; mime?: string; note?: string }

/** Magic numbers file-type does not know or misses on damaged files. */
export function sniffMagic(head: Buffer): Sniffed | undefined {
  const u32le = head.length >= 4 ? head.readUInt32LE(0) : -1;
  if (u32le === 0x223e9f78) return { id: 'tnef', mime: 'application/vnd.ms-tnef' };
  if (head.length >= 4 && head[0] === 0xff && head.subarray(1, 4).toString('latin1') === 'WPC') return { id: 'wpd', mime: 'application/vnd.wordperfect' };
  const h4 = head.subarray(0, 4).toString('latin1');
  if (h4 === 'II*\0' || h4 === 'MM\0*' || h4 === 'II+\0' || h4 === 'MM\0+') return { id: 'tiff', mime: 'image/tiff' };
  if (h4 === '\x7fELF') return { id: 'elf', mime: 'application/x-elf' };
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(head.length >= 4 ? head.readUInt32BE(0) : -1)) return { id: 'macho', mime: 'application/x-mach-binary' };
  if (head.length >= 64 && h4.startsWith('MZ')) {
    const pe = head.readUInt32LE(0x3c);
    if (pe + 4 <= head.length && head.subarray(pe, pe + 4).toString('latin1') === 'PE\0\0') return { id: 'exe', mime: 'application/vnd.microsoft.portable-executable' };
  }
  // PDF allows junk before the header within the first 1024 bytes; file-type only looks at offset 0.
  if (head.subarray(0, 1024).includes('%PDF-')) return { id: 'pdf', mime: 'application/pdf' };
  if (h4 === '%!PS' || head.subarray(0, 2).toString('latin1') === '%!') return { id: 'postscript', mime: 'application/postscript' };
  return undefined;
}

export interface TextInfo {
  isText: boolean;
  charset?: string;
  blank?: boolean;
  /** why it is not text, for the report */
  why?: string;
}

/** Parse `charset=` out of a declared Content-Type. */
export function declaredCharset(declaredType?: string): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(declaredType ?? '');
  return m ? m[1].toLowerCase() : undefined;
}

const ALLOWED_CONTROLS = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1a, 0x1b]);
const isWs = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0b || b === 0x0c || b === 0x0d;

/**
 * Decide from the whole file, streamed in chunks (bounded memory), whether it is text: valid UTF-8 (or UTF-16 with a
 * BOM, or a declared legacy charset that decodes cleanly), no NULs, almost no control characters.
 */
export async function sniffText(path: string, size: number, declared?: string): Promise<TextInfo> {
  const fh = await open(path, 'r');
  try {
    const first = Buffer.alloc(Math.min(4, size));
    await fh.read(first, 0, first.length, 0);
    // A UTF-8 mark changes nothing here (UTF-8 is checked anyway); a UTF-16 one decides the charset.
    const mark = byteOrderMark(first)?.charset;
    const bomCharset = mark === 'utf-8' ? undefined : mark;
    const utf16 = bomCharset !== undefined;
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    const legacyName = declared && !/^(utf-?8|us-ascii|ascii)$/.test(declared) && iconv.encodingExists(declared) ? declared : undefined;
    const legacy = utf16 ? iconv.getDecoder(bomCharset!) : legacyName ? iconv.getDecoder(legacyName) : undefined;
    let utf8Ok = !utf16;
    let nonAscii = false;
    let controls = 0;
    let replacements = 0;
    let blank = true;
    let nul = false;
    const buf = Buffer.alloc(64 * 1024);
    for (let pos = 0; pos < size;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      pos += bytesRead;
      if (!utf16) {
        for (const b of chunk) {
          if (b === 0) { nul = true; break; }
          if (b >= 0x80) nonAscii = true;
          else if ((b < 0x20 && !ALLOWED_CONTROLS.has(b)) || b === 0x7f) controls++;
          if (blank && !isWs(b)) blank = false;
        }
        if (nul) return { isText: false, why: 'binary data (contains NUL bytes)' };
        if (utf8Ok) {
          try { utf8.decode(chunk, { stream: true }); } catch { utf8Ok = false; }
        }
      }
      if (legacy && (utf16 || !utf8Ok || nonAscii)) {
        const s = legacy.write(chunk);
        for (let i = 0; i < s.length; i++) {
          const c = s.charCodeAt(i);
          if (c === 0xfffd) replacements++;
          else if (utf16 && (c === 0 || ((c < 0x20 && !ALLOWED_CONTROLS.has(c)) || c === 0x7f))) controls++;
          if (utf16 && blank && !(c === 0xfeff || isWs(c))) blank = false;
        }
      }
      if (!utf8Ok && !legacy) return { isText: false, why: nonAscii ? 'not valid UTF-8 text and no charset was declared' : 'binary data' };
    }
    if (utf8Ok) {
      try { utf8.decode(); } catch { utf8Ok = false; }
    }
    const tooManyControls = controls > 8 && controls > size / 200;
    if (tooManyControls) return { isText: false, why: 'binary data (control characters)' };
    if (utf16) {
      if (replacements > size / 200) return { isText: false, why: `not valid ${bomCharset} text` };
      return { isText: true, charset: bomCharset, blank };
    }
    if (utf8Ok) {
      // Valid UTF-8 with non-ASCII bytes wins over a declared legacy charset (mislabelled mail is common); pure ASCII
      // keeps the declared charset because 7-bit encodings such as ISO-2022-JP need it.
      return { isText: true, charset: nonAscii ? 'utf-8' : (declared ?? 'utf-8'), blank };
    }
    if (legacyName && replacements <= size / 200) return { isText: true, charset: legacyName, blank };
    return { isText: false, why: legacyName ? `not valid ${legacyName} text` : 'not valid UTF-8 text and no charset was declared' };
  } finally {
    await fh.close();
  }
}

/** Headers people type at the top of a fax memo too ("To: Dr Smith / From: Clinic / Subject: Referral"). */
const HUMAN_HEADERS = new Set(['from', 'to', 'cc', 'subject', 'date', 'reply-to', 'sender', 'attn', 're']);
/** Headers only mail software writes: one of them makes a header block a message. */
const MACHINE_HEADERS = new Set([
  'received', 'recieved', 'return-path', 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding',
  'delivered-to', 'in-reply-to', 'references', 'dkim-signature', 'authentication-results', 'x-original-to', 'x-mailer',
  'thread-topic', 'thread-index', 'importance', 'x-ms-has-attach', 'arc-seal', 'list-id', 'x-apparently-to',
]);

/**
 * An RFC 822 message: an mbox From_ line, or a block of header fields that mail software wrote (a machine-only header,
 * an RFC 2047 encoded word, or human headers whose From/To carries an email address). A typed memo is not a message.
 */
export function looksLikeEmail(text: string): boolean {
  if (/^From \S+[^\r\n]*\r?\n[!-9;-~]+:/.test(text)) return true;
  const lines = text.split(/\r?\n/).slice(0, 400);
  let human = 0;
  let machine = 0;
  let fields = 0;
  let evidence = false;
  for (const line of lines) {
    if (line === '') break;
    if (/^[ \t]/.test(line)) {
      if (fields === 0) return false;
      if (/=\?[^?\s]+\?[BbQq]\?/.test(line)) evidence = true;
      continue;
    }
    const m = /^([!-9;-~]+):(.*)$/.exec(line);
    if (!m) break;
    fields++;
    const name = m[1].toLowerCase();
    if (MACHINE_HEADERS.has(name)) machine++;
    else if (HUMAN_HEADERS.has(name)) human++;
    if (/=\?[^?\s]+\?[BbQq]\?/.test(m[2])) evidence = true;
    if ((name === 'from' || name === 'to') && /[^\s<@]+@[^\s>@]+\.[^\s>@]+/.test(m[2])) evidence = true;
  }
  return machine > 0 || ((human > 0) && evidence && (human >= 2 || fields === human));
}

/** Classify text by its opening: SVG, HTML, PostScript, an email message, or plain text. */
export function classifyTextHead(headText: string): Sniffed {
  const t = headText.replace(/^\uFEFF/, '').trimStart();
  const body = t.replace(/^<\?xml[^>]*>/i, '').replace(/^(\s*(<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>|<\?[^>]*>))*/i, '').trimStart();
  if (/^<svg[\s>:]/i.test(body)) return { id: 'svg', mime: 'image/svg+xml' };
  if (/^<!DOCTYPE\s+html/i.test(t) || /^<(html|head|body)[\s>]/i.test(body) || (/^</.test(t) && /<html[\s>]/i.test(t.slice(0, 1024)))) {
    return { id: 'html', mime: 'text/html' };
  }
  if (t.startsWith('%!')) return { id: 'postscript', mime: 'application/postscript' };
  if (looksLikeEmail(t)) return { id: 'email', mime: 'message/rfc822' };
  return { id: 'text', mime: 'text/plain' };
}
