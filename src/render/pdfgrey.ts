// PDF pages with grey or colour: a low-resolution Ghostscript probe finds the pages that are not pure black and
// white, and only those are rendered again in 8-bit grey and binarized per region (tone.ts) instead of taking
// Ghostscript's halftone (hollow scanned letters, dotted coloured text, a dot grid over off-white paper).
// Pure black-and-white pages — most faxes — keep Ghostscript's own fast coder.
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { encodeSync } from './encode.js';
import { limitFailure, spawnLimited } from './proc.js';
import type { FaxPage } from './tiff.js';
import { binarizeRegions } from './tone.js';
import { RenderFailure, type Budget, type Geometry } from './types.js';

/** The probe renders at an eighth of the fax resolution: 200 text pages cost about 0.35 s of one core. */
export const PROBE_SCALE = 8;

export interface GreyDeps {
  workDir: string;
  env: NodeJS.ProcessEnv;
}

const common = ['-dSAFER', '-dBATCH', '-dNOPAUSE', '-dQUIET', '-dNOPROMPT', '-sstdout=%stderr', '-dFIXEDMEDIA', '-dPDFFitPage'];

/** Start the probe over the first `upTo` pages; one small PGM per page in workDir. */
export function startProbe(file: string, geom: Geometry, upTo: number, budget: Budget, deps: GreyDeps) {
  const w = Math.ceil(geom.width / PROBE_SCALE);
  const h = Math.ceil(geom.height / PROBE_SCALE);
  const args = [
    ...common, '-sDEVICE=pgmraw', `-r${(geom.xres * w) / geom.width}x${(geom.yres * h) / geom.height}`, `-g${w}x${h}`,
    `-dLastPage=${upTo}`, `-sOutputFile=${path.join(deps.workDir, 'probe-%05d.pgm')}`, '-f', file,
  ];
  return spawnLimited('gs', args, { memoryMb: budget.limits.memoryMb, deadline: budget.deadline, cwd: deps.workDir, env: deps.env });
}

/** Parse a binary PGM (P5, maxval 255, comments allowed) into its size and pixels. */
export function parsePgm(buf: Buffer): { width: number; height: number; data: Uint8Array } {
  const fields: number[] = [];
  let i = 2;
  if (buf[0] !== 0x50 || buf[1] !== 0x35) throw new RenderFailure('damaged', 'the renderer produced an unexpected page format');
  while (fields.length < 3 && i < buf.length) {
    const c = buf[i];
    if (c === 0x23) { while (i < buf.length && buf[i] !== 0x0a) i++; continue; }
    if (c >= 0x30 && c <= 0x39) {
      let n = 0;
      while (i < buf.length && buf[i] >= 0x30 && buf[i] <= 0x39) n = n * 10 + buf[i++] - 0x30;
      fields.push(n);
      continue;
    }
    i++;
  }
  const [width, height, max] = fields;
  i++; // the single whitespace after maxval
  if (max !== 255 || buf.length - i < width * height) throw new RenderFailure('damaged', 'the renderer produced an unexpected page format');
  return { width, height, data: new Uint8Array(buf.buffer, buf.byteOffset + i, width * height) };
}

/** 0-based indices of probed pages holding any pixel that is neither black nor white. */
export async function greyPages(workDir: string): Promise<number[]> {
  const names = (await readdir(workDir)).filter((f) => f.startsWith('probe-') && f.endsWith('.pgm')).sort();
  const out: number[] = [];
  for (const [i, f] of names.entries()) {
    const p = path.join(workDir, f);
    const { data } = parsePgm(await readFile(p));
    for (let k = 0; k < data.length; k++) {
      if (data[k] !== 0 && data[k] !== 255) {
        out.push(i);
        break;
      }
    }
    await rm(p, { force: true });
  }
  return out;
}

/** Grey pages rendered per Ghostscript run: caps the scratch disk at 16 pages (60 MB at fine, 110 MB superfine). */
const BATCH = 16;

/**
 * Render the listed pages (0-based) in grey at the fax resolution and binarize each per region; the pages
 * replace Ghostscript's halftoned ones in `pages`. Throws RenderFailure when a run goes over the limits.
 */
export async function recodeGreyPages(file: string, geom: Geometry, which: number[], pages: FaxPage[], budget: Budget, deps: GreyDeps): Promise<void> {
  for (let b = 0; b < which.length; b += BATCH) {
    const batch = which.slice(b, b + BATCH);
    const args = [
      ...common, '-sDEVICE=pgmraw', '-dDOINTERPOLATE', `-r${geom.xres}x${geom.yres}`, `-g${geom.width}x${geom.height}`,
      `-sPageList=${batch.map((i) => i + 1).join(',')}`, `-sOutputFile=${path.join(deps.workDir, 'grey-%05d.pgm')}`, '-f', file,
    ];
    const r = await spawnLimited('gs', args, { memoryMb: budget.limits.memoryMb, deadline: budget.deadline, cwd: deps.workDir, env: deps.env }).done;
    const killed = limitFailure([r], budget, 'PDF renderer (Ghostscript)');
    if (killed) throw killed;
    const names = (await readdir(deps.workDir)).filter((f) => f.startsWith('grey-') && f.endsWith('.pgm')).sort();
    for (const [k, f] of names.entries()) {
      const p = path.join(deps.workDir, f);
      const idx = batch[k];
      const buf = await readFile(p);
      await rm(p, { force: true });
      if (idx === undefined || idx >= pages.length) continue;
      const g = parsePgm(buf);
      // a page Ghostscript could not draw in grey keeps its halftoned rendering
      if (g.width !== geom.width || g.height !== geom.height) continue;
      const packed = binarizeRegions(g.data, g.width, g.height, geom, 0, 0, geom.xres / geom.yres);
      pages[idx] = encodeSync(packed, geom.width, geom.height, geom);
    }
  }
}
