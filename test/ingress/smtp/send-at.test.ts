// X-Fax-Send-At on a real loopback SMTP server: the adapter passes the header on, intake schedules the jobs (or
// refuses the message in the session with invalid-send-at), exactly as for the API's sendAt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { startSmtpHarness, type SmtpHarness } from './harness.js';

let h: SmtpHarness;
const SENDER = 'sched@clinic.example';

beforeAll(async () => {
  h = await startSmtpHarness();
  h.accounts.create({ name: 'Scheduling clinic', senders: [SENDER] });
});
afterAll(async () => h?.close());

async function send(headers: Record<string, string>) {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: h.port, secure: false, ignoreTLS: true });
  try {
    const info = await t.sendMail({ from: SENDER, to: '+15551234567@fax.localhost', text: 'a scheduled note', headers });
    return { ok: true as const, response: info.response };
  } catch (e) {
    const err = e as { responseCode?: number; response?: string; message: string };
    return { ok: false as const, code: err.responseCode ?? 0, response: err.response ?? err.message };
  }
}

describe('X-Fax-Send-At', () => {
  it('schedules the message\'s jobs at that time (stored as UTC)', async () => {
    const at = new Date(Date.now() + 2 * 86_400_000);
    const local = new Date(at.getTime() + 2 * 3_600_000).toISOString().slice(0, 19) + '+02:00';
    const r = await send({ 'X-Fax-Send-At': local });
    expect(r.ok, r.response).toBe(true);
    const id = /job_[0-9a-f]+/.exec(r.response)![0];
    expect(h.jobs.getById(id)!.sendAt).toBe(new Date(Date.parse(local)).toISOString());
  });

  it('refuses a time without an offset, or more than 30 days ahead, in the session: 550 5.5.4 invalid-send-at', async () => {
    for (const v of ['2026-12-24T09:00:00', new Date(Date.now() + 40 * 86_400_000).toISOString()]) {
      const r = await send({ 'X-Fax-Send-At': v });
      expect(r.ok, v).toBe(false);
      expect(r.response, v).toMatch(/^550 5\.5\.4 .*30 days|^550 5\.5\.4 .*offset/);
    }
  });
});
