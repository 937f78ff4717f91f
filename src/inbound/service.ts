// Received faxes: durable storage as TIFF Class F, notification, paged listing, image retrieval, and deletion for
// good (after a complete download when the account asks, or on DELETE) leaving only a content-free tombstone.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { FaxError } from '../domain/errors.js';
import { RenderFailure } from '../render/types.js';
import { rendererOf } from '../attachments/registry.js';
import { isE164 } from '../domain/numbers.js';
import { classFPages, readTiffTags, receivedPaper } from './classf.js';
import { fsyncDir, publishCopy } from '../store/files.js';
import { isUniqueViolation } from '../store/sql.js';
import { shredDir, shredFile } from './files.js';
import { createSqliteInboundStore } from './store.js';
import { sqliteUnitOfWork } from '../store/unit-of-work.js';
import type { ImageFormat, InboundDeps, InboundFax, InboundImage, InboundPage } from './types.js';

export interface ReceiveInput {
  to: string;
  /** E.164, or ANONYMOUS_CALLER when the caller withheld the number or the line delivered none */
  from: string;
  path: string;
  name: string;
  /** the sender's station id (TSI) as announced on the call */
  remoteId?: string;
  /** the line's own key for this reception: a second receive with the same key returns the first fax, stores nothing */
  lineKey?: string;
  /** the line reports the call ended before the whole document arrived: stored anyway, marked partial */
  partial?: boolean;
  /** when the line received it, if that was before this call (a hand-over delayed while faxgate was down); default now */
  receivedAt?: Date;
}

/** `from` of a fax whose caller is unknown (withheld or not delivered): the word SIP uses for it (RFC 3323). */
export const ANONYMOUS_CALLER = 'anonymous';

/** Orphans (a crash between publishing the file and the commit) are only swept once they are this old. */
const ORPHAN_AGE_MS = 10 * 60_000;

/** A TSI is at most 20 printable characters (T.30); keep that, trimmed, or nothing. */
function cleanRemoteId(v: string | undefined): string | undefined {
  const s = (v ?? '').replace(/[^\x20-\x7e]/g, '').trim().slice(0, 20);
  return s === '' ? undefined : s;
}

export function createInbound(deps: InboundDeps) {
  const { db, accounts, renderer, detector, feedback, clock, config, logger } = deps;
  const root = path.join(config.dataDir, 'inbound');
  const base = config.publicUrl.replace(/\/+$/, '');
  const imageUrlOf = (id: string) => `${base}/v1/inbound/${id}/image`;
  const store = createSqliteInboundStore(db, imageUrlOf);
  const unit = deps.unit ?? sqliteUnitOfWork(db);
  /** Image responses in flight per fax: a purge waits for them so a concurrent download is never cut short. */
  const active = new Map<string, number>();
  const purgeWaiting = new Set<string>();
  const pdfInFlight = new Map<string, Promise<void>>();
  /** Purges started but not finished, so shutdown and tests can wait for the disk to be clean. */
  const purging = new Set<Promise<void>>();

  const faxDir = (id: string) => path.join(root, id);

  async function ensureRoot(): Promise<void> {
    await fsp.mkdir(root, { recursive: true, mode: 0o700 });
  }

  function checkNumber(field: 'to' | 'from', v: string): string {
    const s = (v ?? '').trim();
    if (field === 'from' && s === ANONYMOUS_CALLER) return s;
    if (!isE164(s)) throw new FaxError('invalid-number', `${field} must be an E.164 number such as +15551234567`, { field });
    return s;
  }

  /** Store a received fax durably, then record and announce it in one transaction. Null when nobody owns `to`. */
  async function receive(input: ReceiveInput): Promise<InboundFax | null> {
    const to = checkNumber('to', input.to);
    const from = checkNumber('from', input.from);
    const remoteId = cleanRemoteId(input.remoteId);
    const again = input.lineKey ? store.byLineKey(input.lineKey) : null;
    if (again) {
      logger.info({ event: 'inbound.duplicate', faxId: again.id, accountId: again.accountId }, 'reception already stored: not stored twice');
      return again;
    }
    const account = accounts.findByInboundNumber(to);
    if (!account) {
      // The number only: the content is discarded unread and never shown to any account.
      logger.warn({ event: 'inbound.discarded', to }, 'received fax for a number no account owns: discarded');
      return null;
    }
    const st = await fsp.stat(input.path);
    if (st.size > config.maxMessageBytes) throw new FaxError('message-too-large');
    const facts = await detector.detect({ name: input.name, path: input.path });
    const kind = facts.detected;
    if (kind !== 'tiff' && kind !== 'pdf') {
      throw new FaxError('invalid-request', 'a received fax must be a TIFF or a PDF', { detected: kind });
    }
    if (facts.encrypted || facts.damaged) throw new FaxError('invalid-request', `the ${kind.toUpperCase()} is ${facts.encrypted ? 'encrypted' : 'damaged'}`);
    if (facts.pages !== undefined && facts.pages > config.maxPages) {
      throw new FaxError('invalid-request', `more than ${config.maxPages} pages`);
    }

    await ensureRoot();
    const id = `inb_${randomBytes(10).toString('hex')}`;
    const dir = faxDir(id);
    await fsp.mkdir(dir, { mode: 0o700 });
    await fsyncDir(root);
    let pages: number;
    let size: number;
    try {
      let stored = input.path;
      let storedPages = kind === 'tiff' ? await classFPages(input.path, config.renderTimeoutMs) : null;
      if (storedPages === null) {
        stored = path.join(dir, 'render.tif');
        // a legal-length received TIFF is re-rendered on legal paper, never fitted (shrunk) onto letter
        const paper = kind === 'tiff' ? receivedPaper(await readTiffTags(input.path).catch(() => [])) : 'letter';
        try {
          await renderer.renderDoc({ name: input.name, path: input.path, detected: kind, renderer: rendererOf(kind) }, { resolution: 'fine', paper }, stored);
        } catch (e) {
          // A document that cannot become fax pages is the sender's problem; anything else (disk full, ...) is ours.
          if (e instanceof RenderFailure) throw new FaxError('invalid-request', `the file could not be rendered as a fax: ${e.message}`, { reason: e.reason });
          // System errors (ENOSPC, EACCES, ...) carry an errno code; a decoder's complaint about the bytes does not.
          if (typeof (e as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!)) throw e;
          throw new FaxError('invalid-request', 'the file could not be rendered as a fax');
        }
        storedPages = await readTiffTags(stored).then((p) => p.length, () => 0);
        if (storedPages === 0) throw new FaxError('invalid-request', 'the file could not be rendered as a fax');
      }
      pages = storedPages;
      if (pages > config.maxPages) throw new FaxError('invalid-request', `more than ${config.maxPages} pages`);
      size = await publishCopy(stored, path.join(dir, 'fax.tif'));
      if (stored !== input.path) await shredFile(stored);
      const now = clock.now();
      // the line's own time, unless it is unusable or later than ours (a clock running ahead)
      const at = input.receivedAt && !Number.isNaN(input.receivedAt.getTime()) && input.receivedAt <= now ? input.receivedAt : now;
      const receivedAt = at.toISOString();
      // The announcement is recorded in the same commit as the fax: never announced unless stored, never lost once stored.
      unit.run(() => {
        store.insert({ id, accountId: account.id, to, from, pages, size, receivedAt, remoteId, lineKey: input.lineKey, partial: input.partial });
        feedback?.onInboundReceived({ id, accountId: account.id, from, to, pages, receivedAt, imageUrl: imageUrlOf(id), ...(remoteId ? { remoteId } : {}) });
      });
    } catch (e) {
      await shredDir(dir).catch(() => undefined);
      // the same reception committed meanwhile by another hand-over: that one is the fax
      const first = input.lineKey && isUniqueViolation(e) ? store.byLineKey(input.lineKey) : null;
      if (first) return first;
      throw e;
    }
    logger.info({ event: 'inbound.received', faxId: id, accountId: account.id, pages, size }, 'fax received and stored');
    return store.mustGet(account.id, id);
  }

  function list(accountId: string, opts: { limit?: number; cursor?: string | null; filters?: import('./types.js').InboundFilters } = {}): InboundPage {
    return store.list(accountId, opts);
  }

  function get(accountId: string, id: string): InboundFax {
    return store.mustGet(accountId, id);
  }

  function acquire(id: string): void {
    active.set(id, (active.get(id) ?? 0) + 1);
  }

  function release(id: string): void {
    const n = (active.get(id) ?? 1) - 1;
    if (n > 0) {
      active.set(id, n);
      return;
    }
    active.delete(id);
    if (purgeWaiting.delete(id)) void purge(id);
  }

  /** Remove every file of a tombstoned fax and checkpoint the WAL; deferred while a download of it is in flight. */
  function purge(id: string): Promise<void> {
    if (active.has(id)) {
      purgeWaiting.add(id);
      return Promise.resolve();
    }
    const p = purgeNow(id).finally(() => purging.delete(p));
    purging.add(p);
    return p;
  }

  async function purgeNow(id: string): Promise<void> {
    try {
      const removed = await shredDir(faxDir(id));
      store.markPurged(id, clock.now().toISOString());
      feedback?.forgetInbound?.(id);
      // Old page images of the row (with its numbers) can sit in the -wal file until a checkpoint; TRUNCATE empties it.
      db.checkpoint();
      logger.info({ event: 'inbound.purged', faxId: id, files: removed.length }, 'fax content removed');
    } catch (e) {
      logger.error({ event: 'inbound.purge-failed', faxId: id, err: (e as Error).message }, 'could not remove fax content; retried at next start');
    }
  }

  async function derivePdf(id: string): Promise<string> {
    const pdf = path.join(faxDir(id), 'fax.pdf');
    try {
      await fsp.access(pdf);
      return pdf;
    } catch {
      // not cached yet
    }
    let p = pdfInFlight.get(id);
    if (!p) {
      const tmp = path.join(faxDir(id), `fax.pdf.${randomBytes(4).toString('hex')}.tmp`);
      p = (async () => {
        try {
          await renderer.toPdf(path.join(faxDir(id), 'fax.tif'), tmp);
          await fsp.chmod(tmp, 0o600);
          await fsp.rename(tmp, pdf);
        } catch (e) {
          await shredFile(tmp);
          throw e;
        }
      })().finally(() => pdfInFlight.delete(id));
      pdfInFlight.set(id, p);
    }
    await p;
    return pdf;
  }

  /**
   * Open the image for a response. The caller streams `stream`, then calls exactly one of onComplete (the whole
   * body was handed over) or onAbort (interrupted: nothing is recorded or deleted).
   */
  async function openImage(accountId: string, id: string, format: ImageFormat, actor = 'api'): Promise<InboundImage> {
    if (format !== 'tiff' && format !== 'pdf') throw new FaxError('invalid-request', 'format must be tiff or pdf');
    const fax = store.mustGet(accountId, id);
    if (fax.status !== 'stored') throw new FaxError('gone', 'this fax was deleted');
    acquire(id);
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      release(id);
      return true;
    };
    try {
      const file = format === 'pdf' ? await derivePdf(id) : path.join(faxDir(id), 'fax.tif');
      if (store.mustGet(accountId, id).status !== 'stored') throw new FaxError('gone', 'this fax was deleted');
      const fh = await fsp.open(file, 'r');
      const size = (await fh.stat()).size;
      let sent = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          sent += chunk.length;
          cb(null, chunk);
        },
      });
      const source = fh.createReadStream({ autoClose: true });
      source.on('error', (e) => counter.destroy(e));
      const stream = source.pipe(counter);
      stream.on('close', () => source.destroy());
      return {
        path: file,
        size,
        contentType: format === 'pdf' ? 'application/pdf' : 'image/tiff',
        filename: `${id}.${format === 'pdf' ? 'pdf' : 'tif'}`,
        stream,
        onAbort: () => {
          if (settle()) logger.info({ event: 'inbound.download-interrupted', faxId: id, sent, size }, 'image download interrupted; fax kept');
        },
        onComplete: async () => {
          if (sent !== size) {
            if (settle()) logger.warn({ event: 'inbound.download-short', faxId: id, sent, size }, 'image response ended short; fax kept');
            return;
          }
          if (!settle()) return;
          const account = accounts.get(accountId);
          const deleteNow = account?.settings.incoming.deleteAfterRetrieval === true;
          const at = clock.now().toISOString();
          const changed = store.recordRetrieval(accountId, id, actor, at, deleteNow);
          logger.info({ event: 'inbound.retrieved', faxId: id, accountId, format, by: actor, deleted: deleteNow && changed }, 'image retrieved');
          if (deleteNow && changed) await purge(id);
        },
      };
    } catch (e) {
      settle();
      throw e;
    }
  }

  /** DELETE: tombstone now, remove the content as soon as no download of it is in flight. */
  async function remove(accountId: string, id: string, actor: string): Promise<InboundFax> {
    const fax = store.mustGet(accountId, id);
    if (fax.status !== 'stored') throw new FaxError('gone', 'this fax was already deleted');
    if (store.tombstone(accountId, id, actor, clock.now().toISOString())) {
      logger.info({ event: 'inbound.deleted', faxId: id, accountId, by: actor }, 'fax deleted');
      await purge(id);
    }
    return store.mustGet(accountId, id);
  }

  /**
   * At start: finish purges a crash interrupted, and shred files no committed fax owns (a crash between publishing
   * the image and the commit, or a spooled upload) once they are old enough not to belong to a receive in progress.
   */
  async function recover(): Promise<{ purged: number; orphans: number }> {
    await ensureRoot();
    let purged = 0;
    let orphans = 0;
    for (const id of store.unpurged()) {
      await purge(id);
      purged++;
    }
    const cutoff = Date.now() - ORPHAN_AGE_MS;
    const old = async (p: string) => (await fsp.stat(p)).mtimeMs < cutoff;
    for (const ent of await fsp.readdir(root, { withFileTypes: true })) {
      const p = path.join(root, ent.name);
      if (!ent.isDirectory() || !store.exists(ent.name) || store.isPurged(ent.name)) {
        if (!store.exists(ent.name) && !(await old(p))) continue; // a receive may still be committing it
        if (ent.isDirectory()) await shredDir(p);
        else await shredFile(p);
        orphans++;
        continue;
      }
      // A stored fax keeps fax.tif and its cached fax.pdf; anything else is a leftover of an interrupted write.
      for (const f of await fsp.readdir(p)) {
        if (f !== 'fax.tif' && f !== 'fax.pdf' && (await old(path.join(p, f)))) {
          await shredFile(path.join(p, f));
          orphans++;
        }
      }
    }
    if (purged || orphans) logger.info({ event: 'inbound.recovered', purged, orphans }, 'inbound storage cleaned up');
    return { purged, orphans };
  }

  /** Resolves once no purge is running or waiting for a download to end. */
  async function whenIdle(): Promise<void> {
    while (purging.size > 0) await Promise.all([...purging]);
  }

  return { receive, list, get, openImage, remove, recover, whenIdle, imageUrlOf, dir: faxDir };
}

export type InboundService = ReturnType<typeof createInbound>;
