// PDF → fax pages: Ghostscript codes the pages itself — G4 as one raw T.6 file per page (its `faxg4` device, a
// quarter cheaper than `tiffg4`), G3 2-D as single-strip TIFF; long documents are split odd/even across two
// Ghostscript processes and the coded pages are copied, never re-coded, into document order. Pages with grey or
// colour are found by a probe and binarized per region instead (pdfgrey.ts).
// (Piping 1-bit PBM to our own coder was measured too: the pipe and the coding cost more CPU than Ghostscript's coder.)
import { copyFile, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { limitFailure, runLimited, spawnLimited } from './proc.js';
import { greyPages, recodeGreyPages, startProbe } from './pdfgrey.js';
import { pdfMayHaveTone } from './pdftone.js';
import { isCopyable, pageStrip, parseTiff, type FaxPage, type TiffPage } from './tiff.js';
import { RenderFailure, type Budget, type Geometry } from './types.js';

export interface PdfDeps {
  /** private scratch folder for this document (removed by the caller) */
  workDir: string;
  /** how many Ghostscript processes one document may use */
  parallel: number;
  /** page count from an earlier preflight */
  knownPages?: number;
}

const PASSWORD_RE = /requires a password|password.{0,20}(incorrect|invalid|required)|invalid password/i;

/** Find `%PDF-` near the start; users' files must be PDF (never PostScript) before Ghostscript sees them. */
async function pdfStart(file: string): Promise<number> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(1024);
    const { bytesRead } = await fh.read(head, 0, 1024, 0);
    return head.subarray(0, bytesRead).indexOf('%PDF-');
  } finally {
    await fh.close();
  }
}

/** Page count from qpdf (fast); undefined when it cannot tell (damaged files: Ghostscript gets to try). */
async function preflight(file: string, budget: Budget, deps: PdfDeps): Promise<number | undefined> {
  // qpdf is optional: when it is missing (spawn fails) Ghostscript renders unsplit and its output is judged alone
  const r = await runLimited('qpdf', ['--show-npages', '--', file], {
    memoryMb: budget.limits.memoryMb, deadline: Math.min(budget.deadline, Date.now() + 10_000), cwd: deps.workDir,
    env: { PATH: process.env.PATH, TMPDIR: deps.workDir },
  });
  if (PASSWORD_RE.test(r.stderr)) throw new RenderFailure('encrypted', 'the PDF needs a password to open');
  const n = Number.parseInt(r.stdout.trim(), 10);
  if ((r.code === 0 || r.code === 3) && Number.isInteger(n) && n > 0) return n;
  return undefined;
}

function gsArgs(geom: Geometry, pageList: string | undefined, lastPage: number | undefined, file: string, out: string): string[] {
  return [
    '-dSAFER', '-dBATCH', '-dNOPAUSE', '-dQUIET', '-dNOPROMPT',
    '-sstdout=%stderr',
    ...(geom.compression === 3 ? ['-sDEVICE=tiffg32d', '-dMaxStripSize=0'] : ['-sDEVICE=faxg4']), // one strip per page
    `-r${geom.xres}x${geom.yres}`, `-g${geom.width}x${geom.height}`,
    '-dFIXEDMEDIA', '-dPDFFitPage', // fit with aspect kept; landscape pages are turned to portrait
    ...(pageList ? [`-sPageList=${pageList}`] : []),
    ...(lastPage ? [`-dLastPage=${lastPage}`] : []),
    `-sOutputFile=${out}`,
    '-f', file,
  ];
}

/** Rasterize and code every page of a PDF in order. Throws RenderFailure. */
export async function renderPdf(input: string, geom: Geometry, budget: Budget, deps: PdfDeps): Promise<FaxPage[]> {
  const at = await pdfStart(input);
  if (at < 0) throw new RenderFailure('damaged', 'not a PDF file (no %PDF- header)');
  let file = path.resolve(input);
  if (at > 0) {
    // leading junk (mail gateways add some): hand Ghostscript a copy that starts at the PDF header
    const fh = await open(input, 'r');
    const tmp = path.join(deps.workDir, 'input.pdf');
    try {
      const out = await open(tmp, 'w');
      try {
        const st = await fh.stat();
        const b = Buffer.alloc(st.size - at);
        await fh.read(b, 0, b.length, at);
        await out.write(b);
      } finally {
        await out.close();
      }
    } finally {
      await fh.close();
    }
    file = tmp;
  } else if (/[^\w./-]/.test(file)) {
    // odd characters in the path: use a plain private name rather than quote anything for Ghostscript
    const tmp = path.join(deps.workDir, 'input.pdf');
    await copyFile(input, tmp);
    file = tmp;
  }

  const env = { PATH: process.env.PATH, TMPDIR: deps.workDir, TEMP: deps.workDir, HOME: deps.workDir };
  // G4: one file per page (%05d counts this process's pages); G3: one multi-page TIFF per process
  const outs = [0, 1].map((ci) => path.join(deps.workDir, geom.compression === 4 ? `c${ci}-%05d.g4` : `part-${ci}.tif`));
  const spawnGs = (ci: number, pageList: string | undefined, lastPage: number | undefined) =>
    spawnLimited('gs', gsArgs(geom, pageList, lastPage, file, outs[ci]), { memoryMb: budget.limits.memoryMb, deadline: budget.deadline, cwd: deps.workDir, env });
  // Page lists stop one page past the limit, so a document whose size we could not learn cannot render forever.
  const upTo = budget.limits.maxPages + 1;
  const nth = (first: number) => Array.from({ length: Math.ceil((upTo - first + 1) / 2) }, (_, i) => first + 2 * i).join(',');
  const procs: ReturnType<typeof spawnLimited>[] = [];
  let count = deps.knownPages && deps.knownPages > 0 ? deps.knownPages : undefined;
  if (deps.parallel < 2 || count === 1) {
    count ??= await preflight(file, budget, deps);
    if (count !== undefined && count > budget.limits.maxPages) {
      throw new RenderFailure('too-many-pages', `${count} pages, more than the limit of ${budget.limits.maxPages}`);
    }
    procs.push(spawnGs(0, undefined, count === undefined ? upTo : undefined));
  } else {
    // Odd pages start at once; the page count (qpdf, meanwhile) decides whether the even pages need a process —
    // except for files big enough to be long anyway, where waiting for the count would only delay the second core.
    procs.push(spawnGs(0, nth(1), undefined));
    if (count === undefined && (await stat(file)).size > 32 * 1024) procs.push(spawnGs(1, nth(2), undefined));
    if (count === undefined) {
      try {
        count = await preflight(file, budget, deps);
      } catch (e) {
        for (const p of procs) p.kill();
        await Promise.all(procs.map((p) => p.done));
        throw e;
      }
    }
    if (count !== undefined && count > budget.limits.maxPages) {
      for (const p of procs) p.kill();
      await Promise.all(procs.map((p) => p.done));
      throw new RenderFailure('too-many-pages', `${count} pages, more than the limit of ${budget.limits.maxPages}`);
    }
    if (procs.length === 1 && (count === undefined || count >= 2)) procs.push(spawnGs(1, nth(2), undefined));
  }
  // The grey probe runs beside the coders; pages it finds not pure black and white are rendered again below. A PDF
  // that can only draw black on white (most text faxes) skips it: the probe costs as much CPU as reading the PDF again.
  const probe = pdfMayHaveTone(await readFile(file)) ? startProbe(file, geom, count ?? upTo, budget, { workDir: deps.workDir, env }) : undefined;
  const chunks = procs.length;
  const results = await Promise.all([...procs, ...(probe ? [probe] : [])].map((p) => p.done));
  const pages: FaxPage[][] = [];
  for (const [ci, out] of outs.slice(0, chunks).entries()) {
    if (geom.compression === 4) {
      const names = (await readdir(deps.workDir)).filter((f) => f.startsWith(`c${ci}-`) && f.endsWith('.g4')).sort();
      // read in parallel: one at a time costs a thread-pool round trip per page (150 ms for 200 pages)
      const strips = await Promise.all(names.map((f) => readFile(path.join(deps.workDir, f))));
      pages.push(strips.filter((strip) => strip.length > 0)
        .map((strip) => ({ width: geom.width, height: geom.height, compression: 4 as const, xres: geom.xres, yres: geom.yres, strip })));
      continue;
    }
    const buf = await readFile(out).catch(() => undefined);
    if (!buf || buf.length === 0) {
      pages.push([]);
      continue;
    }
    let parsed: TiffPage[];
    try {
      parsed = parseTiff(buf, budget.limits.maxPages + 2);
    } catch {
      parsed = []; // an interrupted write: judged below like no output
    }
    pages.push(parsed.map((p) => {
      if (!isCopyable(p, geom.compression)) throw new RenderFailure('damaged', 'the renderer produced an unexpected page format');
      return { width: p.width, height: p.height, compression: geom.compression, t4Options: geom.compression === 3 ? p.t4Options : undefined, xres: geom.xres, yres: geom.yres, strip: pageStrip(buf, p) };
    }));
  }
  const stderr = results.map((r) => r.stderr).join('\n');
  const killed = limitFailure(results, budget, 'PDF renderer (Ghostscript)');
  if (killed) throw killed;
  // interleave odd/even back into document order
  const ordered: FaxPage[] = [];
  if (chunks === 2) {
    for (let i = 0; i < pages[0].length; i++) {
      ordered.push(pages[0][i]);
      if (i < pages[1].length) ordered.push(pages[1][i]);
    }
  } else ordered.push(...pages[0]);
  if (ordered.length === 0) {
    if (PASSWORD_RE.test(stderr)) throw new RenderFailure('encrypted', 'the PDF needs a password to open');
    if (/VMerror|out of memory|memory allocation/i.test(stderr)) {
      throw new RenderFailure('damaged', 'the PDF renderer (Ghostscript) ran out of memory on this file');
    }
    throw new RenderFailure('damaged', 'the PDF is damaged: no page could be rendered');
  }
  if (count !== undefined && ordered.length !== count) {
    throw new RenderFailure('damaged', `the PDF is damaged: only ${ordered.length} of its ${count} pages could be rendered`);
  }
  if (ordered.length > budget.limits.maxPages) {
    throw new RenderFailure('too-many-pages', `${ordered.length} pages, more than the limit of ${budget.limits.maxPages}`);
  }
  await recodeGreyPages(file, geom, await greyPages(deps.workDir), ordered, budget, { workDir: deps.workDir, env });
  return ordered;
}

export async function removeQuietly(p: string): Promise<void> {
  await rm(p, { recursive: true, force: true }).catch(() => {});
}
