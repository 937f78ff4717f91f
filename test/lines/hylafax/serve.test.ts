// `faxgate serve` receives on a HylaFAX line: a gateway started with FAXGATE_LINES naming a receiveDir hands a fax the
// real shipped hook (run as uucp) drops there to the account owning the called number; /readyz reports the folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config.js';
import type { FaxLine } from '../../../src/lines/types.js';
import { openCore, startGateway, type Gateway } from '../../../src/main.js';
import { tempDir } from '../../helpers/tmp.js';

const ROOT = process.getuid?.() === 0;
const OWNED = '+15550000001';
const TSI = '+1 555 000 0000';

/**
 * Sending on HylaFAX is another module's work (src/lines/hylafax/line.ts); this test is about the receiving wiring,
 * so the line the gateway sends on is a stand-in that never gets a fax.
 */
const standIn = (name: string): FaxLine => ({
  name, kind: 'hylafax', durable: true,
  submit: () => Promise.reject(new Error('not used')),
  track: () => Promise.reject(new Error('not used')),
  cancel: () => Promise.resolve('unknown'),
  check: () => Promise.resolve({ ok: true, detail: 'stand-in' }),
});

let gw: Gateway;
let key: string;
let base: string;
let dirs: { spool: string; drop: string; hook: string; fax: string };

/** A spool and a drop folder as docs/inbound.md sets them up (drop owned by uucp, setgid, 2770). */
function makeDirs() {
  const top = tempDir('faxgate-hylafax-serve-');
  chmodSync(top, 0o755);
  const spool = path.join(top, 'spool');
  const drop = path.join(top, 'drop');
  mkdirSync(path.join(spool, 'recvq'), { recursive: true });
  mkdirSync(drop);
  chmodSync(drop, 0o2770);
  const uucp = ROOT ? Number(execFileSync('id', ['-u', 'uucp']).toString().trim()) : -1;
  if (ROOT) for (const d of [spool, path.join(spool, 'recvq'), drop]) chownSync(d, uucp, 0);
  const hook = path.join(top, 'faxrcvd-faxgate');
  copyFileSync('scripts/hylafax/faxrcvd-faxgate', hook);
  chmodSync(hook, 0o755);
  const ps = path.join(top, 'doc.ps');
  writeFileSync(ps, '%!\n/Helvetica findfont 48 scalefont setfont\n100 1500 moveto (Received through serve) show showpage\n');
  const fax = path.join(spool, 'recvq', 'fax000000001.tif');
  execFileSync('gs', ['-q', '-dBATCH', '-dNOPAUSE', '-dSAFER', '-sDEVICE=tiffg4', '-r204x196', '-g1728x2156', `-sOutputFile=${fax}`, ps]);
  execFileSync('tiffset', ['-s', '270', TSI, fax]);
  if (ROOT) chownSync(fax, uucp, 0);
  return { spool, drop, hook, fax };
}

beforeAll(async () => {
  dirs = makeDirs();
  const lines = [{ name: 'office', kind: 'hylafax', host: '127.0.0.1', port: 4559, user: 'faxgate', number: OWNED, receiveDir: dirs.drop }];
  const core = openCore(
    { dataDir: tempDir('faxgate-hylafax-serve-data-'), bindHost: '127.0.0.1', smtpPort: 0, httpPort: 0, logLevel: 'silent' },
    { FAXGATE_LINES: JSON.stringify(lines) },
  );
  key = core.accounts.create({ name: 'Clinic', senders: ['front@clinic.example'], inbound: [OWNED] }).apiKey;
  gw = await startGateway(core, { lineFactories: { hylafax: (cfg) => standIn(cfg.name) } });
  base = `http://127.0.0.1:${gw.httpPort}`;
});
afterAll(async () => {
  await gw?.stop();
  gw?.core.db.close();
});

const get = async (p: string) => fetch(`${base}${p}`, { headers: { authorization: `Bearer ${key}` } });

describe('serve starts the HylaFAX receive intake', () => {
  it('stores a fax the shipped hook dropped as the inbound fax of the account owning the line number', async () => {
    expect(gw.hylafaxIntakes.intakes.map((i) => i.line)).toEqual(['office']);
    // faxgetty's call: qfile, device, commID, no error, CallIDs NMBR NAME ANID NDID; no NDID (an analogue line)
    const argv = [...(ROOT ? ['-u', 'uucp', '--', 'env'] : []), `FAXRCVD_DROP=${dirs.drop}`, 'sh', dirs.hook,
      'recvq/fax000000001.tif', 'ttyIAX1', '000000002', '', '15550000000', 'FAXGATE A', '<NONE>', '<NONE>'];
    const r = spawnSync(ROOT ? 'runuser' : 'env', argv, { cwd: dirs.spool, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // fs.watch or the 5 s poll picks it up; this bound only guards against a hang
    let items: { from: string; to: string; remoteId: string; pages: number }[] = [];
    for (let i = 0; i < 300 && items.length === 0; i++) {
      items = ((await (await get('/v1/inbound')).json()) as { items: typeof items }).items;
      if (!items.length) await new Promise((res) => setTimeout(res, 50));
    }
    expect(items).toEqual([expect.objectContaining({ from: '+15550000000', to: OWNED, remoteId: TSI, pages: 1 })]);
    // the intake removes the dropped pair after the fax is committed, so the folder empties just after it is listed
    let left = readdirSync(dirs.drop).filter((n) => n !== 'failed');
    for (let i = 0; i < 300 && left.length; i++) {
      await new Promise((res) => setTimeout(res, 50));
      left = readdirSync(dirs.drop).filter((n) => n !== 'failed');
    }
    expect(left).toEqual([]);
  });

  it('reports the drop folder in /readyz', async () => {
    const body = (await (await fetch(`${base}/readyz`)).json()) as { checks: { name: string; ok: boolean; detail: string }[] };
    expect(body.checks.find((c) => c.name === 'line:office:receive')).toEqual({
      name: 'line:office:receive', ok: true, detail: 'drop folder readable and writable; 0 waiting, 0 set aside in failed/',
    });
  });

  it('refuses to start on a receiveDir that does not exist, naming the line', async () => {
    const lines = [{ name: 'branch', kind: 'hylafax', host: '127.0.0.1', user: 'faxgate', receiveDir: path.join(dirs.drop, 'missing') }];
    const core = openCore({ dataDir: tempDir('faxgate-hylafax-serve-bad-'), bindHost: '127.0.0.1', smtpPort: 0, httpPort: 0, logLevel: 'silent' },
      { FAXGATE_LINES: JSON.stringify(lines) });
    try {
      const err = await startGateway(core, { lineFactories: { hylafax: (cfg) => standIn(cfg.name) } }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([expect.stringMatching(/^FAXGATE_LINES: line branch: receiveDir .*missing: drop folder not usable \(ENOENT\)/)]);
    } finally {
      core.db.close();
    }
  });
});
