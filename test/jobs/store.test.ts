// Job store on a real SQLite file: transition table, recorded history, account scoping, leases and terminal hooks.
import { describe, expect, it } from 'vitest';
import { openTestDatabase } from '../helpers/test-db.js';
import { createSqliteAccountStore } from '../../src/settings/accounts.js';
import { createSqliteJobStore, newId, type NewSubmission } from '../../src/jobs/store.js';
import type { Clock } from '../../src/domain/types.js';
import { tempDir } from '../helpers/tmp.js';

function setup() {
  let now = new Date('2026-01-01T00:00:00Z');
  const clock: Clock = { now: () => now };
  const db = openTestDatabase(tempDir());
  const accounts = createSqliteAccountStore({ db, clock });
  const a = accounts.create({ name: 'A', senders: ['a@a.example'] });
  const b = accounts.create({ name: 'B', senders: ['b@b.example'] });
  const jobs = createSqliteJobStore({ db, clock });
  const sub = (accountId: string, recipients: string[], extra: Partial<NewSubmission> = {}): NewSubmission => ({
    id: newId('sub'), accountId, source: 'email', sender: 'a@a.example', dir: '/nonexistent', files: [], options: { resolution: 'fine', paper: 'letter' }, policy: 'ignore',
    recipients, report: [], ...extra,
  });
  return { db, jobs, a, b, sub, advance: (ms: number) => { now = new Date(now.getTime() + ms); } };
}

describe('job store', () => {
  it('creates one job per recipient, records events with times, and enforces the transition table', () => {
    const { jobs, a, sub } = setup();
    const { jobs: created } = jobs.createSubmission(sub(a.id, ['+15550000001', '+15550000002']));
    expect(created.map((j) => j.status)).toEqual(['received', 'received']);
    const id = created[0].id;
    jobs.transition(id, 'rendering');
    jobs.transition(id, 'queued', { pages: 3 });
    expect(() => jobs.transition(id, 'sent')).toThrowError(expect.objectContaining({ code: 'invalid-state' }));
    jobs.transition(id, 'sending');
    const sent = jobs.transition(id, 'sent', { pagesSent: 3 });
    expect(sent).toMatchObject({ status: 'sent', pages: 3, pagesSent: 3 });
    expect(sent.completedAt).toBeDefined();
    expect(() => jobs.transition(id, 'failed')).toThrowError(expect.objectContaining({ code: 'invalid-state' }));
    expect(jobs.events(id).map((e) => `${e.from}→${e.to}`)).toEqual(['null→received', 'received→rendering', 'rendering→queued', 'queued→sending', 'sending→sent']);
    expect(jobs.events(id).every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
  });

  it('scopes get() to the account: another account\'s id is not found', () => {
    const { jobs, a, b, sub } = setup();
    const { jobs: [j] } = jobs.createSubmission(sub(a.id, ['+15550000001']));
    expect(jobs.get(a.id, j.id)?.id).toBe(j.id);
    expect(jobs.get(b.id, j.id)).toBeUndefined();
    expect(jobs.list(b.id)).toEqual([]);
  });

  it('lists newest first', () => {
    const { jobs, a, sub, advance } = setup();
    const first = jobs.createSubmission(sub(a.id, ['+15550000001'])).jobs[0];
    advance(1000);
    const second = jobs.createSubmission(sub(a.id, ['+15550000002'])).jobs[0];
    expect(jobs.list(a.id).map((j) => j.id)).toEqual([second.id, first.id]);
  });

  it('fires terminal hooks inside the transaction: a throwing hook rolls the state change back', () => {
    const { jobs, a, sub, db } = setup();
    const seen: string[] = [];
    jobs.onTerminal((j) => {
      seen.push(`${j.id}:${j.status}`);
      // Visible inside the same transaction, so a hook's outbox row commits with the state change.
      expect(db.inTransaction).toBe(true);
      if (j.to === '+15550000009') throw new Error('outbox full');
    });
    const { jobs: [ok, bad] } = jobs.createSubmission(sub(a.id, ['+15550000001', '+15550000009']));
    jobs.transition(ok.id, 'failed', { reason: 'x' });
    expect(() => jobs.transition(bad.id, 'rejected', { reason: 'y' })).toThrow('outbox full');
    expect(jobs.getById(bad.id)?.status).toBe('received');
    expect(seen).toEqual([`${ok.id}:failed`, `${bad.id}:rejected`]);
  });

  it('rejected submissions are created terminal and fire the hook once per job', () => {
    const { jobs, a, sub } = setup();
    const seen: string[] = [];
    jobs.onTerminal((j) => seen.push(j.status));
    const r = jobs.createSubmission(sub(a.id, ['+15550000001', '+15550000002'], { rejected: { reason: 'nothing-to-fax: x', statusCode: 11 } }));
    expect(r.jobs.map((j) => [j.status, j.statusCode])).toEqual([['rejected', 11], ['rejected', 11]]);
    expect(seen).toEqual(['rejected', 'rejected']);
  });

  it('deduplicates by key inside the window only', () => {
    const { jobs, a, sub, advance } = setup();
    const since = () => new Date(Date.parse('2026-01-01T00:00:00Z') - 1);
    const first = jobs.createSubmission(sub(a.id, ['+15550000001'], { dedupKey: 'k', dedupSince: since() }));
    const again = jobs.createSubmission(sub(a.id, ['+15550000001'], { dedupKey: 'k', dedupSince: since() }));
    expect(again.duplicate).toBe(true);
    expect(again.jobs.map((j) => j.id)).toEqual(first.jobs.map((j) => j.id));
    advance(25 * 3600_000);
    const later = jobs.createSubmission(sub(a.id, ['+15550000001'], { dedupKey: 'k', dedupSince: new Date(Date.parse('2026-01-01T01:00:00Z')) }));
    expect(later.duplicate).toBe(false);
  });

  it('dedup is per recipient: only recipients without a job under the key get one, each answered by its own job', () => {
    const { jobs, a, sub } = setup();
    const since = new Date(Date.parse('2026-01-01T00:00:00Z') - 1);
    const first = jobs.createSubmission(sub(a.id, ['+15550000001'], { dedupKey: 'm', dedupSince: since }));
    const second = jobs.createSubmission(sub(a.id, ['+15550000001', '+15550000002'], { dedupKey: 'm', dedupSince: since }));
    expect(second.duplicate).toBe(false);
    expect(second.jobs.map((j) => j.to)).toEqual(['+15550000001', '+15550000002']);
    expect(second.jobs[0].id).toBe(first.jobs[0].id);
    expect(second.earlier).toEqual([first.jobs[0].id]);
    expect(jobs.bySubmission(second.submissionId).map((j) => j.to)).toEqual(['+15550000002']);
    const third = jobs.createSubmission(sub(a.id, ['+15550000002', '+15550000001'], { dedupKey: 'm', dedupSince: since }));
    expect(third).toMatchObject({ duplicate: true, earlier: [second.jobs[1].id, first.jobs[0].id] });
    expect(jobs.submission(third.submissionId)).toBeDefined();
    // Refused at intake (no content kept): not "already queued", so the same message is screened again.
    const refused = jobs.createSubmission(sub(a.id, ['+15550000003'], { dedupKey: 'r', dedupSince: since, dir: '', rejected: { reason: 'x', statusCode: 10 } }));
    const retried = jobs.createSubmission(sub(a.id, ['+15550000003'], { dedupKey: 'r', dedupSince: since }));
    expect(retried.duplicate).toBe(false);
    expect(retried.jobs[0].id).not.toBe(refused.jobs[0].id);
  });

  it('leases: a claimed render or send whose worker died is given back, expired or at start', () => {
    const { jobs, a, sub, advance } = setup();
    const { jobs: [j1, j2] } = jobs.createSubmission(sub(a.id, ['+15550000001', '+15550000002']));
    const claim = jobs.claimRender('w1', 60_000)!;
    expect(claim.jobs.map((j) => j.id)).toEqual([j1.id, j2.id]);
    expect(jobs.claimRender('w2', 60_000)).toBeUndefined();
    expect(jobs.recoverLeases()).toBe(0); // not expired yet
    advance(61_000);
    expect(jobs.recoverLeases()).toBe(2);
    expect(jobs.getById(j1.id)?.status).toBe('received');
    // Render and queue, then a send that dies mid-call: the attempt is given back and the job is queued again.
    jobs.claimRender('w2', 60_000);
    jobs.transitionMany([j1.id, j2.id].map((id) => ({ id, to: 'queued' as const, patch: { pages: 1 } })));
    const s = jobs.claimSend('w2', 60_000)!;
    expect(s).toMatchObject({ status: 'sending', attempts: 1 });
    expect(jobs.recoverLeases({ all: true })).toBe(1);
    expect(jobs.getById(s.id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(jobs.events(s.id).at(-1)).toMatchObject({ from: 'sending', to: 'queued' });
  });

  it('retrying jobs are claimed only when due', () => {
    const { jobs, a, sub, advance } = setup();
    const { jobs: [j] } = jobs.createSubmission(sub(a.id, ['+15550000001']));
    jobs.claimRender('w', 1000);
    jobs.transition(j.id, 'queued');
    jobs.claimSend('w', 1000);
    jobs.transition(j.id, 'retrying', { nextAttemptAt: new Date(Date.parse('2026-01-01T00:05:00Z')).toISOString() });
    expect(jobs.claimSend('w', 1000)).toBeUndefined();
    advance(5 * 60_000);
    expect(jobs.claimSend('w', 1000)).toMatchObject({ id: j.id, attempts: 2 });
  });
});
