// bench/tool-memory: the peak resident size of every external tool (Ghostscript, qpdf, LibreOffice) on every PDF and
// office fixture, rendered with `faxgate render` at superfine (the most memory), so the render memory limit can be
// set where no valid file is refused. Run on demand: npm run bench:tool-memory. Prints a table and the worst case.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cli = path.join(root, 'dist/src/cli.js');
const fixtures = path.join(root, 'fixtures');
const TOOLS: Record<string, string> = { gs: '/usr/bin/gs', qpdf: '/usr/bin/qpdf', soffice: '/usr/bin/soffice' };
const limitMb = Number(process.env.FAXGATE_RENDER_MEMORY_MB ?? 512);

const work = mkdtempSync(path.join(tmpdir(), 'faxgate-toolmem-'));
const shims = path.join(work, 'bin');
const log = path.join(work, 'tools.log');
spawnSync('mkdir', ['-p', shims]);
// GNU time reports the largest resident size of the tool or of any process it waited for (soffice.bin under the
// soffice wrapper), which is what the render memory ceiling has to leave room for.
for (const [name, real] of Object.entries(TOOLS)) {
  const shim = path.join(shims, name);
  writeFileSync(shim, `#!/bin/sh\nexec /usr/bin/time -a -o '${log}' -f '${name} %M' '${real}' "$@"\n`);
  chmodSync(shim, 0o755);
}

interface Row { file: string; outcome: string; peaks: Record<string, number> }
const rows: Row[] = [];
for (const folder of ['pdf', 'office']) {
  for (const f of readdirSync(path.join(fixtures, folder)).sort()) {
    writeFileSync(log, '');
    const out = path.join(work, 'out.tif');
    const r = spawnSync(process.execPath, [cli, 'render', '--resolution', 'superfine', '-o', out, path.join(fixtures, folder, f)], {
      encoding: 'utf8', timeout: 180_000,
      env: { ...process.env, PATH: `${shims}:${process.env.PATH}`, FAXGATE_DATA_DIR: path.join(work, 'var'), FAXGATE_RENDER_MEMORY_MB: String(limitMb) },
    });
    const peaks: Record<string, number> = {};
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      const m = /^(\w+) (\d+)$/.exec(line.trim());
      if (m) peaks[m[1]] = Math.max(peaks[m[1]] ?? 0, Math.round(Number(m[2]) / 1024));
    }
    const outcome = r.status === 0 ? 'faxed' : (/: ([a-z-]+): (.*)$/m.exec(r.stderr)?.slice(1).join(': ') ?? `exit ${r.status}`);
    rows.push({ file: `${folder}/${f}`, outcome: outcome.slice(0, 70), peaks });
  }
}
rmSync(work, { recursive: true, force: true });

const fmt = (n: number | undefined) => (n === undefined ? '-' : String(n)).padStart(8);
process.stdout.write(`render memory limit: ${limitMb} MB (per tool process tree); peak resident MB per tool\n\n`);
process.stdout.write(`${'file'.padEnd(48)}${'gs'.padStart(8)}${'qpdf'.padStart(8)}${'soffice'.padStart(8)}  outcome\n`);
for (const r of rows) {
  process.stdout.write(`${r.file.padEnd(48)}${fmt(r.peaks.gs)}${fmt(r.peaks.qpdf)}${fmt(r.peaks.soffice)}  ${r.outcome}\n`);
}
for (const tool of Object.keys(TOOLS)) {
  const worst = rows.filter((r) => r.peaks[tool] !== undefined).sort((a, b) => b.peaks[tool] - a.peaks[tool])[0];
  if (worst) process.stdout.write(`\nworst ${tool}: ${worst.peaks[tool]} MB on ${worst.file} (${Math.round((100 * worst.peaks[tool]) / limitMb)} % of the limit)`);
}
const memoryRefusals = rows.filter((r) => /memory/.test(r.outcome));
process.stdout.write(`\nrefused for memory: ${memoryRefusals.length} of ${rows.length}${memoryRefusals.map((r) => `\n  ${r.file}: ${r.outcome}`).join('')}\n`);
