// /metrics scraped from a running gateway (real SMTP, workers, Ghostscript-free text render, sandbox line, feedback
// to a loopback receiver that always fails): every figure the issue lists moves with the work it counts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, startGateway, type Gateway } from '../../src/main.js';
import { FaxError, smtpReply } from '../../src/domain/errors.js';
import { MAX_ATTEMPTS } from '../../src/feedback/index.js';
import { tempDir } from '../helpers/tmp.js';

const SENDER = 'front@clinic.example';
const RETRIES = 2;
let gw: Gateway;
let receiver: http.Server;
let hits = 0;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    hits++;
    req.resume();
    res.statusCode = 500;
    res.end();
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const core = openCore({
    dataDir: tempDir('faxgate-metrics-'), bindHost: '127.0.0.1', smtpPort: 0, httpPort: 0, logLevel: 'silent', metrics: 'open',
    sandboxSecondsPerPage: 0, retryAttempts: RETRIES, retrySpacingSeconds: 1, retryScale: 0.000001, feedbackAllowPrivate: true,
  }, {});
  const a = core.accounts.create({ name: 'Clinic', senders: [SENDER] });
  core.accounts.updateSettings(a.id, {
    feedbackUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, 'outgoing.feedbackWhen': 'always',
  }, 'test');
  gw = await startGateway(core);
});
afterAll(async () => {
  await gw?.stop();
  gw?.core.db.close();
  await new Promise((r) => receiver.close(r));
});

/** Every sample of the exposition text, by its full name with labels (`name{a="b"}`). */
async function scrape(): Promise<Map<string, number>> {
  const r = await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`);
  expect(r.status).toBe(200);
  const out = new Map<string, number>();
  for (const line of (await r.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
const val = (m: Map<string, number>, k: string) => m.get(k) ?? 0;

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('GET /metrics on a running gateway', () => {
  it('counts SMTP replies by code, render and send durations, feedback failures, jobs by status and queue age', async () => {
    const before = await scrape();
    for (const name of ['faxgate_render_duration_seconds_count', 'faxgate_feedback_given_up_total']) expect(before.get(name)).toBe(0);
    expect(before.get('faxgate_feedback_attempts_total{outcome="failed"}')).toBe(0);

    const t = () => nodemailer.createTransport({ host: '127.0.0.1', port: gw.smtpPort, secure: false, ignoreTLS: true });
    // one message, two recipients: one rendering, a sent call and a busy one retried until it fails
    const info = await t().sendMail({ from: SENDER, to: ['+15551230001@fax.localhost', '+9999999001@fax.localhost'], subject: 'Hi', text: 'Cover note.' });
    const ids = info.response.match(/job_[0-9a-f]+/g) ?? [];
    expect(ids).toHaveLength(2);
    const refused = await t().sendMail({ from: 'stranger@elsewhere.example', to: '+15551230001@fax.localhost', text: 'x' }).then(() => undefined, (e: { responseCode?: number }) => e.responseCode);
    const refusal = smtpReply(new FaxError('sender-not-registered')).responseCode;
    expect(refused).toBe(refusal);

    const m = await until('both jobs final and every feedback given up', async () => {
      const s = await scrape();
      return val(s, 'faxgate_feedback_given_up_total') === 2 && val(s, 'faxgate_jobs{status="sent"}') === 1 ? s : undefined;
    });

    // SMTP: one greeting and one DATA go-ahead per accepted message; the refusal under its own code.
    expect(val(m, 'faxgate_smtp_replies_total{code="220"}') - val(before, 'faxgate_smtp_replies_total{code="220"}')).toBe(2);
    expect(val(m, 'faxgate_smtp_replies_total{code="354"}') - val(before, 'faxgate_smtp_replies_total{code="354"}')).toBe(1);
    expect(val(m, 'faxgate_smtp_replies_total{code="250"}')).toBeGreaterThanOrEqual(5);
    expect(val(m, `faxgate_smtp_replies_total{code="${refusal}"}`)).toBe(1);

    // One render for the submission (shared by both recipients), and it took some time.
    expect(val(m, 'faxgate_render_duration_seconds_count')).toBe(1);
    expect(val(m, 'faxgate_render_duration_seconds_sum')).toBeGreaterThan(0);
    expect(val(m, 'faxgate_render_duration_seconds_bucket{le="+Inf"}')).toBe(1);

    // Calls by outcome: one sent, the busy number dialled RETRIES times.
    expect(val(m, 'faxgate_send_duration_seconds_count{outcome="sent"}')).toBe(1);
    expect(val(m, 'faxgate_send_duration_seconds_count{outcome="busy"}')).toBe(RETRIES);
    expect(val(m, 'faxgate_send_duration_seconds_bucket{le="+Inf",outcome="busy"}')).toBe(RETRIES);

    // Feedback: each job's report failed every attempt and was given up; the receiver saw each one.
    expect(val(m, 'faxgate_feedback_attempts_total{outcome="failed"}')).toBe(2 * MAX_ATTEMPTS);
    expect(val(m, 'faxgate_feedback_attempts_total{outcome="delivered"}')).toBe(0);
    expect(hits).toBe(2 * MAX_ATTEMPTS);

    // Jobs by status and the queue, read from the store.
    expect(val(m, 'faxgate_jobs{status="sent"}')).toBe(1);
    expect(val(m, 'faxgate_jobs{status="failed"}')).toBe(1);
    expect(m.get('faxgate_queue_oldest_age_seconds')).toBe(0);
  });
});
