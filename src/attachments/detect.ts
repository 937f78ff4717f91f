// Detection: what a file really is from its bytes (magic, text sniffing, ZIP/OLE inspection), then a cheap preflight.
import { readFile, stat } from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';
import type { DetectedFacts } from '../domain/types.js';
import { DEFAULT_TYPES } from './registry.js';
import { classifyTextHead, declaredCharset, looksLikeEmail, sniffMagic, sniffText, type Sniffed } from './sniff.js';
import { inspectCfb, inspectZip, type ContainerFacts } from '../formats/containers.js';
import { byteOrderMark, readHead } from '../formats/bytes.js';
import { preflightImage, preflightPdf, preflightText } from './preflight.js';

export interface DetectInput { name: string; path: string; declaredType?: string; inline?: boolean }
export interface DetectLimits {
  maxPages: number;
  maxMegapixels: number;
  timeoutMs?: number;
  /** PDF decompressed-content budget: counting stops just past it (FAXGATE_MAX_PDF_INFLATED_MB) */
  maxPdfInflatedMb?: number;
}

/** file-type extension → registry id; `zip`/`cfb` mean "look inside". */
const FT_MAP: Record<string, string> = {
  pdf: 'pdf', tif: 'tiff', png: 'png', apng: 'png', jpg: 'jpeg', gif: 'gif', bmp: 'bmp', webp: 'webp', avif: 'avif',
  heic: 'heic', jp2: 'jp2', jpx: 'jp2', jpm: 'jp2', j2c: 'jp2', mj2: 'jp2', rtf: 'rtf', elf: 'elf', exe: 'exe',
  macho: 'macho', ps: 'postscript', eps: 'postscript',
  gz: 'archive', 'tar.gz': 'archive', bz2: 'archive', '7z': 'archive', rar: 'archive', tar: 'archive', xz: 'archive',
  zst: 'archive', lz: 'archive', lz4: 'archive', Z: 'archive', cab: 'archive', arj: 'archive', lzh: 'archive',
  ace: 'archive', cpio: 'archive',
};
const ZIP_FAMILY = new Set(['zip', 'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'docm', 'xlsm', 'pptm', 'dotx', 'dotm',
  'xltx', 'xltm', 'potx', 'potm', 'ppsx', 'ppsm', 'ott', 'ots', 'otp', 'odg', 'otg', 'epub', 'jar', 'apk', 'xpi', 'vsdx', '3mf']);
/** file-type answers for formats that are really text: sniff them as text instead. */
const TEXTUAL = new Set(['xml', 'vcf', 'ics', 'vtt', 'reg']);
/** Types preflighted as images: the rows whose renderer draws pixels (the registry is the only list of types). */
const IMAGE_IDS = new Set(DEFAULT_TYPES.filter((t) => ['image', 'tiff', 'heif', 'avif'].includes(t.renderer)).map((t) => t.id));
const MIMES_BY_ID = new Map(DEFAULT_TYPES.map((t) => [t.id, t.mimes]));

/** HTML pages are scanned for remote references only up to this size (the HTML renderer's own cap). */
const MAX_HTML_SCAN = 32 * 1024 * 1024;
const REMOTE_ATTR = /\b(?:src|background|poster|srcset|data)\s*=\s*["']?\s*(?:https?:)?\/\//gi;
const REMOTE_CSS = /url\(\s*["']?\s*(?:https?:)?\/\//gi;
const REMOTE_LINK = /<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?\/\//gi;

/** How many remote resources an HTML page asks for (images, backgrounds, style sheets, frames): all left out. */
export function countRemoteRefs(html: string): number {
  return (html.match(REMOTE_ATTR)?.length ?? 0) + (html.match(REMOTE_CSS)?.length ?? 0) + (html.match(REMOTE_LINK)?.length ?? 0);
}

/** Declared type disagrees with what the bytes are (octet-stream and absent declarations never mismatch). */
export function isMismatch(declaredType: string | undefined, detected: string | null, mime?: string): boolean {
  const d = (declaredType ?? '').split(';')[0].trim().toLowerCase();
  if (!d || d === 'application/octet-stream' || d === 'binary/octet-stream' || d === 'application/unknown') return false;
  if (detected === null) return true;
  const mimes = MIMES_BY_ID.get(detected) ?? [];
  return !(mimes.includes(d) || (mime !== undefined && mime.toLowerCase() === d));
}

/** Reject after `ms` so one hostile file cannot stall the whole screen. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms); }),
  ]);
}

export function createDetector(deps: { limits: DetectLimits }) {
  // Preflight is meant to be cheap: even when handed the (much longer) render timeout, no file gets more than 10 s.
  const timeoutMs = Math.min(deps.limits.timeoutMs ?? 10_000, 10_000);

  async function identify(input: DetectInput, size: number): Promise<Sniffed & ContainerFacts & { charset?: string; blank?: boolean }> {
    const head = await readHead(input.path, 8192);
    let ft: { ext: string; mime: string } | undefined;
    try {
      ft = await fileTypeFromFile(input.path);
    } catch {
      ft = undefined;
    }
    // A byte-order mark means text; file-type reads "FF FE" as MPEG audio.
    if (byteOrderMark(head)) ft = undefined;
    if (ft && ZIP_FAMILY.has(ft.ext)) return inspectZip(input.path, size, FT_MAP[ft.ext] ? { id: FT_MAP[ft.ext], mime: ft.mime } : zipGuess(ft));
    if (ft?.ext === 'cfb') {
      if (size > 64 * 1024 * 1024) return { id: null, mime: ft.mime, note: 'an OLE compound file too large to inspect' };
      return inspectCfb(await readFile(input.path));
    }
    if (ft && FT_MAP[ft.ext]) return { id: FT_MAP[ft.ext], mime: ft.mime };
    const magic = sniffMagic(head);
    if (magic) return magic;
    if (ft && !TEXTUAL.has(ft.ext)) return { id: null, mime: ft.mime, note: `detected as ${ft.mime}` };
    const text = await sniffText(input.path, size, declaredCharset(input.declaredType));
    if (!text.isText) {
      // Raw 8-bit or binary MIME parts do not stop a message from being a message.
      if (looksLikeEmail(head.toString('latin1'))) return { id: 'email', mime: 'message/rfc822' };
      return { id: null, ...(ft ? { mime: ft.mime } : {}), note: text.why };
    }
    const headText = new TextDecoder(text.charset?.startsWith('utf-16') ? text.charset : 'utf-8').decode(head);
    const kind = classifyTextHead(headText);
    return { ...kind, charset: text.charset, ...(kind.id === 'text' && text.blank ? { blank: true } : {}) };
  }

  function zipGuess(ft: { ext: string; mime: string }): { id: string; mime: string } {
    const id = ft.ext.startsWith('doc') ? 'docx' : ft.ext.startsWith('xl') ? 'xlsx' : /^(pp|pot)/.test(ft.ext) ? 'pptx' : 'zip';
    return { id, mime: ft.mime };
  }

  async function detect(input: DetectInput): Promise<DetectedFacts> {
    const st = await stat(input.path);
    const base: DetectedFacts = { name: input.name, size: st.size, detected: null, mismatch: false };
    if (input.declaredType !== undefined) base.declaredType = input.declaredType;
    if (input.inline) base.inline = true;
    if (!st.isFile()) return { ...base, note: 'not a regular file' };
    if (st.size === 0) return { ...base, note: 'empty file' };

    let facts: DetectedFacts;
    try {
      const id = await within(identify(input, st.size), timeoutMs, 'type detection');
      facts = { ...base, detected: id.id, mismatch: isMismatch(input.declaredType, id.id, id.mime) };
      if (id.mime) facts.mime = id.mime;
      if (id.note) facts.note = id.note;
      if (id.encrypted) facts.encrypted = true;
      if (id.damaged) facts.damaged = true;
      if (id.charset) facts.charset = id.charset;
      if (id.blank) facts.blank = true;
    } catch (e) {
      return { ...base, mismatch: isMismatch(input.declaredType, null), note: `could not be inspected: ${(e as Error).message}` };
    }

    try {
      if (facts.detected === 'pdf') {
        Object.assign(facts, await within(preflightPdf(input.path, st.size, timeoutMs, undefined, deps.limits.maxPdfInflatedMb), timeoutMs, 'PDF preflight'));
      } else if (facts.detected === 'text' && !facts.blank) {
        Object.assign(facts, await within(preflightText(input.path, st.size, facts.charset), timeoutMs, 'text preflight'));
      } else if (facts.detected === 'html' && st.size <= MAX_HTML_SCAN) {
        const n = countRemoteRefs((await readFile(input.path)).toString('latin1'));
        if (n) facts.remoteRefs = n;
      } else if (facts.detected && IMAGE_IDS.has(facts.detected)) {
        Object.assign(facts, await within(preflightImage(input.path, st.size, facts.detected), timeoutMs, 'image preflight'));
      }
    } catch (e) {
      Object.assign(facts, { damaged: true, note: `could not be inspected: ${(e as Error).message}` });
    }
    for (const k of Object.keys(facts) as (keyof DetectedFacts)[]) if (facts[k] === undefined) delete facts[k];
    return facts;
  }

  return { detect };
}

export type Detector = ReturnType<typeof createDetector>;
