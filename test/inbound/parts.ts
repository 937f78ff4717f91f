// Shared pieces of the inbound tests: real fixtures (made by fixtures/generate.ts), the byte scan of a data folder, a real feedback receiver on loopback, and the renderer/detector the inbound module is built with.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CORPUS } from '../helpers/tmp.js';

const scratch: string[] = [];

/**
 * A temporary folder that `removeScratch` deletes; usable inside tests and hooks (each test file registers
 * `afterAll(removeScratch)` at its top level).
 */
export function scratchDir(prefix = 'faxgate-inbound-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

export function removeScratch(): void {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
}

export { FAX_TIFF, makeBigFax, makeMarkedPdf } from '../../fixtures/generate.js';
export const NON_FAX_TIFF = path.join(CORPUS, 'tiff/g4_multipage_400dpi_a4.tif');

/**
 * Distinctive byte windows of a file: `n` windows of `len` bytes from its middle (image or stream data, away from the
 * headers and trailers that every TIFF/PDF of the same producer shares), each with enough distinct byte values not to
 * occur by chance.
 */
export function distinctiveWindows(file: string, n = 8, len = 48): Buffer[] {
  const buf = readFileSync(file);
  const from = Math.floor(buf.length * 0.2);
  const span = Math.floor(buf.length * 0.6) - len;
  const out: Buffer[] = [];
  for (let i = 0; i < n * 20 && out.length < n; i++) {
    const start = from + Math.floor((span * i) / (n * 20));
    const w = buf.subarray(start, start + len);
    if (new Set(w).size >= 20) out.push(Buffer.from(w));
  }
  if (out.length < n) throw new Error(`only ${out.length} distinctive windows in ${file}`);
  return out;
}

/** Every regular file under `dir` (recursively) that contains any of the needles. */
export function filesContaining(dir: string, needles: Buffer[]): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.isFile()) {
        const data = readFileSync(p);
        if (needles.some((nd) => data.includes(nd))) hits.push(p);
      }
    }
  };
  walk(dir);
  return hits;
}

export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

export const sizeOf = (file: string) => statSync(file).size;

/** A real HTTP server on loopback recording every request (headers and raw body). */
export async function startReceiver(status = 200): Promise<{ url: string; requests: { headers: IncomingMessage['headers']; body: string }[]; server: Server; close(): Promise<void> }> {
  const requests: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fax-hook`,
    requests,
    server,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Poll until `cond` holds (bounded); for outcomes of asynchronous work such as deliveries. Not a timing assertion. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, maxMs = 20_000): Promise<void> {
  const end = Date.now() + maxMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
