// PDF → fax pages: Ghostscript rasterizes to 1-bit PBM on a pipe (its own G4 coder is its slowest part), we code
// G4/G3 ourselves; long documents are split odd/even across two Ghostscript processes.
import { copyFile, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PageEncoder } from './encode.js';
import { runLimited, spawnLimited } from './proc.js';
import type { FaxPage } from './tiff.js';
import { RenderFailure, overBudget, type Budget, type Geometry } from './types.js';

export interface PdfDeps {
  encoder: PageEncoder;
  /** private scratch folder for this document (removed by the caller) */
  workDir: string;
  /** how many Ghostscript processes one document may use */
  parallel: number;
  /** is qpdf available for the fast preflight */
  qpdf: boolean;
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
  if (!deps.qpdf) return undefined;
  const r = await runLimited('qpdf', ['--show-npages', '--', file], {
    memoryMb: budget.limits.memoryMb, deadline: Math.min(budget.deadline, Date.now() + 10_000), cwd: deps.workDir,
    env: { PATH: process.env.PATH, TMPDIR: deps.workDir },
  });
  if (PASSWORD_RE.test(r.stderr)) throw new RenderFailure('encrypted', 'the PDF needs a password to open');
  const n = Number.parseInt(r.stdout.trim(), 10);
  if ((r.code === 0 || r.code === 3) && Number.isInteger(n) && n > 0) return n;
  return undefined;
}

/** Streaming parser for concatenated raw PBM (P4) pages. */
class PbmStream {
  private buf: Buffer = Buffer.alloc(0);
  private page?: { width: number; height: number; data: Uint8Array; filled: number };
  constructor(
    private readonly onPage: (data: Uint8Array, width: number, height: number) => void,
    private readonly alloc: (size: number) => Uint8Array,
  ) {}
  push(chunk: Buffer): void {
    let c = chunk;
    while (c.length > 0) {
      if (this.page) {
        const need = this.page.data.length - this.page.filled;
        const take = Math.min(need, c.length);
        this.page.data.set(c.subarray(0, take), this.page.filled);
        this.page.filled += take;
        c = c.subarray(take);
        if (this.page.filled === this.page.data.length) {
          const p = this.page;
          this.page = undefined;
          this.onPage(p.data, p.width, p.height);
        }
        continue;
      }
      this.buf = this.buf.length ? Buffer.concat([this.buf, c]) : c;
      const m = /^P4\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s/.exec(this.buf.toString('latin1', 0, Math.min(this.buf.length, 200)));
      if (!m) {
        if (this.buf.length > 200) throw new Error('unexpected output from Ghostscript');
        return; // wait for the rest of the header

      }
      const width = Number(m[1]);
      const height = Number(m[2]);
      const size = ((width + 7) >> 3) * height;
      this.page = { width, height, data: this.alloc(size), filled: 0 };
      c = this.buf.subarray(m[0].length);
      this.buf = Buffer.alloc(0);
    }
  }
}

function gsArgs(geom: Geometry, pageList: string | undefined, file: string): string[] {
  return [
    '-dSAFER', '-dBATCH', '-dNOPAUSE', '-dQUIET', '-dNOPROMPT',
    '-sstdout=%stderr', // PostScript-level prints must never corrupt the page stream on stdout
    '-sDEVICE=pbmraw',
    `-r${geom.xres}x${geom.yres}`, `-g${geom.width}x${geom.height}`,
    '-dFIXEDMEDIA', '-dPDFFitPage', // fit with aspect kept; landscape pages are turned to portrait
    ...(pageList ? [`-sPageList=${pageList}`] : []),
    '-sOutputFile=-',
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

  const count = deps.knownPages && deps.knownPages > 0 ? deps.knownPages : await preflight(file, budget, deps);
  if (count !== undefined && count > budget.limits.maxPages) {
    throw new RenderFailure('too-many-pages', `${count} pages, more than the limit of ${budget.limits.maxPages}`);
  }
  const chunks = count !== undefined && count >= 4 && deps.parallel >= 2 ? 2 : 1;
  const lists = chunks === 2 ? ['odd', 'even'] : [undefined];
  const perChunk: Promise<FaxPage>[][] = lists.map(() => []);
  const env = { PATH: process.env.PATH, TMPDIR: deps.workDir, TEMP: deps.workDir, HOME: deps.workDir };
  let tooMany = false;
  const procs = lists.map((pl, ci) => {
    const p = spawnLimited('gs', gsArgs(geom, pl, file), { memoryMb: budget.limits.memoryMb, deadline: budget.deadline, cwd: deps.workDir, env });
    let pending = 0;
    const parser = new PbmStream((data, width, height) => {
      if (perChunk.reduce((n, c) => n + c.length, 0) >= budget.limits.maxPages) {
        tooMany = true;
        for (const q of procs) q.kill();
        return;
      }
      pending++;
      if (pending > 4) p.child.stdout.pause(); // backpressure: do not buffer a whole document in memory
      const enc = deps.encoder.encode(data, width, height, geom).finally(() => {
        pending--;
        if (pending <= 2) p.child.stdout.resume();
      });
      enc.catch(() => {}); // awaited below; avoid an unhandled rejection meanwhile
      perChunk[ci].push(enc);
    }, (size) => deps.encoder.take(size));
    let parseError: Error | undefined;
    p.child.stdout.on('data', (d: Buffer) => {
      if (parseError) return;
      try {
        parser.push(d);
      } catch (e) {
        parseError = e as Error;
        p.kill();
      }
    });
    return p;
  });
  const results = await Promise.all(procs.map((p) => p.done));
  const pages: FaxPage[][] = [];
  for (const c of perChunk) pages.push(await Promise.all(c));
  const stderr = results.map((r) => r.stderr).join('\n');
  if (results.some((r) => r.timedOut)) throw overBudget(budget);
  if (tooMany) throw new RenderFailure('too-many-pages', `more than the limit of ${budget.limits.maxPages} pages`);
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
    if (results.some((r) => r.signal === 'SIGKILL' || r.signal === 'SIGSEGV' || r.signal === 'SIGABRT') || /VMerror|out of memory|memory allocation/i.test(stderr)) {
      throw new RenderFailure('damaged', `needs more than the ${budget.limits.memoryMb} MB render memory limit or crashed the renderer`);
    }
    throw new RenderFailure('damaged', 'the PDF is damaged: no page could be rendered');
  }
  if (count !== undefined && ordered.length !== count) {
    throw new RenderFailure('damaged', `the PDF is damaged: only ${ordered.length} of its ${count} pages could be rendered`);
  }
  if (ordered.length > budget.limits.maxPages) {
    throw new RenderFailure('too-many-pages', `${ordered.length} pages, more than the limit of ${budget.limits.maxPages}`);
  }
  return ordered;
}

export async function removeQuietly(p: string): Promise<void> {
  await rm(p, { recursive: true, force: true }).catch(() => {});
}
