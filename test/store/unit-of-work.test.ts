// The unit of work: writes of two stores commit together or not at all, and feedback refuses to write outside one.
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openTestDatabase } from '../helpers/test-db.js';
import { sqliteUnitOfWork } from '../../src/store/unit-of-work.js';
import { createSqliteJobStore } from '../../src/jobs/store.js';
import { createSqliteAccountStore } from '../../src/settings/accounts.js';
import { createFeedback } from '../../src/feedback/index.js';
import { systemClock } from '../../src/domain/types.js';
import { silentLogger } from '../../src/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { feedbackParts } from '../helpers/outboxes.js';

const dir = tempDir('faxgate-unit-');
const db = openTestDatabase(dir);
const unit = sqliteUnitOfWork(db);
const accounts = createSqliteAccountStore({ db, clock: systemClock });
const jobs = createSqliteJobStore({ db, clock: systemClock, unit });
const config = loadConfig({}, { dataDir: dir });
const feedback = createFeedback({ ...feedbackParts(db), accounts, jobs, clock: systemClock, config, logger: silentLogger, unit });
afterAll(async () => { await feedback.close(); db.close(); });

describe('sqliteUnitOfWork', () => {
  it('is active only while it runs, and a unit inside another joins it', () => {
    expect(unit.active()).toBe(false);
    const seen = unit.run(() => [unit.active(), unit.run(() => unit.active())]);
    expect(seen).toEqual([true, true]);
    expect(unit.active()).toBe(false);
  });

  it('rolls back every store\'s writes when the work throws', () => {
    const a = accounts.create({ name: 'Unit', senders: ['unit@example.test'] });
    const count = () => (db.prepare('SELECT COUNT(*) AS n FROM settings_audit WHERE account_id = ?').get(a.id) as { n: number }).n;
    const before = count();
    expect(() => unit.run(() => {
      accounts.updateSettings(a.id, { 'outgoing.unsupportedFiles': 'reject' }, 'test');
      throw new Error('stop');
    })).toThrow('stop');
    expect(count()).toBe(before);
    expect(accounts.get(a.id)!.settings.outgoing.unsupportedFiles).toBe('ignore');
  });
});

describe('feedback writes an event\'s outbox row only inside the unit that records the event', () => {
  it('a terminal job handed to feedback outside a unit is refused', () => {
    const job = { id: 'job_x', accountId: 'acct_x', status: 'sent' } as Parameters<typeof feedback.onJobTerminal>[0];
    expect(() => feedback.onJobTerminal(job)).toThrow(/inside the unit of work/);
    expect(() => unit.run(() => feedback.onJobTerminal(job))).not.toThrow();
  });
});
