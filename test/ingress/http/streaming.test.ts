// A real listening server: multipart uploads streamed to disk, large files, the size limit mid-stream, nothing left behind.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, corpusBytes, makeHarness, type Harness } from './harness.js';

let h: Harness;
let base: string;
let noise: Buffer;
const LIMIT = 6 * 1024 * 1024;

beforeAll(async () => {
  // A photo-like PNG that does not compress: a few megabytes of real, decodable image.
  noise = await sharp({ create: { width: 1400, height: 1200, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .png({ compressionLevel: 1 }).toBuffer();
  h = makeHarness({ maxMessageBytes: LIMIT });
  const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
  base = address;
});
afterAll(() => h.app.close());

const leftovers = () => {
  const dir = path.join(h.dataDir, 'tmp');
  return existsSync(dir) ? readdirSync(dir).filter((d) => d.startsWith('http-')) : [];
};

function form(files: { name: string; type: string; data: Buffer }[], to = ['+15553330001']) {
  const fd = new FormData();
  for (const t of to) fd.append('to', t);
  for (const f of files) fd.append('file', new Blob([f.data], { type: f.type }), f.name);
  return fd;
}

describe('multipart over a real connection', () => {
  it('streams a multi-megabyte upload to disk and queues it', async () => {
    expect(noise.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(noise.length).toBeLessThan(LIMIT);
    const a = h.account();
    const r = await fetch(`${base}/v1/faxes`, {
      method: 'POST', headers: auth(a.apiKey),
      body: form([{ name: 'photo.png', type: 'image/png', data: noise }, { name: 'doc.pdf', type: 'application/pdf', data: corpusBytes('pdf/pdf_three_pages.pdf') }]),
    });
    expect(r.status).toBe(202);
    const body = await r.json() as { jobs: { id: string }[]; files: { name: string; size: number; verdict: string }[] };
    expect(body.files.map((f) => [f.name, f.size, f.verdict])).toEqual([
      ['photo.png', noise.length, 'accepted'], ['doc.pdf', corpusBytes('pdf/pdf_three_pages.pdf').length, 'accepted'],
    ]);
    expect(leftovers()).toEqual([]);
  });

  it('413 message-too-large when the files together pass the limit, refused from Content-Length or mid-stream', async () => {
    const a = h.account();
    const r = await fetch(`${base}/v1/faxes`, {
      method: 'POST', headers: auth(a.apiKey),
      body: form([{ name: 'one.png', type: 'image/png', data: noise }, { name: 'two.png', type: 'image/png', data: noise }]),
    });
    expect(r.status).toBe(413);
    expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await r.json()) as { code: string }).code).toBe('message-too-large');
    expect(leftovers()).toEqual([]);
  });

  it('413 for a chunked upload without Content-Length, counted while streaming; nothing left on disk', async () => {
    const a = h.account();
    const boundary = 'faxgate-chunked-boundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="to"\r\n\r\n+15553330001\r\n`
      + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
    const chunk = Buffer.alloc(256 * 1024, 0x41);
    const chunks = Math.ceil((LIMIT * 1.5) / chunk.length);
    async function* gen() {
      yield head;
      for (let i = 0; i < chunks; i++) yield chunk;
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    }
    let status: number;
    let code: string;
    try {
      const r = await fetch(`${base}/v1/faxes`, {
        method: 'POST',
        headers: { ...auth(a.apiKey), 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: Readable.toWeb(Readable.from(gen())) as unknown as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      status = r.status;
      code = ((await r.json()) as { code: string }).code;
    } catch (e) {
      // The server may close the connection before the client finished sending; the answer is still 413 on the wire.
      status = -1;
      code = String((e as Error).cause ?? e);
    }
    expect([status, code]).toEqual([413, 'message-too-large']);
    expect(leftovers()).toEqual([]);
  });

  it('refuses an unauthenticated upload before reading it', async () => {
    const r = await fetch(`${base}/v1/faxes`, { method: 'POST', body: form([{ name: 'photo.png', type: 'image/png', data: noise }]) });
    expect(r.status).toBe(401);
    expect(leftovers()).toEqual([]);
  });

  it.each([
    ['no API key', false, 401, false],
    ['declared length over the limit', true, 413, false],
  ])('Expect: 100-continue is not granted with %s: answered before the body is sent', async (_n, withKey, status, continued) => {
    const headers = withKey ? auth(h.account().apiKey) : {};
    const { port, hostname } = new URL(base);
    const result = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let gotContinue = false;
      const req = request({
        host: hostname, port, method: 'POST', path: '/v1/faxes',
        headers: { ...headers, expect: '100-continue', 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(LIMIT * 3) },
      });
      req.on('continue', () => { gotContinue = true; req.destroy(); });
      req.on('response', (res) => { res.resume(); resolve({ status: res.statusCode ?? 0, continued: gotContinue }); req.destroy(); });
      req.on('error', (e) => (gotContinue ? resolve({ status: 0, continued: true }) : reject(e)));
      req.flushHeaders();
    });
    expect(result).toEqual({ status, continued });
  });

  it('Expect: 100-continue is granted to an authenticated upload of acceptable size', async () => {
    const a = h.account();
    const { port, hostname } = new URL(base);
    const boundary = 'continue-boundary';
    const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="to"\r\n\r\n+15553330001\r\n--${boundary}\r\n`
      + `Content-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
    const payload = Buffer.concat([body, corpusBytes('pdf/pdf_three_pages.pdf'), Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const result = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = request({
        host: hostname, port, method: 'POST', path: '/v1/faxes',
        headers: { ...auth(a.apiKey), expect: '100-continue', 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(payload.length) },
      });
      req.on('continue', () => { continued = true; req.end(payload); });
      req.on('response', (res) => { res.resume(); res.on('end', () => resolve({ status: res.statusCode ?? 0, continued })); });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(result).toEqual({ status: 202, continued: true });
  });
});
