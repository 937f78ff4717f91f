// Through the product: a gateway whose FAXGATE_LINES names a real hfaxd takes a fax over HTTP, hands it to HylaFAX,
// survives a restart without resubmitting, and ends the job when HylaFAX kills the fax.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, startGateway, type Gateway } from '../../../src/main.js';
import { HylafaxSession } from '../../../src/lines/hylafax/client.js';
import { parseHylafaxRef } from '../../../src/lines/hylafax/line.js';
import { auth, corpusBytes } from '../../ingress/http/harness.js';
import { tempDir } from '../../helpers/tmp.js';
import { hylafaxUnavailable, startHylafaxServer, waitFor, type HylafaxServer } from '../../helpers/hylafax-server.js';

const SKIP = hylafaxUnavailable();
let srv: HylafaxServer;
let gw: Gateway | undefined;
const dataDir = SKIP ? '' : tempDir('faxgate-gw-hylafax-');

beforeAll(async () => {
  if (!SKIP) srv = await startHylafaxServer();
});
afterAll(async () => {
  await gw?.stop();
  gw?.core.db.close();
  await srv?.stop();
});

async function start(): Promise<Gateway> {
  const env = {
    FAXGATE_LINES: JSON.stringify([{ name: 'office', kind: 'hylafax', host: '127.0.0.1', port: srv.port, user: 'faxgate', killMinutes: 60 }]),
    FAXGATE_DEFAULT_LINE: 'office',
  };
  const core = openCore({ dataDir, bindHost: '127.0.0.1', smtpPort: 0, httpPort: 0, logLevel: 'silent' }, env);
  return startGateway(core);
}

async function stop(g: Gateway): Promise<void> {
  await g.stop();
  g.core.db.close();
}

describe.skipIf(SKIP)('the gateway on a HylaFAX line', () => {
  it('HTTP submit → queued in HylaFAX with the reference recorded → restart resumes (one HylaFAX job) → JKILL ends it cancelled', async () => {
    gw = await start();
    const key = gw.core.accounts.create({ name: 'Clinic', senders: ['front@clinic.example'] }).apiKey;
    const base = `http://127.0.0.1:${gw.httpPort}`;
    const ready = (await (await fetch(`${base}/readyz`)).json()) as { checks: { name: string; ok: boolean }[] };
    expect(ready.checks).toContainEqual(expect.objectContaining({ name: 'line:office', ok: true }));

    const fd = new FormData();
    fd.append('to', '+15551234567');
    fd.append('file', new Blob([corpusBytes('pdf/pdf_three_pages.pdf')]), 'letter.pdf');
    const r = await fetch(`${base}/v1/faxes`, { method: 'POST', headers: auth(key), body: fd });
    expect(r.status).toBe(202);
    const id = ((await r.json()) as { jobs: { id: string }[] }).jobs[0].id;
    const show = async (g: Gateway) => (await (await fetch(`http://127.0.0.1:${g.httpPort}/v1/faxes/${id}`, { headers: auth(key) })).json()) as {
      status: string; statusCode?: number; reason?: string; line?: string; calls?: { line: string; outcome?: string }[];
    };
    const lineRef = () => (gw!.core.db.prepare('SELECT line_ref FROM job_attempts WHERE job_id = ? ORDER BY attempt DESC').get(id) as { line_ref: string | null } | undefined)?.line_ref;
    await waitFor('the job sending with a HylaFAX reference', async () => (await show(gw!)).status === 'sending' && Boolean(lineRef()), 60_000);
    const ref = lineRef()!;
    const { job, key: jobKey } = parseHylafaxRef(ref)!;
    expect(jobKey).toBe(`faxgate.${id}.1`);
    await waitFor('the fax in sendq', () => srv.jobFile(job)?.queue === 'sendq');
    expect(srv.jobFile(job)).toMatchObject({ number: '+15551234567', maxdials: '1', maxtries: '1', jobtag: jobKey, sender: expect.stringMatching(/^api:key_/) });
    const queued = srv.queued();

    // faxgate restarts while HylaFAX holds the fax: tracked again under its recorded reference, never resubmitted.
    await stop(gw);
    gw = await start();
    await waitFor('resumed', async () => (await show(gw!)).status === 'sending');
    expect(srv.queued()).toEqual(queued);

    // The operator kills the fax in HylaFAX (faxrm does JKILL): the job ends cancelled on its next poll.
    const s = await HylafaxSession.connect({ host: '127.0.0.1', port: srv.port });
    await s.login('faxgate');
    await s.selectJob(job);
    expect(await s.kill()).toBe('killed');
    await s.close();
    await waitFor('the job ended', async () => (await show(gw!)).status !== 'sending', 30_000);
    const end = await show(gw);
    expect(end).toMatchObject({ status: 'failed', statusCode: 8 });
    expect(srv.queued()).toEqual(queued.filter((q) => q !== job));
  });
});
