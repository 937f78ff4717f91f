// SMTP ingress behaviour on a real loopback server: RFC 3192, recipients, duplicates, inline images, content
// detection of octet-stream parts, forwarded messages, HTML bodies, bare line endings and STARTTLS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { rawMessage, smtpDialog, startSmtpHarness, type SmtpHarness } from './harness.js';
import { makeElf, makePdf, makePng } from './fixtures.js';
import { tempDir } from '../../helpers/tmp.js';

let h: SmtpHarness;
let pdf: Buffer;
let png: Buffer;
const SENDER = 'front@clinic.example';

beforeAll(async () => {
  h = await startSmtpHarness();
  h.accounts.create({ name: 'Clinic', senders: [SENDER] });
  pdf = await makePdf(1);
  png = await makePng();
});
afterAll(async () => h?.close());

async function send(msg: Mail.Options) {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: h.port, secure: false, ignoreTLS: true });
  try {
    const info = await t.sendMail(msg);
    return { ok: true as const, response: info.response, rejected: info.rejected as string[] };
  } catch (e) {
    const err = e as { responseCode?: number; response?: string; message: string };
    return { ok: false as const, code: err.responseCode ?? 0, response: err.response ?? err.message };
  }
}
/** swaks as a child process (async: the server under test runs in this same process). */
function swaks(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile('swaks', ['--server', `127.0.0.1:${h.port}`, '--helo', 'swaks.test', '--timeout', '20', ...args], (_e, out, err) => resolve(`${out}${err}`));
  });
}
const jobIds = (response: string): string[] => response.match(/job_[0-9a-f]+/g) ?? [];
const jobsOf = (response: string) => jobIds(response).map((id) => h.jobs.getById(id)!);

describe('recipients', () => {
  it('RFC 3192 FAX= addresses, plain digits and +E.164 each become a job sharing one submission', async () => {
    const r = await send({ from: SENDER, to: ['FAX=+1-212-555-1212/T33S=1387@fax.localhost', '+442071234567@fax.example.com', '2125550000@FAX.LOCALHOST'],
      text: 'cover note', attachments: [{ filename: 'a.pdf', content: pdf }] });
    expect(r.ok).toBe(true);
    const jobs = jobsOf(r.response);
    expect(jobs.map((j) => j.to).sort()).toEqual(['+12125550000', '+12125551212', '+442071234567']);
    expect(new Set(jobs.map((j) => j.submissionId)).size).toBe(1);
  });

  it('a national number takes the account country', async () => {
    const r = await send({ from: SENDER, to: '5551234567@fax.localhost', text: 'hello' });
    expect(jobsOf(r.response).map((j) => j.to)).toEqual(['+15551234567']);
  });

  it('refuses recipient 51 with 452 4.5.3 and accepts the first 50', async () => {
    const to = Array.from({ length: 51 }, (_, i) => `+1555000${String(i).padStart(4, '0')}@fax.localhost`);
    const r = await send({ from: SENDER, to, text: 'broadcast' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.rejected).toHaveLength(1);
    expect(jobIds(r.response)).toHaveLength(50);
  });

  it('mixes good and bad recipients: the bad ones are refused at RCPT, the rest faxed', async () => {
    const r = await send({ from: SENDER, to: ['+15551230000@fax.localhost', '12ab@fax.localhost', '+15551230000@elsewhere.example'], text: 'x' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.rejected).toHaveLength(2);
    expect(jobIds(r.response)).toHaveLength(1);
  });
});

describe('content', () => {
  it('an application/octet-stream PDF is detected by content and faxed', async () => {
    const r = await send({ from: SENDER, to: '+15551234567@fax.localhost',
      attachments: [{ filename: 'scan', content: pdf, contentType: 'application/octet-stream' }] });
    expect(r.ok).toBe(true);
    const [job] = jobsOf(r.response);
    expect(job.files[0]).toMatchObject({ name: 'scan', detected: 'pdf', verdict: 'accepted', declaredType: 'application/octet-stream' });
  });

  it('a text attachment in a declared legacy charset is decoded by that charset and faxed', async () => {
    const latin1 = Buffer.from('Überweisung für Müller: 250,00 € — naïve café\n'.replace('€', 'EUR').replace('—', '-'), 'latin1');
    const r = await send({ from: SENDER, to: '+15551234567@fax.localhost',
      attachments: [{ filename: 'note.txt', content: latin1, contentType: 'text/plain; charset=ISO-8859-1' }] });
    expect(r.ok).toBe(true);
    const [job] = jobsOf(r.response);
    expect(job.files[0]).toMatchObject({ name: 'note.txt', detected: 'text', verdict: 'accepted' });
  });

  it('inline cid: images of an HTML body are skipped and reported, never rejected (even under reject)', async () => {
    const acc = h.accounts.create({ name: 'Strict', senders: ['strict@clinic.example'] });
    h.accounts.updateSettings(acc.id, { 'outgoing.unsupportedFiles': 'reject' }, 'test');
    const r = await send({ from: 'strict@clinic.example', to: '+15551234567@fax.localhost',
      html: '<p>Hello <b>Dr Smith</b></p><img src="cid:logo@clinic">',
      attachments: [{ filename: 'logo.png', content: png, cid: 'logo@clinic' }, { filename: 'letter.pdf', content: pdf }] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.response).toContain('logo.png (inline)');
    const [job] = jobsOf(r.response);
    // An HTML-only body is its own page (message.html; Chromium is in setup.sh), its cid: image inside it
    const sub = h.jobs.submission(job.submissionId)!;
    expect(job.files.map((f) => [f.name, f.verdict])).toEqual([['message.html', 'accepted'], ['logo.png', 'inline'], ['letter.pdf', 'accepted']]);
    const page = readFileSync(path.join(sub.dir, sub.files[0].stored), 'utf8');
    expect(page).toContain('<b>Dr Smith</b>');
    expect(page).toContain('src="data:image/png;base64,');
    expect(page).toMatch(/<th[^>]*>From:<\/th><td>strict@clinic\.example/);
    expect((sub.body as { text: string }).text).toBe('');
  });

  it('a body-only message is faxed as the body page', async () => {
    const r = await send({ from: SENDER, to: '+15551234567@fax.localhost', subject: 'note', text: 'Just text.' });
    expect(r.ok).toBe(true);
    const [job] = jobsOf(r.response);
    expect(job.files).toEqual([]);
    expect((h.jobs.submission(job.submissionId)!.body as { text: string }).text).toContain('Just text.');
  });

  it('a blank body with only an unsupported attachment is nothing to fax (554 5.6.0)', async () => {
    const r = await send({ from: SENDER, to: '+15551234567@fax.localhost', text: ' \r\n ', attachments: [{ filename: 'x.exe', content: makeElf() }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.response).toMatch(/^554 5\.6\.0 /);
  });

  it('a forwarded message/rfc822 contributes its text and its attachments', async () => {
    const inner = await new Promise<Buffer>((resolve, reject) => {
      const t = nodemailer.createTransport({ streamTransport: true, buffer: true });
      t.sendMail({ from: 'orig@lab.example', to: 'front@clinic.example', subject: 'Lab results', text: 'Results attached from the lab.',
        attachments: [{ filename: 'results.pdf', content: pdf }] }, (err, info) => (err ? reject(err) : resolve(info.message as Buffer)));
    });
    const r = await send({ from: SENDER, to: '+15551234567@fax.localhost', text: 'FYI, forwarding.',
      attachments: [{ filename: 'forwarded.eml', content: inner, contentType: 'message/rfc822' }] });
    expect(r.ok).toBe(true);
    const [job] = jobsOf(r.response);
    expect(job.files.map((f) => [f.name, f.detected, f.verdict])).toEqual([['results.pdf', 'pdf', 'accepted']]);
    const text = (h.jobs.submission(job.submissionId)!.body as { text: string }).text;
    expect(text).toContain('FYI, forwarding.');
    expect(text).toContain('Results attached from the lab.');
    expect(text).toContain('Subject: Lab results');
  });
});

describe('durability and duplicates', () => {
  it('keeps the raw message and the files in the submission folder before answering 250', async () => {
    const r = await send({ from: SENDER, to: '+15551234567@fax.localhost', text: 'keep me', attachments: [{ filename: 'a.pdf', content: pdf }] });
    const [job] = jobsOf(r.response);
    const dir = h.jobs.submission(job.submissionId)!.dir;
    expect(readdirSync(dir).sort()).toEqual(['f000.bin', 'message.eml']);
  });

  it('the same Message-ID from the same sender is answered 250 with the original job ids and not faxed twice', async () => {
    const msg = { from: SENDER, to: '+15551234567@fax.localhost', text: 'once', messageId: '<dup-1@clinic.example>' };
    const a = await send(msg);
    const b = await send(msg);
    expect(a.ok && b.ok).toBe(true);
    expect(jobIds(b.response)).toEqual(jobIds(a.response));
    expect(b.response).toMatch(/^250 2\.0\.0 already queued/);
    expect(h.jobs.list(undefined, { limit: 1000 }).filter((j) => j.submissionId === jobsOf(a.response)[0].submissionId)).toHaveLength(1);
  });

  it('no temporary files are left behind', async () => {
    expect(readdirSync(path.join(h.dataDir, 'tmp', 'smtp'))).toEqual([]);
  });
});

describe('protocol defences', () => {
  const dataSteps = (body: string) => [
    'EHLO client.test\r\n', `MAIL FROM:<${SENDER}>\r\n`, 'RCPT TO:<+15551234567@fax.localhost>\r\n', 'DATA\r\n', body, 'QUIT\r\n',
  ];

  it.each([
    ['bare LF', rawMessage(SENDER, 'x@fax.localhost', 'line one\nline two\r\n').concat('.\r\n')],
    ['bare CR', rawMessage(SENDER, 'x@fax.localhost', 'line one\rline two\r\n').concat('.\r\n')],
    ['smuggling attempt', rawMessage(SENDER, 'x@fax.localhost', 'hi\r\n\n.\r\nMAIL FROM:<evil@x>\r\n').concat('.\r\n')],
  ])('%s in DATA is refused with 554 5.6.0', async (_name, body) => {
    const before = h.jobs.list(undefined, { limit: 1000 }).length;
    const replies = await smtpDialog(h.port, dataSteps(body));
    expect(replies[5]).toMatch(/^554 5\.6\.0 /);
    expect(h.jobs.list(undefined, { limit: 1000 }).length).toBe(before);
  });

  it('a clean CRLF message through the raw dialogue is accepted', async () => {
    const replies = await smtpDialog(h.port, dataSteps(`${rawMessage(SENDER, 'x@fax.localhost', 'all good\r\n')}.\r\n`));
    expect(replies[5]).toMatch(/^250 2\.0\.0 queued as job_/);
  });

  it('swaks (a third-party client) gets the same replies, including the bare-LF refusal', async () => {
    const ok = await swaks(['--from', SENDER, '--to', '15551234567@fax.localhost', '--body', 'sent by swaks', '--h-Subject', 'swaks']);
    expect(ok).toMatch(/<-\s+250 2\.0\.0 queued as job_/);
    const dir = tempDir();
    const file = path.join(dir, 'bare.eml');
    // --no-data-fixup sends the file verbatim, so it carries its own terminator.
    writeFileSync(file, `From: ${SENDER}\nTo: x@fax.localhost\nSubject: bare\n\nbare LF body\r\n.\r\n`);
    const bare = await swaks(['--from', SENDER, '--to', '15551234567@fax.localhost', '--data', `@${file}`, '--no-data-fixup']);
    expect(bare).toMatch(/<\*\*\s+554 5\.6\.0 /);
  });
});

describe('connection limits', () => {
  it('refuses connections beyond FAXGATE_SMTP_MAX_CLIENTS with a 421', async () => {
    // Two slots, one per address (a single address may never hold them all): two addresses take both.
    const h2 = await startSmtpHarness({ smtpMaxClients: 2, smtpMaxPerAddress: 1 });
    const first = net.connect({ port: h2.port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    const second = net.connect({ port: h2.port, host: '127.0.0.1', localAddress: '127.0.0.3' });
    try {
      // banners: both slots are taken
      await Promise.all([first, second].map((s) => new Promise((r) => s.once('data', r))));
      const third = await smtpDialog(h2.port, []);
      expect(third[0]).toMatch(/^421 /);
    } finally {
      first.destroy();
      second.destroy();
      await h2.close();
    }
  });
});

describe('time bounds', () => {
  it('a client trickling DATA past the transfer deadline gets 421 4.4.2 and is disconnected, nothing is stored', async () => {
    const h2 = await startSmtpHarness({}, { dataTimeoutMs: 800 });
    try {
      h2.accounts.create({ name: 'C', senders: [SENDER] });
      const transcript = await new Promise<string>((resolve, reject) => {
        const sock = net.connect(h2.port, '127.0.0.1');
        let out = '';
        let trickle: NodeJS.Timeout | undefined;
        const steps = ['EHLO t\r\n', `MAIL FROM:<${SENDER}>\r\n`, 'RCPT TO:<+15551234567@fax.localhost>\r\n', 'DATA\r\n'];
        sock.setEncoding('utf8');
        sock.on('data', (d: string) => {
          out += d;
          if (/^\d{3} /m.test(d) && steps.length) sock.write(steps.shift()!);
          else if (/^354 /m.test(d)) trickle = setInterval(() => sock.write('x'), 100);
        });
        sock.on('close', () => { clearInterval(trickle); resolve(out); });
        sock.on('error', (e) => { clearInterval(trickle); if ((e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as NodeJS.ErrnoException).code === 'EPIPE') resolve(out); else reject(e); });
      });
      expect(transcript).toMatch(/^421 4\.4\.2 /m);
      expect(h2.jobs.list().length).toBe(0);
    } finally {
      await h2.close();
    }
  });
});

describe('STARTTLS', () => {
  it('is offered when a certificate is configured, and mail goes through over TLS', async () => {
    const dir = tempDir();
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const h2 = await startSmtpHarness({ tlsCert: cert, tlsKey: key });
    try {
      h2.accounts.create({ name: 'C', senders: [SENDER] });
      const ehlo = await smtpDialog(h2.port, ['EHLO client.test\r\n', 'QUIT\r\n']);
      expect(ehlo[1]).toMatch(/STARTTLS/);
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: h2.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
      const info = await t.sendMail({ from: SENDER, to: '+15551234567@fax.localhost', text: 'over tls' });
      expect(info.response).toMatch(/^250 2\.0\.0 /);
    } finally {
      await h2.close();
    }
    const plain = await smtpDialog(h.port, ['EHLO client.test\r\n', 'QUIT\r\n']);
    expect(plain[1]).not.toMatch(/STARTTLS/);
    expect(existsSync(cert)).toBe(true);
  });

  it('without a certificate, STARTTLS is refused with 502 5.5.1 and the session goes on in plain text (issue #12.9)', async () => {
    // smtp-server would otherwise answer 220 and handshake with its bundled, publicly known key (CN=localhost).
    const replies = await smtpDialog(h.port, ['EHLO client.test\r\n', 'STARTTLS\r\n', 'NOOP\r\n', 'QUIT\r\n'], 5_000);
    expect(replies[1]).not.toMatch(/STARTTLS/);
    expect(replies[2]).toMatch(/^502 5\.5\.1 STARTTLS is not offered/);
    expect(replies[3]).toMatch(/^250 /);
    expect(replies[4]).toMatch(/^221 /);
  });

  it('with a certificate, STARTTLS presents that certificate', async () => {
    const dir = tempDir();
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=faxgate.test'], { stdio: 'ignore' });
    const h2 = await startSmtpHarness({ tlsCert: cert, tlsKey: key });
    try {
      const sock = net.connect(h2.port, '127.0.0.1');
      const lines: string[] = [];
      const next = () => new Promise<string>((resolve) => {
        const onData = (d: Buffer) => {
          lines.push(...d.toString('latin1').split('\r\n').filter(Boolean));
          const last = lines[lines.length - 1];
          if (/^\d{3} /.test(last)) { sock.off('data', onData); resolve(last); lines.length = 0; }
        };
        sock.on('data', onData);
      });
      expect(await next()).toMatch(/^220 /);
      sock.write('EHLO client.test\r\n');
      await next();
      sock.write('STARTTLS\r\n');
      expect(await next()).toMatch(/^220 /);
      const secure = tls.connect({ socket: sock, rejectUnauthorized: false, servername: 'faxgate.test' });
      await new Promise<void>((resolve, reject) => { secure.once('secureConnect', resolve); secure.once('error', reject); });
      expect(secure.getPeerCertificate().subject.CN).toBe('faxgate.test');
      secure.destroy();
    } finally {
      await h2.close();
    }
  });
});
