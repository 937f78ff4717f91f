// Receiving on a HylaFAX line: hands each fax the FaxRcvdCmd hook (scripts/hylafax/faxrcvd-faxgate) left in the drop
// folder to the inbound service, and removes it only once the service has stored it (or discarded it for good).
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { FaxError } from '../../domain/errors.js';
import { isE164, normalizeNumber } from '../../domain/numbers.js';
import type { Clock } from '../../domain/types.js';
import { ANONYMOUS_CALLER, type ReceiveInput } from '../../inbound/service.js';
import type { InboundFax } from '../../inbound/types.js';
import type { Logger } from '../../logger.js';

export interface HylafaxIntakeOptions {
  /** the folder the hook writes into (its DROP); faxgate needs read and write on it */
  dropDir: string;
  inbound: { receive(input: ReceiveInput): Promise<InboundFax | null> };
  /** this line's own number (E.164), for a call whose dialled number (NDID) the line did not deliver */
  lineNumber?: string;
  /** calling code for national numbers in NDID and NMBR (FAXGATE_DEFAULT_COUNTRY) */
  defaultCountry?: string;
  logger: Logger;
  clock: Clock;
  /** how often the folder is scanned besides the fs.watch events (which some filesystems never send) */
  pollMs?: number;
  /** a hook's temporary file or a .tif without .meta older than this was left by a hook that died: set aside */
  staleMs?: number;
}

/** What one scan did, for logs and tests. */
export interface ScanResult { stored: number; discarded: number; failed: number; retried: number }

export const FAILED_DIR = 'failed';
const META_HEADER = 'faxgate-drop 1';

/** The hook's metadata: key=hex(value) lines after a header (hex, so remote data needs no quoting anywhere). */
export function parseMeta(text: string): Map<string, string> {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines[0] !== META_HEADER) throw new Error('not a faxgate drop metadata file');
  const out = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const m = /^([a-z0-9_]{1,40})=((?:[0-9a-f]{2})*)$/.exec(l);
    if (!m) throw new Error('malformed metadata line');
    out.set(m[1], Buffer.from(m[2], 'hex').toString('utf8'));
  }
  return out;
}

/** HylaFAX writes `<NONE>` for a CallID pattern the modem did not report. */
const callId = (v: string | undefined) => (v === undefined || v.trim() === '' || v.trim() === '<NONE>' ? '' : v.trim());

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const exists = (p: string) => fsp.access(p).then(() => true, () => false);

export function createHylafaxIntake(opts: HylafaxIntakeOptions) {
  const { dropDir, inbound, logger, clock } = opts;
  const country = opts.defaultCountry ?? '1';
  const pollMs = opts.pollMs ?? 5_000;
  const staleMs = opts.staleMs ?? 24 * 3600_000;
  const failedDir = path.join(dropDir, FAILED_DIR);
  const log = logger.child({ line: 'hylafax', dropDir });
  if (opts.lineNumber !== undefined && !isE164(opts.lineNumber)) {
    throw new FaxError('invalid-number', 'the HylaFAX line number must be an E.164 number such as +15551234567', { field: 'lineNumber' });
  }

  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let running: Promise<ScanResult> | undefined;
  let again = false;
  let stopped = false;

  /** Move a pair (whichever files exist) to failed/ with a reason file, so it is looked at once, never retried. */
  async function setAside(base: string, code: string, message: string, names = [`${base}.tif`, `${base}.meta`]): Promise<void> {
    // group-only like the drop folder (whose setgid group it inherits): these are still people's faxes
    await fsp.mkdir(failedDir, { recursive: true, mode: 0o770 });
    const reason = { code, message, at: clock.now().toISOString() };
    await fsp.writeFile(path.join(failedDir, `${base}.reason.json`), `${JSON.stringify(reason)}\n`);
    // the image first: while the .meta is still in the drop folder the pair would be picked up again, not lost
    for (const name of names) {
      await fsp.rename(path.join(dropDir, name), path.join(failedDir, name)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
    }
    log.warn({ event: 'inbound.hylafax.set-aside', file: base, code }, `received fax set aside in ${FAILED_DIR}/: ${message}`);
  }

  /** Remove a handed-over pair: the .meta first, so a crash in between leaves an orphan image, never a lost marker. */
  async function removePair(base: string): Promise<void> {
    await fsp.rm(path.join(dropDir, `${base}.meta`), { force: true });
    await fsp.rm(path.join(dropDir, `${base}.tif`), { force: true });
  }

  async function handle(base: string, result: ScanResult): Promise<void> {
    const metaPath = path.join(dropDir, `${base}.meta`);
    const tifPath = path.join(dropDir, `${base}.tif`);
    let meta: Map<string, string>;
    try {
      meta = parseMeta(await fsp.readFile(metaPath, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // handled meanwhile
      await setAside(base, 'bad-metadata', (e as Error).message);
      result.failed++;
      return;
    }
    const device = meta.get('device') ?? '';
    const commId = meta.get('commid') ?? '';
    const where = { event: 'inbound.hylafax', file: base, device, commId };
    if (meta.get('tif') !== '1' || !(await exists(tifPath))) {
      // A call that brought no page (or whose copy failed): kept with its error, the HylaFAX spool has the rest.
      const why = meta.get('hook_error') || meta.get('error') || 'no image';
      log.warn({ ...where, error: meta.get('error') ?? '', hookError: meta.get('hook_error') ?? '', qfile: meta.get('qfile') ?? '' },
        'reception without an image');
      await setAside(base, 'no-image', why);
      result.failed++;
      return;
    }
    const ndid = callId(meta.get('callid_ndid'));
    const to = (ndid ? normalizeNumber(ndid, country) : null) ?? opts.lineNumber;
    if (!to) {
      await setAside(base, 'no-called-number', 'the line delivered no dialled number (NDID) and no line number is configured');
      result.failed++;
      return;
    }
    const nmbr = callId(meta.get('callid_nmbr'));
    // Withheld (P, PRIVATE, empty) or otherwise unusable caller numbers all become the one unknown-caller value.
    const from = (nmbr ? normalizeNumber(nmbr, country) : null) ?? ANONYMOUS_CALLER;
    // device + commID name the reception; the hook's time and the image hash keep a reset spool's commIDs apart.
    const lineKey = `hylafax:${device}:${commId}:${meta.get('received') ?? ''}:${(await sha256(tifPath)).slice(0, 32)}`;
    let fax: InboundFax | null;
    try {
      const received = meta.get('received') ? new Date(meta.get('received')!) : undefined;
      fax = await inbound.receive({
        to, from, path: tifPath, name: `${base}.tif`, remoteId: meta.get('tsi') || undefined, lineKey,
        ...(received ? { receivedAt: received } : {}),
      });
    } catch (e) {
      if (e instanceof FaxError) {
        // the file itself is refused (damaged, not a fax, too large): retrying cannot help
        await setAside(base, e.code, e.message);
        result.failed++;
        return;
      }
      // disk full, database busy, ...: the pair stays where it is and the next scan tries again
      log.error({ ...where, err: (e as Error).message }, 'received fax not handed over; retried at the next scan');
      result.retried++;
      return;
    }
    await removePair(base);
    if (fax) {
      result.stored++;
      // a reception cut short still delivers the pages that arrived; HylaFAX's reason goes to the log
      const lineError = meta.get('error') ?? '';
      log.info({ ...where, faxId: fax.id, accountId: fax.accountId, pages: fax.pages, ...(lineError ? { lineError } : {}) },
        lineError ? 'partly received fax handed over' : 'received fax handed over');
    } else {
      result.discarded++;
      log.warn({ ...where, to }, 'received fax for a number no account owns: removed from the drop folder');
    }
  }

  /** Set aside what a hook that died left behind: old temporary files, old images whose .meta never came. */
  async function sweep(names: string[]): Promise<void> {
    const cutoff = clock.now().getTime() - staleMs;
    const metas = new Set(names.filter((n) => n.endsWith('.meta')).map((n) => n.slice(0, -5)));
    for (const n of names) {
      const orphanTif = !n.startsWith('.') && n.endsWith('.tif') && !metas.has(n.slice(0, -4));
      if (!orphanTif && !(n.startsWith('.') && n.endsWith('.tmp'))) continue;
      const st = await fsp.stat(path.join(dropDir, n)).catch(() => undefined);
      if (!st?.isFile() || st.mtimeMs > cutoff) continue;
      await setAside(n.replace(/^\./, '').replace(/\.(tif|meta)(\.tmp)?$/, ''), orphanTif ? 'no-metadata' : 'incomplete',
        orphanTif ? 'an image without its metadata (the hook stopped before writing it)' : 'a hook\'s unfinished temporary file', [n]);
    }
  }

  async function scanOnce(): Promise<ScanResult> {
    const result: ScanResult = { stored: 0, discarded: 0, failed: 0, retried: 0 };
    const names = (await fsp.readdir(dropDir)).sort();
    for (const n of names) {
      if (stopped) break;
      if (n.startsWith('.') || !n.endsWith('.meta')) continue;
      try {
        await handle(n.slice(0, -5), result);
      } catch (e) {
        // one pair's trouble (a permission, a rename) never stops the others
        log.error({ event: 'inbound.hylafax', file: n, err: (e as Error).message }, 'could not process a received fax');
        result.retried++;
      }
    }
    await sweep(names).catch((e: Error) => log.error({ event: 'inbound.hylafax', err: e.message }, 'could not sweep the drop folder'));
    return result;
  }

  /** Scan the folder now (one scan at a time; a request during a scan runs one more scan after it). */
  function scan(): Promise<ScanResult> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        let r = await scanOnce();
        while (again && !stopped) {
          again = false;
          const more = await scanOnce();
          r = { stored: r.stored + more.stored, discarded: r.discarded + more.discarded, failed: r.failed + more.failed, retried: r.retried + more.retried };
        }
        return r;
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const kick = () => {
    if (!stopped) scan().catch((e: Error) => log.error({ event: 'inbound.hylafax', err: e.message }, 'drop folder scan failed'));
  };

  /** First scan (what arrived while faxgate was down), then watch the folder and poll as a fallback. */
  async function start(): Promise<ScanResult> {
    stopped = false;
    await fsp.access(dropDir);
    const first = await scan();
    try {
      watcher = watch(dropDir, () => kick());
      watcher.on('error', () => { watcher?.close(); watcher = undefined; });
    } catch {
      watcher = undefined; // polling alone still finds everything
    }
    timer = setInterval(kick, pollMs);
    timer.unref();
    return first;
  }

  /** Stop watching; resolves once a scan in progress has finished its current fax. */
  async function stop(): Promise<void> {
    stopped = true;
    if (timer) clearInterval(timer);
    timer = undefined;
    watcher?.close();
    watcher = undefined;
    await running?.catch(() => undefined);
  }

  return { start, stop, scan };
}

export type HylafaxIntake = ReturnType<typeof createHylafaxIntake>;
