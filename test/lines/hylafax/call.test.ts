// The real-call tier: a fax crosses a real T.30 call (HylaFAX faxq/hfaxd/faxgetty, two iaxmodems on loopback, the
// shipped FaxRcvdCmd hook) and lands in a real gateway's inbound pixel for pixel; a call nobody answers ends no-answer.
// Runs as root on every `npm test` (scripts/setup.sh installs the stack); about two minutes of real-time modem audio.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineFactories, type LineFactories } from '../../../src/lines/index.js';
import type { FaxLine } from '../../../src/lines/types.js';
import { openCore, startGateway, type Gateway } from '../../../src/main.js';
import { RECEIVER_CSID, RECEIVER_NUMBER, SENDER_TSI, comparePages, startFaxLoop, waitFor, type FaxLoop } from '../../helpers/fax-loop.js';
import { tempDir } from '../../helpers/tmp.js';

const ROOT = process.getuid?.() === 0;
const T0 = Date.now();
const measured: Record<string, unknown> = {};
const note = (k: string, v: unknown) => { measured[k] = v; };

/** A stand-in for sending while this build has no HylaFAX send line: the sendfax-driven tests only receive. */
const standIn = (name: string): FaxLine => ({
  name, kind: 'hylafax', durable: true,
  submit: () => Promise.reject(new Error('this build cannot send on HylaFAX lines')),
  track: () => Promise.reject(new Error('not used')),
  cancel: () => Promise.resolve('unknown'),
  check: () => Promise.resolve({ ok: true, detail: 'stand-in' }),
});

let loop: FaxLoop;
let gw: Gateway;
let key: string;
let base: string;
let fax1: string;
/** the build's own HylaFAX send line, once it has one (src/lines/hylafax/line.ts) */
let canSend = false;

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
  const real = await lineFactories({ lines: [] });
  canSend = Boolean(real.hylafax);
  const factories: LineFactories = canSend ? real : { hylafax: (cfg) => standIn(cfg.name) };
  const common = { kind: 'hylafax', host: '127.0.0.1', port: loop.hfaxdPort, user: 'faxgate', number: RECEIVER_NUMBER };
  const lines = [
    { name: 'loop', ...common, modem: loop.modems.sender, receiveDir: loop.dropDir },
    { name: 'unanswered', ...common, modem: loop.modems.noAnswer },
  ];
  const core = openCore(
    { dataDir: tempDir('faxgate-call-'), bindHost: '127.0.0.1', smtpPort: 0, httpPort: 0, logLevel: 'silent' },
    { FAXGATE_LINES: JSON.stringify(lines), FAXGATE_DEFAULT_LINE: 'loop', FAXGATE_RETRY_ATTEMPTS: '1' },
  );
  key = core.accounts.create({ name: 'Clinic', senders: ['front@clinic.example'], inbound: [RECEIVER_NUMBER] }).apiKey;
  gw = await startGateway(core, { lineFactories: factories });
  base = `http://127.0.0.1:${gw.httpPort}`;
}, 120_000);

afterAll(async () => {
  await gw?.stop();
  gw?.core.db.close();
  await loop?.stop();
  note('tierSeconds', (Date.now() - T0) / 1000);
  console.log(`fax loop measurements: ${JSON.stringify(measured)}`);
}, 60_000);

const api = (p: string, init: RequestInit = {}) => fetch(`${base}${p}`, { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } });

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
  it('HylaFAX\'s own sendfax: the fax is received, handed over by the shipped hook and stored pixel for pixel', async () => {
    const t = Date.now();
    const jid = await loop.sendfax(fax1, { args: ['-T', '1'] });
    const job = await loop.waitJob(jid);
    note('sendfaxCallSeconds', (Date.now() - t) / 1000);
    note('sendfaxJob', { state: job.state, npages: job.npages, signalrate: job.signalrate, dataformat: job.dataformat, csi: job.csi });
    expect(job).toMatchObject({ state: '7', npages: '1', csi: RECEIVER_CSID, statuscode: '0' });
    const [fax] = await inboundFaxes(1);
    note('sendfaxToInboundSeconds', (Date.now() - t) / 1000);
    expect(fax).toMatchObject({ from: '+15550000000', to: RECEIVER_NUMBER, remoteId: SENDER_TSI, pages: 1 });
    const received = await downloadInbound(fax.id, 'inbound-sendfax.tif');
    expect(await comparePages(fax1, received)).toEqual({ sent: 1, received: 1, differing: [0] });
  }, 180_000);

  it('HylaFAX\'s own sendfax on the modem whose peer never answers: one dial, the job fails without a call', async () => {
    const t = Date.now();
    const jid = await loop.sendfax(fax1, { modem: loop.modems.noAnswer, args: ['-T', '1'] });
    const job = await loop.waitJob(jid);
    note('noAnswerSendfaxSeconds', (Date.now() - t) / 1000);
    note('noAnswerStatus', `${job.statuscode} ${job.status}`);
    expect(job).toMatchObject({ state: '8', totdials: '1', npages: '0' });
    expect(job.status).toMatch(/too many attempts to dial/);
  }, 180_000);
});
