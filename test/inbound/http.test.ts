// Incoming faxes end to end over a real listening web service: sandbox receive, each notification method delivered
// to a real loopback receiver, account isolation, both deletion settings, 410 afterwards, an interrupted download,
// and a byte scan of the data folder and the database files after deletion.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { systemClock } from '../../src/domain/types.js';
import { createFeedback, type Feedback } from '../../src/feedback/index.js';
import type { InboundService } from '../../src/inbound/service.js';
import { createWebService } from '../../src/web-service.js';
import { httpDeps } from '../ingress/http/harness.js';
import { createLogger } from '../../src/logger.js';
import { openInbound } from '../../src/main.js';
import { createSqliteJobStore } from '../../src/jobs/store.js';
import { createSqliteAccountStore, type Account, type AccountStore } from '../../src/settings/accounts.js';
import { openDatabase, type DB } from '../../src/store/db.js';
import {
  FAX_TIFF, distinctiveWindows, filesContaining, listFiles, makeBigFax, makeMarkedPdf, removeScratch, scratchDir as tempDir,
  startReceiver, until,
} from './parts.js';
import { feedbackParts } from '../helpers/outboxes.js';

afterAll(removeScratch);

const ADMIN = 'admin-token-for-tests-0123456789';

interface World {
  dataDir: string; config: Config; db: DB; accounts: AccountStore; feedback: Feedback; inbound: InboundService;
  app: FastifyInstance; base: string; logs: string[]; closeInbound(): Promise<void>;
  a: Account & { apiKey: string; apiKeyId: string }; b: Account & { apiKey: string; apiKeyId: string };
}

async function world(configOverrides: Partial<Config> = {}): Promise<World> {
  const dataDir = tempDir('faxgate-inbound-http-');
  const config = loadConfig({}, {
    dataDir, adminToken: ADMIN, publicUrl: 'http://fax.example.test', feedbackAllowPrivate: true, retryScale: 0.001, ...configOverrides,
  });
  const db = openDatabase(dataDir);
  const accounts = createSqliteAccountStore({ db, clock: systemClock });
  const logs: string[] = [];
  const logger = createLogger('info', new Writable({ write(c, _e, cb) { logs.push(String(c)); cb(); } }));
  const feedback = createFeedback({ ...feedbackParts(db), accounts, jobs: createSqliteJobStore({ db, clock: systemClock }), clock: systemClock, config, logger, pollMs: 20 });
  // Wired as main.ts wires it: the real renderer and detector, sharing the server's feedback.
  const { inbound, close: closeInbound } = await openInbound({ config, db, accounts, clock: systemClock, logger }, { feedback });
  const app = createWebService(httpDeps({ config, db, accounts, clock: systemClock, logger, inbound, feedback }).deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as net.AddressInfo;
  const a = accounts.create({ name: 'A', senders: ['a@a.example'], inbound: ['+15550001111'] });
  const b = accounts.create({ name: 'B', senders: ['b@b.example'], inbound: ['+15550002222'] });
  feedback.start();
  return { dataDir, config, db, accounts, feedback, inbound, app, base: `http://127.0.0.1:${port}`, logs, a, b, closeInbound };
}

async function close(w: World): Promise<void> {
  await w.feedback.close();
  await w.app.close();
  await w.closeInbound();
  w.db.close();
}

async function sandboxInbound(w: World, file: string, name: string, to: string, token = ADMIN, from = '+14155550123'): Promise<Response> {
  const form = new FormData();
  form.set('to', to);
  form.set('from', from);
  form.set('file', new Blob([readFileSync(file)]), name);
  return fetch(`${w.base}/v1/sandbox/inbound`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
}

const auth = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

async function download(w: World, key: string, id: string, format: 'tiff' | 'pdf'): Promise<{ status: number; body: Buffer; type: string | null }> {
  const r = await fetch(`${w.base}/v1/inbound/${id}/image?format=${format}`, auth(key));
  return { status: r.status, body: Buffer.from(await r.arrayBuffer()), type: r.headers.get('content-type') };
}

describe('sandbox receive and notification', () => {
  let w: World;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    w = await world();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await close(w);
    await receiver.close();
  });

  it('needs the admin token', async () => {
    expect((await sandboxInbound(w, FAX_TIFF, 'fax.tif', '+15550001111', 'wrong-token-wrong-token')).status).toBe(401);
    expect((await sandboxInbound(w, FAX_TIFF, 'fax.tif', '+15550001111', w.a.apiKey)).status).toBe(401);
  });

  it('discards a fax to a number nobody owns (202, nothing listed anywhere)', async () => {
    const r = await sandboxInbound(w, FAX_TIFF, 'fax.tif', '+15557777777');
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ status: 'discarded', to: '+15557777777' });
    for (const acc of [w.a, w.b]) {
      const list = await (await fetch(`${w.base}/v1/inbound`, auth(acc.apiKey))).json() as { items: unknown[] };
      expect(list.items).toEqual([]);
    }
  });

  it('refuses a file that is neither TIFF nor PDF with a problem', async () => {
    const txt = path.join(tempDir(), 'note.txt');
    writeFileSync(txt, 'just words\n');
    const r = await sandboxInbound(w, txt, 'note.txt', '+15550001111');
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect((await r.json() as { code: string }).code).toBe('invalid-request');
  });

  it('feedbackMethod never: stored, nothing queued', async () => {
    const r = await sandboxInbound(w, FAX_TIFF, 'fax.tif', '+15550001111');
    expect(r.status).toBe(201);
    const fax = await r.json() as { id: string };
    expect(w.feedback.outboxFor(fax.id)).toEqual([]);
  });

  it.each([
    ['http-post', 'application/x-www-form-urlencoded'],
    ['xml', 'text/xml'],
  ] as const)('feedbackMethod %s: a signed notification with the image URL, never the image', async (method, contentType) => {
    w.accounts.updateSettings(w.a.id, { feedbackUrl: receiver.url, 'incoming.feedbackMethod': method }, 'test');
    const before = receiver.requests.length;
    const r = await sandboxInbound(w, FAX_TIFF, 'fax.tif', '+15550001111');
    expect(r.status).toBe(201);
    const fax = await r.json() as { id: string; receivedAt: string; imageUrl: string };
    expect(fax.imageUrl).toBe(`http://fax.example.test/v1/inbound/${fax.id}/image`);
    await until(() => receiver.requests.length > before, 'the notification');
    const req = receiver.requests[before];
    expect(req.headers['content-type']).toContain(contentType);
    // Standard Webhooks signature over id.timestamp.body (verify() would insist on a JSON body, so compare sign()).
    const [id, ts] = [String(req.headers['webhook-id']), Number(req.headers['webhook-timestamp'])];
    const expected = new Webhook(w.a.feedbackSecret).sign(id, new Date(ts * 1000), req.body);
    expect(String(req.headers['webhook-signature']).split(' ')).toContain(expected);
    const fields: Record<string, string> = {};
    if (method === 'http-post') {
      for (const [k, v] of new URLSearchParams(req.body)) fields[k] = v;
    } else {
      expect(req.body).toContain('urn:faxgate:feedback:1');
      expect(req.body).toMatch(/InboundFax/);
      for (const m of req.body.matchAll(/<(?:\w+:)?(\w+)>([^<]*)<\/(?:\w+:)?\1>/g)) fields[m[1]] = m[2];
    }
    expect(fields).toMatchObject({
      Direction: 'inbound', Status: 'received', FaxId: fax.id, FromFax: '+14155550123', ToFax: '+15550001111', Pages: '3',
      ReceivedAt: fax.receivedAt, ImageUrl: fax.imageUrl,
    });
    // never the image: no run of the fax's bytes in the notification
    const body = Buffer.from(req.body);
    expect(distinctiveWindows(FAX_TIFF).some((win) => body.includes(win))).toBe(false);
  });

  it('deleting a notified fax leaves no number in its notification rows either', async () => {
    w.accounts.updateSettings(w.a.id, { feedbackUrl: receiver.url, 'incoming.feedbackMethod': 'http-post' }, 'test');
    const caller = '+14155550777'; // unique to this fax
    const before = receiver.requests.length;
    const fax = (await w.inbound.receive({ to: '+15550001111', from: caller, path: FAX_TIFF, name: 'fax.tif' }))!;
    await until(() => receiver.requests.length > before, 'the notification');
    await until(() => (w.db.prepare("SELECT status FROM feedback_outbox WHERE subject_id = ?").get(fax.id) as { status: string } | undefined)?.status === "delivered", "delivery recorded");
    expect(filesContaining(w.dataDir, [Buffer.from(caller)]).length).toBeGreaterThan(0);
    const r = await fetch(`${w.base}/v1/inbound/${fax.id}`, { method: 'DELETE', ...auth(w.a.apiKey) });
    expect(r.status).toBe(200);
    await w.inbound.whenIdle();
    expect(filesContaining(w.dataDir, [Buffer.from(caller)])).toEqual([]);
  });
});

describe('retrieval, isolation and deletion', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => close(w));

  it('another account\'s key gets 404 on every route; no key gets 401', async () => {
    const fax = (await w.inbound.receive({ to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' }))!;
    for (const [method, url] of [['GET', `/v1/inbound/${fax.id}`], ['GET', `/v1/inbound/${fax.id}/image`], ['GET', `/v1/inbound/${fax.id}/image?format=pdf`], ['DELETE', `/v1/inbound/${fax.id}`]]) {
      const r = await fetch(`${w.base}${url}`, { method, ...auth(w.b.apiKey) });
      expect(r.status, `${method} ${url}`).toBe(404);
      expect((await r.json() as { code: string }).code).toBe('not-found');
      expect((await fetch(`${w.base}${url}`, { method })).status).toBe(401);
    }
    const list = await (await fetch(`${w.base}/v1/inbound`, auth(w.b.apiKey))).json() as { items: { id: string }[] };
    expect(list.items.map((f) => f.id)).not.toContain(fax.id);
    expect(w.inbound.get(w.a.id, fax.id).status).toBe('stored');
  });

  it('deleteAfterRetrieval off: the image can be downloaded again and again, as TIFF and as PDF', async () => {
    const fax = (await w.inbound.receive({ to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' }))!;
    for (let i = 0; i < 2; i++) {
      const r = await download(w, w.a.apiKey, fax.id, 'tiff');
      expect(r.status).toBe(200);
      expect(r.type).toBe('image/tiff');
      expect(r.body.equals(readFileSync(FAX_TIFF))).toBe(true);
    }
    const pdf = await download(w, w.a.apiKey, fax.id, 'pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.body.includes(Buffer.from('/CCITTFaxDecode'))).toBe(true);
    await until(() => w.inbound.get(w.a.id, fax.id).retrievalCount === 3, 'three retrievals recorded');
    const shown = await (await fetch(`${w.base}/v1/inbound/${fax.id}`, auth(w.a.apiKey))).json() as Record<string, unknown>;
    expect(shown).toMatchObject({ status: 'stored', retrievalCount: 3, lastRetrievedBy: `api:key_${w.a.apiKeyId}` });
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await (await fetch(`${w.base}/v1/openapi.json`)).json() as { paths: Record<string, Record<string, unknown>> };
    for (const p of ['/v1/inbound', '/v1/inbound/{id}', '/v1/inbound/{id}/image', '/v1/sandbox/inbound']) expect(doc.paths[p], p).toBeDefined();
    expect(Object.keys(doc.paths['/v1/inbound/{id}'])).toEqual(expect.arrayContaining(['get', 'delete']));
  });

  it('HEAD is not a retrieval', async () => {
    const fax = (await w.inbound.receive({ to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' }))!;
    const r = await fetch(`${w.base}/v1/inbound/${fax.id}/image`, { method: 'HEAD', ...auth(w.a.apiKey) });
    expect(r.status).toBe(404);
    expect(w.inbound.get(w.a.id, fax.id)).toMatchObject({ status: 'stored', retrievalCount: 0 });
  });

  it('lists newest first across pages', async () => {
    const page1 = await (await fetch(`${w.base}/v1/inbound?limit=2`, auth(w.a.apiKey))).json() as { items: { id: string; receivedAt: string }[]; nextCursor: string };
    expect(page1.items).toHaveLength(2);
    const page2 = await (await fetch(`${w.base}/v1/inbound?limit=2&cursor=${page1.nextCursor}`, auth(w.a.apiKey))).json() as { items: { id: string }[] };
    const all = w.inbound.list(w.a.id, { limit: 200 }).items.map((f) => f.id);
    expect([...page1.items, ...page2.items].map((f) => f.id)).toEqual(all.slice(0, 4));
    expect((await fetch(`${w.base}/v1/inbound?limit=0`, auth(w.a.apiKey))).status).toBe(400);
  });

  it('deleteAfterRetrieval on: one complete PDF download deletes everything; the image then answers 410 and no byte of the fax remains', async () => {
    w.accounts.updateSettings(w.b.id, { 'incoming.deleteAfterRetrieval': true }, 'test');
    const dir = tempDir();
    const original = path.join(dir, 'original.pdf');
    const { token } = await makeMarkedPdf(original, 2);
    const caller = '+14155550987'; // unique to this fax: its number must not outlive it in the database either
    const r = await sandboxInbound(w, original, 'original.pdf', '+15550002222', ADMIN, caller);
    expect(r.status).toBe(201);
    const fax = await r.json() as { id: string; pages: number };
    expect(fax.pages).toBe(2);
    const stored = path.join(w.dataDir, 'inbound', fax.id, 'fax.tif');
    const storedCopy = path.join(dir, 'stored.tif');
    writeFileSync(storedCopy, readFileSync(stored));

    const pdf = await download(w, w.b.apiKey, fax.id, 'pdf');
    expect(pdf.status).toBe(200);
    const pdfCopy = path.join(dir, 'derived.pdf');
    writeFileSync(pdfCopy, pdf.body);
    await until(() => w.inbound.get(w.b.id, fax.id).status === 'deleted', 'the tombstone');
    await w.inbound.whenIdle();

    for (const format of ['tiff', 'pdf'] as const) {
      const again = await fetch(`${w.base}/v1/inbound/${fax.id}/image?format=${format}`, auth(w.b.apiKey));
      expect(again.status).toBe(410);
      expect((await again.json() as { code: string }).code).toBe('gone');
    }
    const tomb = await (await fetch(`${w.base}/v1/inbound/${fax.id}`, auth(w.b.apiKey))).json() as Record<string, unknown>;
    expect(tomb).toMatchObject({
      id: fax.id, status: 'deleted', pages: 2, from: null, to: null, imageUrl: null, retrievalCount: 1, deletedReason: 'retrieved',
      deletedBy: `api:key_${w.b.apiKeyId}`, lastRetrievedBy: `api:key_${w.b.apiKeyId}`,
    });
    expect(tomb.receivedAt).toBeTruthy();
    expect(tomb.deletedAt).toBeTruthy();

    // The scan: every file in the data folder, including faxgate.sqlite, -wal and -shm, for runs of the original PDF,
    // the stored TIFF, the derived PDF and the token printed on the pages.
    const dbFiles = readdirSync(w.dataDir).filter((f) => f.startsWith('faxgate.sqlite'));
    expect(dbFiles).toContain('faxgate.sqlite');
    const needles = [
      ...distinctiveWindows(original), ...distinctiveWindows(storedCopy), ...distinctiveWindows(pdfCopy), Buffer.from(token),
    ];
    // The scan can fail: the same needles are found in the copies kept outside the data folder.
    expect(filesContaining(dir, needles).map((f) => path.basename(f)).sort()).toEqual(['derived.pdf', 'original.pdf', 'stored.tif']);
    expect(filesContaining(w.dataDir, needles)).toEqual([]);
    expect(filesContaining(w.dataDir, [Buffer.from(caller)])).toEqual([]);
    expect(listFiles(path.join(w.dataDir, 'inbound')).filter((f) => f.includes(fax.id))).toEqual([]);
    expect(w.logs.join('').includes(token)).toBe(false);
  });

  it('DELETE removes the fax for good whatever the setting, leaving a tombstone; repeats answer 410', async () => {
    const fax = (await w.inbound.receive({ to: '+15550001111', from: '+14155550123', path: FAX_TIFF, name: 'fax.tif' }))!;
    expect((await download(w, w.a.apiKey, fax.id, 'pdf')).status).toBe(200);
    const r = await fetch(`${w.base}/v1/inbound/${fax.id}`, { method: 'DELETE', ...auth(w.a.apiKey) });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'deleted', deletedReason: 'deleted', deletedBy: `api:key_${w.a.apiKeyId}`, from: null, to: null });
    await w.inbound.whenIdle();
    expect((await fetch(`${w.base}/v1/inbound/${fax.id}/image`, auth(w.a.apiKey))).status).toBe(410);
    expect((await fetch(`${w.base}/v1/inbound/${fax.id}`, { method: 'DELETE', ...auth(w.a.apiKey) })).status).toBe(410);
    expect(listFiles(path.join(w.dataDir, 'inbound')).filter((f) => f.includes(fax.id))).toEqual([]);
  });
});

describe('an interrupted download', () => {
  let w: World;
  beforeAll(async () => {
    w = await world({ maxPages: 1000, maxMessageBytes: 64 * 1024 * 1024 });
  });
  afterAll(async () => close(w));

  /** GET over a raw socket, read `keep` bytes of the response, then drop the connection. */
  function abortedGet(id: string, key: string, keep: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const url = new URL(w.base);
      const sock = net.connect(Number(url.port), url.hostname, () => {
        sock.write(`GET /v1/inbound/${id}/image HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n\r\n`);
      });
      let got = 0;
      sock.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= keep) {
          sock.pause();
          sock.destroy();
          resolve(got);
        }
      });
      sock.on('error', reject);
    });
  }

  it('keeps the fax (even with deleteAfterRetrieval on), then a complete download deletes it', async () => {
    w.accounts.updateSettings(w.a.id, { 'incoming.deleteAfterRetrieval': true }, 'test');
    const big = path.join(tempDir(), 'big.tif');
    makeBigFax(big, 200); // 600 pages, ~19 MB: more than the socket buffers can hold
    const fax = (await w.inbound.receive({ to: '+15550001111', from: '+14155550123', path: big, name: 'big.tif' }))!;
    expect(fax.pages).toBe(600);
    const got = await abortedGet(fax.id, w.a.apiKey, 256 * 1024);
    expect(got).toBeLessThan(fax.size!);
    await until(() => w.logs.some((l) => l.includes('inbound.download-interrupted') && l.includes(fax.id)), 'the server to see the abort');
    expect(w.inbound.get(w.a.id, fax.id)).toMatchObject({ status: 'stored', retrievalCount: 0 });
    expect(readFileSync(path.join(w.dataDir, 'inbound', fax.id, 'fax.tif')).equals(readFileSync(big))).toBe(true);

    const full = await download(w, w.a.apiKey, fax.id, 'tiff');
    expect(full.status).toBe(200);
    expect(full.body.equals(readFileSync(big))).toBe(true);
    await until(() => w.inbound.get(w.a.id, fax.id).status === 'deleted', 'deletion after the complete download');
    await w.inbound.whenIdle();
    expect(listFiles(path.join(w.dataDir, 'inbound')).filter((f) => f.includes(fax.id))).toEqual([]);
  });
});
