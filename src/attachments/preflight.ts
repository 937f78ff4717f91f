// Cheap preflight without rendering: PDF pages/password/structure and image size/frames/integrity, time- and memory-bounded.
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { runProc } from './proc.js';
import { countPdfPages, DEFAULT_STRUCTURE_LIMITS, type PdfStructureLimits } from './pdf-structure.js';
import { DEFAULT_PDF_INFLATED_MB, measurePdfStreams } from './pdf-inflate.js';
import { cleanText, decodeText, linesPerPage, paginate, wrapLines } from '../render/text.js';
import { geometry } from '../render/types.js';
import { bmpHeader, gifTruncated, inspectTiff, jpegTruncated, pngTruncated, webpTruncated } from './image-checks.js';
import { readAt } from '../formats/bytes.js';
import type { DetectedFacts } from '../domain/types.js';

/** The part of DetectedFacts that preflight observes. */
export type PreflightFacts = Pick<DetectedFacts, 'pages' | 'width' | 'height' | 'encrypted' | 'damaged' | 'note' | 'unsupportedVariant'
  | 'inflatedBytes' | 'inflateRatio' | 'pdfImage' | 'pdfStreams' | 'inflateTimedOut'>;

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
 * PDF: a well-formed, unencrypted file is counted in-process (xref → page tree walk, strictly checked and capped;
 * see pdf-structure.ts) — spawning a helper costs more than the whole parse. Anything else goes to qpdf, which says
 * whether a password is needed (exit 0 = needs one; 3 = owner password only, which still opens) and counts pages
 * when it can read the real page tree; otherwise Ghostscript, the renderer itself, counts what it can open (all three
 * walk the tree, never trusting /Count alone). `damaged` means no page can be read at all. Without either tool a
 * byte-capped scan for page objects is the fallback.
 */
async function countPdf(file: string, size: number, timeoutMs: number, structureLimits?: PdfStructureLimits): Promise<PreflightFacts> {
  const abs = path.resolve(file);
  const fh = await open(file, 'r');
  try {
    // A cut-off download or mail part lacks the closing %%EOF; Ghostscript would fax what survives, silently short.
    const tail = await readAt(fh, Math.max(0, size - 8192), Math.min(size, 8192));
    if (!tail.includes('%%EOF')) return { damaged: true, note: 'the file is incomplete (truncated: no end-of-file marker)' };
    try {
      // A small slice of the preflight budget, so a slow cheap parse never starves the qpdf/Ghostscript fallback.
      const limits = structureLimits ?? { ...DEFAULT_STRUCTURE_LIMITS, timeoutMs: Math.min(DEFAULT_STRUCTURE_LIMITS.timeoutMs, timeoutMs / 10) };
      return { pages: await countPdfPages(fh, size, limits) };
    } catch {
      // Undecided (or any surprise in the cheap parse): qpdf and Ghostscript decide, exactly as before.
    }
  } finally {
    await fh.close();
  }
  // qpdf is quick and strict: when it reads the page tree (with the empty user password, if any), trust it.
  const np = await runProc('qpdf', ['--show-npages', abs], { timeoutMs });
  const n = Number(np.stdout.trim());
  if (!np.missing && (np.code === 0 || np.code === 3) && Number.isInteger(n) && n > 0) return { pages: n };
  if (!np.missing) {
    // qpdf opened it with the empty user password just now: "invalid password" already answers --requires-password.
    if (np.code === 2 && /: invalid password\s*$/.test(np.stderr)) return { encrypted: true, note: 'a password is needed to open it' };
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
    if (gs.memoryExceeded) return { damaged: true, note: 'opening it needed more memory than a document may use' };
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

/**
 * A PDF that opens is then measured for compression bombs (pdf-inflate.ts): its non-image streams are decoded, counted
 * and dropped, up to just past `maxInflatedMb`, so the screen can refuse what would hold a renderer for its whole
 * time limit. Half the preflight time is the budget: an ordinary file takes well under a second (100,000 streams
 * about one), so a scan that runs out of it was built to hide what lies past it, and is refused as such.
 */
export async function preflightPdf(
  file: string, size: number, timeoutMs: number, structureLimits?: PdfStructureLimits, maxInflatedMb = DEFAULT_PDF_INFLATED_MB,
): Promise<PreflightFacts> {
  const facts = await countPdf(file, size, timeoutMs, structureLimits);
  if (facts.damaged || facts.encrypted || !facts.pages) return facts;
  const m = await measurePdfStreams(file, size, { maxInflatedBytes: maxInflatedMb * 1024 * 1024, timeoutMs: timeoutMs / 2 });
  return {
    ...facts, inflatedBytes: m.inflatedBytes, pdfStreams: m.streams, ...(m.timedOut ? { inflateTimedOut: true } : {}),
    ...(m.inflateRatio !== undefined ? { inflateRatio: m.inflateRatio } : {}),
    ...(m.largestImage ? { pdfImage: m.largestImage } : {}),
  };
}

/** Images: dimensions and frames from headers only (no pixel decoding), plus cheap truncation checks. */
export async function preflightImage(file: string, size: number, id: string): Promise<PreflightFacts> {
  const fh = await open(file, 'r');
  try {
    if (id === 'bmp') return bmpHeader(await readAt(fh, 0, 64), size);
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
    const cut = (what: string) => ({ ...facts, damaged: true, note: `the ${what} data is cut short (truncated file)` });
    if (id === 'jpeg' && await jpegTruncated(fh, size)) return cut('JPEG');
    if (id === 'png' && await pngTruncated(fh, size)) return cut('PNG');
    if (id === 'gif' && await gifTruncated(fh, size)) return cut('GIF');
    if (id === 'webp' && await webpTruncated(fh, size)) return cut('WebP');
    if (id === 'tiff') {
      const t = await inspectTiff(fh, size);
      if (t.unsupported) return { ...facts, unsupportedVariant: `TIFF with ${t.unsupported} compression is not supported; send it as PDF or a standard TIFF` };
      if (t.truncated) return cut('TIFF');
    }
    return facts;
  } finally {
    await fh.close();
  }
}

/** Text files up to this size get a page estimate; larger ones are left to the renderer's own page count. */
const TEXT_ESTIMATE_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Text: the page count the text renderer will produce on letter paper at fine resolution (the defaults; A4 fits a few
 * more lines, so this never under-counts), using the renderer's own decoding, wrapping and pagination.
 */
export async function preflightText(file: string, size: number, charset?: string): Promise<PreflightFacts> {
  if (size > TEXT_ESTIMATE_MAX_BYTES) return {};
  const text = await decodeText(await readFile(file), charset);
  return { pages: paginate(wrapLines(cleanText(text)), linesPerPage(geometry({ resolution: 'fine', paper: 'letter' }))).length };
}
