// On-demand SMTP ingest benchmark: messages/s and 250-latency percentiles for a 1 MB PDF email over 4 concurrent
// connections, faxgate vs a bare smtp-server that accepts and discards, plus peak RSS while receiving a 25 MB message.
// Run: npm run build && node dist/bench/ingest.js [messagesPerConnection]
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { SMTPServer } from 'smtp-server';
import { openDatabase } from '../src/store/db.js';
import { createSqliteAccountStore } from '../src/settings/accounts.js';
import { createTypeRegistry } from '../src/attachments/registry.js';
import { createDetector } from '../src/attachments/detect.js';
import { checkAvailability } from '../src/render/availability.js';
import { createSqliteJobStore } from '../src/jobs/store.js';
import { createIntake } from '../src/intake/index.js';
import { createSmtpIngress } from '../src/ingress/smtp/server.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { systemClock } from '../src/domain/types.js';

const SENDER = 'bench@clinic.example';
const CONNECTIONS = 4;
const PER_CONNECTION = Number(process.argv[2] ?? 25);

/** A PDF of about `bytes` (a noise image does not compress, so the size is predictable). */
async function pdfOfSize(bytes: number): Promise<Buffer> {
  const side = Math.ceil(Math.sqrt(bytes / 3));
  const png = await sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
  const doc = await PDFDocument.create();
  const img = await doc.embedPng(png);
  doc.addPage([612, 792]).drawImage(img, { x: 36, y: 36, width: 540, height: 540 });
  return Buffer.from(await doc.save());
}

/** A CRLF MIME message carrying `pdf` base64-encoded, dot-terminated, ready for DATA (body encoded once per PDF). */
const bodies = new WeakMap<Buffer, Buffer>();
function mimeMessage(pdf: Buffer, id: string): Buffer {
  let body = bodies.get(pdf);
  if (!body) {
    const b64 = pdf.toString('base64').replace(/.{76}/g, '$&\r\n');
    body = Buffer.from([
      'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=utf-8', '',
      'Benchmark message.', '', '--b1', 'Content-Type: application/pdf; name="doc.pdf"', 'Content-Disposition: attachment; filename="doc.pdf"',
      'Content-Transfer-Encoding: base64', '', b64, '--b1--', '.', '',
    ].join('\r\n'));
    bodies.set(pdf, body);
  }
  const head = Buffer.from([`From: ${SENDER}`, 'To: +15551234567@fax.localhost', 'Subject: bench', `Message-ID: <${id}@bench>`, ''].join('\r\n'));
  return Buffer.concat([head, body]);
}

/** One SMTP connection that sends messages one after another; resolves with each message's DATA-end → 250 time (ms). */
async function client(port: number, messages: () => Buffer | undefined): Promise<number[]> {
  const sock = net.connect(port, '127.0.0.1');
  let buf = '';
  let waiting: ((line: string) => void) | undefined;
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      if (/^\d{3} /.test(line) && waiting) {
        const w = waiting;
        waiting = undefined;
        w(line);
      }
    }
  });
  const reply = () => new Promise<string>((resolve) => { waiting = resolve; });
  const cmd = async (s: string | Buffer, expect: string) => {
    const r = reply();
    sock.write(s);
    const line = await r;
    if (!line.startsWith(expect)) throw new Error(`unexpected reply: ${line}`);
  };
  await reply(); // banner
  await cmd('EHLO bench.test\r\n', '250');
  const times: number[] = [];
  for (let m = messages(); m; m = messages()) {
    await cmd(`MAIL FROM:<${SENDER}>\r\n`, '250');
    await cmd('RCPT TO:<+15551234567@fax.localhost>\r\n', '250');
    await cmd('DATA\r\n', '354');
    const r = reply();
    await new Promise<void>((resolve) => sock.write(m, () => resolve()));
    const t0 = performance.now();
    const line = await r;
    times.push(performance.now() - t0);
    if (!line.startsWith('250')) throw new Error(`message refused: ${line}`);
  }
  sock.end('QUIT\r\n');
  return times;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function runLoad(port: number, pdf: Buffer): Promise<{ rate: number; p50: number; p95: number; p99: number; n: number }> {
  let left = CONNECTIONS * PER_CONNECTION;
  const next = () => (left-- > 0 ? mimeMessage(pdf, randomBytes(8).toString('hex')) : undefined);
  const t0 = performance.now();
  const all = (await Promise.all(Array.from({ length: CONNECTIONS }, () => client(port, next)))).flat();
  const secs = (performance.now() - t0) / 1000;
  const sorted = all.sort((a, b) => a - b);
  return { rate: all.length / secs, p50: pct(sorted, 50), p95: pct(sorted, 95), p99: pct(sorted, 99), n: all.length };
}

/** Peak RSS (sampled every 5 ms) while one big message is received. */
async function peakRss(port: number, message: Buffer): Promise<{ before: number; peak: number }> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
  let sent = false;
  await client(port, () => (sent ? undefined : ((sent = true), message)));
  clearInterval(timer);
  return { before, peak };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'faxgate-bench-'));
  const config = loadConfig({}, { dataDir, bindHost: '127.0.0.1', smtpPort: 0, maxMessageBytes: 26_214_400 });
  const db = openDatabase(dataDir);
  const accounts = createSqliteAccountStore({ db, clock: systemClock });
  accounts.create({ name: 'Bench', senders: [SENDER] });
  const registry = createTypeRegistry({ db, clock: systemClock, availability: await checkAvailability() });
  const detector = createDetector({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels } });
  const jobs = createSqliteJobStore({ db, clock: systemClock });
  const intake = createIntake({ db, accounts, registry, detector, jobs, clock: systemClock, config, logger: silentLogger });
  const smtp = createSmtpIngress({ config, accounts, intake, logger: silentLogger });
  const fgPort = await smtp.listen(0, '127.0.0.1');

  const bare = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH'], logger: false, size: config.maxMessageBytes,
    onData(stream, _s, cb) {
      stream.on('end', () => cb());
      stream.resume();
    },
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  const barePort = (bare.server.address() as net.AddressInfo).port;

  const pdf = await pdfOfSize(1024 * 1024);
  const big = await pdfOfSize(18 * 1024 * 1024); // ≈ 24.5 MB once base64-encoded: just under the 25 MB limit
  const bigMsg = mimeMessage(big, 'big');

  const bareLoad = await runLoad(barePort, pdf);
  const fgLoad = await runLoad(fgPort, pdf);
  const bareRss = await peakRss(barePort, bigMsg);
  const fgRss = await peakRss(fgPort, bigMsg);

  const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`;
  const row = (name: string, l: typeof fgLoad, r: typeof fgRss) =>
    `| ${name} | ${l.n} | ${l.rate.toFixed(1)} | ${l.p50.toFixed(1)} | ${l.p95.toFixed(1)} | ${l.p99.toFixed(1)} | ${mb(r.peak - r.before)} (${mb(r.peak)}) |`;
  process.stdout.write([
    `SMTP ingest, ${(pdf.length / 1048576).toFixed(2)} MB PDF email, ${CONNECTIONS} concurrent connections, ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| server | messages | messages/s | 250 p50 ms | 250 p95 ms | 250 p99 ms | peak RSS growth, 25 MB message (peak) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    row('bare smtp-server (accept and discard)', bareLoad, bareRss),
    row('faxgate (spool, parse, detect, fsync, commit)', fgLoad, fgRss),
    '',
  ].join('\n'));

  await smtp.close();
  await new Promise<void>((r) => bare.close(() => r()));
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
