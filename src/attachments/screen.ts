// The attachment screen (docs/screen.md): one pure rule from detected facts + type registry + account policy to a decision.
import type {
  DetectedFacts, FileReport, ReasonCode, ScreenDecision, UnsupportedFilesPolicy, Verdict,
} from '../domain/types.js';
import type { Config } from '../config.js';
import type { TypeRow } from './registry.js';
import { BOMB_RATIO, DEFAULT_PDF_IMAGE_MEGAPIXELS, DEFAULT_PDF_INFLATED_MB, MAX_PDF_STREAMS } from './pdf-inflate.js';

export interface ScreenContext {
  policy: UnsupportedFilesPolicy;
  /** the submission has a non-blank body (email text or cover text) that is faxed on its own pages */
  hasBodyText: boolean;
  limits: {
    maxPages: number; maxMegapixels: number; maxBytes?: number;
    /** PDF content decompressed, per document (FAXGATE_MAX_PDF_INFLATED_MB) */
    maxPdfInflatedMb?: number;
    /** declared pixels of one image inside a PDF (FAXGATE_MAX_PDF_IMAGE_MEGAPIXELS) */
    maxPdfImageMegapixels?: number;
  };
}

/** Screen limits from the configuration (docs/rendering.md limits). */
export function screenLimits(config: Config): ScreenContext['limits'] {
  return {
    maxBytes: config.maxMessageBytes, maxPages: config.maxPages, maxMegapixels: config.maxMegapixels,
    maxPdfInflatedMb: config.maxPdfInflatedMb, maxPdfImageMegapixels: config.maxPdfImageMegapixels,
  };
}

/**
 * The screen context under a policy: intake passes the account's setting of the moment (and stores it with the
 * submission); the render worker passes that stored policy, never the account's current one.
 */
export function screenContext(policy: UnsupportedFilesPolicy, config: Config, hasBodyText: boolean): ScreenContext {
  return { policy, hasBodyText, limits: screenLimits(config) };
}

const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** The per-file verdict and its human reason, from facts alone (page totals across files are applied later). */
function classify(f: DetectedFacts, row: TypeRow | undefined, ctx: ScreenContext): { verdict: Verdict; reason?: string } {
  if (f.inline) return { verdict: 'inline', reason: 'inline image of the message body (not an attachment)' };
  if (f.size === 0) return { verdict: 'empty', reason: 'the file is empty (0 bytes)' };
  if (f.detected === null || !row) {
    const seen = f.note ?? (f.mime ? `detected as ${f.mime}` : undefined);
    return { verdict: 'unknown-type', reason: `unknown file type, not a format this service can fax${seen ? ` (${seen})` : ''}` };
  }
  // A container (winmail.dat, .msg) stands in the report only when it was not opened into its files: say why.
  if (f.container === 'nothing-inside') return { verdict: 'nothing-inside', reason: `${row.name}: ${f.note ?? 'it holds nothing to fax'}` };
  if (f.container === 'damaged') return { verdict: 'damaged', reason: `damaged ${row.name}: ${f.note ?? 'it cannot be opened'}` };
  if (f.container === 'too-large') return { verdict: 'too-large', reason: `${row.name}: ${f.note ?? 'too large to open'}` };
  if (f.container) return { verdict: 'unsupported-type', reason: `${row.name}: ${f.note ?? 'not opened'}` };
  // A password stops every renderer, so say so before anything about the type being switched on.
  if (f.encrypted) {
    const what = row.name.startsWith('password-protected') ? row.name : `password-protected ${row.name}`;
    return { verdict: 'encrypted', reason: `${what}: remove the password and send it again` };
  }
  if (!row.enabled || !row.available) return { verdict: 'unsupported-type', reason: row.reason || `${row.name} files are not faxed on this server` };
  if (f.unsupportedVariant) return { verdict: 'unsupported-type', reason: f.unsupportedVariant };
  if (f.blank) return { verdict: 'empty', reason: 'the text contains nothing but white space' };
  const cap = [row.maxBytes, ctx.limits.maxBytes].filter((n): n is number => typeof n === 'number' && n > 0);
  const limit = cap.length ? Math.min(...cap) : undefined;
  if (limit !== undefined && f.size > limit) return { verdict: 'too-large', reason: `${mb(f.size)} is over the ${mb(limit)} limit for ${row.name} files` };
  if (f.width && f.height && f.width * f.height > ctx.limits.maxMegapixels * 1e6) {
    const mp = (f.width * f.height) / 1e6;
    return { verdict: 'too-many-pixels', reason: `image exceeds pixel limit: ${f.width}×${f.height} is ${mp.toFixed(mp < 100 ? 1 : 0)} megapixels, the limit is ${ctx.limits.maxMegapixels}` };
  }
  const img = f.pdfImage;
  const maxImageMp = ctx.limits.maxPdfImageMegapixels ?? DEFAULT_PDF_IMAGE_MEGAPIXELS;
  if (img && img.width * img.height > maxImageMp * 1e6) {
    const mp = (img.width * img.height) / 1e6;
    return { verdict: 'too-many-pixels', reason: `an image in the PDF exceeds the pixel limit: ${img.width}×${img.height} is ${mp.toFixed(0)} megapixels, the limit is ${maxImageMp}` };
  }
  // Compression bombs (issue #12.3): a valid one-page file that would hold a renderer for its whole time limit.
  const maxInflatedMb = ctx.limits.maxPdfInflatedMb ?? DEFAULT_PDF_INFLATED_MB;
  if (f.inflatedBytes !== undefined && f.inflatedBytes > maxInflatedMb * 1024 * 1024) {
    return { verdict: 'too-complex', reason: `PDF content expands to more than ${maxInflatedMb} MB when decompressed` };
  }
  if (f.inflateRatio !== undefined && f.inflateRatio > BOMB_RATIO) {
    return { verdict: 'too-complex', reason: `PDF content expands more than ${BOMB_RATIO}-fold when decompressed (a compression bomb)` };
  }
  if (f.pdfStreams !== undefined && f.pdfStreams > MAX_PDF_STREAMS) {
    return { verdict: 'too-complex', reason: `the PDF has more than ${MAX_PDF_STREAMS} streams` };
  }
  if (f.inflateTimedOut) return { verdict: 'too-complex', reason: 'the PDF content could not be measured within the time limit' };
  // A pixel bomb is named as such even when its (never decoded) data is also cut short.
  if (f.damaged) return { verdict: 'damaged', reason: `damaged ${row.name}: ${f.note ?? 'it cannot be opened'}` };
  if (f.pages !== undefined && f.pages > ctx.limits.maxPages) {
    return { verdict: 'too-many-pages', reason: `${f.pages} pages is over the limit of ${ctx.limits.maxPages} pages per fax` };
  }
  return { verdict: 'accepted' };
}

function report(f: DetectedFacts, verdict: Verdict, reason?: string): FileReport {
  const r: FileReport = { name: f.name, size: f.size, detected: f.detected, verdict };
  if (f.declaredType !== undefined) r.declaredType = f.declaredType;
  if (f.mime !== undefined) r.mime = f.mime;
  if (reason) r.reason = reason;
  if (f.pages !== undefined) r.pages = f.pages;
  if (verdict === 'accepted' && f.remoteRefs) {
    r.note = `${f.remoteRefs} remote image${f.remoteRefs > 1 ? 's, style sheets or frames are' : ', style sheet or frame is'} left out: nothing is fetched from the network`;
  }
  return r;
}

/** Accepted files whose pages push the running total past the limit become `too-many-pages`, in order. */
function applyPageTotal(files: FileReport[], ctx: ScreenContext): void {
  let total = 0;
  for (const r of files) {
    if (r.verdict !== 'accepted' || r.pages === undefined) continue;
    if (total + r.pages > ctx.limits.maxPages) {
      r.verdict = 'too-many-pages';
      r.reason = `with its ${r.pages} pages the fax would have ${total + r.pages} pages, over the limit of ${ctx.limits.maxPages}`;
      continue;
    }
    total += r.pages;
  }
}

/** The ignore/reject rule and nothing-to-fax (docs/screen.md §4); `inline` never counts against the job. */
function decide(files: FileReport[], ctx: ScreenContext): ScreenDecision {
  const offending = files.filter((r) => r.verdict !== 'accepted' && r.verdict !== 'inline');
  if (ctx.policy === 'reject' && offending.length > 0) return { outcome: 'reject', reason: 'unsupported-attachment', files };
  const accepted = files.some((r) => r.verdict === 'accepted');
  if (!accepted && !ctx.hasBodyText) return { outcome: 'reject', reason: 'nothing-to-fax', files };
  return { outcome: 'accept', files };
}

export function screen(facts: DetectedFacts[], rows: TypeRow[], ctx: ScreenContext): ScreenDecision {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const files = facts.map((f) => {
    const { verdict, reason } = classify(f, f.detected === null ? undefined : byId.get(f.detected), ctx);
    return report(f, verdict, reason);
  });
  applyPageTotal(files, ctx);
  return decide(files, ctx);
}

const RENDER_REASONS: Record<ReasonCode, string> = {
  'unsupported-type': 'the file could not be converted on this server',
  'unknown-type': 'unknown file type',
  'empty': 'the document has no pages',
  'too-large': 'the file is too large',
  'encrypted': 'password-protected: remove the password and send it again',
  'damaged': 'the file is damaged and cannot be opened',
  'too-many-pages': 'the document has too many pages',
  'too-many-pixels': 'image exceeds pixel limit',
  'too-complex': 'the document is too complex to render within the limits',
  'nothing-inside': 'it holds nothing to fax',
};

/**
 * The same rule for findings only known while rendering: each named accepted file takes the new verdict, and the
 * decision is taken again (a `reject` policy now rejects; `ignore` drops the file; nothing left → nothing-to-fax).
 * `pages` in a finding-free file are left as they are; page totals are re-checked over what remains.
 */
export function applyRenderFindings(
  decision: ScreenDecision,
  findings: { index: number; verdict: ReasonCode; reason?: string; pages?: number }[],
  ctx: ScreenContext,
): ScreenDecision {
  const files = decision.files.map((r) => ({ ...r }));
  for (const f of findings) {
    const r = files[f.index];
    if (!r || r.verdict !== 'accepted') continue;
    r.verdict = f.verdict;
    r.reason = f.reason ?? RENDER_REASONS[f.verdict];
    if (f.pages !== undefined) r.pages = f.pages;
  }
  applyPageTotal(files, ctx);
  return decide(files, ctx);
}
