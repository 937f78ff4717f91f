// The architecture rule (.dependency-cruiser.cjs, issue 13) holds on src/, places every file, and does fail when broken.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/tmp.js';

const ROOT = path.resolve(__dirname, '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const { LAYERS } = createRequire(import.meta.url)(CONFIG) as {
  LAYERS: { name: string; paths: string[]; pathNot?: string[] }[];
};

interface Violation { rule: { name: string }; from: string; to: string }

/** depcruise exactly as `npm run lint` runs it, from `cwd`, as JSON. */
async function cruise(cwd: string): Promise<Violation[]> {
  const run = await promisify(execFile)(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'json'], {
    cwd, maxBuffer: 64 * 1024 * 1024,
  }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(path.join(ROOT, p)).isDirectory() ? files(p) : [p];
  });
}

const inLayer = (file: string, l: (typeof LAYERS)[number]) =>
  l.paths.some((p) => new RegExp(p).test(file)) && !(l.pathNot ?? []).some((p) => new RegExp(p).test(file));

/** A tree breaking each rule once, beside imports the rules allow. Paths are as under the repository's src/. */
const TREE: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src/**/*.ts'] }),
  // a module cycle inside one folder
  'src/domain/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
  'src/domain/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
  // a folder cycle with no module cycle: attachments/x → render/y, render/z → attachments/w
  'src/attachments/x.ts': "import { y } from '../render/y.js';\nexport const x = y;\n",
  'src/attachments/w.ts': 'export const w = 1;\n',
  'src/render/y.ts': 'export const y = 1;\n',
  'src/render/z.ts': "import { w } from '../attachments/w.js';\nexport const z = w;\n",
  // an upward import, and an upward import of a type only (types count)
  'src/domain/up.ts': "import { job } from '../jobs/job.js';\nexport const up = job;\n",
  'src/render/typed.ts': "import type { Job } from '../jobs/job.js';\nexport const typed = (j: Job) => j;\n",
  'src/jobs/job.ts': "import { b } from '../domain/b.js';\nexport type Job = { id: string };\nexport const job = b;\n",
  // the product importing a test helper
  'src/domain/testing.ts': "import { helper } from '../../test/helpers/h.js';\nexport const t = helper;\n",
  'test/helpers/h.ts': 'export const helper = 1;\n',
  // a folder's internals behind its index
  'src/metrics/index.ts': "export { inner } from './inner.js';\n",
  'src/metrics/inner.ts': 'export const inner = 1;\n',
  'src/jobs/count.ts': "import { inner } from '../metrics/inner.js';\nimport { inner as viaIndex } from '../metrics/index.js';\nexport const c = inner + viaIndex;\n",
  // lines/config.ts is placed in the shared layer: config.ts may read it, it may not import lines/
  'src/config.ts': "import { parseLines } from './lines/config.js';\nexport const config = parseLines;\n",
  'src/lines/config.ts': "import { registry } from './registry.js';\nexport const parseLines = () => registry;\n",
  'src/lines/registry.ts': 'export const registry = 1;\n',
};

describe('the architecture rule', () => {
  it('passes on src/', async () => {
    expect(await cruise(ROOT)).toEqual([]);
  });

  it('places every file of src/ in exactly one layer', () => {
    const placed = files('src').filter((f) => f.endsWith('.ts'))
      .map((f) => ({ f, layers: LAYERS.filter((l) => inLayer(f, l)).map((l) => l.name) }))
      .filter(({ layers }) => layers.length !== 1);
    expect(placed).toEqual([]);
  });

  it('reports each kind of violation on a tree that breaks them, and nothing the layers allow', async () => {
    const dir = tempDir('faxgate-layers-');
    for (const [name, text] of Object.entries(TREE)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    const found = (await cruise(dir)).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
    const expected = [
      'no-circular: src/domain/a.ts -> src/domain/b.ts',
      'no-circular-folders: src/attachments -> src/render',
      'layer-domain: src/domain/up.ts -> src/jobs/job.ts',
      'layer-attachments-render: src/render/typed.ts -> src/jobs/job.ts',
      'src-not-to-tests: src/domain/testing.ts -> test/helpers/h.ts',
      'index-only-metrics: src/jobs/count.ts -> src/metrics/inner.ts',
      'layer-shared: src/lines/config.ts -> src/lines/registry.ts',
    ];
    for (const e of expected) expect(found).toContain(e);
    const allowed = [
      'src/config.ts -> src/lines/config.ts',
      'src/jobs/job.ts -> src/domain/b.ts',
      'src/jobs/count.ts -> src/metrics/index.ts',
      'src/attachments/x.ts -> src/render/y.ts',
    ];
    for (const a of allowed) expect(found.filter((f) => f.endsWith(`: ${a}`))).toEqual([]);
  });
});
