// bench/fidelity: generated pages (fixtures/fidelity.ts) rendered by `faxgate render`, by Ghostscript alone (tiffg4,
// the HylaFAX way) and by ImageMagick -monochrome, at standard/fine/superfine; prints coded size, line seconds at
// 14.4 kbit/s and what a reader sees (blank paper, solid glyphs, grey fills) in one table. Run on demand:
// npm run bench:fidelity [-- --png DIR] (DIR gets a PNG crop of every fine rendering).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { makePage, measure, pageSpecs, truthMask, type FaxGeom, type Figures } from '../fixtures/fidelity.js';
import { parseTiff } from '../src/render/tiff.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cli = path.join(root, 'dist/src/cli.js');
const RES = { standard: 98, fine: 196, superfine: 391 } as const;
const ROWS = { standard: 1078, fine: 2156, superfine: 4301 } as const;
type Res = keyof typeof RES;
type Tool = 'faxgate' | 'gs tiffg4' | 'convert -monochrome';

function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Render `pdf` with one tool into `out` (TIFF, G4, one page at the fax geometry). */
function render(tool: Tool, pdf: string, res: Res, g: FaxGeom, out: string, dir: string): void {
  const fit = [`-r${g.xres}x${g.yres}`, `-g${g.width}x${g.height}`, '-dFIXEDMEDIA', '-dPDFFitPage'];
  if (tool === 'faxgate') sh('node', [cli, 'render', '--resolution', res, '-o', out, pdf]);
  else if (tool === 'gs tiffg4') sh('gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=tiffg4', ...fit, `-sOutputFile=${out}`, pdf]);
  else {
    // ImageMagick reads PDF through Ghostscript too: the same grey rendering, then its own -monochrome
    const pgm = path.join(dir, 'im.pgm');
    sh('gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=pgmraw', ...fit, `-sOutputFile=${pgm}`, pdf]);
    sh('/usr/bin/convert', [pgm, '-monochrome', '-compress', 'Group4', out]);
  }
}

async function decode(file: string): Promise<{ ink: Uint8Array; bytes: number }> {
  const buf = readFileSync(file);
  const [p] = parseTiff(buf, 2);
  const bytes = p.stripByteCounts.reduce((a, b) => a + b, 0);
  const { data, info } = await sharp(buf, { page: 0 }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  const ink = new Uint8Array(info.width * info.height);
  for (let i = 0; i < ink.length; i++) ink[i] = data[i * info.channels] < 128 ? 1 : 0;
  return { ink, bytes };
}

const pct = (x: number | undefined) => (x === undefined ? '–' : (100 * x).toFixed(1));
const span = (xs: number[]) => (xs.length ? `${pct(Math.min(...xs))}–${pct(Math.max(...xs))}` : '–');

async function main() {
  if (!existsSync(cli)) throw new Error(`build first (npm run build): ${cli} is missing`);
  const pngAt = process.argv.indexOf('--png');
  const pngDir = pngAt > 0 ? process.argv[pngAt + 1] : undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'faxgate-fidelity-'));
  const lines = [
    '| page | resolution | tool | G4 KB | line s at 14.4k | blank paper black % | glyph area solid % | light fills black % | dark fills black % |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  try {
    for (const spec of pageSpecs()) {
      const pdf = await makePage(spec, dir);
      for (const res of Object.keys(RES) as Res[]) {
        const g: FaxGeom = { width: 1728, height: ROWS[res], xres: 204, yres: RES[res] };
        const truth = truthMask(spec, g, dir);
        for (const tool of ['faxgate', 'gs tiffg4', 'convert -monochrome'] as Tool[]) {
          const out = path.join(dir, 'out.tif');
          render(tool, pdf, res, g, out, dir);
          const { ink, bytes } = await decode(out);
          const f: Figures = measure(spec, ink, g, truth);
          const light = f.fills.filter((x) => x.level < 50).map((x) => x.black);
          const dark = f.fills.filter((x) => x.level > 50).map((x) => x.black);
          // data time only: the call's set-up (about 17 s, the same for every page) is left out
          lines.push(`| ${spec.name} | ${res} | ${tool} | ${(bytes / 1024).toFixed(0)} | ${((bytes * 8) / 14400).toFixed(0)} | ${pct(f.paper)} | ${pct(f.solid)} | ${span(light)} | ${span(dark)} |`);
          if (pngDir && res === 'fine') {
            const name = `${spec.name.replaceAll(' ', '-')}-${tool.split(' ')[0]}.png`;
            await sharp(Buffer.from(ink.map((b) => (b ? 0 : 255))), { raw: { width: g.width, height: g.height, channels: 1 } })
              .extract({ left: 140, top: 120, width: 560, height: 360 }).png().toFile(path.join(pngDir, name));
          }
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/fidelity: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
