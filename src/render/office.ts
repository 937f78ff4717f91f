// Office documents → PDF with headless LibreOffice (private profile, memory ceiling, wall-clock kill); the PDF
// then takes the ordinary PDF path so fitting, rotation and page limits are the same as for a PDF attachment.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { readHead } from '../formats/bytes.js';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { limitFailure, spawnLimited } from './proc.js';
import { RenderFailure, type Budget, type OfficeConverter } from './types.js';

/** Registry ids converted here, with the extension LibreOffice uses to pick its import filter. */
export const OFFICE_EXT: Readonly<Record<string, string>> = {
  docx: 'docx', xlsx: 'xlsx', pptx: 'pptx', odt: 'odt', ods: 'ods', odp: 'odp', rtf: 'rtf', doc: 'doc', xls: 'xls', ppt: 'ppt',
  wpd: 'wpd', // off by default in the registry; converts when an admin switches it on (vsd would need LibreOffice Draw)
};

const ZIP_IDS = new Set(['docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp']);
const OLE_IDS = new Set(['doc', 'xls', 'ppt']);
/** OLE files are read whole by the cfb parser; past this size the check is left to LibreOffice (and its limits). */
const MAX_OLE_CHECK_BYTES = 64 * 1024 * 1024;


/**
 * Refuse before LibreOffice starts what it would mishandle: a password-protected file (it only reports "could not
 * be loaded"), a broken container, or bytes that are not the detected format at all (it would import those as
 * plain text and fax garbage).
 */
async function precheck(file: string, detected: string, size: number): Promise<void> {
  const h = await readHead(file, 8);
  // loaded here, not at start-up: the container readers (and cfb) are needed only when an office file arrives
  const { inspectCfb, inspectZip } = await import('../formats/containers.js');
  const notIt = () => new RenderFailure('damaged', `the file is not a readable ${detected} document`);
  const ole = h.length >= 8 && h.readUInt32BE(0) === 0xd0cf11e0 && h.readUInt32BE(4) === 0xa1b11ae1;
  if (ole) {
    // doc/xls/ppt, or a password-protected docx/xlsx/pptx (Office wraps those in an OLE file)
    if (size > MAX_OLE_CHECK_BYTES && OLE_IDS.has(detected)) return;
    const facts = size > MAX_OLE_CHECK_BYTES ? undefined : inspectCfb(await readFile(file));
    if (facts?.encrypted) throw new RenderFailure('encrypted', 'the document needs a password to open');
    if (facts?.damaged) throw new RenderFailure('damaged', `the document is damaged: ${facts.note ?? 'its OLE container is broken'}`);
    if (!OLE_IDS.has(detected) || facts?.id !== detected) throw notIt();
  } else if (ZIP_IDS.has(detected)) {
    if (h.length < 4 || h.readUInt32LE(0) !== 0x04034b50) throw notIt();
    const facts = await inspectZip(file, size);
    if (facts.encrypted) throw new RenderFailure('encrypted', 'the document needs a password to open');
    if (facts.damaged) throw new RenderFailure('damaged', `the document is damaged: ${facts.note ?? 'its ZIP container is broken'}`);
    if (facts.id !== detected) throw notIt();
  } else if (OLE_IDS.has(detected)) {
    throw notIt();
  } else if (detected === 'rtf') {
    if (!h.toString('latin1').startsWith('{\\rtf')) throw notIt();
  } else if (detected === 'wpd') {
    if (!h.toString('latin1').startsWith('\xffWPC')) throw notIt();
  }
}

/**
 * LibreOffice's single-instance socket, which it always makes in /tmp (no setting moves it) and removes only on a
 * clean exit: named by the MD5 of the profile URL as UTF-16, each byte in unpadded hex. Ours is unique to this
 * conversion's profile, so removing it after a killed conversion touches nothing else.
 */
export function ipcSocket(profileUrl: string): string {
  const hash = [...createHash('md5').update(Buffer.from(profileUrl, 'utf16le')).digest()].map((b) => b.toString(16)).join('');
  return `/tmp/OSL_PIPE_${process.getuid?.() ?? 0}_SingleOfficeIPC_${hash}`;
}

/**
 * Convert `input` (of registry id `detected`) to a PDF inside `workDir` (private to this conversion, removed by the
 * caller) and return the PDF's path, with `converter` (the warm pool, or a cold `soffice` command). Throws RenderFailure.
 */
export async function convertOffice(input: string, detected: string, budget: Budget, workDir: string, converter: OfficeConverter | string = 'soffice'): Promise<string> {
  const ext = OFFICE_EXT[detected];
  if (!ext) throw new RenderFailure('unsupported-type', `files of type ${detected} cannot be converted`);
  const st = await stat(input);
  await precheck(input, detected, st.size);

  // a fixed, plain name: LibreOffice picks its import filter by the extension, and no user text reaches its argv
  const src = path.join(workDir, `input.${ext}`);
  const outDir = path.join(workDir, 'out');
  await Promise.all([copyFile(input, src), mkdir(outDir)]);
  const conv = typeof converter === 'string' ? coldConverter(converter) : converter;
  return conv.convert(src, outDir, budget);
}

/**
 * One fresh LibreOffice per document (`soffice --convert-to`): the fallback when no warm pool runs (no python3-uno,
 * FAXGATE_OFFICE_POOL_SIZE=0, the one-shot CLI). Its private folders live in the conversion's own work folder.
 */
export function coldConverter(command = 'soffice'): OfficeConverter {
  return {
    async convert(src, outDir, budget) {
      const workDir = path.dirname(src);
      const home = path.join(workDir, 'home');
      await mkdir(home);
      // A profile per conversion: concurrent conversions never share (or lock) one, and nothing persists between
      // users' documents. Headless conversion runs no macros; no macro-security setting is overridden here.
      const profile = pathToFileURL(path.join(workDir, 'profile')).href;
      const env = { PATH: process.env.PATH, HOME: home, TMPDIR: workDir, TEMP: workDir, LANG: 'C.UTF-8', SAL_USE_VCLPLUGIN: 'svp' };
      const proc = spawnLimited(command, [
        `-env:UserInstallation=${profile}`,
        '--headless', '--invisible', '--norestore', '--nolockcheck', '--nodefault', '--nologo',
        '--convert-to', 'pdf', '--outdir', outDir, src,
      ], { memoryMb: budget.limits.memoryMb, deadline: budget.deadline, cwd: workDir, env });
      const r = await proc.done;
      await rm(ipcSocket(profile), { force: true }).catch(() => {});
      const killed = limitFailure([r], budget, 'office converter');
      if (killed) throw killed;
      const pdf = path.join(outDir, path.basename(src, path.extname(src)) + '.pdf');
      const made = await stat(pdf).catch(() => undefined);
      if (!made || made.size === 0) {
        if (r.code === 127 || r.code === -1) throw new RenderFailure('unsupported-type', 'the office converter (LibreOffice) is not installed on this server');
        if (/bad_alloc|out of memory/i.test(r.stderr)) throw new RenderFailure('damaged', `the office converter ran out of memory on this file`);
        throw new RenderFailure('damaged', 'the document is damaged: the office converter could not open it');
      }
      return pdf;
    },
    close: async () => {},
  };
}
