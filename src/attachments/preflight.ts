// Cheap preflight without rendering: PDF pages/password/structure and image size/frames/integrity, time- and memory-bounded.
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { runProc } from './proc.js';

export interface PreflightFacts {
  pages?: number;
  width?: number;
  height?: number;
  encrypted?: boolean;
  damaged?: boolean;
  note?: string;
  unsupportedVariant?: string;
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(Math.max(0, len));
  const { bytesRead } = await fh.read(b, 0, b.length, pos);
  return b.subarray(0, bytesRead);
}

/** Count `/Type /Page` objects (not `/Pages`) over at most `cap` bytes: a fallback that never trusts `/Count`. */
export async function scanPdfPages(file: string, size: number, cap = 32 * 1024 * 1024): Promise<{ pages: number; encrypt: boolean }> {
  const fh = await open(file, 'r');
  try {
    let pages = 0;
    let encrypt = false;
    let carry = '';
    for (let pos = 0; pos < Math.min(size, cap);) {
      const chunk = await readAt(fh, pos, Math.min(1024 * 1024, Math.min(size, cap) - pos));
      if (!chunk.length) break;
      pos += chunk.length;
      const s = carry + chunk.toString('latin1');
      pages += (s.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
      if (/\/Encrypt\s*\d+\s+\d+\s+R/.test(s) || /\/Encrypt\s*<</.test(s)) encrypt = true;
      carry = s.slice(-32);
      // A match wholly inside the carried tail was counted already; drop it from the next window.
      carry = carry.replace(/\/Type\s*\/Page(?![a-zA-Z])/g, '');
    }
    return { pages, encrypt };
  } finally {
    await fh.close();
  }
}

/**
 * PDF: qpdf says whether a password is needed (exit 0 = needs one; 3 = owner password only, which still opens) and
 * counts pages when it can read the real page tree; otherwise Ghostscript, the renderer itself, counts what it can
 * open (both walk the tree, never trusting /Count). `damaged` means no page can be read at all. Without either
 * tool a byte-capped scan for page objects is the fallback.
 */
export async function preflightPdf(file: string, size: number, timeoutMs: number): Promise<PreflightFacts> {
  const abs = path.resolve(file);
  // A cut-off download or mail part lacks the closing %%EOF; Ghostscript would fax what survives, silently short.
  const fh = await open(file, 'r');
  const tail = await readAt(fh, Math.max(0, size - 8192), Math.min(size, 8192)).finally(() => fh.close());
  if (!tail.includes('%%EOF')) return { damaged: true, note: 'the file is incomplete (truncated: no end-of-file marker)' };
  // qpdf is quick and strict: when it reads the page tree (with the empty user password, if any), trust it.
  const np = await runProc('qpdf', ['--show-npages', abs], { timeoutMs });
  const n = Number(np.stdout.trim());
  if (!np.missing && (np.code === 0 || np.code === 3) && Number.isInteger(n) && n > 0) return { pages: n };
  if (!np.missing) {
    const req = await runProc('qpdf', ['--requires-password', abs], { timeoutMs });
    if (req.code === 0) return { encrypted: true, note: 'a password is needed to open it' };
  }
  // Otherwise ask Ghostscript, the renderer, which repairs much more than qpdf does.
  const gs = await runProc('gs', [
    '-q', '-dNODISPLAY', '-dSAFER', '-dBATCH', '-dNOPAUSE', `--permit-file-read=${abs}`, `-sFGIN=${abs}`,
    '-c', 'FGIN (r) file runpdfbegin pdfpagecount = quit',
  ], { timeoutMs });
  if (!gs.missing) {
    if (gs.timedOut) return { damaged: true, note: 'opening it took too long' };
    if (/requires a password/i.test(gs.stdout + gs.stderr)) return { encrypted: true, note: 'a password is needed to open it' };
    const m = /(\d+)\s*$/.exec(gs.stdout.trim());
    const pages = m ? Number(m[1]) : 0;
    if (gs.code === 0 && pages > 0) return { pages };
    return { damaged: true, note: 'no page can be read from it (the PDF structure is broken)' };
  }
  const scan = await scanPdfPages(file, size);
  if (scan.pages > 0) return { pages: scan.pages, ...(np.missing && scan.encrypt ? { note: 'it may be password-protected' } : {}) };
  return { damaged: true, note: 'no pages were found in it' };
}

/** JPEG: walk the segments to the first scan, then an end-of-image marker must follow (else it was cut short). */
async function jpegTruncated(fh: FileHandle, size: number): Promise<boolean> {
  let pos = 2;
  for (let i = 0; i < 10_000 && pos + 4 <= size; i++) {
    const h = await readAt(fh, pos, 4);
    if (h[0] !== 0xff) return false; // unusual layout: leave it to the decoder
    const marker = h[1];
    if (marker === 0xff) { pos++; continue; }
    if (marker === 0xd9) return false;
    if (marker === 0xda) break;
    if (marker >= 0xd0 && marker <= 0xd7) { pos += 2; continue; }
    pos += 2 + h.readUInt16BE(2);
  }
  // Scan from the first SOS: FF D9 only occurs as a marker in entropy-coded data (FF is byte-stuffed).
  const buf = Buffer.alloc(1024 * 1024);
  for (let p = pos; p < size;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, p);
    if (!bytesRead) break;
    const idx = buf.subarray(0, bytesRead).indexOf(Buffer.from([0xff, 0xd9]));
    if (idx >= 0) return false;
    p += bytesRead - 1;
    if (bytesRead < 2) break;
  }
  return true;
}

/** PNG: every chunk must fit inside the file and IEND must be reached. */
async function pngTruncated(fh: FileHandle, size: number): Promise<boolean> {
  let pos = 8;
  for (let i = 0; i < 1_000_000 && pos + 8 <= size; i++) {
    const h = await readAt(fh, pos, 8);
    const len = h.readUInt32BE(0);
    const type = h.subarray(4, 8).toString('latin1');
    if (pos + 12 + len > size) return true;
    if (type === 'IEND') return false;
    pos += 12 + len;
  }
  return true;
}

const TIFF_UNSUPPORTED: Record<number, string> = {
  6: 'old-style JPEG (OJPEG)', 34925: 'LZMA', 34712: 'JPEG 2000', 34661: 'JBIG', 34676: 'SGI LogLuv', 34677: 'SGI LogLuv',
};

/** The Compression tag of a TIFF's first directory (classic or BigTIFF), read from a few bytes. */
async function tiffCompression(fh: FileHandle, size: number): Promise<number | undefined> {
  const h = await readAt(fh, 0, 16);
  if (h.length < 8) return undefined;
  const le = h[0] === 0x49;
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const big = u16(h, 2) === 43;
  const ifd = big ? Number(le ? h.readBigUInt64LE(8) : h.readBigUInt64BE(8)) : (le ? h.readUInt32LE(4) : h.readUInt32BE(4));
  if (!Number.isSafeInteger(ifd) || ifd + 8 > size) return undefined;
  const cnt = await readAt(fh, ifd, 8);
  const n = big ? Number(le ? cnt.readBigUInt64LE(0) : cnt.readBigUInt64BE(0)) : u16(cnt, 0);
  const entSize = big ? 20 : 12;
  const body = await readAt(fh, ifd + (big ? 8 : 2), Math.min(n, 1000) * entSize);
  for (let i = 0; i + entSize <= body.length; i += entSize) {
    if (u16(body, i) === 259) return u16(body, i + (big ? 12 : 8));
  }
  return undefined;
}

/** BMP header: sharp has no BMP loader, so read the dimensions ourselves. */
function bmpHeader(h: Buffer): PreflightFacts {
  if (h.length < 26 || h.toString('latin1', 0, 2) !== 'BM') return { damaged: true, note: 'the BMP header is incomplete' };
  const dib = h.readUInt32LE(14);
  const width = dib === 12 ? h.readUInt16LE(18) : h.readInt32LE(18);
  const height = Math.abs(dib === 12 ? h.readUInt16LE(20) : h.readInt32LE(22));
  if (width <= 0 || height <= 0) return { damaged: true, note: `the BMP header claims ${width}×${height} pixels` };
  return { width, height, pages: 1 };
}

/** Images: dimensions and frames from headers only (no pixel decoding), plus cheap truncation checks. */
export async function preflightImage(file: string, size: number, id: string): Promise<PreflightFacts> {
  const fh = await open(file, 'r');
  try {
    if (id === 'bmp') return bmpHeader(await readAt(fh, 0, 64));
    let meta: Metadata;
    try {
      meta = await sharp(file, { limitInputPixels: false, failOn: 'none' }).metadata();
    } catch (e) {
      return { damaged: true, note: (e as Error).message.split('\n')[0].replace(/^Input file (has|contains) /, '') };
    }
    const width = meta.width;
    const height = meta.pageHeight && meta.pages && meta.pages > 1 && id !== 'tiff' ? meta.pageHeight : meta.height;
    // Animated GIF/WebP fax their first frame only; a TIFF faxes every directory.
    const pages = id === 'tiff' ? Math.max(1, meta.pages ?? 1) : 1;
    const facts: PreflightFacts = { width, height, pages };
    if (!width || !height) return { damaged: true, note: 'the image has no size' };
    if (id === 'jpeg' && await jpegTruncated(fh, size)) return { ...facts, damaged: true, note: 'the JPEG data is cut short (truncated file)' };
    if (id === 'png' && await pngTruncated(fh, size)) return { ...facts, damaged: true, note: 'the PNG data is cut short (truncated file)' };
    if (id === 'tiff') {
      const c = await tiffCompression(fh, size);
      if (c !== undefined && TIFF_UNSUPPORTED[c]) return { ...facts, unsupportedVariant: `TIFF with ${TIFF_UNSUPPORTED[c]} compression is not supported; send it as PDF or a standard TIFF` };
    }
    return facts;
  } finally {
    await fh.close();
  }
}
