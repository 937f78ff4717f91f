// `faxgate screen`: the dry run of the attachment screen (docs/screen.md) on local files, without creating a job.
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, printJson, printTable, UsageError, dataOption } from './args.js';
import { openCore } from '../main.js';
import { checkAvailability } from '../render/availability.js';
import { createTypeRegistry } from '../attachments/registry.js';
import { createDetector } from '../attachments/detect.js';
import { screen } from '../attachments/screen.js';
import { createUnpacker } from '../attachments/unpack.js';
import type { DetectedFacts, UnsupportedFilesPolicy } from '../domain/types.js';

/** Run `fn` over `items` with at most `n` in flight, keeping the input order in the result. */
async function mapLimit<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...dataOption, json: { type: 'boolean' }, policy: { type: 'string' } });
  const policy = (values.policy ?? 'ignore') as UnsupportedFilesPolicy;
  if (policy !== 'ignore' && policy !== 'reject') throw new UsageError(`--policy must be ignore or reject, got "${values.policy}"`);
  if (positionals.length === 0) throw new UsageError('no files given');
  for (const f of positionals) {
    const st = await stat(f).catch(() => undefined);
    if (!st) throw new UsageError(`cannot read ${f}: no such file`);
    if (!st.isFile()) throw new UsageError(`${f} is not a regular file`);
  }

  const core = openCore({ ...(values.data ? { dataDir: values.data } : {}) });
  try {
    // The renderer probe and detection are independent: overlap them.
    const availability = checkAvailability();
    const { config } = core;
    const detector = createDetector({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels, timeoutMs: 10_000, maxPdfInflatedMb: config.maxPdfInflatedMb } });
    // winmail.dat and .msg files are opened as intake opens them, from copies: the caller's files stay untouched.
    const work = await mkdtemp(path.join(tmpdir(), 'faxgate-screen-'));
    let facts: DetectedFacts[];
    try {
      const copies = await Promise.all(positionals.map(async (f, i) => {
        const p = path.join(work, `f${i}`);
        await copyFile(f, p);
        return { name: path.basename(f), path: p, size: (await stat(p)).size };
      }));
      const files = await createUnpacker({ limits: { maxBytes: config.maxMessageBytes } }).unpack(copies, { bodyIsBlank: true });
      facts = await mapLimit(files, 2, (f) => (f.facts ? Promise.resolve(f.facts) : detector.detect({ name: f.name, path: f.path, declaredType: f.declaredType, inline: f.inline })));
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    const registry = createTypeRegistry({ db: core.db, clock: core.clock, availability: await availability });
    const decision = screen(facts, registry.list(), {
      policy,
      hasBodyText: false,
      limits: {
        maxPages: config.maxPages, maxMegapixels: config.maxMegapixels, maxBytes: config.maxMessageBytes,
        maxPdfInflatedMb: config.maxPdfInflatedMb, maxPdfImageMegapixels: config.maxPdfImageMegapixels,
      },
    });
    if (values.json) {
      printJson(decision);
    } else {
      printTable(decision.files.map((f) => ({ ...f, detected: f.detected ?? 'unknown' })), ['name', 'size', 'detected', 'pages', 'verdict', 'reason']);
      process.stdout.write(`\noutcome: ${decision.outcome}${decision.reason ? ` (${decision.reason})` : ''}\n`);
    }
    return decision.outcome === 'accept' ? 0 : 3;
  } finally {
    core.db.close();
  }
}
