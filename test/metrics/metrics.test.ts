// The job figures of /metrics are read from the store when scraped; each gateway counts in its own registry.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { createSqliteAccountStore } from '../../src/settings/accounts.js';
import { createSqliteJobStore, newId } from '../../src/jobs/store.js';
import { createMetrics } from '../../src/metrics/index.js';
import type { Clock } from '../../src/domain/types.js';
import { tempDir } from '../helpers/tmp.js';

const sample = (text: string, name: string) => text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1];

/** A job store on a real SQLite file under a clock the test moves, with one account to submit for. */
function setup() {
  const t = { now: new Date('2026-03-01T10:00:00Z') };
  const clock: Clock = { now: () => t.now };
  const db = openDatabase(tempDir());
  const account = createSqliteAccountStore({ db, clock }).create({ name: 'A', senders: ['a@a.example'] });
  const jobs = createSqliteJobStore({ db, clock });
  const submit = (to: string[]) => jobs.createSubmission({
    id: newId('sub'), accountId: account.id, source: 'api', sender: 'api:x', dir: '', files: [], options: { resolution: 'fine', paper: 'letter' },
    policy: 'ignore', recipients: to, report: [],
  }).jobs;
  const advance = (ms: number) => { t.now = new Date(t.now.getTime() + ms); };
  return { clock, db, jobs, submit, advance };
}

describe('metrics', () => {
  it('counts jobs by status and the age of the oldest open one at scrape time', async () => {
    const { clock, db, jobs, submit, advance } = setup();
    const m = createMetrics({ clock, jobs });
    const other = createMetrics({ clock, jobs });
    const [first] = submit(['+15550000001']);
    advance(30_000);
    submit(['+15550000002', '+15550000003']);
    advance(60_000);
    let text = await m.render();
    expect(sample(text, 'faxgate_jobs{status="received"}')).toBe('3');
    expect(sample(text, 'faxgate_jobs{status="sent"}')).toBe('0');
    expect(sample(text, 'faxgate_queue_oldest_age_seconds')).toBe('90');

    jobs.transition(first.id, 'failed', { reason: 'x', statusCode: 12 });
    text = await m.render();
    expect(sample(text, 'faxgate_jobs{status="received"}')).toBe('2');
    expect(sample(text, 'faxgate_jobs{status="failed"}')).toBe('1');
    expect(sample(text, 'faxgate_queue_oldest_age_seconds')).toBe('60');

    m.cleanupRemoved('render_tmp', 10);
    expect(sample(await m.render(), 'faxgate_cleanup_removed_total{kind="render_tmp"}')).toBe('1');
    expect(sample(await other.render(), 'faxgate_cleanup_removed_total{kind="render_tmp"}')).toBe('0');
    db.close();
  });

  it('times a call from dialling to its outcome, by the store clock; a call cut off by a crash is not timed', async () => {
    const { clock, db, jobs, submit, advance } = setup();
    const m = createMetrics({ clock, jobs });
    const [a, b] = submit(['+15550000001', '+15550000002']);
    for (const j of [a, b]) {
      jobs.transition(j.id, 'rendering');
      jobs.transition(j.id, 'queued');
    }
    const dial = () => {
      const j = jobs.claimSend('w1', 60_000)!;
      advance(5_000); // claimed, then dialled 5 s later: not part of the call
      expect(jobs.startCall(j.id, 'w1')).toBe(true);
      return j;
    };
    const first = dial();
    advance(42_000);
    jobs.transition(first.id, 'sent', { call: 'sent', pagesSent: 1 }, 'sending');
    dial();
    advance(7_000);
    jobs.recoverLeases({ all: true });
    jobs.chargeRender(a.submissionId, 1500);
    const text = await m.render();
    expect(sample(text, 'faxgate_send_duration_seconds_sum{outcome="sent"}')).toBe('42');
    expect(sample(text, 'faxgate_send_duration_seconds_count{outcome="sent"}')).toBe('1');
    expect(sample(text, 'faxgate_send_duration_seconds_count{outcome="maybe-sent"}')).toBeUndefined();
    expect(sample(text, 'faxgate_render_duration_seconds_sum')).toBe('1.5');
    db.close();
  });
});
