// Which renderer families work on this server right now, so the type registry can refuse honestly instead of failing late.
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { killGroup, spawnTied } from '../proc/spawn.js';

export type RenderFamily = 'pdf' | 'image' | 'text' | 'office';
export type Availability = Record<RenderFamily, { available: boolean; reason?: string }>;

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

async function checkPdf(): Promise<{ available: boolean; reason?: string }> {
  try {
    await runQuick('gs', ['--version']);
    return { available: true };
  } catch {
    return { available: false, reason: 'the PDF renderer (Ghostscript) is not installed on this server' };
  }
}

async function checkImage(): Promise<{ available: boolean; reason?: string }> {
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

async function checkText(): Promise<{ available: boolean; reason?: string }> {
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

async function checkOffice(): Promise<{ available: boolean; reason?: string }> {
  if (await onPath('soffice')) return { available: true };
  return { available: false, reason: 'the office converter (LibreOffice) is not installed on this server' };
}

export async function checkAvailability(): Promise<Availability> {
  const [pdf, image, text, office] = await Promise.all([checkPdf(), checkImage(), checkText(), checkOffice()]);
  return { pdf, image, text, office };
}
