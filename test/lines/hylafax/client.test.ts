// The hfaxd client's robustness: RFC 959 reply parsing, values that could inject commands, and a tiny fake server
// that answers garbage, nothing, or hangs up (the real server is in line.test.ts).
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  HylafaxConnectionError, HylafaxProtocolError, HylafaxSession, HylafaxValueError, ReplyParser, checkValue,
} from '../../../src/lines/hylafax/client.js';
import { createHylafaxLine } from '../../../src/lines/hylafax/line.js';
import { systemClock } from '../../../src/domain/types.js';
import { silentLogger } from '../../../src/logger.js';
import { LineUnavailableError } from '../../../src/lines/types.js';

describe('reply parser', () => {
  it('reads single and multi-line replies, the inner lines as hfaxd indents them', () => {
    const p = new ReplyParser();
    p.push('220 vm server (HylaFAX (tm) Version 6.0.7) ready.\r\n213-Job state: jobid 1 groupid 1\r\n    STATE: SUSPENDED\r\n213-    MAXDIALS: 12\r\n');
    expect(p.replies).toEqual([{ code: 220, lines: ['vm server (HylaFAX (tm) Version 6.0.7) ready.'], text: 'vm server (HylaFAX (tm) Version 6.0.7) ready.' }]);
    p.push('213 End of job 1 state.\r\n213 \r\n');
    expect(p.replies[1]).toEqual({ code: 213, lines: ['Job state: jobid 1 groupid 1', '    STATE: SUSPENDED', '    MAXDIALS: 12', 'End of job 1 state.'], text: 'Job state: jobid 1 groupid 1' });
    // an empty value ("JPARM STATUS" of a job with no status) is a reply with empty text
    expect(p.replies[2]).toEqual({ code: 213, lines: [''], text: '' });
  });

  it.each([
    ['a line that is no reply', 'hello there\r\n'],
    ['a code of two digits', '22 ready\r\n'],
    ['a code without separator', '220ready\r\n'],
    ['a line past 8 KiB', `220 ${'x'.repeat(9000)}\r\n`],
    ['an endless line', 'x'.repeat(9000)],
  ])('rejects %s as a protocol error', (_what, input) => {
    expect(() => new ReplyParser().push(input)).toThrow(HylafaxProtocolError);
  });

  it('never sends a value holding CR, LF, another control character or a quote', () => {
    for (const bad of ['a\r\nJKILL', 'a\nb', 'a\rb', 'a\x00b', 'a"b', '\x7f']) expect(() => checkValue(bad, 'DIALSTRING')).toThrow(HylafaxValueError);
    expect(checkValue('+15550001234', 'DIALSTRING')).toBe('+15550001234');
  });
});

/** A fake hfaxd that answers each command line with `answer(line)` (or stays silent when it returns undefined). */
async function fakeServer(greeting: string | undefined, answer: (line: string) => string | undefined = () => undefined) {
  const sockets = new Set<net.Socket>();
  const seen: string[] = [];
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    if (greeting !== undefined) s.write(greeting);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        seen.push(line);
        const a = answer(line);
        if (a === 'CLOSE') s.destroy();
        else if (a !== undefined) s.write(a);
      }
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  closers.push(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); srv.close(() => resolve()); }));
  return { port, seen };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});
afterAll(async () => {
  if (tiffPath) (await import('node:fs')).rmSync((await import('node:path')).dirname(tiffPath), { recursive: true, force: true });
});

const lineOn = (port: number) => createHylafaxLine(
  { name: 'office', kind: 'hylafax', host: '127.0.0.1', port, user: 'faxgate', killMinutes: 30 },
  { clock: systemClock, logger: silentLogger, timeoutMs: 300, pollMs: 10 },
);

describe('hfaxd client against a fake server', () => {
  it('a garbage greeting is a protocol error, at once', async () => {
    const { port } = await fakeServer('SSH-2.0-OpenSSH_9.2\r\n');
    const t0 = Date.now();
    await expect(HylafaxSession.connect({ host: '127.0.0.1', port, timeoutMs: 5000 })).rejects.toBeInstanceOf(HylafaxProtocolError);
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('a server that never answers is a connection error after the timeout, not a hang', async () => {
    const { port } = await fakeServer(undefined);
    await expect(HylafaxSession.connect({ host: '127.0.0.1', port, timeoutMs: 200 })).rejects.toThrow(/did not answer \(greeting\) within 200 ms/);
  });

  it('a server that hangs up mid-session is a connection error', async () => {
    const { port } = await fakeServer('220 ready.\r\n', (l) => (l.startsWith('USER') ? 'CLOSE' : undefined));
    const s = await HylafaxSession.connect({ host: '127.0.0.1', port, timeoutMs: 1000 });
    await expect(s.login('faxgate')).rejects.toBeInstanceOf(HylafaxConnectionError);
  });

  it('garbage in the middle of a multi-line reply is bounded: a reply that never ends times out', async () => {
    const { port } = await fakeServer('220 ready.\r\n', () => '230-first\r\nmore\r\n');
    const s = await HylafaxSession.connect({ host: '127.0.0.1', port, timeoutMs: 200 });
    await expect(s.login('faxgate')).rejects.toBeInstanceOf(HylafaxConnectionError);
  });

  it('a PASV reply without an address, and an upload reply without a file name, are protocol errors', async () => {
    const { port } = await fakeServer('220 ready.\r\n', (l) => (l === 'PASV' ? '227 Entering passive mode.\r\n' : '200 ok\r\n'));
    const s = await HylafaxSession.connect({ host: '127.0.0.1', port, timeoutMs: 1000 });
    await expect(s.list('status')).rejects.toBeInstanceOf(HylafaxProtocolError);
    await s.close();
  });

  it('the line: garbage or silence from "hfaxd" makes submit LineUnavailableError and check not ok, never a hang', async () => {
    for (const greeting of ['garbage\r\n', undefined]) {
      const { port } = await fakeServer(greeting);
      const l = lineOn(port);
      const fax = { jobId: 'job_x', attempt: 1, to: '+15550001234', tiffPath: await tinyTiff(), pages: 1 };
      const err = await l.submit(fax, { handedOver: () => true }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(LineUnavailableError);
      const h = await l.check();
      expect(h.ok).toBe(false);
      expect(h.detail).toMatch(new RegExp(`^hfaxd 127.0.0.1:${port}: `));
    }
  });

  it('a user name or password with a line break is refused before anything is sent', async () => {
    const { port, seen } = await fakeServer('220 ready.\r\n', () => '331 Password required.\r\n');
    const s = await HylafaxSession.connect({ host: '127.0.0.1', port, timeoutMs: 1000 });
    await expect(s.login('faxgate\r\nJKILL')).rejects.toBeInstanceOf(HylafaxValueError);
    await expect(s.login('faxgate', 'pw\r\nJKILL')).rejects.toBeInstanceOf(HylafaxValueError);
    expect(seen).toEqual(['USER faxgate']);
    await s.close();
  });
});

let tiffPath: string | undefined;
/** A one-page Class F TIFF written by the project's own writer. */
async function tinyTiff(): Promise<string> {
  if (tiffPath) return tiffPath;
  const { mkdtempSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { writeClassF } = await import('../../../src/render/tiff.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faxgate-hfx-client-'));
  tiffPath = path.join(dir, 'one.tif');
  // one all-white G4 row block: EOFB only is a valid (blank) T.6 strip
  await writeClassF(tiffPath, [{ width: 1728, height: 1, compression: 4, xres: 204, yres: 196, strip: Buffer.from([0x00, 0x10, 0x01, 0x00, 0x10, 0x01]) }]);
  return tiffPath;
}
