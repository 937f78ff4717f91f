// The inbound service against a real SQLite file and data folder: storing, refusing, discarding, isolation, paging,
// the notification inside the recording transaction, deletion and crash recovery.
import { existsSync, readFileSync, statSync, utimesSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { FaxError } from '../../src/domain/errors.js';
import { systemClock } from '../../src/domain/types.js';
import { readTiffTags, isClassFPage } from '../../src/inbound/classf.js';
import type { InboundService } from '../../src/inbound/service.js';
import type { InboundFeedback } from '../../src/inbound/types.js';
import { createLogger } from '../../src/logger.js';
import { openInbound } from '../../src/main.js';
import { createSqliteAccountStore } from '../../src/settings/accounts.js';
import { openTestDatabase } from '../helpers/test-db.js';
import { CORPUS } from '../helpers/tmp.js';
import { run } from '../render/helpers.js';
import { FAX_TIFF, NON_FAX_TIFF, listFiles, makeMarkedPdf, removeScratch, scratchDir as tempDir } from './parts.js';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers.splice(0)) await c();
  removeScratch();
});

/** A data folder, database and the inbound service wired as main.ts wires it (real renderer and detector). */
async function setup(feedback?: InboundFeedback) {
  const dataDir = tempDir('faxgate-inbound-');
  const config = loadConfig({}, { dataDir, publicUrl: 'https://fax.example.test' });
  const db = openTestDatabase(dataDir);
  const accounts = createSqliteAccountStore({ db, clock: systemClock });
  const lines: string[] = [];
  const logger = createLogger('debug', new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
  const { inbound, close } = await openInbound({ config, db, accounts, clock: systemClock, logger }, feedback ? { feedback } : {});
  closers.push(async () => { await close(); db.close(); });
  const a = accounts.create({ name: 'Clinic A', senders: ['a@clinic.example'], inbound: ['+15550001111'] });
  const b = accounts.create({ name: 'Clinic B', senders: ['b@clinic.example'], inbound: ['+15550002222'] });
  return { dataDir, config, db, accounts, inbound: inbound as InboundService, a, b, lines };
}

type T = Awaited<ReturnType<typeof setup>>;

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FaxError) return e.code;
    throw e;
  }
  return 'ok';
}

describe('receiving', () => {
  let t: T;
  beforeAll(async () => {
    t = await setup();
  });

  it('stores a fax that already is Class F byte for byte, in the owner account', async () => {
    const fax = await t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' });
    expect(fax).toMatchObject({ accountId: t.a.id, status: 'stored', pages: 3, from: '+14155550123', to: '+15550001111' });
    expect(fax!.imageUrl).toBe(`https://fax.example.test/v1/inbound/${fax!.id}/image`);
    const stored = path.join(t.dataDir, 'inbound', fax!.id, 'fax.tif');
    expect(readFileSync(stored).equals(readFileSync(FAX_TIFF))).toBe(true);
    expect(statSync(stored).mode & 0o777).toBe(0o600);
    expect(listFiles(path.join(t.dataDir, 'inbound', fax!.id))).toEqual([stored]);
  });

  it('renders a PDF into TIFF Class F pages', async () => {
    const pdf = path.join(tempDir(), 'in.pdf');
    await makeMarkedPdf(pdf, 2);
    const fax = await t.inbound.receive({ to: '+15550002222', from: '+14155550123', path: pdf, name: 'in.pdf' });
    expect(fax).toMatchObject({ accountId: t.b.id, pages: 2 });
    const pages = await readTiffTags(path.join(t.dataDir, 'inbound', fax!.id, 'fax.tif'));
    expect(pages).toHaveLength(2);
    expect(pages.every(isClassFPage)).toBe(true);
    // no render precursor stays beside the fax
    expect(listFiles(path.join(t.dataDir, 'inbound', fax!.id)).map((f) => path.basename(f))).toEqual(['fax.tif']);
  });

  it('re-renders a TIFF that is not Class F (400 dpi A4 G4)', async () => {
    const fax = await t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: NON_FAX_TIFF, name: 'scan.tif' });
    const pages = await readTiffTags(path.join(t.dataDir, 'inbound', fax!.id, 'fax.tif'));
    expect(pages.every(isClassFPage)).toBe(true);
    expect(readFileSync(path.join(t.dataDir, 'inbound', fax!.id, 'fax.tif')).equals(readFileSync(NON_FAX_TIFF))).toBe(false);
  });

  it('discards a fax for a number nobody owns, logging only the number', async () => {
    const before = listFiles(path.join(t.dataDir, 'inbound')).length;
    const fax = await t.inbound.receive({ to: '+15559999999', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' });
    expect(fax).toBeNull();
    expect(listFiles(path.join(t.dataDir, 'inbound')).length).toBe(before);
    const line = t.lines.find((l) => l.includes('inbound.discarded'));
    expect(line).toContain('+15559999999');
    expect(line).not.toContain('+14155550123');
    expect(t.inbound.list(t.a.id).items.concat(t.inbound.list(t.b.id).items).some((f) => f.to === '+15559999999')).toBe(false);
  });

  it.each([
    ['a PNG', path.join(CORPUS, 'images'), 'invalid-request'],
  ])('refuses %s', async (_label, dir, expected) => {
    const png = listFiles(dir).find((f) => f.endsWith('.png'))!;
    expect(await code(t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: png, name: 'x.png' }))).toBe(expected);
  });

  it.each([
    [{ to: '5550001111', from: '+14155550123' }, 'invalid-number'],
    [{ to: '+15550001111', from: 'withheld' }, 'invalid-number'],
    [{ to: '+15550001111', from: 'Anonymous' }, 'invalid-number'],
    [{ to: 'anonymous', from: '+14155550123' }, 'invalid-number'],
  ])('refuses malformed numbers %o', async (nums, expected) => {
    expect(await code(t.inbound.receive({ ...nums, path: FAX_TIFF, name: 'fax.tif' }))).toBe(expected);
  });

  it('accepts an unknown caller as from "anonymous" and keeps the TSI until the fax is deleted', async () => {
    const fax = (await t.inbound.receive({ to: '+15550001111', from: 'anonymous', path: FAX_TIFF, name: 'fax.tif', remoteId: ' +1 555 000 0000\n' }))!;
    expect(fax).toMatchObject({ accountId: t.a.id, from: 'anonymous', remoteId: '+1 555 000 0000' });
    expect((await t.inbound.remove(t.a.id, fax.id, 'cli')).remoteId).toBeNull();
  });

  it('stores one fax for two receives with the same line key', async () => {
    const before = listFiles(path.join(t.dataDir, 'inbound')).length;
    const input = { to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif', lineKey: 'test:ttyX:000000042:abc' };
    const first = (await t.inbound.receive(input))!;
    const second = (await t.inbound.receive(input))!;
    expect(second.id).toBe(first.id);
    expect(listFiles(path.join(t.dataDir, 'inbound')).length).toBe(before + 1);
    expect(t.inbound.list(t.a.id, { limit: 200 }).items.filter((f) => f.id === first.id)).toHaveLength(1);
  });

  it('leaves nothing on disk after a refusal', async () => {
    const junk = path.join(tempDir(), 'junk.pdf');
    writeFileSync(junk, '%PDF-1.4\nthis is not really a pdf\n');
    const before = listFiles(path.join(t.dataDir, 'inbound'));
    expect(await code(t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: junk, name: 'junk.pdf' }))).toBe('invalid-request');
    expect(listFiles(path.join(t.dataDir, 'inbound'))).toEqual(before);
  });

  it('hides another account\'s fax behind not-found everywhere', async () => {
    const fax = (await t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' }))!;
    expect(await code(Promise.resolve().then(() => t.inbound.get(t.b.id, fax.id)))).toBe('not-found');
    expect(await code(t.inbound.openImage(t.b.id, fax.id, 'tiff'))).toBe('not-found');
    expect(await code(t.inbound.remove(t.b.id, fax.id, 'api:key_other'))).toBe('not-found');
    expect(t.inbound.list(t.b.id).items.map((f) => f.id)).not.toContain(fax.id);
    expect(t.inbound.get(t.a.id, fax.id).status).toBe('stored');
  });
});

describe('listing', () => {
  let t: T;
  beforeAll(async () => {
    t = await setup();
  });

  it('pages newest first with an opaque cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'f.tif' }))!.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = t.inbound.list(t.a.id, { limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((f) => f.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect(await code(Promise.resolve().then(() => t.inbound.list(t.a.id, { cursor: 'garbage!' })))).toBe('invalid-request');
    expect(await code(Promise.resolve().then(() => t.inbound.list(t.a.id, { limit: 0 })))).toBe('invalid-request');
  });
});

describe('notification', () => {
  it('is recorded inside the transaction that records the fax', async () => {
    const seen: { inTx: boolean; id: string; imageUrl: string; pages: number }[] = [];
    const ref: { db?: ReturnType<typeof openTestDatabase> } = {};
    const t = await setup({ onInboundReceived: (n) => seen.push({ inTx: ref.db!.inTransaction, id: n.id, imageUrl: n.imageUrl, pages: n.pages }) });
    ref.db = t.db;
    const fax = (await t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' }))!;
    expect(seen).toEqual([{ inTx: true, id: fax.id, imageUrl: fax.imageUrl, pages: 3 }]);
  });

  it('a failing notification records nothing and leaves no file (never announced without the fax, never the reverse)', async () => {
    const t = await setup({ onInboundReceived: () => { throw new Error('outbox unavailable'); } });
    await expect(t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' })).rejects.toThrow('outbox unavailable');
    expect(t.inbound.list(t.a.id).items).toEqual([]);
    expect(listFiles(path.join(t.dataDir, 'inbound'))).toEqual([]);
  });
});

describe('deletion and recovery', () => {
  let t: T;
  beforeAll(async () => {
    t = await setup();
  });

  it('DELETE keeps a tombstone without numbers, removes the folder, then answers gone', async () => {
    const fax = (await t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' }))!;
    const img = await t.inbound.openImage(t.a.id, fax.id, 'pdf');
    img.stream.resume();
    await new Promise((r) => img.stream.on('end', r));
    img.onAbort(); // treated as interrupted: the cached PDF stays, nothing recorded
    expect(existsSync(path.join(t.dataDir, 'inbound', fax.id, 'fax.pdf'))).toBe(true);
    const tomb = await t.inbound.remove(t.a.id, fax.id, 'api:key_abcdef');
    expect(tomb).toMatchObject({ id: fax.id, status: 'deleted', pages: 3, from: null, to: null, size: null, imageUrl: null, deletedBy: 'api:key_abcdef', deletedReason: 'deleted', retrievalCount: 0 });
    expect(tomb.deletedAt).toBeTruthy();
    expect(existsSync(path.join(t.dataDir, 'inbound', fax.id))).toBe(false);
    expect(await code(t.inbound.openImage(t.a.id, fax.id, 'tiff'))).toBe('gone');
    expect(await code(t.inbound.remove(t.a.id, fax.id, 'api:key_abcdef'))).toBe('gone');
  });

  it('waits for a download in flight before removing files', async () => {
    const fax = (await t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' }))!;
    const img = await t.inbound.openImage(t.a.id, fax.id, 'tiff');
    await t.inbound.remove(t.a.id, fax.id, 'api:key_abcdef');
    expect(existsSync(path.join(t.dataDir, 'inbound', fax.id, 'fax.tif'))).toBe(true);
    const chunks: Buffer[] = [];
    img.stream.on('data', (c: Buffer) => chunks.push(c));
    await new Promise((r) => img.stream.on('end', r));
    expect(Buffer.concat(chunks).equals(readFileSync(FAX_TIFF))).toBe(true);
    await img.onComplete();
    await t.inbound.whenIdle();
    expect(existsSync(path.join(t.dataDir, 'inbound', fax.id))).toBe(false);
  });

  it('with deleteAfterRetrieval, a download completing while another runs tombstones at once but lets the other finish', async () => {
    t.accounts.updateSettings(t.b.id, { 'incoming.deleteAfterRetrieval': true }, 'test');
    const fax = (await t.inbound.receive({ to: '+15550002222', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' }))!;
    const first = await t.inbound.openImage(t.b.id, fax.id, 'tiff', 'api:key_first0');
    const second = await t.inbound.openImage(t.b.id, fax.id, 'tiff', 'api:key_second');
    const read = async (s: NodeJS.ReadableStream) => {
      const chunks: Buffer[] = [];
      for await (const c of s) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    expect((await read(first.stream)).equals(readFileSync(FAX_TIFF))).toBe(true);
    await first.onComplete();
    expect(t.inbound.get(t.b.id, fax.id)).toMatchObject({ status: 'deleted', deletedReason: 'retrieved', deletedBy: 'api:key_first0', retrievalCount: 1 });
    expect(await code(t.inbound.openImage(t.b.id, fax.id, 'tiff'))).toBe('gone');
    expect((await read(second.stream)).equals(readFileSync(FAX_TIFF))).toBe(true);
    await second.onComplete();
    await t.inbound.whenIdle();
    expect(t.inbound.get(t.b.id, fax.id).retrievalCount).toBe(1);
    expect(existsSync(path.join(t.dataDir, 'inbound', fax.id))).toBe(false);
  });

  it('recover() finishes an interrupted purge and removes old orphans, but not a fresh receive in progress', async () => {
    const fax = (await t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' }))!;
    // a crash after the tombstone commit, before the files were removed
    t.db.prepare("UPDATE inbound_faxes SET status = 'deleted', deleted_at = 'x', deleted_reason = 'deleted' WHERE id = ?").run(fax.id);
    const old = path.join(t.dataDir, 'inbound', 'inb_orphanold');
    const fresh = path.join(t.dataDir, 'inbound', 'inb_orphanfresh');
    for (const d of [old, fresh]) {
      mkdirSync(d);
      writeFileSync(path.join(d, 'fax.tif'), readFileSync(FAX_TIFF));
    }
    const past = new Date(Date.now() - 3600_000);
    utimesSync(old, past, past);
    // a stored fax with the temporary file of a PDF whose making was interrupted
    const kept = (await t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' }))!;
    const leftover = path.join(t.dataDir, 'inbound', kept.id, 'fax.pdf.1234abcd.tmp');
    writeFileSync(leftover, 'half a pdf');
    utimesSync(leftover, past, past);
    const r = await t.inbound.recover();
    expect(r).toEqual({ purged: 1, orphans: 2 });
    expect(existsSync(leftover)).toBe(false);
    expect(t.inbound.get(t.a.id, kept.id).status).toBe('stored');
    expect(existsSync(path.join(t.dataDir, 'inbound', kept.id, 'fax.tif'))).toBe(true);
    expect(existsSync(path.join(t.dataDir, 'inbound', fax.id))).toBe(false);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });
});

describe('legal-length receptions', () => {
  let t: T;
  beforeAll(async () => {
    t = await setup();
  });

  it('a legal-length Class F fax is stored whole, byte for byte, never cut to letter', async () => {
    const tif = path.join(tempDir(), 'legal.tif');
    await run('convert', ['-size', '1728x2744', 'xc:white', '-fill', 'black', '-draw', 'rectangle 0,2700 1727,2743', '-density', '204x196', '-units', 'PixelsPerInch', '-monochrome', '-compress', 'Group4', tif]);
    const fax = await t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: tif, name: 'fax.tif' });
    const stored = path.join(t.dataDir, 'inbound', fax!.id, 'fax.tif');
    expect(readFileSync(stored).equals(readFileSync(tif))).toBe(true);
    expect((await readTiffTags(stored))[0]).toMatchObject({ width: 1728, height: 2744 });
  });

  it('a legal-length TIFF that is not Class F is re-rendered on legal paper, not shrunk onto letter', async () => {
    const tif = path.join(tempDir(), 'legal-scan.tif');
    // a 300 dpi scan of a legal page (not a fax resolution), with a bar along its bottom edge
    await run('convert', ['-size', '2550x4200', 'xc:white', '-fill', 'black', '-draw', 'rectangle 0,4100 2549,4199', '-density', '300', '-units', 'PixelsPerInch', '-monochrome', '-compress', 'Group4', tif]);
    const fax = await t.inbound.receive({ to: '+15550001111', from: '+14155550123', path: tif, name: 'scan.tif' });
    const pages = await readTiffTags(path.join(t.dataDir, 'inbound', fax!.id, 'fax.tif'));
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ width: 1728, height: 2744 }); // 14 in at 196 lines per inch
    expect(isClassFPage(pages[0])).toBe(true);
  });
});
