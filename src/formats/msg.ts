// An attached Outlook .msg (an OLE compound file) opened with msgreader: its body and attached files, embedded .msg
// items handed back as .msg bytes of their own (so the caller applies one depth rule to every kind of nesting).
import { createRequire } from 'node:module';
import type { AttachmentData, FieldsData } from '@kenjiuno/msgreader/lib/MsgReader.js';
import { decompressRtf } from './rtf.js';

export interface MsgBody { kind: 'html' | 'rtf' | 'text'; data: Buffer }
export interface MsgAttachment { name: string; data: Buffer; contentId?: string; hidden?: boolean }
export interface MsgContent { messageClass?: string; subject?: string; body?: MsgBody; attachments: MsgAttachment[] }

export class MsgError extends Error {}

// The package is CommonJS with `exports.default`, which NodeNext's default import does not see as the class.
interface Reader { getFileData(): FieldsData; getAttachment(a: FieldsData): AttachmentData }
const { default: MsgReader } = createRequire(import.meta.url)('@kenjiuno/msgreader') as { default: new (b: Buffer) => Reader };

/** Read a .msg; `maxAttachments` and `maxBytes` (bodies and files together) bound what is taken out. */
export function readMsg(buf: Buffer, limits: { maxAttachments: number; maxBytes: number }): MsgContent {
  let reader: Reader;
  let fields: ReturnType<Reader['getFileData']>;
  try {
    reader = new MsgReader(buf);
    fields = reader.getFileData();
  } catch (e) {
    throw new MsgError(`the Outlook message cannot be read (${(e as Error).message.slice(0, 80)})`);
  }
  if (fields.error) throw new MsgError(`the Outlook message cannot be read (${fields.error.slice(0, 80)})`);
  let total = 0;
  const take = (n: number) => {
    total += n;
    if (total > limits.maxBytes) throw new MsgError(`its contents exceed ${Math.round(limits.maxBytes / 1048576)} MB`);
  };
  let body: MsgBody | undefined;
  if (fields.html && fields.html.length) body = { kind: 'html', data: Buffer.from(fields.html) };
  else if (fields.bodyHtml?.trim()) body = { kind: 'html', data: Buffer.from(fields.bodyHtml, 'utf8') };
  else if (fields.compressedRtf && fields.compressedRtf.length) {
    try {
      body = { kind: 'rtf', data: decompressRtf(Buffer.from(fields.compressedRtf), limits.maxBytes) };
    } catch {
      body = undefined;
    }
  }
  if (!body && fields.body?.trim()) body = { kind: 'text', data: Buffer.from(fields.body, 'utf8') };
  if (body) take(body.data.length);
  const list = fields.attachments ?? [];
  if (list.length > limits.maxAttachments) throw new MsgError(`more than ${limits.maxAttachments} attached files`);
  const attachments: MsgAttachment[] = [];
  for (const a of list) {
    let got: { fileName: string; content: Uint8Array };
    try {
      got = reader.getAttachment(a);
    } catch (e) {
      throw new MsgError(`an attached file cannot be read (${(e as Error).message.slice(0, 80)})`);
    }
    take(got.content.length);
    attachments.push({
      name: a.innerMsgContent ? `${(a.name ?? a.fileName ?? 'message').replace(/\.msg$/i, '')}.msg` : (a.fileName ?? a.fileNameShort ?? a.name ?? ''),
      data: Buffer.from(got.content),
      ...(a.pidContentId ? { contentId: a.pidContentId } : {}),
      ...(a.attachmentHidden ? { hidden: true } : {}),
    });
  }
  return { messageClass: fields.messageClass, subject: fields.subject, ...(body ? { body } : {}), attachments };
}
