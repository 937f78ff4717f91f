// `faxgate serve`'s wiring: startGateway() answers HTTP on its port with the same parts as SMTP (the main.ts wiring).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, startGateway, type Gateway } from '../../../src/main.js';
import { auth, corpusBytes } from './harness.js';
import { tempDir } from '../../helpers/tmp.js';

let gw: Gateway;
let key: string;
let base: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('faxgate-gw-http-');
  const core = openCore({ dataDir, bindHost: '127.0.0.1', smtpPort: 0, httpPort: 0, logLevel: 'silent', sandboxSecondsPerPage: 0 }, {});
  key = core.accounts.create({ name: 'Clinic', senders: ['front@clinic.example'] }).apiKey;
  gw = await startGateway(core);
  base = `http://127.0.0.1:${gw.httpPort}`;
});
afterAll(async () => {
  await gw?.stop();
  gw?.core.db.close();
});

describe('the gateway serves the web service', () => {
  it('accepts a PDF, renders and sends it, and serves its image', async () => {
    expect(gw.httpPort).toBeGreaterThan(0);
    const fd = new FormData();
    fd.append('to', '+15551234567');
    fd.append('file', new Blob([corpusBytes('pdf/pdf_three_pages.pdf')]), 'letter.pdf');
    const r = await fetch(`${base}/v1/faxes`, { method: 'POST', headers: auth(key), body: fd });
    expect(r.status).toBe(202);
    const id = ((await r.json()) as { jobs: { id: string }[] }).jobs[0].id;
    let status = '';
    for (let i = 0; i < 600 && status !== 'sent' && status !== 'failed' && status !== 'rejected'; i++) {
      status = ((await (await fetch(`${base}/v1/faxes/${id}`, { headers: auth(key) })).json()) as { status: string }).status;
      if (status !== 'sent') await new Promise((res) => setTimeout(res, 50));
    }
    expect(status).toBe('sent');
    const pdf = await fetch(`${base}/v1/faxes/${id}/image?format=pdf`, { headers: auth(key) });
    expect(pdf.status).toBe(200);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    const doc = await fetch(`${base}/v1/openapi.json`);
    expect(((await doc.json()) as { paths: Record<string, unknown> }).paths).toHaveProperty('/v1/inbound');
  });

  it('answers /healthz and /readyz without a token, the sandbox line among the readiness checks', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(200);
    const text = await r.text();
    // a public endpoint: no path of this machine in it
    expect(text).not.toContain(dataDir);
    const body = JSON.parse(text) as { status: string; checks: { name: string; ok: boolean }[] };
    expect(body.checks.map((c) => [c.name, c.ok])).toEqual([['database', true], ['data-folder', true], ['renderer', true], ['mail-relay', true], ['line:sandbox', true]]);
  });
});
