// The fax compliance check: a rendered fax goes through a whole T.30 call between two spandsp engines
// (native/t30check) and the pages that arrive are compared with the pages sent, pixel for pixel.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSharp } from './image.js';
import { runLimited } from './proc.js';
import { parseTiff, TiffFormatError } from './tiff.js';

/** The receiving machine's capabilities; the defaults are a standard Group 3 machine with ECM, MH/MR/MMR, up to superfine. */
export interface FaxCheckOptions {
  /** carry the call over T.38 (two T.38 terminals) instead of modem audio */
  t38?: boolean;
  ecm?: boolean;
  /** false: the receiver has no 204x391 */
  superfine?: boolean;
  /** false: the receiver prints standard resolution only */
  fine?: boolean;
  compressions?: readonly ('mh' | 'mr' | 'mmr')[];
  /** end the call (a `timeout` FaxCheckError) after this many simulated seconds; the helper's default is 14400 */
  maxSeconds?: number;
  /** keep the received fax here; otherwise it lives in a scratch folder removed after the comparison */
  receivedPath?: string;
}

export interface FaxCheckResult {
  /** the far end accepted and received every page */
  delivered: boolean;
  /** delivered, and every received page equals its sent page pixel for pixel */
  identical: boolean;
  /** pages received */
  pages: number;
  /** pages in the fax that was offered */
  pagesSent: number;
  /** why not delivered (the T.30 result text) or not identical (which page differs and how) */
  reason?: string;
  /** the T.30 completion code (0 = OK), for logs and tests */
  code: number;
  /** simulated call time, counted in audio samples (8000 per second) */
  seconds: number;
  bitRate: number;
  resolution: string;
  compression: string;
  ecm: boolean;
  transport: 'audio' | 't38';
  /** the helper's own wall time for the call (not the comparison) */
  wallMs: number;
}

/** The check itself could not run; `kind` is stable, the message is for people. */
export class FaxCheckError extends Error {
  constructor(readonly kind: 'missing-helper' | 'usage' | 'input' | 'timeout' | 'internal', message: string) {
    super(message);
    this.name = 'FaxCheckError';
  }
}

export interface FaxCheck {
  check(faxPath: string, opts?: FaxCheckOptions): Promise<FaxCheckResult>;
}

export interface FaxCheckDeps {
  /** the built helper (scripts/setup.sh writes native/build/t30check) */
  binPath: string;
  /** wall clock for one call (the helper also stops itself after 4 simulated hours, about 15 s of its time) */
  timeoutMs: number;
  memoryMb?: number;
  tmpDir?: string;
}

interface HelperReport {
  ok: boolean;
  errorKind?: string;
  error?: string;
  pages?: number;
  pagesSent?: number;
  pagesInFile?: number;
  code?: number;
  text?: string;
  transport?: 'audio' | 't38';
  bitRate?: number;
  resolution?: string;
  compression?: string;
  ecm?: boolean;
  seconds?: number;
  wallMs?: number;
}

const KINDS = new Set(['usage', 'input', 'timeout', 'internal']);

function helperArgs(opts: FaxCheckOptions): string[] {
  const args: string[] = [];
  if (opts.t38) args.push('--t38');
  if (opts.ecm === false) args.push('--no-ecm');
  if (opts.fine === false) args.push('--no-fine');
  if (opts.superfine === false) args.push('--no-superfine');
  if (opts.compressions) args.push('--compressions', opts.compressions.join(','));
  if (opts.maxSeconds !== undefined) args.push('--max-seconds', String(opts.maxSeconds));
  return args;
}

export function createFaxCheck(deps: FaxCheckDeps): FaxCheck {
  async function call(faxPath: string, outPath: string, opts: FaxCheckOptions, cwd: string): Promise<HelperReport> {
    const r = await runLimited(deps.binPath, [...helperArgs(opts), faxPath, outPath], {
      memoryMb: deps.memoryMb ?? 256, deadline: Date.now() + deps.timeoutMs, cwd, env: process.env,
    });
    if (r.code === -1 && /ENOENT|EACCES/.test(r.stderr)) {
      throw new FaxCheckError('missing-helper', `the fax check helper ${deps.binPath} is not built (run scripts/setup.sh)`);
    }
    if (r.timedOut) throw new FaxCheckError('timeout', `the fax check did not finish within ${deps.timeoutMs} ms`);
    let report: HelperReport;
    try {
      report = JSON.parse(r.stdout) as HelperReport;
    } catch {
      const why = r.memoryExceeded ? 'ran out of memory' : `exited with ${r.code ?? r.signal} and no report`;
      throw new FaxCheckError('internal', `the fax check helper ${why}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
    }
    if (r.code === 2 || report.errorKind) {
      const kind = KINDS.has(report.errorKind ?? '') ? report.errorKind as 'usage' | 'input' | 'timeout' | 'internal' : 'internal';
      throw new FaxCheckError(kind, report.error ?? report.text ?? 'the fax check failed');
    }
    if (r.code !== 0 && r.code !== 1) throw new FaxCheckError('internal', `the fax check helper exited with ${r.code ?? r.signal}`);
    return report;
  }

  return {
    async check(faxPath, opts = {}) {
      const scratch = await mkdtemp(path.join(deps.tmpDir ?? tmpdir(), 'faxgate-check-'));
      try {
        const outPath = opts.receivedPath ?? path.join(scratch, 'received.tif');
        const rep = await call(path.resolve(faxPath), path.resolve(outPath), opts, scratch);
        const result: FaxCheckResult = {
          delivered: rep.ok,
          identical: false,
          pages: rep.pages ?? 0,
          pagesSent: rep.pagesInFile ?? 0,
          code: rep.code ?? -1,
          seconds: rep.seconds ?? 0,
          bitRate: rep.bitRate ?? 0,
          resolution: rep.resolution ?? 'other',
          compression: rep.compression ?? 'none',
          ecm: rep.ecm ?? false,
          transport: rep.transport ?? (opts.t38 ? 't38' : 'audio'),
          wallMs: rep.wallMs ?? 0,
        };
        if (!rep.ok) return { ...result, reason: rep.text ?? `T.30 result ${result.code}` };
        const diff = await comparePages(faxPath, outPath);
        return diff ? { ...result, reason: diff } : { ...result, identical: true };
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The first difference between two faxes (page count, page size or pixels), or undefined when every page is the
 * same. Pages are decoded by libvips (sharp), whose libtiff reads both our CCITT strips and what spandsp wrote.
 */
export async function comparePages(sentPath: string, receivedPath: string): Promise<string | undefined> {
  // decoded from memory: libvips caches by file name, and a name may be reused for a new fax
  const load = async (p: string) => {
    const buf = await readFile(p);
    try {
      return { buf, pages: parseTiff(buf).length };
    } catch (e) {
      if (e instanceof TiffFormatError) throw new FaxCheckError('input', `${path.basename(p)} is not a readable TIFF: ${e.message}`);
      throw e;
    }
  };
  const [sent, received] = [await load(sentPath), await load(receivedPath)];
  if (sent.pages !== received.pages) return `${received.pages} of ${sent.pages} pages arrived`;
  const sharp = await loadSharp();
  const decode = (buf: Buffer, page: number) => sharp(buf, { page, limitInputPixels: false }).toColourspace('b-w').raw()
    .toBuffer({ resolveWithObject: true });
  for (let page = 0; page < sent.pages; page++) {
    const [a, b] = await Promise.all([decode(sent.buf, page), decode(received.buf, page)]);
    if (a.info.width !== b.info.width || a.info.height !== b.info.height) {
      return `page ${page + 1}: sent ${a.info.width}x${a.info.height}, received ${b.info.width}x${b.info.height}`;
    }
    if (!a.data.equals(b.data)) {
      let n = 0;
      for (let i = 0; i < a.data.length; i++) if ((a.data[i] < 128) !== (b.data[i] < 128)) n++;
      // grey levels other than 0/255 would only come from a decoder quirk: judge ink, not bytes
      if (n > 0) return `page ${page + 1}: ${n} pixel${n === 1 ? '' : 's'} differ`;
    }
  }
  return undefined;
}
