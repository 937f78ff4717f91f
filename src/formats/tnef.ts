// A small bounded reader of Outlook's TNEF (winmail.dat): attribute records, the MAPI properties inside them, the
// attached files, embedded messages and the body. Ours, so no parser drags a logger and a CLI into the gateway.
import { decompressRtf } from './rtf.js';

export const TNEF_SIGNATURE = 0x223e9f78;

export interface TnefLimits {
  /** embedded messages opened inside one another (the outer TNEF is level 1) */
  maxDepth: number;
  maxAttachments: number;
  /** attribute records read, over all levels */
  maxAttributes: number;
  /** MAPI properties in one block */
  maxProps: number;
  /** bytes of files and bodies taken out, over all levels (decompressed RTF included) */
  maxOutputBytes: number;
}

export const DEFAULT_TNEF_LIMITS: TnefLimits = {
  maxDepth: 3, maxAttachments: 100, maxAttributes: 20_000, maxProps: 5_000, maxOutputBytes: 64 * 1024 * 1024,
};

export type TnefBody = { kind: 'html' | 'rtf' | 'text'; data: Buffer };

export interface TnefAttachment {
  /** the long file name, else the 8.3 title, else the display name; '' when none was given */
  name: string;
  data?: Buffer;
  /** an embedded message (PR_ATTACH_METHOD 5): its own files and body */
  message?: TnefMessage;
  /** PR_ATTACH_CONTENT_ID: what an HTML body's cid: references name it by */
  contentId?: string;
  /** why this attachment has no content (an OLE object, cut off by a limit) */
  note?: string;
}

export interface TnefMessage {
  messageClass?: string;
  subject?: string;
  /** attOemCodepage: the Windows code page its 8-bit strings and (usually) its .htm files are in */
  codepage?: number;
  body?: TnefBody;
  attachments: TnefAttachment[];
  /** what was tolerated on the way (bad checksums, trailing bytes) */
  notes: string[];
}

/** The TNEF cannot be read: truncated, a record running past the end, or over a limit. */
export class TnefError extends Error {}

// Attribute ids (the low 16 bits; the high 16 bits are the attribute's type).
const ATT_BODY = 0x800c;
const ATT_MESSAGE_CLASS = 0x8008;
const ATT_SUBJECT = 0x8004;
const ATT_ATTACH_DATA = 0x800f;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_REND_DATA = 0x9002;
const ATT_MAPI_PROPS = 0x9003;
const ATT_ATTACHMENT = 0x9005;
const ATT_OEM_CODEPAGE = 0x9007;
const LVL_MESSAGE = 1;
const LVL_ATTACHMENT = 2;

// MAPI property ids and types (MS-OXPROPS, MS-OXTNEF 2.1.3.4).
const PR_MESSAGE_CLASS = 0x001a;
const PR_SUBJECT = 0x0037;
const PR_BODY = 0x1000;
const PR_RTF_COMPRESSED = 0x1009;
const PR_BODY_HTML = 0x1013;
const PR_DISPLAY_NAME = 0x3001;
const PR_ATTACH_DATA = 0x3701;
const PR_ATTACH_FILENAME = 0x3704;
const PR_ATTACH_METHOD = 0x3705;
const PR_ATTACH_LONG_FILENAME = 0x3707;
const PR_ATTACH_CONTENT_ID = 0x3712;
const ATTACH_EMBEDDED_MSG = 5;
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;
const PT_OBJECT = 0x000d;
const PT_CLSID = 0x0048;
const MV_FLAG = 0x1000;
const FIXED_SIZE: Record<number, number> = { 0x0002: 4, 0x0003: 4, 0x0004: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8, 0x000a: 4, 0x000b: 4, 0x0014: 8, 0x0040: 8, 0x0001: 0 };
/** IID_IMessage: a PT_OBJECT attachment whose bytes are a whole TNEF stream of its own. */
const IID_IMESSAGE = Buffer.from('0703020000000000c000000000000046', 'hex');

interface Prop { id: number; type: number; values: Buffer[] }

interface Ctx { limits: TnefLimits; attributes: number; attachments: number; outBytes: number }

const pad4 = (n: number) => (n + 3) & ~3;

function take(ctx: Ctx, n: number): void {
  ctx.outBytes += n;
  if (ctx.outBytes > ctx.limits.maxOutputBytes) throw new TnefError(`its contents exceed ${Math.round(ctx.limits.maxOutputBytes / 1048576)} MB`);
}

/** A MAPI property block (attMAPIProps, attAttachment): count, then (type, id[, name], values) per property. */
function readProps(b: Buffer, ctx: Ctx): Prop[] {
  if (b.length < 4) return [];
  const count = b.readUInt32LE(0);
  if (count > ctx.limits.maxProps) throw new TnefError(`a property block declares ${count} properties`);
  const props: Prop[] = [];
  let p = 4;
  const need = (n: number) => {
    if (n < 0 || p + n > b.length) throw new TnefError('a MAPI property runs past its attribute');
  };
  for (let i = 0; i < count; i++) {
    need(4);
    const type = b.readUInt16LE(p);
    const id = b.readUInt16LE(p + 2);
    p += 4;
    if (id >= 0x8000) {
      // named property: GUID, then a number or a UTF-16 name; none of them is one we read
      need(20);
      const kind = b.readUInt32LE(p + 16);
      p += 20;
      if (kind === 0) {
        need(4);
        p += 4;
      } else {
        need(4);
        const len = b.readUInt32LE(p);
        need(4 + pad4(len));
        p += 4 + pad4(len);
      }
    }
    const base = type & ~MV_FLAG;
    const multi = (type & MV_FLAG) !== 0;
    const values: Buffer[] = [];
    const variable = base === PT_STRING8 || base === PT_UNICODE || base === PT_BINARY || base === PT_OBJECT;
    let n = 1;
    if (multi || variable) {
      need(4);
      n = b.readUInt32LE(p);
      p += 4;
      if (n > 65_536) throw new TnefError('a MAPI property declares too many values');
    }
    for (let v = 0; v < n; v++) {
      if (variable) {
        need(4);
        const len = b.readUInt32LE(p);
        need(4 + len);
        values.push(b.subarray(p + 4, p + 4 + len));
        p += 4 + pad4(len);
        if (p > b.length) p = b.length; // the last value's padding may be missing
      } else if (base === PT_CLSID) {
        need(16);
        values.push(b.subarray(p, p + 16));
        p += 16;
      } else {
        const size = FIXED_SIZE[base];
        if (size === undefined) throw new TnefError(`unknown MAPI property type 0x${base.toString(16)}`);
        // 2- and 4-byte values are padded to 4 in TNEF
        const step = Math.max(4, size);
        need(step);
        values.push(b.subarray(p, p + size));
        p += step;
      }
    }
    props.push({ id, type: base, values });
  }
  return props;
}

/** A string property's text: PT_UNICODE is UTF-16LE, PT_STRING8 the sender's code page (read as Latin-1). */
function propText(p: Prop | undefined): string | undefined {
  const v = p?.values[0];
  if (!v) return undefined;
  const s = p!.type === PT_UNICODE ? v.toString('utf16le') : v.toString('latin1');
  return s.replace(/\0+$/, '');
}

const cString = (b: Buffer) => b.toString('latin1').replace(/\0[\s\S]*$/, '');

function bodyOf(props: Prop[], attBody: Buffer | undefined, ctx: Ctx): TnefBody | undefined {
  const get = (id: number) => props.find((p) => p.id === id && p.values.length > 0);
  const html = get(PR_BODY_HTML);
  if (html) return { kind: 'html', data: html.type === PT_UNICODE ? Buffer.from(propText(html) ?? '', 'utf8') : html.values[0] };
  const rtf = get(PR_RTF_COMPRESSED);
  if (rtf) {
    const room = ctx.limits.maxOutputBytes - ctx.outBytes;
    const data = decompressRtf(rtf.values[0], room);
    take(ctx, data.length);
    return { kind: 'rtf', data };
  }
  const text = get(PR_BODY);
  if (text) return { kind: 'text', data: Buffer.from(propText(text) ?? '', 'utf8') };
  if (attBody) return { kind: 'text', data: Buffer.from(cString(attBody), 'latin1') };
  return undefined;
}

function parseStream(buf: Buffer, depth: number, ctx: Ctx): TnefMessage {
  if (buf.length < 6 || buf.readUInt32LE(0) !== TNEF_SIGNATURE) throw new TnefError('it does not start with the TNEF signature');
  const msg: TnefMessage = { attachments: [], notes: [] };
  let msgProps: Prop[] = [];
  let attBody: Buffer | undefined;
  let current: (TnefAttachment & { props?: Prop[]; title?: string }) | undefined;
  const all: (TnefAttachment & { props?: Prop[]; title?: string })[] = [];
  let badChecksums = 0;
  let p = 6;
  while (p < buf.length) {
    if (p + 9 > buf.length) {
      msg.notes.push(`${buf.length - p} stray bytes after the last record were ignored`);
      break;
    }
    const level = buf[p];
    const attr = buf.readUInt32LE(p + 1);
    const len = buf.readUInt32LE(p + 5);
    if ((level !== LVL_MESSAGE && level !== LVL_ATTACHMENT) || p + 9 + len + 2 > buf.length) {
      // Trailing bytes after a complete record are tolerated (Outlook and gateways append some); a first record
      // that does not fit means the file is cut short or not TNEF at all.
      if (all.length === 0 && msgProps.length === 0 && !msg.messageClass && p === 6) throw new TnefError('its first record is cut short');
      msg.notes.push(`${buf.length - p} bytes after the last complete record were ignored`);
      break;
    }
    if (++ctx.attributes > ctx.limits.maxAttributes) throw new TnefError(`more than ${ctx.limits.maxAttributes} records`);
    const data = buf.subarray(p + 9, p + 9 + len);
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum = (sum + data[i]) & 0xffff;
    if (sum !== buf.readUInt16LE(p + 9 + len)) badChecksums++;
    p += 9 + len + 2;
    const id = attr & 0xffff;
    if (level === LVL_MESSAGE) {
      if (id === ATT_MAPI_PROPS) msgProps = msgProps.concat(readProps(data, ctx));
      else if (id === ATT_BODY) attBody = data;
      else if (id === ATT_MESSAGE_CLASS) msg.messageClass = cString(data);
      else if (id === ATT_SUBJECT) msg.subject = cString(data);
      else if (id === ATT_OEM_CODEPAGE && data.length >= 4) msg.codepage = data.readUInt32LE(0);
      continue;
    }
    if (id === ATT_ATTACH_REND_DATA || !current) {
      if (++ctx.attachments > ctx.limits.maxAttachments) throw new TnefError(`more than ${ctx.limits.maxAttachments} attached files`);
      current = { name: '' };
      all.push(current);
      if (id === ATT_ATTACH_REND_DATA) continue;
    }
    if (id === ATT_ATTACH_TITLE) current.title = cString(data);
    else if (id === ATT_ATTACH_DATA) {
      take(ctx, data.length);
      current.data = data;
    } else if (id === ATT_ATTACHMENT) current.props = (current.props ?? []).concat(readProps(data, ctx));
  }
  if (badChecksums) msg.notes.push(`${badChecksums} record checksum${badChecksums > 1 ? 's' : ''} did not match (read anyway)`);

  msg.messageClass ??= propText(msgProps.find((x) => x.id === PR_MESSAGE_CLASS));
  msg.subject ??= propText(msgProps.find((x) => x.id === PR_SUBJECT));
  msg.body = bodyOf(msgProps, attBody, ctx);

  for (const a of all) {
    const props = a.props ?? [];
    const get = (pid: number) => props.find((x) => x.id === pid);
    a.name = propText(get(PR_ATTACH_LONG_FILENAME)) || propText(get(PR_ATTACH_FILENAME)) || a.title || propText(get(PR_DISPLAY_NAME)) || '';
    const method = get(PR_ATTACH_METHOD)?.values[0]?.readUInt32LE(0);
    const obj = get(PR_ATTACH_DATA);
    if (obj && obj.type === PT_OBJECT && obj.values[0].length >= 16) {
      // An object is an interface id and the object's bytes: a message (a TNEF stream of its own), or a storage
      // (an OLE compound file: an Outlook item or a document) handed on as a file; attAttachData then holds OLE1 glue.
      const inner = obj.values[0].subarray(16);
      if (obj.values[0].subarray(0, 16).equals(IID_IMESSAGE)) {
        if (depth >= ctx.limits.maxDepth) a.note = `an embedded message nested more than ${ctx.limits.maxDepth} levels deep`;
        else a.message = parseStream(inner, depth + 1, ctx);
        delete a.data;
      } else {
        take(ctx, inner.length);
        a.data = inner;
      }
    } else if (obj && obj.type === PT_BINARY && !a.data) {
      take(ctx, obj.values[0].length);
      a.data = obj.values[0];
    } else if (method === ATTACH_EMBEDDED_MSG && !a.data) {
      a.note = 'an embedded message without its content';
    }
    if (!a.data && !a.message && !a.note) a.note = 'an attachment without content';
    const cid = propText(get(PR_ATTACH_CONTENT_ID));
    msg.attachments.push({ name: a.name, ...(cid ? { contentId: cid } : {}), ...(a.data ? { data: a.data } : {}), ...(a.message ? { message: a.message } : {}), ...(a.note ? { note: a.note } : {}) });
  }
  return msg;
}

/** Read a whole TNEF stream. Throws TnefError when it cannot be read within the limits. */
export function readTnef(buf: Buffer, limits: Partial<TnefLimits> = {}): TnefMessage {
  const ctx: Ctx = { limits: { ...DEFAULT_TNEF_LIMITS, ...limits }, attributes: 0, attachments: 0, outBytes: 0 };
  return parseStream(buf, 1, ctx);
}

export function isTnef(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === TNEF_SIGNATURE;
}
