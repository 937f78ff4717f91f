// `faxgate render`: files → one TIFF Class F fax (and optionally its PDF) outside the server; refuses with the
// reason, leaving no output file, when any input cannot be faxed; `--check` then sends it over a simulated T.30 call.
import { copyFile, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, printJson, UsageError } from './args.js';
import { loadConfig } from '../config.js';
import type { Detector } from '../attachments/detect.js';
import { readHead } from '../formats/bytes.js';
import { createFaxCheck, FaxCheckError, type FaxCheckOptions, type FaxCheckResult } from '../render/check.js';
import { findPackage } from './version.js';
import { createRenderer, type RenderDoc } from '../render/index.js';
import { rendererOf } from '../attachments/registry.js';
import type { Logger } from '../logger.js';
import { PAPERS, type Paper, type Resolution } from '../domain/types.js';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    resolution: { type: 'string' }, paper: { type: 'string' }, g3: { type: 'boolean' }, pdf: { type: 'string' },
    json: { type: 'boolean' }, output: { type: 'string', short: 'o' },
    check: { type: 'boolean' }, 'check-t38': { type: 'boolean' }, 'check-no-ecm': { type: 'boolean' },
    'check-no-superfine': { type: 'boolean' },
  });
  const checkOpts: FaxCheckOptions = {
    ...(values['check-t38'] ? { t38: true } : {}),
    ...(values['check-no-ecm'] ? { ecm: false } : {}),
    ...(values['check-no-superfine'] ? { superfine: false } : {}),
  };
  // any way of shaping the far end asks for the check
  const wantCheck = values.check === true || Object.keys(checkOpts).length > 0;
  const resolution = (values.resolution ?? 'fine') as Resolution;
  if (!['standard', 'fine', 'superfine'].includes(resolution)) throw new UsageError(`--resolution must be standard, fine or superfine, got "${resolution}"`);
  const paper = (values.paper ?? 'letter') as Paper;
  if (!PAPERS.includes(paper)) throw new UsageError(`--paper must be ${PAPERS.join(', ')}, got "${paper}"`);
  if (!values.output) throw new UsageError('-o OUT.tif is required');
  if (positionals.length === 0) throw new UsageError('no input files given');
  for (const f of positionals) {
    const st = await stat(f).catch(() => undefined);
    if (!st) throw new UsageError(`cannot read ${f}: no such file`);
    if (!st.isFile()) throw new UsageError(`${f} is not a regular file`);
  }
  const cfg = loadConfig();
  const limits = { maxPages: cfg.maxPages, maxMegapixels: cfg.maxMegapixels, timeoutMs: cfg.renderTimeoutMs, memoryMb: cfg.renderMemoryMb };
  const fail = (name: string, reason: string, message: string) => {
    process.stderr.write(`faxgate render: ${name}: ${reason}: ${message}\n`);
    return 1;
  };

  const docs: RenderDoc[] = [];
  let detector: Detector | undefined;
  for (const f of positionals) {
    const name = path.basename(f);
    // A file that opens with the PDF header needs no further sniffing (the renderer preflights it itself); this
    // spares a one-page fax the detector's start-up, which loads libvips for image preflight.
    if ((await readHead(f, 5)).toString('latin1') === '%PDF-') {
      docs.push({ name, path: f, detected: 'pdf', renderer: 'pdf' });
      continue;
    }
    detector ??= (await import('../attachments/detect.js')).createDetector({ limits });
    const facts = await detector.detect({ name, path: f });
    if (facts.size === 0) return fail(name, 'empty', 'the file is empty');
    if (!facts.detected) return fail(name, 'unknown-type', facts.note ?? 'the file type is not recognised');
    // the type registry's row says which renderer takes it; a row naming none is never faxed
    const via = rendererOf(facts.detected);
    if (!via) return fail(name, 'unsupported-type', `${facts.detected} files cannot be faxed`);
    if (facts.encrypted) return fail(name, 'encrypted', facts.note ?? 'a password is needed to open it');
    const charset = (facts as { charset?: string }).charset;
    docs.push({ name, path: f, detected: facts.detected, renderer: via, ...(facts.pages ? { pages: facts.pages } : {}), ...(charset ? { charset } : {}) });
  }

  // scratch space beside the output, so the finished fax is renamed into place rather than copied
  const outDir = path.dirname(path.resolve(values.output));
  const work = await mkdtemp(path.join(outDir, '.faxgate-render-')).catch(() => mkdtemp(path.join(tmpdir(), 'faxgate-render-')));
  // the renderer logs only debug/info lines; a one-shot command has nowhere to put them (and skips loading pino)
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } as unknown as Logger;
  const renderer = createRenderer({ limits, logger: quiet, tmpDir: work });
  try {
    const opts = { resolution, paper, compression: values.g3 ? 'g3' as const : 'g4' as const };
    const tmpOut = path.join(work, 'fax.tif');
    const r = await renderer.renderAll({ docs }, opts, tmpOut);
    const bad = r.docs.find((d) => d.failure);
    if (bad?.failure) return fail(bad.name, bad.failure.reason, bad.failure.message);
    if (r.pages === 0) return fail(docs[0]?.name ?? '-', 'empty', 'nothing to fax');
    // written only once everything succeeded, so a refusal never leaves a partial fax behind
    await rename(tmpOut, values.output).catch(() => copyFile(tmpOut, values.output as string));
    if (values.pdf) await renderer.toPdf(values.output, values.pdf);
    let check: FaxCheckResult | undefined;
    if (wantCheck) {
      try {
        check = await runCheck(values.output, checkOpts, work);
      } catch (e) {
        if (!(e instanceof FaxCheckError)) throw e;
        process.stderr.write(`faxgate render: check: ${e.kind}: ${e.message}\n`);
        return 2;
      }
    }
    const files = r.docs.map((d) => ({ name: d.name, pages: d.pages }));
    if (values.json) printJson({ pages: r.pages, resolution, paper, files, ...(check ? { check } : {}) });
    else {
      process.stdout.write(`${values.output}: ${r.pages} page${r.pages === 1 ? '' : 's'} (${resolution}, ${paper})\n`);
      if (check?.identical) process.stdout.write(`check: ${describeCheck(check)}\n`);
    }
    if (check && !check.identical) {
      const why = check.delivered ? `received pages differ: ${check.reason}` : `refused by the far end: ${check.reason} (T.30 result ${check.code})`;
      process.stderr.write(`faxgate render: check: ${why}\n`);
      return 3;
    }
    return 0;
  } finally {
    await renderer.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** How long one simulated call may take on the wall clock; a real one runs in milliseconds. */
const CHECK_TIMEOUT_MS = 60_000;

async function runCheck(fax: string, opts: FaxCheckOptions, tmpDir: string): Promise<FaxCheckResult> {
  const root = findPackage()?.dir;
  if (!root) throw new FaxCheckError('missing-helper', 'cannot find the faxgate package folder, where native/build/t30check lives');
  const fc = createFaxCheck({ binPath: path.join(root, 'native/build/t30check'), timeoutMs: CHECK_TIMEOUT_MS, tmpDir });
  return fc.check(fax, opts);
}

function describeCheck(c: FaxCheckResult): string {
  const how = [c.compression.toUpperCase(), c.ecm ? 'ECM' : 'no ECM', c.transport === 't38' ? 'T.38' : 'audio'].join(', ');
  return `delivered ${c.pages} of ${c.pagesSent} pages, pixel-identical; ${c.seconds.toFixed(1)} s call at ${c.bitRate} bps (${how})`;
}
