// The real-call tier: a fax crosses a real T.30 call (HylaFAX faxq/hfaxd/faxgetty, two iaxmodems on loopback, the
// shipped FaxRcvdCmd hook) and lands in a real gateway's inbound pixel for pixel; a call nobody answers ends no-answer.
// Runs as root on every `npm test` (scripts/setup.sh installs the stack): one real call and one unanswered dial, about a minute.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, startGateway, type Gateway } from '../../../src/main.js';
import { RECEIVER_CSID, RECEIVER_NUMBER, SENDER_TSI, comparePages, startFaxLoop, waitFor, type FaxLoop } from '../../helpers/fax-loop.js';
import { tempDir } from '../../helpers/tmp.js';

const ROOT = process.getuid?.() === 0;
/**
 * The unanswered modem's calls go to another number: HylaFAX places one call at a time per destination
 * (MaxConcurrentCalls 1), so the same number would make the good call wait out the 45 s of ringing.
 */
const SILENT_NUMBER = '+15550000003';
const T0 = Date.now();
const measured: Record<string, unknown> = {};
const note = (k: string, v: unknown) => { measured[k] = v; };

let loop: FaxLoop;
let gw: Gateway;
let key: string;
let base: string;
let fax1: string;
let pdf1: string;
let otherKey: string;
/** the no-answer fax through faxgate, started with the gateway so its 45 s of ringing overlap the other calls */
let unanswered: Promise<{ id: string; seconds: number }> | undefined;

/** A 1-page TIFF Class F as Ghostscript makes it (1728x2156, 204x196 dpi, G4): HylaFAX sends it unchanged with -m. */
function makeFax(dir: string): string {
  const ps = path.join(dir, 'doc.ps');
  writeFileSync(ps, `%!PS
/Helvetica-Bold findfont 36 scalefont setfont
72 700 moveto (faxgate loop test - page 1) show
/Courier findfont 14 scalefont setfont
72 660 moveto (The quick brown fox jumps over the lazy dog 0123456789) show
4 setlinewidth 72 100 moveto 540 100 lineto 540 640 lineto 72 640 lineto closepath stroke
0 1 9 { /i exch def 90 i 50 mul add 120 moveto 0 500 rlineto stroke } for
72 30 moveto (bottom marker page 1) show
showpage
`);
  const out = path.join(dir, 'fax1.tif');
  execFileSync('gs', ['-q', '-dBATCH', '-dNOPAUSE', '-dSAFER', '-sDEVICE=tiffg4', '-r204x196', '-g1728x2156', `-sOutputFile=${out}`, ps]);
  return out;
}

beforeAll(async () => {
  if (!ROOT) return;
  loop = await startFaxLoop({});
  note('setupSeconds', (Date.now() - T0) / 1000);
  fax1 = makeFax(loop.base);
  const common = { kind: 'hylafax', host: '127.0.0.1', port: loop.hfaxdPort, user: 'faxgate', number: RECEIVER_NUMBER };
  const lines = [
    { name: 'loop', ...common, modem: loop.modems.sender, receiveDir: loop.dropDir },
    { name: 'unanswered', ...common, modem: loop.modems.noAnswer },
  ];
  const core = openCore(
    { dataDir: tempDir('faxgate-call-'), bindHost: '127.0.0.1', smtpPort: 0, httpPort: 0, logLevel: 'warn' },
    { FAXGATE_LINES: JSON.stringify(lines), FAXGATE_DEFAULT_LINE: 'loop', FAXGATE_RETRY_ATTEMPTS: '1' },
  );
  key = core.accounts.create({ name: 'Clinic', senders: ['front@clinic.example'], inbound: [RECEIVER_NUMBER] }).apiKey;
  // an account whose faxes go out on the modem whose peer never answers
  const other = core.accounts.create({ name: 'Annex', senders: ['desk@annex.example'] });
  core.accounts.setLine(other.id, 'unanswered', ['sandbox', 'loop', 'unanswered'], 'test');
  otherKey = other.apiKey;
  gw = await startGateway(core);
  base = `http://127.0.0.1:${gw.httpPort}`;
  pdf1 = path.join(loop.base, 'letter.pdf');
  execFileSync('gs', ['-q', '-dBATCH', '-dNOPAUSE', '-dSAFER', '-sDEVICE=pdfwrite', `-sOutputFile=${pdf1}`, path.join(loop.base, 'doc.ps')]);
  const t = Date.now();
  unanswered = submitFax(otherKey, pdf1, SILENT_NUMBER).then(async (id) => {
    await finalStatus(otherKey, id, 180_000);
    return { id, seconds: (Date.now() - t) / 1000 };
  });
  unanswered.catch(() => undefined); // awaited by its test
}, 120_000);

afterAll(async () => {
  await gw?.stop();
  gw?.core.db.close();
  await loop?.stop();
  note('tierSeconds', (Date.now() - T0) / 1000);
  console.log(`fax loop measurements: ${JSON.stringify(measured)}`);
}, 60_000);

const api = (p: string, init: RequestInit = {}, as = key) => fetch(`${base}${p}`, { ...init, headers: { authorization: `Bearer ${as}`, ...init.headers } });

/** POST /v1/faxes with one file; resolves with the job id. */
async function submitFax(as: string, file: string, to = RECEIVER_NUMBER): Promise<string> {
  const fd = new FormData();
  fd.append('to', to);
  fd.append('file', new Blob([readFileSync(file)], { type: 'application/pdf' }), path.basename(file));
  const r = await api('/v1/faxes', { method: 'POST', body: fd }, as);
  expect(r.status).toBe(202);
  return ((await r.json()) as { jobs: { id: string }[] }).jobs[0].id;
}

type FaxView = {
  status: string; pages: number; remoteId?: string; lineStatus?: unknown; statusCode?: number;
  calls: { outcome: string; pagesSent: number; remoteId?: string; lineText?: string; lineCode?: string }[];
};

/** GET /v1/faxes/{id} once the job is final (sent, failed, rejected). */
async function finalStatus(as: string, id: string, timeoutMs: number): Promise<FaxView> {
  return waitFor(`fax ${id} final`, timeoutMs, async () => {
    const v = (await (await api(`/v1/faxes/${id}`, {}, as)).json()) as FaxView;
    return ['sent', 'failed', 'rejected'].includes(v.status) ? v : undefined;
  });
}

type Inbound = { id: string; from: string; to: string; remoteId: string | null; pages: number };

/** The account's received faxes once `n` have arrived (the intake sees the hook's files through fs.watch or its poll). */
async function inboundFaxes(n: number): Promise<Inbound[]> {
  return waitFor(`${n} inbound fax(es)`, 30_000, async () => {
    const items = ((await (await api('/v1/inbound')).json()) as { items: Inbound[] }).items;
    return items.length >= n ? items : undefined;
  });
}

async function downloadInbound(id: string, name: string): Promise<string> {
  const r = await api(`/v1/inbound/${id}/image?format=tiff`);
  expect(r.status).toBe(200);
  const file = path.join(loop.base, name);
  writeFileSync(file, Buffer.from(await r.arrayBuffer()));
  return file;
}

describe.skipIf(!ROOT)('a real T.30 call through HylaFAX and iaxmodem', () => {
  it('faxgate sends a fax submitted over HTTP: modulated, received and stored in its inbound pixel for pixel', async () => {
    await loop.waitReceiverIdle();
    const before = (await inboundFaxes(0)).length;
    const t = Date.now();
    const id = await submitFax(key, pdf1);
    // while this call holds the sending modem, a second fax handed to the same line waits in HylaFAX's queue
    // (MaxBatchJobs 1): cancelling it there is deterministic, it can never have dialled
    // bounded generously (a busy machine renders and hands over slowly); a fax that ended instead fails at once, with its view
    await waitFor('the sending modem busy (its UUCP lock)', 180_000, async () => {
      if (existsSync(`/var/lock/LCK..${loop.modems.sender}`)) return true;
      const v = (await (await api(`/v1/faxes/${id}`)).json()) as FaxView;
      if (['sent', 'failed', 'rejected'].includes(v.status)) throw new Error(`the fax ended before its call was seen: ${JSON.stringify(v)}`);
      return undefined;
    });
    const line = gw.lines.byName('loop')!;
    const queued = { jobId: 'job_cancel_probe', attempt: 1, to: RECEIVER_NUMBER, tiffPath: fax1, pages: 1, lpi: 196 };
    const ref = await line.submit(queued, { handedOver: () => true });
    expect(ref).toBeDefined();
    expect(await line.cancel(ref!)).toBe('cancelled');
    const cancelled = await line.track(ref!, queued);
    note('cancelledOutcome', cancelled);
    expect(cancelled).toMatchObject({ result: 'cancelled', pagesSent: 0 });

    const view = await finalStatus(key, id, 180_000);
    note('faxgateCallSeconds', (Date.now() - t) / 1000);
    note('faxgateCall', { status: view.status, remoteId: view.remoteId, calls: view.calls });
    expect(view.status).toBe('sent');
    expect(view.remoteId).toBe(RECEIVER_CSID);
    expect(view.calls).toEqual([expect.objectContaining({ outcome: 'sent', pagesSent: 1, remoteId: RECEIVER_CSID })]);
    const faxes = await inboundFaxes(before + 1);
    note('faxgateToInboundSeconds', (Date.now() - t) / 1000);
    expect(faxes[0]).toMatchObject({ to: RECEIVER_NUMBER, remoteId: SENDER_TSI, pages: 1 });
    const sent = path.join(loop.base, 'sent-by-faxgate.tif');
    const img = await api(`/v1/faxes/${id}/image?format=tiff`);
    expect(img.status).toBe(200);
    writeFileSync(sent, Buffer.from(await img.arrayBuffer()));
    const received = await downloadInbound(faxes[0].id, 'inbound-faxgate.tif');
    expect(await comparePages(sent, received)).toEqual({ sent: 1, received: 1, differingPixels: [0] });
    // the cancelled fax never reached the receiver: exactly one more fax arrived, and nothing more once it is idle
    await loop.waitReceiverIdle();
    expect((await inboundFaxes(0)).length).toBe(before + 1);
  }, 420_000);

  it('a fax to a number nobody answers ends no-answer, with HylaFAX\'s status text on the call', async () => {
    const { id, seconds } = await unanswered!;
    note('noAnswerFaxgateSeconds', seconds);
    const view = (await (await api(`/v1/faxes/${id}`, {}, otherKey)).json()) as FaxView;
    note('noAnswerCall', view.calls);
    expect(view.status).toBe('failed');
    expect(view.calls).toEqual([expect.objectContaining({ outcome: 'no-answer', pagesSent: 0 })]);
    expect(view.calls[0].lineText).toMatch(/No answer from remote/);
  }, 240_000);
});
