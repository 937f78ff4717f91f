// POST/GET /v1/faxes over inject(): auth, isolation, every refusal status, validation messages, idempotency, the image.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, corpusBytes, makeHarness, multipart, type Harness } from './harness.js';

const PDF = corpusBytes('pdf/pdf_three_pages.pdf');
const PNG = corpusBytes('images/png_palette_with_alpha.png');
const SVG = corpusBytes('images/svg_check.svg');
const TO = '+15551230001';

let h: Harness;
let a: ReturnType<Harness['account']>;
let b: ReturnType<Harness['account']>;

beforeAll(async () => {
  h = makeHarness({ maxMessageBytes: 256 * 1024 });
  await h.app.ready();
  a = h.account();
  b = h.account();
});
afterAll(async () => {
  await h.feedback.close();
  await h.app.close();
});

const json = (body: unknown, key = a.apiKey, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...auth(key), ...headers }, payload: body as object });
const b64 = (buf: Buffer) => buf.toString('base64');

function setPolicy(key: string, policy: 'ignore' | 'reject') {
  return h.app.inject({ method: 'PUT', url: '/v1/settings/integration', headers: auth(key), payload: { outgoing: { unsupportedFiles: policy } } });
}

describe('authentication and problems', () => {
  it.each([
    ['no header', {}],
    ['wrong key', { authorization: 'Bearer fgk_not-a-real-key' }],
    ['not bearer', { authorization: 'Basic abc' }],
  ])('answers 401 problem+json (%s)', async (_name, headers) => {
    const r = await h.app.inject({ method: 'GET', url: '/v1/faxes/job_x', headers });
    expect(r.statusCode).toBe(401);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.json()).toMatchObject({ status: 401, code: 'unauthorized', type: 'urn:faxgate:error:unauthorized' });
    expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('refuses an upload without reading it when the key is wrong', async () => {
    const m = multipart([['to', TO]], [{ name: 'a.pdf', data: PDF }]);
    const r = await h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...m.headers, authorization: 'Bearer nope' }, payload: m.payload });
    expect(r.statusCode).toBe(401);
    expect(existsSync(path.join(h.dataDir, 'tmp')) ? readdirSync(path.join(h.dataDir, 'tmp')) : []).toEqual([]);
  });

  it('answers unknown routes with a not-found problem', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/v1/nothing-here', headers: auth(a.apiKey) });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 'not-found', status: 404 });
  });

  it('answers malformed JSON with invalid-request', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...auth(a.apiKey), 'content-type': 'application/json' }, payload: '{"to":' });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('invalid-request');
  });

  it('answers an unsupported content type with 415 unsupported-media-type', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...auth(a.apiKey), 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(r.statusCode).toBe(415);
    expect(r.json().code).toBe('unsupported-media-type');
  });
});

describe('POST /v1/faxes', () => {
  it('accepts multipart: one job per recipient and the per-file report', async () => {
    const m = multipart([['to', TO], ['to', '+15551230002'], ['resolution', 'superfine'], ['paper', 'a4']],
      [{ name: 'three.pdf', type: 'application/pdf', data: PDF }, { name: 'logo.png', type: 'image/png', data: PNG }]);
    const r = await h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...m.headers, ...auth(a.apiKey) }, payload: m.payload });
    expect(r.statusCode).toBe(202);
    const body = r.json();
    expect(body.jobs.map((j: { to: string }) => j.to)).toEqual([TO, '+15551230002']);
    expect(body.jobs[0].status).toBe('received');
    expect(body.files.map((f: { name: string; detected: string; verdict: string }) => [f.name, f.detected, f.verdict]))
      .toEqual([['three.pdf', 'pdf', 'accepted'], ['logo.png', 'png', 'accepted']]);
    expect(r.headers.location).toBe(`/v1/faxes/${body.jobs[0].id}`);
    const job = h.jobs.get(a.id, body.jobs[0].id)!;
    expect(job).toMatchObject({ source: 'api', resolution: 'superfine', paper: 'a4', sender: `api:key_${a.apiKeyId}` });
    // The upload's temp files are gone; the submission folder holds the durable copies.
    expect(readdirSync(path.join(h.dataDir, 'tmp')).filter((d) => d.startsWith('http-'))).toEqual([]);
  });

  it('accepts JSON with base64 files and a single "to" string', async () => {
    const r = await json({ to: '(555) 123-0003', files: [{ name: 'doc.pdf', contentType: 'application/pdf', data: b64(PDF) }], coverText: 'Hello' });
    expect(r.statusCode).toBe(202);
    expect(r.json().jobs).toEqual([expect.objectContaining({ to: TO.replace('0001', '0003') })]);
  });

  it('drops unsupported files under ignore and reports them', async () => {
    const r = await json({ to: TO, files: [{ name: 'a.pdf', data: b64(PDF) }, { name: 'pic.svg', contentType: 'image/svg+xml', data: b64(SVG) }] });
    expect(r.statusCode).toBe(202);
    const svg = r.json().files.find((f: { name: string }) => f.name === 'pic.svg');
    expect(svg).toMatchObject({ detected: 'svg', verdict: 'unsupported-type' });
    expect(svg.reason).toBeTruthy();
  });

  it('415 unsupported-attachment with every offending file under reject; nothing is queued', async () => {
    const c = h.account();
    expect((await setPolicy(c.apiKey, 'reject')).statusCode).toBe(200);
    const r = await json({ to: TO, files: [{ name: 'a.pdf', data: b64(PDF) }, { name: 'pic.svg', data: b64(SVG) }, { name: 'blob.bin', data: b64(Buffer.from([1, 2, 3, 250, 251])) }] }, c.apiKey);
    expect(r.statusCode).toBe(415);
    const p = r.json();
    expect(p.code).toBe('unsupported-attachment');
    expect(p.files.map((f: { name: string; verdict: string }) => [f.name, f.verdict]))
      .toEqual([['a.pdf', 'accepted'], ['pic.svg', 'unsupported-type'], ['blob.bin', 'unknown-type']]);
    for (const j of p.jobs) expect(h.jobs.get(c.id, j.id)?.status).toBe('rejected');
  });

  it('422 nothing-to-fax when no file is faxable and there is no cover text', async () => {
    const r = await json({ to: TO, files: [{ name: 'pic.svg', data: b64(SVG) }] });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({ code: 'nothing-to-fax', files: [expect.objectContaining({ name: 'pic.svg' })] });
    const empty = await json({ to: TO, files: [] });
    expect(empty.statusCode).toBe(422);
  });

  it('cover text alone is faxable', async () => {
    const r = await json({ to: TO, coverText: 'Only a note' });
    expect(r.statusCode).toBe(202);
  });

  it('403 not-designated-number for a developer account faxing another number', async () => {
    const dev = h.account({ kind: 'developer', designated: '+15557654321' });
    const ok = await json({ to: '+15557654321', files: [{ name: 'a.pdf', data: b64(PDF) }] }, dev.apiKey);
    expect(ok.statusCode).toBe(202);
    const r = await json({ to: TO, files: [{ name: 'a.pdf', data: b64(PDF) }] }, dev.apiKey);
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'not-designated-number', errors: [expect.objectContaining({ field: 'to.0' })] });
  });

  it.each([['letters', 'call-me'], ['too short', '12'], ['too long', '+12345678901234567']])('400 invalid-number (%s)', async (_n, to) => {
    const r = await json({ to: [TO, to], files: [{ name: 'a.pdf', data: b64(PDF) }] });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'invalid-number', errors: [expect.objectContaining({ field: 'to.1' })] });
  });

  it('400 too-many-recipients past 50', async () => {
    const to = Array.from({ length: 51 }, (_, i) => `+1555100${String(i).padStart(4, '0')}`);
    const r = await json({ to, coverText: 'x' });
    expect(r.statusCode).toBe(400);
    expect(['too-many-recipients', 'invalid-request']).toContain(r.json().code);
  });

  it('413 message-too-large for JSON and multipart beyond the limit', async () => {
    const big = Buffer.alloc(300 * 1024, 7);
    const r = await json({ to: TO, files: [{ name: 'big.pdf', data: b64(big) }] });
    expect(r.statusCode).toBe(413);
    expect(r.json().code).toBe('message-too-large');
    const m = multipart([['to', TO]], [{ name: 'big.bin', data: big }]);
    const r2 = await h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...m.headers, ...auth(a.apiKey) }, payload: m.payload });
    expect(r2.statusCode).toBe(413);
    expect(r2.json().code).toBe('message-too-large');
    expect(readdirSync(path.join(h.dataDir, 'tmp')).filter((d) => d.startsWith('http-'))).toEqual([]);
  });

  it.each([
    ['missing to', { files: [] }, 'to', /^to is required$/],
    ['unknown field', { to: TO, colour: 'red' }, 'colour', /colour is not a known field/],
    ['bad resolution', { to: TO, resolution: 'ultra' }, 'resolution', /standard, fine, superfine/],
    ['file without data', { to: TO, files: [{ name: 'x' }] }, 'files.0.data', /required/],
    ['bad base64', { to: TO, files: [{ name: 'x', data: '@@@' }] }, 'files.0.data', /base64/],
  ])('400 invalid-request naming the field (%s)', async (_n, body, field, message) => {
    const r = await json(body);
    expect(r.statusCode).toBe(400);
    const p = r.json();
    expect(p.code).toBe('invalid-request');
    const e = p.errors.find((x: { field: string }) => x.field === field);
    expect(e, JSON.stringify(p.errors)).toBeTruthy();
    expect(e.message).toMatch(message);
  });

  it('multipart validation names unknown fields and bad values too', async () => {
    const m = multipart([['to', TO], ['paper', 'tabloid'], ['colour', 'red']], [{ name: 'a.pdf', data: PDF }]);
    const r = await h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...m.headers, ...auth(a.apiKey) }, payload: m.payload });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['colour', 'paper']);
  });

  it('413 when a multipart request carries more files than allowed', async () => {
    const files = Array.from({ length: 51 }, (_, i) => ({ name: `f${i}.pdf`, data: Buffer.from('%PDF-1.4\n') }));
    const m = multipart([['to', TO]], files);
    const r = await h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...m.headers, ...auth(a.apiKey) }, payload: m.payload });
    expect(r.statusCode).toBe(413);
    expect(r.json().code).toBe('message-too-large');
    expect(readdirSync(path.join(h.dataDir, 'tmp')).filter((d) => d.startsWith('http-'))).toEqual([]);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response for the same request and creates one submission', async () => {
    const body = { to: TO, files: [{ name: 'a.pdf', data: b64(PDF) }] };
    const first = await json(body, a.apiKey, { 'idempotency-key': 'order-42' });
    const again = await json(body, a.apiKey, { 'idempotency-key': 'order-42' });
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    const n = h.db.prepare('SELECT COUNT(*) AS n FROM jobs WHERE submission_id = ?').get(first.json().submissionId) as { n: number };
    expect(n.n).toBe(1);
    const subs = h.db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE account_id = ? AND id = ?").get(a.id, first.json().jobs[0].id) as { n: number };
    expect(subs.n).toBe(1);
  });

  it('the same key from another account is independent', async () => {
    const body = { to: TO, files: [{ name: 'a.pdf', data: b64(PDF) }] };
    const r1 = await json(body, a.apiKey, { 'idempotency-key': 'shared-key' });
    const r2 = await json(body, b.apiKey, { 'idempotency-key': 'shared-key' });
    expect(r2.statusCode).toBe(202);
    expect(r2.json().submissionId).not.toBe(r1.json().submissionId);
  });

  it('409 idempotency-conflict when the key is reused with a different request', async () => {
    await json({ to: TO, files: [{ name: 'a.pdf', data: b64(PDF) }] }, a.apiKey, { 'idempotency-key': 'order-43' });
    const r = await json({ to: TO, files: [{ name: 'a.pdf', data: b64(PNG) }] }, a.apiKey, { 'idempotency-key': 'order-43' });
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('idempotency-conflict');
  });

  it('replays a refusal too (the same request gets the same answer)', async () => {
    const body = { to: TO, files: [{ name: 'pic.svg', data: b64(SVG) }] };
    const r1 = await json(body, a.apiKey, { 'idempotency-key': 'order-44' });
    const r2 = await json(body, a.apiKey, { 'idempotency-key': 'order-44' });
    expect(r1.statusCode).toBe(422);
    expect(r2.statusCode).toBe(422);
    expect(r2.headers['content-type']).toMatch(/problem\+json/);
    expect(r2.json().code).toBe('nothing-to-fax');
  });
});

describe('GET /v1/faxes/{id} and its image', () => {
  let jobId: string;
  let submissionId: string;
  beforeAll(async () => {
    const r = await json({ to: TO, files: [{ name: 'a.pdf', data: b64(PDF) }] });
    jobId = r.json().jobs[0].id;
    submissionId = r.json().submissionId;
  });

  it('shows status, pages, attempts, per-file report, events and feedback', async () => {
    const r = await h.app.inject({ method: 'GET', url: `/v1/faxes/${jobId}`, headers: auth(a.apiKey) });
    expect(r.statusCode).toBe(200);
    const v = r.json();
    expect(v).toMatchObject({ id: jobId, status: 'received', to: TO, source: 'api', pages: 0, attempts: 0, feedback: [] });
    expect(v.files[0]).toMatchObject({ name: 'a.pdf', verdict: 'accepted' });
    expect(v.events[0]).toMatchObject({ from: null, to: 'received' });
    expect(v.accountId).toBeUndefined();
  });

  it("another account's fax is 404, exactly like a missing one", async () => {
    for (const url of [`/v1/faxes/${jobId}`, `/v1/faxes/${jobId}/image`, '/v1/faxes/job_missing']) {
      const r = await h.app.inject({ method: 'GET', url, headers: auth(b.apiKey) });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().code).toBe('not-found');
    }
  });

  it('409 not-ready before rendering, then the TIFF and the PDF', async () => {
    const early = await h.app.inject({ method: 'GET', url: `/v1/faxes/${jobId}/image`, headers: auth(a.apiKey) });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('not-ready');
    // Stand in for the render worker: a real G4 fax TIFF in the submission folder.
    const tiff = path.join(h.dataDir, 'submissions', submissionId, 'fax.tif');
    execFileSync('convert', ['-size', '1728x2156', 'xc:white', '-fill', 'black', '-draw', 'rectangle 100,100 800,400', '-monochrome',
      '-compress', 'Group4', '-density', '204x196', '-units', 'PixelsPerInch', tiff]);
    h.jobs.setRendered(submissionId, { renderStatus: 'done', pages: 1, tiffPath: tiff });
    const t = await h.app.inject({ method: 'GET', url: `/v1/faxes/${jobId}/image?format=tiff`, headers: auth(a.apiKey) });
    expect(t.statusCode).toBe(200);
    expect(t.headers['content-type']).toBe('image/tiff');
    expect(t.rawPayload.equals(readFileSync(tiff))).toBe(true);
    const p = await h.app.inject({ method: 'GET', url: `/v1/faxes/${jobId}/image?format=pdf`, headers: auth(a.apiKey) });
    expect(p.statusCode).toBe(200);
    expect(p.headers['content-type']).toBe('application/pdf');
    expect(p.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const bad = await h.app.inject({ method: 'GET', url: `/v1/faxes/${jobId}/image?format=png`, headers: auth(a.apiKey) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('format');
  });
});

describe('the image of a refused fax', () => {
  it('is 409 invalid-state: a rejected job never had an image', async () => {
    const c = h.account();
    await setPolicy(c.apiKey, 'reject');
    const r = await json({ to: TO, files: [{ name: 'pic.svg', data: b64(SVG) }] }, c.apiKey);
    const img = await h.app.inject({ method: 'GET', url: `/v1/faxes/${r.json().jobs[0].id}/image`, headers: auth(c.apiKey) });
    expect(img.statusCode).toBe(409);
    expect(img.json().code).toBe('invalid-state');
  });
});

describe('feedback deliveries on GET /v1/faxes/{id}', () => {
  it('lists the delivery attempts of a refused fax', async () => {
    const received: string[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => { received.push(body); res.writeHead(200).end('ok'); });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      const c = h.account();
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/fax-feedback`;
      const s = await h.app.inject({ method: 'PUT', url: '/v1/settings/integration', headers: auth(c.apiKey),
        payload: { feedbackUrl: url, outgoing: { feedbackWhen: 'always', unsupportedFiles: 'reject' } } });
      expect(s.statusCode).toBe(200);
      const r = await json({ to: TO, files: [{ name: 'pic.svg', data: b64(SVG) }] }, c.apiKey);
      expect(r.statusCode).toBe(415);
      const jobId = r.json().jobs[0].id;
      h.feedback.start();
      for (let i = 0; i < 2400 && h.feedback.deliveriesFor(jobId).length === 0; i++) await new Promise((res) => setTimeout(res, 25));
      const v = (await h.app.inject({ method: 'GET', url: `/v1/faxes/${jobId}`, headers: auth(c.apiKey) })).json();
      expect(v.status).toBe('rejected');
      expect(v.feedback).toEqual([expect.objectContaining({ url, outcome: 'delivered', statusCode: 200 })]);
      expect(received[0]).toContain(`FaxId=${jobId}`);
    } finally {
      await h.feedback.stop();
      hook.close();
    }
  });
});

describe('POST /v1/screen', () => {
  it('runs the screen under the caller policy and creates no job', async () => {
    const c = h.account();
    await setPolicy(c.apiKey, 'reject');
    const before = (h.db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n;
    const m = multipart([], [{ name: 'a.pdf', data: PDF }, { name: 'pic.svg', data: SVG }]);
    const r = await h.app.inject({ method: 'POST', url: '/v1/screen', headers: { ...m.headers, ...auth(c.apiKey) }, payload: m.payload });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ outcome: 'reject', reason: 'unsupported-attachment' });
    const ignore = await h.app.inject({ method: 'POST', url: '/v1/screen', headers: auth(a.apiKey), payload: { files: [{ name: 'pic.svg', data: b64(SVG) }], coverText: 'hi' } });
    expect(ignore.json()).toMatchObject({ outcome: 'accept', files: [expect.objectContaining({ verdict: 'unsupported-type' })] });
    expect((h.db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n).toBe(before);
  });

  it('needs an API key', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/screen', payload: { files: [] } });
    expect(r.statusCode).toBe(401);
  });
});

