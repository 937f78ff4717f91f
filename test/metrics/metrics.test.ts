// The job figures of /metrics are read from the store when scraped; each gateway counts in its own registry.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { createAccountStore } from '../../src/settings/accounts.js';
import { createJobStore, newId } from '../../src/jobs/store.js';
import { createMetrics } from '../../src/metrics/index.js';
import type { Clock } from '../../src/domain/types.js';
import { tempDir } from '../helpers/tmp.js';

const sample = (text: string, name: string) => text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1];

describe('metrics', () => {
  it('counts jobs by status and the age of the oldest open one at scrape time', async () => {
    let now = new Date('2026-03-01T10:00:00Z');
    const clock: Clock = { now: () => now };
    const db = openDatabase(tempDir());
    const account = createAccountStore({ db, clock }).create({ name: 'A', senders: ['a@a.example'] });
    const jobs = createJobStore({ db, clock });
    const m = createMetrics({ clock, jobs });
    const other = createMetrics({ clock, jobs });
    const submit = (to: string[]) => jobs.createSubmission({
      id: newId('sub'), accountId: account.id, source: 'api', sender: 'api:x', dir: '', files: [], options: { resolution: 'fine', paper: 'letter' },
      policy: 'ignore', recipients: to, report: [],
    }).jobs;
    const [first] = submit(['+15550000001']);
    now = new Date(now.getTime() + 30_000);
    submit(['+15550000002', '+15550000003']);
    now = new Date(now.getTime() + 60_000);
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
});
