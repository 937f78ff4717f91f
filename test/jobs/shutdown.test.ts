// Clean shutdown: stopping the gateway mid-transmission gives the job back (queued, attempt not counted, no lease);
// the next start on the same data folder sends it.
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { openCore, startGateway, type Gateway } from '../../src/main.js';
import { tempDir } from '../helpers/tmp.js';

const SENDER = 'front@clinic.example';

async function waitFor(fn: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('gateway shutdown', () => {
  it('releases an in-flight transmission and the next start finishes it; a second server on the folder is refused', async () => {
    const dataDir = tempDir('faxgate-stop-');
    const base = { dataDir, bindHost: '127.0.0.1', smtpPort: 0, httpPort: 0, logLevel: 'silent' };
    const core1 = openCore({ ...base, sandboxSecondsPerPage: 60 }, {});
    core1.accounts.create({ name: 'Clinic', senders: [SENDER] });
    const gw1: Gateway = await startGateway(core1);
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: gw1.smtpPort, secure: false, ignoreTLS: true });
    const info = await t.sendMail({ from: SENDER, to: '+15551234567@fax.localhost', text: 'slow line' });
    const [id] = info.response.match(/job_[0-9a-f]+/g) ?? [];
    // on the line: the attempt is recorded once the line has the fax (after the header line is stamped)
    await waitFor(() => gw1.jobs.getById(id!)?.status === 'sending' && Boolean(gw1.jobs.attempts(id!)[0]?.dialledAt), 'the transmission to start');

    const core2 = openCore({ ...base }, {});
    await expect(startGateway(core2)).rejects.toThrow(/another faxgate serve/);
    core2.db.close();

    await gw1.stop();
    const released = gw1.jobs.getById(id!)!;
    expect(released).toMatchObject({ status: 'queued', attempts: 0 });
    const row = core1.db.prepare('SELECT lease_owner, lease_until FROM jobs WHERE id = ?').get(id) as { lease_owner: string | null; lease_until: string | null };
    expect(row).toEqual({ lease_owner: null, lease_until: null });
    core1.db.close();

    const core3 = openCore({ ...base, sandboxSecondsPerPage: 0 }, {});
    const gw3 = await startGateway(core3);
    try {
      await waitFor(() => gw3.jobs.getById(id!)?.status === 'sent', 'the job to be sent after restart');
      expect(gw3.jobs.getById(id!)).toMatchObject({ status: 'sent', attempts: 1 });
      expect(gw3.jobs.events(id!).map((e) => e.to)).toEqual(['received', 'rendering', 'queued', 'sending', 'queued', 'sending', 'sent']);
      // The stop hung the sandbox call up (nothing delivered), so it is no "maybe sent": the restart dialled it again.
      expect(gw3.jobs.attempts(id!).map((a) => a.outcome)).toEqual(['released', 'sent']);
    } finally {
      await gw3.stop();
      core3.db.close();
    }
  });

  it('a part that fails to start (port taken) stops what was started and releases the data folder', async () => {
    const dataDir = tempDir('faxgate-fail-');
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const core = openCore({ dataDir, bindHost: '127.0.0.1', smtpPort: 0, httpPort: taken, logLevel: 'silent' }, {});
      await expect(startGateway(core)).rejects.toThrow(/EADDRINUSE/);
      const again = await startGateway(core, { httpPort: 0 });
      await again.stop();
      core.db.close();
    } finally {
      blocker.close();
    }
  });
});
