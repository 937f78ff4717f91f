// Outlook's containers opened at intake: a winmail.dat (TNEF, known by its bytes) and an attached .msg give up their
// files and body, each then screened like any attachment; a container that cannot be opened stays, with why.
import { open, rm, writeFile } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import type { DetectedFacts } from '../domain/types.js';
import { isTnef, readTnef, TnefError, type TnefMessage } from '../formats/tnef.js';
import { MsgError, readMsg } from '../formats/msg.js';
import { inspectCfb } from '../formats/containers.js';
import { cidKey, inlineCidImages } from '../formats/html.js';
import { RtfError } from '../formats/rtf.js';

export interface UnpackFile {
  name: string;
  path: string;
  size: number;
  declaredType?: string;
  inline?: boolean;
  /** nesting of the message the file came from: 0 the submitted message, 1 a forwarded one inside it, ... */
  depth?: number;
  /** a container that was not opened: the facts the screen is to judge it by (detection is skipped) */
  facts?: DetectedFacts;
}

export interface UnpackLimits {
  /** messages nested inside one another that are opened (forwarded message/rfc822 uses the same: 3) */
  maxDepth: number;
  /** files of a submission after unpacking */
  maxFiles: number;
  /** bytes taken out of one container */
  maxBytes: number;
}

export const DEFAULT_UNPACK_LIMITS: UnpackLimits = { maxDepth: 3, maxFiles: 100, maxBytes: 25 * 1024 * 1024 };

interface Child { name: string; data: Buffer; inline?: boolean; declaredType?: string; depth: number }

/** containers opened per submission, however they nest */
const MAX_OPENINGS = 32;
const CFB_MAGIC = Buffer.from('d0cf11e0a1b11ae1', 'hex');
const BODY_EXT = { html: 'html', rtf: 'rtf', text: 'txt' } as const;
const BODY_TYPE = { html: 'text/html; charset=utf-8', rtf: 'application/rtf', text: 'text/plain; charset=utf-8' } as const;

async function head(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(8);
    const { bytesRead } = await fh.read(b, 0, 8, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The body and files of one message as children; its cid: images go into an HTML body and are marked inline. */
function messageChildren(
  body: { kind: 'html' | 'rtf' | 'text'; data: Buffer } | undefined,
  files: { name: string; data?: Buffer; contentId?: string; note?: string }[],
  depth: number, withBody: boolean, codepage?: number,
): { children: Child[]; notes: string[] } {
  const children: Child[] = [];
  const notes: string[] = [];
  let used = new Set<string>();
  if (body && withBody && body.data.toString('utf8').trim()) {
    let data = body.data;
    let declaredType: string = BODY_TYPE[body.kind];
    if (body.kind === 'html') {
      // Outlook keeps an HTML body in the message's code page unless it is Unicode; latin1 keeps every byte as is
      const utf8 = isUtf8(body.data);
      const parts = files.filter((f) => f.contentId && f.data).map((f) => ({ contentId: f.contentId!, data: f.data! }));
      const r = inlineCidImages(body.data.toString(utf8 ? 'utf8' : 'latin1'), parts);
      // a fragment gets a document around it, which is how detection tells HTML from text
      const page = /^\s*<(!doctype|html)/i.test(r.html) ? r.html : `<!DOCTYPE html><html><body>${r.html}</body></html>`;
      data = Buffer.from(page, utf8 ? 'utf8' : 'latin1');
      used = r.used;
      if (!utf8) declaredType = `text/html; charset=windows-${codepage && codepage !== 65001 ? codepage : 1252}`;
    }
    children.push({ name: `message.${BODY_EXT[body.kind]}`, data, declaredType, depth });
  }
  for (const f of files) {
    if (!f.data) {
      notes.push(`${f.name || 'an attachment'}: ${f.note ?? 'no content'}`);
      continue;
    }
    // Outlook writes attached .htm pages in the sender's code page, which detection needs to read them as text.
    const legacy = codepage && codepage !== 65001 && /\.html?$/i.test(f.name) ? { declaredType: `text/html; charset=windows-${codepage}` } : {};
    children.push({ name: f.name, data: f.data, depth, ...legacy, ...(f.contentId && used.has(cidKey(f.contentId)) ? { inline: true } : {}) });
  }
  return { children, notes };
}

/** A TNEF message's children: its own files and body, embedded messages' ones under their subject's name. */
function tnefChildren(m: TnefMessage, depth: number, withBody: boolean, prefix = ''): Child[] {
  const { children } = messageChildren(m.body, m.attachments, depth, withBody, m.codepage);
  const out = children.map((c) => ({ ...c, name: prefix + c.name }));
  m.attachments.forEach((a, i) => {
    if (!a.message) return;
    const label = (a.name || a.message.subject || `message${i + 1}`).replace(/[\\/]/g, '_');
    out.push(...tnefChildren(a.message, depth + 1, true, `${prefix}${label}/`));
  });
  return out;
}

const safeSegment = (s: string, i: number) => {
  const cleaned = Array.from(s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '').replace(/\\/g, '/').split('/').map((x) => x.trim()).filter((x) => x && x !== '.' && x !== '..').join('/')).slice(0, 255).join('');
  return cleaned || `file${i + 1}`;
};

export function createUnpacker(deps: { limits?: Partial<UnpackLimits> } = {}) {
  const limits = { ...DEFAULT_UNPACK_LIMITS, ...deps.limits };

  const refused = (f: UnpackFile, detected: 'tnef' | 'msg', facts: Partial<DetectedFacts>): UnpackFile => ({
    ...f,
    facts: {
      name: f.name, size: f.size, declaredType: f.declaredType, detected, mime: detected === 'tnef' ? 'application/vnd.ms-tnef' : 'application/vnd.ms-outlook',
      mismatch: false, ...facts,
    },
  });

  /** One container's children, or the container itself with the facts it is refused by. */
  async function openOne(f: UnpackFile, bodyIsBlank: boolean): Promise<{ kind: 'tnef' | 'msg'; children: Child[] } | UnpackFile | undefined> {
    if (f.inline || f.size < 6) return undefined;
    const h = await head(f.path);
    const depth = f.depth ?? 0;
    if (isTnef(h)) {
      // A winmail.dat is the same message in Outlook's wrapper: its files are at the message's own level, and its
      // body is the message's text, taken only when the message has none of its own (else it would be faxed twice).
      if (f.size > limits.maxBytes) return refused(f, 'tnef', { container: 'too-large', note: `over the ${Math.round(limits.maxBytes / 1048576)} MB that is opened` });
      try {
        const m = readTnef(await readFile(f.path), { maxDepth: 1 + Math.max(0, limits.maxDepth - depth), maxAttachments: limits.maxFiles, maxOutputBytes: limits.maxBytes });
        const children = tnefChildren(m, depth, bodyIsBlank);
        if (!children.length) {
          const what = m.messageClass && !/^IPM\.(Microsoft Mail\.)?Note$/i.test(m.messageClass) ? ` (an Outlook ${m.messageClass} item)` : '';
          return refused(f, 'tnef', { container: 'nothing-inside', note: `it holds no attached file and no message text${what}` });
        }
        return { kind: 'tnef', children };
      } catch (e) {
        if (e instanceof TnefError || e instanceof RtfError) return refused(f, 'tnef', { container: 'damaged', damaged: true, note: e.message });
        throw e;
      }
    }
    if (h.length === 8 && h.equals(CFB_MAGIC)) {
      if (f.size > limits.maxBytes) return undefined; // detection says what it is; too large to open
      const buf = await readFile(f.path);
      if (inspectCfb(buf).id !== 'msg') return undefined;
      // An attached Outlook item is a message of its own: one level deeper, like a forwarded message/rfc822.
      if (depth + 1 > limits.maxDepth) return refused(f, 'msg', { container: 'too-deep', note: `an Outlook message nested more than ${limits.maxDepth} messages deep is not opened` });
      try {
        const m = readMsg(buf, { maxAttachments: limits.maxFiles, maxBytes: limits.maxBytes });
        const { children } = messageChildren(m.body, m.attachments, depth + 1, true);
        if (!children.length) {
          const what = m.messageClass && !/^IPM\.Note/i.test(m.messageClass) ? ` (an Outlook ${m.messageClass} item)` : '';
          return refused(f, 'msg', { container: 'nothing-inside', note: `it holds no attached file and no message text${what}` });
        }
        return { kind: 'msg', children };
      } catch (e) {
        if (e instanceof MsgError) return refused(f, 'msg', { container: 'damaged', damaged: true, note: e.message });
        throw e;
      }
    }
    return undefined;
  }

  /**
   * The files with every container replaced by what it holds (in its place, named `container/inner`), opened again
   * when a child is a container itself. Children are written beside their container, which is then removed.
   */
  async function unpack(files: UnpackFile[], opts: { bodyIsBlank: boolean }): Promise<UnpackFile[]> {
    const out: UnpackFile[] = [];
    const queue = [...files];
    let written = 0;
    let opened = 0;
    while (queue.length) {
      const f = queue.shift()!;
      // A winmail.dat carried as a plain file of another does not count as a level, so openings are counted too.
      const r = opened >= MAX_OPENINGS ? undefined : await openOne(f, opts.bodyIsBlank && (f.depth ?? 0) === 0);
      if (r && 'children' in r) opened++;
      if (!r) {
        out.push(f);
        continue;
      }
      if (!('children' in r)) {
        out.push(r);
        continue;
      }
      if (out.length + queue.length + r.children.length > limits.maxFiles) {
        out.push(refused(f, r.kind, { container: 'too-many', note: `it holds more files than the ${limits.maxFiles} a message may have` }));
        continue;
      }
      const made: UnpackFile[] = [];
      for (const [i, c] of r.children.entries()) {
        const p = `${f.path}.${++written}`;
        await writeFile(p, c.data, { mode: 0o600 });
        made.push({
          name: `${f.name}/${safeSegment(c.name, i)}`, path: p, size: c.data.length, depth: c.depth,
          ...(c.declaredType ? { declaredType: c.declaredType } : {}), ...(c.inline ? { inline: true } : {}),
        });
      }
      await rm(f.path, { force: true });
      queue.unshift(...made);
    }
    return out;
  }

  return { unpack };
}

export type Unpacker = ReturnType<typeof createUnpacker>;
