// Detection + preflight + screen on files made here by real tools (gs, qpdf, ImageMagick, zip, sharp, cfb), table-driven.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import CFB from 'cfb';
import iconv from 'iconv-lite';
import { createDetector } from '../../src/attachments/detect.js';
import { scanPdfPages } from '../../src/attachments/preflight.js';
import { screen } from '../../src/attachments/screen.js';
import { createTypeRegistry, type Availability } from '../../src/attachments/registry.js';
import { openDatabase } from '../../src/store/db.js';
import type { DetectedFacts } from '../../src/domain/types.js';
import { tempDir, CORPUS } from '../helpers/tmp.js';

const dir = tempDir('faxgate-detect-');
const p = (name: string) => path.join(dir, name);
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const hasZip = (() => { try { execFileSync('zip', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; } })();

const AVAIL: Availability = {
  pdf: { available: true }, image: { available: true }, tiff: { available: true }, heif: { available: true }, avif: { available: true }, text: { available: true },
  office: { available: false, reason: 'the office converter (LibreOffice) is not installed on this server' },
  html: { available: false, reason: 'the HTML renderer (Chromium) is not installed on this server' },
};
const registry = createTypeRegistry({ db: openDatabase(tempDir()), clock: { now: () => new Date() }, availability: AVAIL });
const detector = createDetector({ limits: { maxPages: 200, maxMegapixels: 40, timeoutMs: 10_000 } });

async function check(name: string, declaredType?: string): Promise<{ facts: DetectedFacts; verdict: string }> {
  const facts = await detector.detect({ name, path: p(name), declaredType });
  const d = screen([facts], registry.list(), { policy: 'ignore', hasBodyText: false, limits: { maxPages: 200, maxMegapixels: 40, maxBytes: 25 * 1024 * 1024 } });
  return { facts, verdict: d.files[0].verdict };
}

const PS_PAGES = (n: number) => `/Helvetica findfont 24 scalefont setfont 1 1 ${n} { 72 700 moveto (Page ) show 3 string cvs show showpage } for`;

function cfb(streams: Record<string, Buffer>, file: string) {
  const c = CFB.utils.cfb_new();
  for (const [n, b] of Object.entries(streams)) CFB.utils.cfb_add(c, n, b);
  writeFileSync(p(file), CFB.write(c, { type: 'buffer' }) as Buffer);
}

beforeAll(async () => {
  // PDFs from Ghostscript and qpdf.
  run('gs', ['-q', '-sDEVICE=pdfwrite', '-o', 'one.pdf', '-c', PS_PAGES(1)]);
  run('gs', ['-q', '-sDEVICE=pdfwrite', '-o', 'three.pdf', '-c', PS_PAGES(3)]);
  run('gs', ['-q', '-sDEVICE=pdfwrite', '-o', 'many.pdf', '-c', PS_PAGES(250)]);
  run('qpdf', ['--encrypt', 'secret', 'owner', '256', '--', 'three.pdf', 'user-aes256.pdf']);
  run('qpdf', ['--allow-weak-crypto', '--encrypt', 'secret', 'owner', '128', '--use-aes=n', '--', 'three.pdf', 'user-rc4.pdf']);
  run('qpdf', ['--encrypt', '', 'owner', '256', '--', 'three.pdf', 'owner-only.pdf']);
  run('qpdf', ['--object-streams=generate', 'three.pdf', 'objstm.pdf']);
  const three = readFileSync(p('three.pdf'));
  writeFileSync(p('truncated.pdf'), three.subarray(0, Math.floor(three.length / 2)));
  writeFileSync(p('header-only.pdf'), '%PDF-1.7\nthis is not a PDF body at all\n%%EOF\n');
  writeFileSync(p('junk-before-header.pdf'), Buffer.concat([Buffer.from('garbage from a mail gateway\n'), readFileSync(p('one.pdf'))]));
  // PostScript and EPS from Ghostscript.
  run('gs', ['-q', '-sDEVICE=ps2write', '-o', 'doc.ps', '-c', PS_PAGES(2)]);
  run('gs', ['-q', '-sDEVICE=eps2write', '-o', 'fig.eps', '-c', PS_PAGES(1)]);
  // Images from ImageMagick.
  run('convert', ['-size', '120x80', 'xc:white', '-fill', 'black', '-draw', 'rectangle 10,10 60,40', 'img.png']);
  run('convert', ['-size', '300x200', 'plasma:fractal', '-quality', '90', 'photo.jpg']);
  run('convert', ['-size', '64x48', 'xc:gray', 'img.gif']);
  run('convert', ['-size', '64x48', 'xc:gray', 'BMP3:img.bmp']);
  run('convert', ['-size', '64x48', 'xc:gray', 'img.webp']);
  run('convert', ['-delay', '10', '-size', '40x30', 'xc:red', 'xc:blue', 'xc:green', 'anim.gif']);
  run('convert', ['-size', '1728x1100', 'xc:white', 'xc:white', 'xc:white', '-monochrome', '-compress', 'Group4', 'fax3.tif']);
  run('convert', ['-size', '400x400', 'plasma:fractal', 'big.png']);
  const jpg = readFileSync(p('photo.jpg'));
  writeFileSync(p('truncated.jpg'), jpg.subarray(0, Math.floor(jpg.length / 2)));
  run('convert', ['-size', '300x300', 'plasma:fractal', '-compress', 'none', 'photo.tif']);
  run('convert', ['-size', '300x300', 'plasma:fractal', 'photo.gif']);
  run('convert', ['-size', '300x300', 'plasma:fractal', 'photo.webp']);
  run('convert', ['-size', '300x300', 'plasma:fractal', 'BMP3:photo.bmp']);
  run('convert', ['-size', '64x64', 'xc:gray', '-compress', 'LZMA', 'lzma.tif']);
  for (const f of ['photo.tif', 'photo.gif', 'photo.webp', 'photo.bmp']) {
    const b = readFileSync(p(f));
    writeFileSync(p(`cut-${f}`), b.subarray(0, Math.floor(b.length / 2)));
  }
  const png = readFileSync(p('big.png'));
  writeFileSync(p('truncated.png'), png.subarray(0, Math.floor(png.length / 2)));
  // A pixel bomb: 8000×6000 = 48 MP of palette PNG in a few kilobytes.
  await sharp({ create: { width: 8000, height: 6000, channels: 3, background: '#ffffff' } }).png({ palette: true, colours: 2 }).toFile(p('bomb.png'));
  // Executables.
  writeFileSync(p('true.bin'), readFileSync('/bin/true'));
  const pe = Buffer.alloc(512);
  pe.write('MZ', 0, 'latin1');
  pe.writeUInt32LE(0x80, 0x3c);
  pe.write('PE\0\0', 0x80, 'latin1');
  pe.writeUInt16LE(0x14c, 0x84);
  writeFileSync(p('tool.exe'), pe);
  // Text in several scripts, legacy charsets and UTF-16.
  writeFileSync(p('scripts.txt'), 'Latin: déjà vu\nΕλληνικά\nРусский текст\n中文 日本語 한국어\nעברית\nالعربية\n');
  writeFileSync(p('ascii.txt'), 'Plain ASCII memo.\r\nSecond line.\r\n');
  writeFileSync(p('long.txt'), Array.from({ length: 201 * 60 }, (_, i) => `line ${i + 1}`).join('\n'));
  writeFileSync(p('two-pages.txt'), `${'x'.repeat(100)}\n`.repeat(40));
  writeFileSync(p('cp1251.txt'), iconv.encode('Привет, мир! Это факс.\n', 'windows-1251'));
  writeFileSync(p('sjis.txt'), iconv.encode('こんにちは、ファックスです。\n', 'shift_jis'));
  writeFileSync(p('iso2022jp.txt'), execFileSync('iconv', ['-f', 'UTF-8', '-t', 'ISO-2022-JP'], { input: 'すみません。\n' }));
  writeFileSync(p('utf16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('UTF-16 text: Ωμέγα\n', 'utf16le')]));
  writeFileSync(p('blank.txt'), '  \n\t\r\n   \n');
  writeFileSync(p('empty.txt'), '');
  writeFileSync(p('random.bin'), randomBytes(4096));
  writeFileSync(p('page.html'), '<!DOCTYPE html>\n<html><head><title>x</title></head><body><p>Hello</p></body></html>\n');
  writeFileSync(p('fragment.htm'), '<html>\n<body>hi</body></html>');
  writeFileSync(p('drawing.svg'), '<?xml version="1.0"?>\n<!-- made by hand -->\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>\n');
  writeFileSync(p('data.xml'), '<?xml version="1.0"?>\n<order><item>fax paper</item></order>\n');
  writeFileSync(p('message.eml'), 'From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\nMIME-Version: 1.0\r\n\r\nbody\r\n');
  writeFileSync(p('note.txt'), 'Note: bring the contract.\nThanks\n');
  writeFileSync(p('memo.txt'), 'To: Dr. Smith\nFrom: Riverside Clinic\nDate: 3 March 2026\nSubject: Referral\n\nPlease see the attached notes.\n');
  writeFileSync(p('forwarded.txt'), 'Received: from mx.example.net by mail.example.com\nSubject: fwd\n\nbody\n');
  writeFileSync(p('mbox.txt'), 'From someone@example.com Mon Jan  1 00:00:00 2024\nSubject: hi\n\nbody\n');
  writeFileSync(p('winmail.dat'), Buffer.concat([Buffer.from([0x78, 0x9f, 0x3e, 0x22, 0, 0, 1, 0x06, 0x90, 0x08, 0, 4, 0, 0, 0]), randomBytes(64)]));
  // OLE compound files made with the cfb library.
  const fib = (flags: number) => { const b = Buffer.alloc(1024); b.writeUInt16LE(0xa5ec, 0); b.writeUInt16LE(0xc1, 2); b.writeUInt16LE(flags, 0x0a); return b; };
  const rec = (type: number, len: number) => { const b = Buffer.alloc(4 + len); b.writeUInt16LE(type, 0); b.writeUInt16LE(len, 2); return b; };
  cfb({ WordDocument: fib(0x0200), '1Table': Buffer.alloc(512, 2) }, 'legacy.doc');
  cfb({ WordDocument: fib(0x0300), '1Table': Buffer.alloc(512, 2) }, 'locked.doc');
  cfb({ Workbook: Buffer.concat([rec(0x0809, 16), rec(0x00e1, 2), rec(0x000a, 0)]) }, 'legacy.xls');
  cfb({ Workbook: Buffer.concat([rec(0x0809, 16), rec(0x002f, 54), rec(0x000a, 0)]) }, 'locked.xls');
  cfb({ 'PowerPoint Document': Buffer.alloc(1024, 1) }, 'legacy.ppt');
  cfb({ 'PowerPoint Document': Buffer.alloc(1024, 1), EncryptedSummary: Buffer.alloc(64, 3) }, 'locked.ppt');
  cfb({ EncryptionInfo: Buffer.alloc(256, 1), EncryptedPackage: Buffer.alloc(4096, 2) }, 'locked.docx');
  cfb({ __substg1_0_0037001F: Buffer.from('s\0u\0b\0'), '__substg1.0_0037001F': Buffer.from('s\0u\0b\0') }, 'mail.msg');
  cfb({ Contents: Buffer.alloc(1024, 1) }, 'other.ole');
  // ZIP containers made with the zip tool.
  if (hasZip) {
    const mk = (sub: string, files: Record<string, string>) => {
      for (const [n, c] of Object.entries(files)) { mkdirSync(path.dirname(p(`${sub}/${n}`)), { recursive: true }); writeFileSync(p(`${sub}/${n}`), c); }
    };
    mk('docx', { '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document/>', '_rels/.rels': '<Relationships/>' });
    mk('xlsx', { '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>' });
    mk('pptx', { '[Content_Types].xml': '<Types/>', 'ppt/presentation.xml': '<p/>' });
    mk('odt', { mimetype: 'application/vnd.oasis.opendocument.text', 'content.xml': '<office:document-content/>', 'META-INF/manifest.xml': '<manifest:manifest/>' });
    mk('ods', { mimetype: 'application/vnd.oasis.opendocument.spreadsheet', 'content.xml': '<x/>' });
    mk('plain', { 'readme.txt': 'hello', 'sub/a.pdf': '%PDF-1.4' });
    for (const sub of ['docx', 'xlsx', 'pptx', 'plain']) execFileSync('zip', ['-q', '-r', '-X', `../${sub}.zip`, '.'], { cwd: p(sub) });
    for (const sub of ['odt', 'ods']) {
      execFileSync('zip', ['-q', '-0', '-X', `../${sub}.zip`, 'mimetype'], { cwd: p(sub) });
      execFileSync('zip', ['-q', '-r', '-X', `../${sub}.zip`, '.', '-x', 'mimetype'], { cwd: p(sub) });
    }
    const z = readFileSync(p('docx.zip'));
    writeFileSync(p('docx-truncated.zip'), z.subarray(0, z.length - 40));
  }
}, 120_000);

type Row = [string, { declared?: string; detected: string | null; verdict: string; pages?: number; more?: Partial<DetectedFacts> }];
const ROWS: Row[] = [
  ['one.pdf', { detected: 'pdf', verdict: 'accepted', pages: 1 }],
  ['three.pdf', { detected: 'pdf', verdict: 'accepted', pages: 3 }],
  ['objstm.pdf', { detected: 'pdf', verdict: 'accepted', pages: 3 }],
  ['many.pdf', { detected: 'pdf', verdict: 'too-many-pages', pages: 250 }],
  ['user-aes256.pdf', { detected: 'pdf', verdict: 'encrypted', more: { encrypted: true } }],
  ['user-rc4.pdf', { detected: 'pdf', verdict: 'encrypted', more: { encrypted: true } }],
  ['owner-only.pdf', { detected: 'pdf', verdict: 'accepted', pages: 3 }],
  ['truncated.pdf', { detected: 'pdf', verdict: 'damaged', more: { damaged: true } }],
  ['header-only.pdf', { detected: 'pdf', verdict: 'damaged', more: { damaged: true } }],
  ['junk-before-header.pdf', { detected: 'pdf', verdict: 'accepted', pages: 1 }],
  ['doc.ps', { detected: 'postscript', verdict: 'unsupported-type' }],
  ['fig.eps', { detected: 'postscript', verdict: 'unsupported-type' }],
  ['img.png', { detected: 'png', verdict: 'accepted', pages: 1, more: { width: 120, height: 80 } }],
  ['photo.jpg', { detected: 'jpeg', verdict: 'accepted', pages: 1, more: { width: 300, height: 200 } }],
  ['img.gif', { detected: 'gif', verdict: 'accepted', pages: 1 }],
  ['img.bmp', { detected: 'bmp', verdict: 'accepted', pages: 1, more: { width: 64, height: 48 } }],
  ['img.webp', { detected: 'webp', verdict: 'accepted', pages: 1 }],
  ['anim.gif', { detected: 'gif', verdict: 'accepted', pages: 1, more: { width: 40, height: 30 } }],
  ['fax3.tif', { detected: 'tiff', verdict: 'accepted', pages: 3, more: { width: 1728 } }],
  ['truncated.jpg', { detected: 'jpeg', verdict: 'damaged' }],
  ['truncated.png', { detected: 'png', verdict: 'damaged' }],
  ['photo.tif', { detected: 'tiff', verdict: 'accepted', pages: 1 }],
  ['photo.gif', { detected: 'gif', verdict: 'accepted', pages: 1 }],
  ['photo.webp', { detected: 'webp', verdict: 'accepted', pages: 1 }],
  ['photo.bmp', { detected: 'bmp', verdict: 'accepted', pages: 1 }],
  ['cut-photo.tif', { detected: 'tiff', verdict: 'damaged' }],
  ['cut-photo.gif', { detected: 'gif', verdict: 'damaged' }],
  ['cut-photo.webp', { detected: 'webp', verdict: 'damaged' }],
  ['cut-photo.bmp', { detected: 'bmp', verdict: 'damaged' }],
  ['lzma.tif', { detected: 'tiff', verdict: 'unsupported-type' }],
  ['bomb.png', { detected: 'png', verdict: 'too-many-pixels', more: { width: 8000, height: 6000 } }],
  ['true.bin', { detected: 'elf', verdict: 'unsupported-type' }],
  ['tool.exe', { detected: 'exe', verdict: 'unsupported-type' }],
  ['scripts.txt', { detected: 'text', verdict: 'accepted', more: { charset: 'utf-8' } }],
  ['ascii.txt', { detected: 'text', verdict: 'accepted', pages: 1 }],
  ['two-pages.txt', { detected: 'text', verdict: 'accepted', pages: 2 }],
  ['long.txt', { detected: 'text', verdict: 'too-many-pages', pages: 201 }],
  ['cp1251.txt', { declared: 'text/plain; charset=windows-1251', detected: 'text', verdict: 'accepted', more: { charset: 'windows-1251', mismatch: false } }],
  ['cp1251.txt', { detected: null, verdict: 'unknown-type' }],
  ['sjis.txt', { declared: 'text/plain; charset="Shift_JIS"', detected: 'text', verdict: 'accepted', more: { charset: 'shift_jis' } }],
  ['iso2022jp.txt', { declared: 'text/plain; charset=ISO-2022-JP', detected: 'text', verdict: 'accepted', more: { charset: 'iso-2022-jp' } }],
  ['utf16.txt', { detected: 'text', verdict: 'accepted', more: { charset: 'utf-16le' } }],
  ['blank.txt', { detected: 'text', verdict: 'empty', more: { blank: true } }],
  ['empty.txt', { declared: 'application/pdf', detected: null, verdict: 'empty' }],
  ['random.bin', { detected: null, verdict: 'unknown-type' }],
  ['page.html', { detected: 'html', verdict: 'unsupported-type' }],
  ['fragment.htm', { detected: 'html', verdict: 'unsupported-type' }],
  ['drawing.svg', { detected: 'svg', verdict: 'unsupported-type' }],
  ['data.xml', { detected: 'text', verdict: 'accepted' }],
  ['message.eml', { detected: 'email', verdict: 'unsupported-type' }],
  ['note.txt', { detected: 'text', verdict: 'accepted' }],
  ['memo.txt', { detected: 'text', verdict: 'accepted' }],
  ['forwarded.txt', { detected: 'email', verdict: 'unsupported-type' }],
  ['mbox.txt', { detected: 'email', verdict: 'unsupported-type' }],
  ['winmail.dat', { detected: 'tnef', verdict: 'unsupported-type' }],
  ['legacy.doc', { detected: 'doc', verdict: 'unsupported-type' }],
  ['legacy.xls', { detected: 'xls', verdict: 'unsupported-type' }],
  ['legacy.ppt', { detected: 'ppt', verdict: 'unsupported-type' }],
  ['locked.doc', { detected: 'doc', verdict: 'encrypted', more: { encrypted: true } }],
  ['locked.xls', { detected: 'xls', verdict: 'encrypted', more: { encrypted: true } }],
  ['locked.ppt', { detected: 'ppt', verdict: 'encrypted', more: { encrypted: true } }],
  ['locked.docx', { detected: 'office-encrypted', verdict: 'encrypted', more: { encrypted: true } }],
  ['mail.msg', { detected: 'msg', verdict: 'unsupported-type' }],
  ['other.ole', { detected: null, verdict: 'unknown-type', more: { mime: 'application/x-cfb' } }],
  ['img.png', { declared: 'image/jpeg', detected: 'png', verdict: 'accepted', more: { mismatch: true } }],
  ['img.png', { declared: 'image/png', detected: 'png', verdict: 'accepted', more: { mismatch: false } }],
  ['one.pdf', { declared: 'application/octet-stream', detected: 'pdf', verdict: 'accepted', more: { mismatch: false } }],
];
const ZIP_ROWS: Row[] = [
  ['docx.zip', { detected: 'docx', verdict: 'unsupported-type' }],
  ['xlsx.zip', { detected: 'xlsx', verdict: 'unsupported-type' }],
  ['pptx.zip', { detected: 'pptx', verdict: 'unsupported-type' }],
  ['odt.zip', { detected: 'odt', verdict: 'unsupported-type' }],
  ['ods.zip', { detected: 'ods', verdict: 'unsupported-type' }],
  ['plain.zip', { detected: 'zip', verdict: 'unsupported-type' }],
  ['docx-truncated.zip', { detected: 'docx', verdict: 'unsupported-type', more: { damaged: true } }],
];

describe('files made by real tools', () => {
  it.each(ROWS)('%s → %j', async (name, e) => {
    const { facts, verdict } = await check(name, e.declared);
    expect({ detected: facts.detected, verdict }).toEqual({ detected: e.detected, verdict: e.verdict });
    if (e.pages !== undefined) expect(facts.pages).toBe(e.pages);
    if (e.more) expect(facts).toMatchObject(e.more);
    if (e.declared) expect(facts.declaredType).toBe(e.declared);
  });
  it.runIf(hasZip).each(ZIP_ROWS)('%s → %j', async (name, e) => {
    const { facts, verdict } = await check(name, e.declared);
    expect({ detected: facts.detected, verdict }).toEqual({ detected: e.detected, verdict: e.verdict });
    if (e.more) expect(facts).toMatchObject(e.more);
  });
  it('never trusts the name: a PDF called .docx is a PDF', async () => {
    writeFileSync(p('report.docx'), readFileSync(p('one.pdf')));
    const { facts } = await check('report.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(facts).toMatchObject({ name: 'report.docx', detected: 'pdf', mismatch: true });
  });
  it('records inline images and never rejects them', async () => {
    const facts = await detector.detect({ name: 'logo.png', path: p('img.png'), inline: true });
    expect(facts.inline).toBe(true);
    const d = screen([facts], registry.list(), { policy: 'reject', hasBodyText: true, limits: { maxPages: 200, maxMegapixels: 40 } });
    expect(d).toMatchObject({ outcome: 'accept', files: [{ verdict: 'inline' }] });
  });
  it('the tool-less PDF fallback counts page objects and never trusts /Count', async () => {
    expect((await scanPdfPages(p('three.pdf'), readFileSync(p('three.pdf')).length)).pages).toBe(3);
    const bomb = path.join(CORPUS, 'pdf/pdf_page_count_213_million.pdf');
    expect(await scanPdfPages(bomb, readFileSync(bomb).length)).toEqual({ pages: 1, encrypt: false });
    expect((await scanPdfPages(p('user-rc4.pdf'), readFileSync(p('user-rc4.pdf')).length)).encrypt).toBe(true);
  });
  it('gs-made fixtures exist (guards against a silent tool failure)', () => {
    for (const f of ['one.pdf', 'user-aes256.pdf', 'bomb.png', 'fax3.tif']) expect(existsSync(p(f))).toBe(true);
  });
});
