// Fair rendering across accounts: one account's queue of heavy submissions does not hold back another's fax. A gated
// renderer stands in for a slow one (slow by construction: it renders only when the test lets it), so the test
// asserts the order renders are taken in, never a time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RendererView } from '../../src/jobs/workers.js';
import { startJobsHarness, type JobsHarness } from './harness.js';

let h: JobsHarness;

beforeEach(async () => {
  h = await startJobsHarness();
});
afterEach(async () => h?.close());

interface Pending { name: string; release: () => void }

/** Renders nothing real: each call is recorded by its cover text and waits until released. */
function gatedRenderer() {
  const started: string[] = [];
  const pending: Pending[] = [];
  let notify: (() => void) | undefined;
  const renderer: RendererView = {
    renderAll(input) {
      const name = input.coverText ?? '?';
      started.push(name);
      return new Promise((resolve) => {
        pending.push({ name, release: () => resolve({ pages: 1, docs: [] }) });
        notify?.();
      });
    },
  };
  /** Wait until `n` renders have started (in total). */
  const startedCount = async (n: number) => {
    for (let i = 0; started.length < n; i++) {
      if (i > 500) throw new Error(`only ${started.length} of ${n} renders started: ${started.join(', ')}`);
      await new Promise<void>((r) => { notify = r; setTimeout(r, 20); });
    }
  };
  const release = (name: string) => {
    const k = pending.findIndex((p) => p.name === name);
    if (k < 0) throw new Error(`${name} is not rendering`);
    pending.splice(k, 1)[0].release();
  };
  return { renderer, started, pending, startedCount, release };
}

describe('fair rendering across accounts', () => {
  it('with two workers, a later one-page fax of account B is rendered before A\'s remaining nine', async () => {
    const a = h.accounts.create({ name: 'Bomber', senders: ['a@a.example'] });
    const b = h.accounts.create({ name: 'Clinic', senders: ['b@b.example'] });
    const submit = (accountId: string, coverText: string) => h.intake.submit({
      source: 'api', accountId, sender: 'api:fgk_test', recipients: ['+15550100600'], files: [], coverText,
    });
    for (let i = 1; i <= 10; i++) await submit(a.id, `A${i}`);
    const g = gatedRenderer();
    const w = h.workersWith({ renderer: g.renderer, renderConcurrency: 2, sendConcurrency: 0 });
    w.start();
    try {
      await g.startedCount(2);
      expect(g.started).toEqual(['A1', 'A2']);
      h.advance(1000);
      await submit(b.id, 'B1');
      h.advance(19_000); // A1 has taken 20 s of render time when it ends
      g.release('A1');
      await g.startedCount(3);
      expect(g.started[2]).toBe('B1');
      // Everything else still gets done, A's in its own order.
      for (let n = 3; n <= 11; n++) {
        g.release(g.pending[0].name);
        if (n < 11) await g.startedCount(n + 1);
      }
      g.release(g.pending[0].name);
      expect(g.started).toEqual(['A1', 'A2', 'B1', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9', 'A10']);
    } finally {
      await w.stop();
    }
    expect(h.jobs.renderCharges().find((c) => c.accountId === a.id)?.renderMs).toBeGreaterThanOrEqual(20_000);
  });

  it('with one worker, the account with the least render time charged goes next, not the oldest job', async () => {
    const a = h.accounts.create({ name: 'Bomber', senders: ['a@a.example'] });
    const b = h.accounts.create({ name: 'Clinic', senders: ['b@b.example'] });
    const submit = (accountId: string, coverText: string) => h.intake.submit({
      source: 'api', accountId, sender: 'api:fgk_test', recipients: ['+15550100601'], files: [], coverText,
    });
    await submit(a.id, 'A1');
    await submit(a.id, 'A2');
    const g = gatedRenderer();
    const w = h.workersWith({ renderer: g.renderer, renderConcurrency: 1, sendConcurrency: 0 });
    w.start();
    try {
      await g.startedCount(1);
      h.advance(1000);
      await submit(b.id, 'B1'); // later than A2
      h.advance(30_000);
      g.release('A1');
      await g.startedCount(2);
      expect(g.started).toEqual(['A1', 'B1']);
      g.release('B1');
      await g.startedCount(3);
      expect(g.started).toEqual(['A1', 'B1', 'A2']);
      g.release('A2');
    } finally {
      await w.stop();
    }
    // Charged from the injected clock: A1 took 31 s, B1 none.
    const charges = h.jobs.renderCharges();
    expect(charges.find((c) => c.accountId === a.id)?.renderMs).toBe(31_000);
    expect(charges.find((c) => c.accountId === b.id)?.renderMs).toBe(0);
  });

  it('a free sender takes the account with fewer calls in progress before the older jobs of a busy one', async () => {
    const a = h.accounts.create({ name: 'Bomber', senders: ['a@a.example'] });
    const b = h.accounts.create({ name: 'Clinic', senders: ['b@b.example'] });
    const submit = async (accountId: string, to: string) => (await h.intake.submit({
      source: 'api', accountId, sender: 'api:fgk_test', recipients: [to], files: [], coverText: 'x',
    })).jobs[0].id;
    const aJobs = [await submit(a.id, '+15550100611'), await submit(a.id, '+15550100612'), await submit(a.id, '+15550100613')];
    h.advance(1000);
    const bJob = await submit(b.id, '+15550100621');
    // Rendered by hand (no renderer needed to pick the sender's order).
    for (let c = h.jobs.claimRender('w', 60_000); c; c = h.jobs.claimRender('w', 60_000)) {
      h.jobs.transitionMany(c.jobs.map((j) => ({ id: j.id, to: 'queued' as const, patch: { pages: 1 } })));
    }
    expect(h.jobs.claimSend('w', 60_000)?.id).toBe(aJobs[0]);
    expect(h.jobs.claimSend('w', 60_000)?.id).toBe(bJob);
    expect(h.jobs.claimSend('w', 60_000)?.id).toBe(aJobs[1]);
  });
});
