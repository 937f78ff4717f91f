// Issue #12.7: large JSON bodies are admitted a few at a time (per account, in all) and decoded in a worker thread.
import { request, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonBodies } from '../../../src/ingress/http/json-bodies.js';
import { auth, corpusBytes, makeHarness, type Harness } from './harness.js';

const PDF = corpusBytes('pdf/pdf_three_pages.pdf');
const TO = '+15551230001';
const LARGE = 1024;
// Injected limits: two large bodies at once in all, one per account; anything above 1 KiB counts as large.
const gate = createJsonBodies({ maxConcurrent: 2, maxPerAccount: 1, largeBytes: LARGE });

let h: Harness;
let port: number;
beforeAll(async () => {
  h = makeHarness({}, { jsonBodies: gate });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  port = (h.app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await h.feedback.close();
  await h.app.close();
});

interface Answer { status: number; headers: IncomingHttpHeaders; json: { code?: string; files?: { size: number }[]; errors?: { field: string }[] } }

/**
 * A raw POST /v1/faxes whose body is sent in two steps: the first `held` bytes at once, the rest only on `finish()`.
 * Holding a request open mid-body is how the tests keep a slot busy, by construction rather than by timing.
 */
function post(key: string, body: Buffer, held = body.length, chunked = false) {
  const req = request({
    host: '127.0.0.1', port, method: 'POST', path: '/v1/faxes', agent: false,
    headers: { ...auth(key), 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': body.length }) },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
    });
    req.on('error', reject);
  });
  // A refusal closes the connection before the body is read, and abort() drops it: neither is an error here.
  answer.catch(() => undefined);
  req.write(body.subarray(0, held));
  if (held === body.length) req.end();
  return {
    answer,
    finish: () => req.end(body.subarray(held)),
    abort: () => req.destroy(),
  };
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const pdfBody = () => json({ to: TO, files: [{ name: 'a.pdf', data: PDF.toString('base64') }] });

/** Wait (without a deadline of our own: the test runner's timeout bounds it) until the server's state says so. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

describe('large JSON bodies', () => {
  it('admits one per account and two in all, refuses the next before reading it (429 / 503 + Retry-After), admits after release', async () => {
    expect(pdfBody().length).toBeGreaterThan(LARGE);
    const [a, b, c] = [h.account(), h.account(), h.account()];
    const body = pdfBody();

    const first = post(a.apiKey, body, 100);
    await until(() => gate.inUse().total === 1);
    // Same account while its one slot is taken: 429 with the catalogue code, answered with the body unread.
    const sameAccount = await post(a.apiKey, body).answer;
    expect(sameAccount.status).toBe(429);
    expect(sameAccount.json.code).toBe('too-many-uploads');
    expect(sameAccount.headers['retry-after']).toBe('5');

    const second = post(b.apiKey, body, 100);
    await until(() => gate.inUse().total === 2);
    // Another account while the server is full: 503 server-busy.
    const full = await post(c.apiKey, body).answer;
    expect(full.status).toBe(503);
    expect(full.json.code).toBe('server-busy');
    expect(full.headers['retry-after']).toBe('5');
    expect(full.headers['content-type']).toMatch(/problem\+json/);
    // A small JSON body is not gated.
    const small = await post(c.apiKey, json({ to: TO, coverText: 'hello' })).answer;
    expect(small.status).toBe(202);

    // The first finishes: its slot comes back and the refused account gets in.
    first.finish();
    const done = await first.answer;
    expect(done.status).toBe(202);
    expect(done.json.files?.[0]?.size).toBe(PDF.length);
    expect(gate.inUse().workerDecodes).toBeGreaterThan(0);
    await until(() => gate.inUse().total === 1);
    const retried = await post(c.apiKey, body).answer;
    expect(retried.status).toBe(202);

    // A client that gives up mid-body gives its slot back too.
    second.abort();
    await until(() => gate.inUse().total === 0);
    expect(gate.inUse().perAccount).toEqual({});
    expect((await post(b.apiKey, body).answer).status).toBe(202);
  });

  it('a body of unknown length (chunked) counts as large, and is decoded in the worker', async () => {
    const a = h.account();
    const before = gate.inUse().workerDecodes;
    // Small, but nothing says so before it is read: it takes a slot like a large one.
    const body = json({ to: TO, coverText: 'hello' });
    const held = post(a.apiKey, body, 10, true);
    await until(() => gate.inUse().total === 1);
    expect((await post(a.apiKey, pdfBody()).answer).json.code).toBe('too-many-uploads');
    held.finish();
    expect((await held.answer).status).toBe(202);
    expect(gate.inUse().workerDecodes).toBe(before + 1);
    await until(() => gate.inUse().total === 0);
  });

  it('Expect: 100-continue is granted only once the gate admits: a refused client never sends its body', async () => {
    const [a, b] = [h.account(), h.account()];
    const body = pdfBody();
    const expectContinue = (key: string) => new Promise<{ status: number; continued: boolean; code?: string }>((resolve, reject) => {
      let continued = false;
      const req = request({
        host: '127.0.0.1', port, method: 'POST', path: '/v1/faxes', agent: false,
        headers: { ...auth(key), expect: '100-continue', 'content-type': 'application/json', 'content-length': body.length },
      });
      req.on('continue', () => { continued = true; req.end(body); });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, continued, code: (JSON.parse(Buffer.concat(chunks).toString()) as { code?: string }).code }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    const held = post(a.apiKey, body, 100);
    await until(() => gate.inUse().total === 1);
    expect(await expectContinue(a.apiKey)).toEqual({ status: 429, continued: false, code: 'too-many-uploads' });
    const ok = await expectContinue(b.apiKey);
    expect(ok).toMatchObject({ status: 202, continued: true });
    held.finish();
    expect((await held.answer).status).toBe(202);
    await until(() => gate.inUse().total === 0);
  });

  it('a large body decoded in the worker is refused exactly as before: bad base64, bad JSON, prototype keys', async () => {
    const a = h.account();
    const padding = 'x'.repeat(LARGE);
    const badB64 = await post(a.apiKey, json({ to: TO, coverText: padding, files: [{ name: 'a.pdf', data: '!!!not base64!!!' }] })).answer;
    expect(badB64.status).toBe(400);
    expect(badB64.json.code).toBe('invalid-request');
    expect(badB64.json.errors?.map((e) => e.field)).toEqual(['files.0.data']);

    const badJson = await post(a.apiKey, Buffer.from(`{"to":"${TO}","coverText":"${padding}"`)).answer;
    expect(badJson.status).toBe(400);
    expect(badJson.json.code).toBe('invalid-request');

    const proto = await post(a.apiKey, Buffer.from(`{"to":"${TO}","coverText":"${padding}","__proto__":{"x":1}}`)).answer;
    expect(proto.status).toBe(400);
    expect(proto.json.code).toBe('invalid-request');
    await until(() => gate.inUse().total === 0);
  });
});
