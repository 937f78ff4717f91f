// Looks inside ZIP (central directory) and OLE/CFB containers to tell office formats from plain archives, bounded.
import { open, type FileHandle } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import CFB from 'cfb';

export interface ContainerFacts { id: string | null; mime?: string; encrypted?: boolean; damaged?: boolean; note?: string }

const MAX_ENTRIES = 20_000;
const MAX_CD_BYTES = 8 * 1024 * 1024;

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(len);
  const { bytesRead } = await fh.read(b, 0, len, pos);
  return b.subarray(0, bytesRead);
}

interface ZipEntry { name: string; method: number; csize: number; usize: number; offset: number }

/** Read the central directory (entry names and where they are); undefined when there is none (truncated file). */
async function readCentralDirectory(fh: FileHandle, size: number): Promise<ZipEntry[] | undefined> {
  const tailLen = Math.min(size, 65_535 + 22);
  const tail = await readAt(fh, size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) return undefined;
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  // ZIP64: the real values are in the zip64 end record named by the locator just before the EOCD.
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocd >= 20 && tail.readUInt32LE(eocd - 20) === 0x07064b50) {
    const z64 = await readAt(fh, Number(tail.readBigUInt64LE(eocd - 12)), 56);
    if (z64.length === 56 && z64.readUInt32LE(0) === 0x06064b50) {
      count = Number(z64.readBigUInt64LE(32));
      cdSize = Number(z64.readBigUInt64LE(40));
      cdOffset = Number(z64.readBigUInt64LE(48));
    }
  }
  if (cdOffset + cdSize > size || cdSize > MAX_CD_BYTES) return undefined;
  const cd = await readAt(fh, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  while (p + 46 <= cd.length && entries.length < Math.min(count, MAX_ENTRIES) && cd.readUInt32LE(p) === 0x02014b50) {
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    entries.push({
      name: cd.subarray(p + 46, p + 46 + nameLen).toString('utf8'),
      method: cd.readUInt16LE(p + 10),
      csize: cd.readUInt32LE(p + 20),
      usize: cd.readUInt32LE(p + 24),
      offset: cd.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** One small entry's bytes (stored or deflated), capped so a zip bomb cannot expand in memory. */
async function readEntry(fh: FileHandle, e: ZipEntry, cap = 1024 * 1024): Promise<Buffer | undefined> {
  if (e.csize > cap) return undefined;
  const lh = await readAt(fh, e.offset, 30);
  if (lh.length < 30 || lh.readUInt32LE(0) !== 0x04034b50) return undefined;
  const data = await readAt(fh, e.offset + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28), e.csize);
  if (e.method === 0) return data;
  if (e.method !== 8) return undefined;
  try {
    return inflateRawSync(data, { maxOutputLength: cap });
  } catch {
    return undefined;
  }
}

const ODF: Record<string, string> = {
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
};

/** Tell docx/xlsx/pptx, odt/ods/odp and Apple iWork from a plain zip by the entries the format requires. */
export async function inspectZip(path: string, size: number, fileTypeGuess?: { id: string; mime: string }): Promise<ContainerFacts> {
  const fh = await open(path, 'r');
  try {
    let entries = await readCentralDirectory(fh, size);
    let damaged = false;
    if (!entries) {
      // Truncated: no central directory, so walk the local headers instead; it cannot be opened either way.
      entries = await readLocalHeaders(fh, size);
      damaged = true;
    }
    const found = await classifyZip(fh, entries);
    if (!damaged) return found;
    const id = found.id === 'zip' && fileTypeGuess ? fileTypeGuess.id : found.id;
    const mime = found.id === 'zip' && fileTypeGuess ? fileTypeGuess.mime : found.mime;
    return { id, mime, damaged: true, note: 'the ZIP central directory is missing (truncated file)' };
  } finally {
    await fh.close();
  }
}

/** Walk local file headers from the start (bounded); stops at an entry whose size is only in a data descriptor. */
async function readLocalHeaders(fh: FileHandle, size: number): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  let pos = 0;
  while (pos + 30 <= size && entries.length < 1000) {
    const h = await readAt(fh, pos, 30);
    if (h.length < 30 || h.readUInt32LE(0) !== 0x04034b50) break;
    const nameLen = h.readUInt16LE(26);
    const extraLen = h.readUInt16LE(28);
    const name = (await readAt(fh, pos + 30, nameLen)).toString('utf8');
    const csize = h.readUInt32LE(18);
    entries.push({ name, method: h.readUInt16LE(8), csize, usize: h.readUInt32LE(22), offset: pos });
    if (h.readUInt16LE(6) & 0x08) break;
    pos += 30 + nameLen + extraLen + csize;
  }
  return entries;
}

async function classifyZip(fh: FileHandle, entries: ZipEntry[]): Promise<ContainerFacts> {
  const names = new Set(entries.map((e) => e.name));
  const has = (prefix: string) => entries.some((e) => e.name.startsWith(prefix));
  if (names.has('[Content_Types].xml')) {
    const ct = entries.find((e) => e.name === '[Content_Types].xml')!;
    const xml = (await readEntry(fh, ct))?.toString('utf8') ?? '';
    const macro = /macroEnabled/i.test(xml);
    if (has('word/')) return { id: 'docx', mime: macro ? 'application/vnd.ms-word.document.macroenabled.12' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' };
    if (has('xl/')) return { id: 'xlsx', mime: macro ? 'application/vnd.ms-excel.sheet.macroenabled.12' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
    if (has('ppt/')) return { id: 'pptx', mime: macro ? 'application/vnd.ms-powerpoint.presentation.macroenabled.12' : 'application/vnd.openxmlformats-officedocument.presentationml.presentation' };
  }
  const mt = entries.find((e) => e.name === 'mimetype');
  if (mt) {
    const mime = (await readEntry(fh, mt, 256))?.toString('latin1').trim() ?? '';
    const id = ODF[mime];
    if (id) {
      const manifest = entries.find((e) => e.name === 'META-INF/manifest.xml');
      const mxml = manifest ? (await readEntry(fh, manifest))?.toString('utf8') ?? '' : '';
      return { id, mime, ...(/encryption-data/.test(mxml) ? { encrypted: true } : {}) };
    }
    if (/^application\/vnd\.apple\./.test(mime)) return { id: 'iwork', mime };
  }
  if (names.has('index.xml') || names.has('Index/Document.iwa') || names.has('buildVersionHistory.plist')) {
    return { id: 'iwork', mime: 'application/x-iwork-pages-sffpages' };
  }
  return { id: 'zip', mime: 'application/zip' };
}

/** Tell doc/xls/ppt, Outlook msg, Visio and encrypted OOXML apart inside an OLE compound file by its stream names. */
/** Word 97+: the FIB's fEncrypted bit (0x0100 of the flags word at offset 0x0A) marks a password-protected file. */
function docEncrypted(wordDocument: Buffer | undefined): boolean {
  return Boolean(wordDocument && wordDocument.length >= 12 && (wordDocument.readUInt16LE(0x0a) & 0x0100));
}

/** Excel 97+: a FILEPASS record (0x002F) among the first records of the workbook globals means a password. */
function xlsEncrypted(workbook: Buffer | undefined): boolean {
  let pos = 0;
  for (let i = 0; workbook && i < 64 && pos + 4 <= workbook.length; i++) {
    const type = workbook.readUInt16LE(pos);
    if (type === 0x002f) return true;
    if (type === 0x000a) return false; // EOF of the globals
    pos += 4 + workbook.readUInt16LE(pos + 2);
  }
  return false;
}

export function inspectCfb(data: Buffer): ContainerFacts {
  let names: string[];
  let stream: (name: string) => Buffer | undefined;
  try {
    const c = CFB.read(data, { type: 'buffer' });
    names = c.FileIndex.map((e) => e.name);
    stream = (name) => {
      const e = c.FileIndex.find((x) => x.name === name && x.type === 2);
      return e?.content ? Buffer.from(e.content as Uint8Array) : undefined;
    };
  } catch (e) {
    return { id: null, mime: 'application/x-cfb', damaged: true, note: `unreadable OLE compound file (${(e as Error).message.slice(0, 80)})` };
  }
  const has = (n: string) => names.includes(n);
  const locked = (f: ContainerFacts, yes: boolean): ContainerFacts => (yes ? { ...f, encrypted: true } : f);
  if (has('EncryptionInfo') && has('EncryptedPackage')) return { id: 'office-encrypted', mime: 'application/x-ms-encrypted-package', encrypted: true };
  if (has('WordDocument')) return locked({ id: 'doc', mime: 'application/msword' }, docEncrypted(stream('WordDocument')));
  if (has('Workbook') || has('Book')) return locked({ id: 'xls', mime: 'application/vnd.ms-excel' }, xlsEncrypted(stream('Workbook') ?? stream('Book')));
  if (has('PowerPoint Document')) return locked({ id: 'ppt', mime: 'application/vnd.ms-powerpoint' }, has('EncryptedSummary'));
  if (names.some((n) => n.startsWith('__substg1.0_'))) return { id: 'msg', mime: 'application/vnd.ms-outlook' };
  if (has('VisioDocument')) return { id: 'vsd', mime: 'application/vnd.visio' };
  return { id: null, mime: 'application/x-cfb', note: 'an OLE compound file of an unrecognised kind' };
}
