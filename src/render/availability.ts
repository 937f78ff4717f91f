// Which renderers work on this server right now (one probe per name the type registry's rows use), so the registry
// can refuse a type honestly instead of the renderer failing late.
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { killGroup, spawnTied } from '../proc/spawn.js';
import type { Availability, RendererState } from '../domain/renderers.js';

export type { Availability } from '../domain/renderers.js';

/** Run a short command, resolving with its stdout; rejects on spawn error, non-zero exit or timeout. */
export function runQuick(cmd: string, args: string[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnTied(cmd, args);
    let out = '';
    const timer = setTimeout(() => killGroup(child), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.resume();
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} exited with ${code}`));
    });
  });
}

async function onPath(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

async function checkPdf(): Promise<RendererState> {
  try {
    await runQuick('gs', ['--version']);
    return { available: true };
  } catch {
    return { available: false, reason: 'the PDF renderer (Ghostscript) is not installed on this server' };
  }
}

async function checkImage(): Promise<RendererState> {
  try {
    const sharp = (await import('sharp')).default;
    // A real (tiny) pipeline, not just the import: a broken libvips binary fails here.
    await sharp({ create: { width: 2, height: 2, channels: 3, background: '#fff' } }).png().toBuffer();
    return { available: true };
  } catch {
    return { available: false, reason: 'the image renderer (sharp/libvips) does not load on this server' };
  }
}

/** Scripts the text renderer promises real glyphs for, as fontconfig language tags. */
const TEXT_LANGS = ['zh', 'ja', 'ar', 'he', 'el', 'ru'] as const;

async function checkText(): Promise<RendererState> {
  try {
    const mono = await runQuick('fc-list', [':spacing=mono', 'family']);
    if (!mono.trim()) return { available: false, reason: 'no monospace font is installed on this server' };
    // One fc-list per script, all at once: run one after another they were most of a CLI command's start-up.
    const found = await Promise.all(TEXT_LANGS.map((lang) => runQuick('fc-list', [`:lang=${lang}`, 'family'])));
    const missing = TEXT_LANGS.filter((_lang, i) => !found[i].trim());
    if (missing.length) return { available: false, reason: `fonts for ${missing.join(', ')} text are not installed on this server` };
    return { available: true };
  } catch {
    return { available: false, reason: 'fontconfig (fc-list) is not available on this server' };
  }
}

async function checkOffice(pdf: RendererState): Promise<RendererState> {
  if (!(await onPath('soffice'))) return { available: false, reason: 'the office converter (LibreOffice) is not installed on this server' };
  // LibreOffice makes a PDF, which the PDF renderer then draws
  return pdf.available ? { available: true } : pdf;
}

/** HEIC goes through libheif's tools (src/render/heif.ts), whose PNG the image renderer then reads. */
async function checkHeif(image: RendererState): Promise<RendererState> {
  const missing = [];
  for (const tool of ['heif-info', 'heif-convert']) if (!(await onPath(tool))) missing.push(tool);
  if (missing.length) return { available: false, reason: `the HEIF decoder (libheif's ${missing.join(' and ')}) is not installed on this server` };
  return image.available ? { available: true } : image;
}

/** AVIF needs libvips built with an AV1 decoder: a tiny AVIF is made and read back, as the image probe does with PNG. */
async function checkAvif(image: RendererState): Promise<RendererState> {
  if (!image.available) return image;
  try {
    const sharp = (await import('sharp')).default;
    const avif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).avif().toBuffer();
    await sharp(avif).raw().toBuffer();
    return { available: true };
  } catch {
    return { available: false, reason: 'the image renderer (sharp/libvips) cannot decode AVIF on this server' };
  }
}

/** HTML needs the browser (a real start and a tiny page printed) and the PDF renderer for what it prints. */
async function checkHtml(pdf: RendererState, executable: string): Promise<RendererState> {
  try {
    await access(executable, constants.X_OK);
  } catch {
    return { available: false, reason: 'the HTML renderer (Chromium) is not installed on this server' };
  }
  try {
    await runQuick(executable, ['--headless', '--no-sandbox', '--disable-gpu', '--version'], 10_000);
  } catch {
    return { available: false, reason: 'the HTML renderer (Chromium) does not start on this server' };
  }
  return pdf.available ? { available: true } : pdf;
}

export async function checkAvailability(opts: { chromium?: string } = {}): Promise<Availability> {
  const [pdf, image, text] = await Promise.all([checkPdf(), checkImage(), checkText()]);
  const [office, heif, avif, html] = await Promise.all([checkOffice(pdf), checkHeif(image), checkAvif(image), checkHtml(pdf, opts.chromium ?? '/usr/bin/chromium')]);
  // TIFF pages in fax coding are copied by our own reader; anything else in a TIFF is drawn by libvips
  return { pdf, image, tiff: image, heif, avif, text, office, html };
}
