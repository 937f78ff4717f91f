// bench/render: `faxgate render` (whole process) against Ghostscript alone and ImageMagick on the same inputs,
// same run; prints pages/s, peak RSS of the process tree and ratios. Run on demand: npm run bench:render.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cli = path.join(root, 'dist/src/cli.js');
const corpus = path.join(root, 'fixtures');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** Sum of VmRSS over a process and all its descendants, in KB. */
function treeRss(pid: number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const m = /VmRSS:\s+(\d+)/.exec(status);
      if (m) total += Number(m[1]);
      for (const t of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim();
        if (kids) for (const k of kids.split(/\s+/)) visit(Number(k));
      }
    } catch {
      // process ended between reads
    }
  };
  visit(pid);
  return total;
}

let seq = 0;
/** Wall time, CPU time (user+sys of the whole tree, from GNU time) and peak tree RSS of one command. */
function measure(cmd: string, args: string[]): Promise<{ seconds: number; cpu: number; peakMb: number; ok: boolean }> {
  const cpuFile = path.join(tmpdir(), `faxgate-bench-cpu-${process.pid}-${++seq}`);
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let peak = 0;
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setInterval(() => { if (child.pid) peak = Math.max(peak, treeRss(child.pid)); }, 5);
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) process.stderr.write(`${cmd} failed (${code}): ${err.slice(0, 300)}\n`);
      let cpu = NaN;
      try {
        const [u, sy] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
        cpu = u + sy;
        rmSync(cpuFile, { force: true });
      } catch {
        // no GNU time output
      }
      resolve({ seconds, cpu, peakMb: peak / 1024, ok: code === 0 });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function postscript(pages: number): string {
  return `%!PS
/Courier findfont 10 scalefont setfont
1 1 ${pages} {
  /pg exch def
  1 1 60 {
    /ln exch def
    72 760 ln 12 mul sub moveto
    (Page ) show pg 10 string cvs show ( line ) show ln 10 string cvs show
    (: The quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJ.) show
  } for
  showpage
} for
`;
}

async function makePdf(dir: string, pages: number): Promise<string> {
  const ps = path.join(dir, `text${pages}.ps`);
  const pdf = path.join(dir, `text${pages}.pdf`);
  writeFileSync(ps, postscript(pages));
  await measure('gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=pdfwrite', `-sOutputFile=${pdf}`, ps]);
  return pdf;
}

interface Row { input: string; tool: string; pages: number; seconds: number; cpu: number; pagesPerS: number; peakMb: number; ratio: string }

interface OfficeRow { input: string; tool: string; runs: number; median: number; min: number; max: number; peakMb: number }
let officeRows: OfficeRow[] = [];
const OFFICE_RUNS = Number(process.env.BENCH_OFFICE_RUNS ?? 10);

/**
 * Office documents: a cold LibreOffice per document (`soffice --convert-to`, as before issue 19) against the warm pool
 * (src/render/office-pool.ts, one instance), same run, same one-page .docx, alternating; the pool's first document
 * (its start) is left out of the warm median and shown as its own row. Peak RSS: the pool's whole trees.
 */
async function officeBench(dir: string): Promise<OfficeRow[]> {
  const { convertOffice } = (await import(path.join(root, 'dist/src/render/office.js'))) as typeof import('../src/render/office.js');
  const { createOfficePool } = (await import(path.join(root, 'dist/src/render/office-pool.js'))) as typeof import('../src/render/office-pool.js');
  const { silentLogger } = (await import(path.join(root, 'dist/src/logger.js'))) as typeof import('../src/logger.js');
  // a one-page .docx made here by LibreOffice from a short RTF letter
  const rtf = path.join(dir, 'letter.rtf');
  writeFileSync(rtf, '{\\rtf1\\ansi{\\fonttbl{\\f0 DejaVu Sans;}}\\f0\\fs28 Dear customer,\\par Please find the signed order attached.\\par ' + 'The quick brown fox jumps over the lazy dog. '.repeat(40) + '\\par Regards\\par}');
  await measure('soffice', [`-env:UserInstallation=file://${dir}/mkprofile`, '--headless', '--convert-to', 'docx', '--outdir', dir, rtf]);
  const docx = path.join(dir, 'letter.docx');
  const limits = { maxPages: 200, maxMegapixels: 40, timeoutMs: 120_000, memoryMb: 1024 };
  const budget = () => ({ limits, deadline: Date.now() + limits.timeoutMs });
  const pool = createOfficePool({ size: 1, recycleAfter: 1000, tmpDir: dir, logger: silentLogger });
  let peakKb = 0;
  const sampler = setInterval(() => { peakKb = Math.max(peakKb, pool.residentKb()); }, 20);
  const once = async (conv: 'cold' | typeof pool) => {
    const work = mkdtempSync(path.join(dir, 'office-'));
    const t0 = process.hrtime.bigint();
    await convertOffice(docx, 'docx', budget(), work, conv === 'cold' ? 'soffice' : conv);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rmSync(work, { recursive: true, force: true });
    return s;
  };
  const cold: number[] = [];
  const coldPeak: number[] = [];
  const warm: number[] = [];
  try {
    const first = await once(pool);
    for (let i = 0; i < OFFICE_RUNS; i++) {
      // the cold run's memory: its own tree, sampled by running it as a child process (the CLI's office step alone)
      const t = await measure('node', ['--input-type=module', '-e',
        `import(${JSON.stringify(path.join(root, 'dist/src/render/office.js'))}).then(async (m) => { const fs = await import('node:fs'); const w = fs.mkdtempSync(${JSON.stringify(path.join(dir, 'cold-'))}); await m.convertOffice(${JSON.stringify(docx)}, 'docx', { limits: ${JSON.stringify(limits)}, deadline: Date.now() + 120000 }, w, 'soffice'); fs.rmSync(w, { recursive: true, force: true }); })`]);
      cold.push(t.seconds);
      coldPeak.push(t.peakMb);
      warm.push(await once(pool));
    }
    const stat = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
    return [
      { input: 'letter.docx (1 page)', tool: 'cold: soffice --convert-to per document', runs: cold.length, ...stat(cold), peakMb: Math.max(...coldPeak) },
      { input: 'letter.docx (1 page)', tool: 'warm pool: first document (instance start)', runs: 1, median: first, min: first, max: first, peakMb: peakKb / 1024 },
      { input: 'letter.docx (1 page)', tool: 'warm pool (1 instance, python3-uno)', runs: warm.length, ...stat(warm), peakMb: peakKb / 1024 },
    ];
  } finally {
    clearInterval(sampler);
    await pool.close();
  }
}

const loadBefore = loadavg().map((x) => x.toFixed(2)).join(' ');

async function main() {
  if (!existsSync(cli)) throw new Error(`build first (npm run build): ${cli} is missing`);
  const dir = mkdtempSync(path.join(tmpdir(), 'faxgate-bench-'));
  const rows: Row[] = [];
  try {
    const cases: { name: string; file: string; pages: number; baseline: 'gs' | 'convert' }[] = [
      { name: '200-page text PDF', file: await makePdf(dir, 200), pages: 200, baseline: 'gs' },
      { name: '1-page text PDF', file: await makePdf(dir, 1), pages: 1, baseline: 'gs' },
    ];
    for (const photo of ['images/gif_crash_test_photo.gif', 'images/jpeg_progressive.jpg', 'images/jpeg_cmyk_no_icc.jpg']) {
      const p = path.join(corpus, photo);
      if (existsSync(p)) cases.push({ name: `photo ${path.basename(p)}`, file: p, pages: 1, baseline: 'convert' });
    }
    for (const c of cases) {
      const out = path.join(dir, 'out.tif');
      const base = c.baseline === 'gs'
        ? ['gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=tiffg4', '-r204x196', `-sOutputFile=${out}`, c.file]] as const
        : ['convert', [c.file, '-monochrome', '-compress', 'Group4', out]] as const;
      const ours = ['node', [cli, 'render', '-o', out, c.file]] as const;
      const b: { seconds: number; cpu: number; peakMb: number }[] = [];
      const o: { seconds: number; cpu: number; peakMb: number }[] = [];
      // alternate so both see the same machine load
      for (let i = 0; i < RUNS; i++) {
        b.push(await measure(base[0], [...base[1]]));
        o.push(await measure(ours[0], [...ours[1]]));
      }
      const bs = median(b.map((x) => x.seconds));
      const os = median(o.map((x) => x.seconds));
      const label = c.baseline === 'gs' ? 'gs -sDEVICE=tiffg4 -r204x196' : 'convert -monochrome -compress Group4';
      rows.push({ input: c.name, tool: label, pages: c.pages, seconds: bs, cpu: median(b.map((x) => x.cpu)), pagesPerS: c.pages / bs, peakMb: Math.max(...b.map((x) => x.peakMb)), ratio: '1.00×' });
      rows.push({
        input: c.name, tool: 'faxgate render', pages: c.pages, seconds: os, cpu: median(o.map((x) => x.cpu)), pagesPerS: c.pages / os,
        peakMb: Math.max(...o.map((x) => x.peakMb)),
        ratio: `${(bs / os).toFixed(2)}× (${os - bs >= 0 ? '+' : ''}${(os - bs).toFixed(2)} s)`,
      });
    }
    officeRows = await officeBench(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const header = `| input | tool | pages | wall s (median of ${RUNS}) | CPU s (user+sys) | pages/s | peak RSS MB (process tree) | speed vs baseline |`;
  const lines = [header, '|---|---|---:|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    lines.push(`| ${r.input} | ${r.tool} | ${r.pages} | ${r.seconds.toFixed(2)} | ${r.cpu.toFixed(2)} | ${r.pagesPerS.toFixed(1)} | ${r.peakMb.toFixed(0)} | ${r.ratio} |`);
  }
  lines.push('', `| one-page .docx → PDF | converter | runs | wall s median | min | max | peak RSS MB (all its processes) |`, '|---|---|---:|---:|---:|---:|---:|');
  for (const r of officeRows) lines.push(`| ${r.input} | ${r.tool} | ${r.runs} | ${r.median.toFixed(2)} | ${r.min.toFixed(2)} | ${r.max.toFixed(2)} | ${r.peakMb.toFixed(0)} |`);
  lines.push('', `machine: ${availableParallelism()} cores, load average before/after ${loadBefore} / ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/render: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
