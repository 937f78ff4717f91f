// Web sessions: only the id's hash is stored, idle and absolute expiry, flash messages, one persistent cookie secret.
import { describe, expect, it } from 'vitest';
import { openTestDatabase } from '../helpers/test-db.js';
import { createWebSessions } from '../../src/web/sessions.js';
import { tempDir } from '../helpers/tmp.js';

function manualClock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => { t += ms; } };
}

const MIN = 60_000;

describe('web sessions', () => {
  it('end after the idle time, and a busy session still ends at the absolute limit', () => {
    const clock = manualClock();
    const s = createWebSessions({ db: openTestDatabase(tempDir()), clock, idleMs: 30 * MIN, maxMs: 120 * MIN });
    const idle = s.create('admin', null, 'c');
    clock.advance(29 * MIN);
    expect(s.get(idle.id, 'admin')).toBeDefined();
    clock.advance(29 * MIN);
    expect(s.get(idle.id, 'admin')).toBeDefined(); // each use slides the idle window
    clock.advance(31 * MIN);
    expect(s.get(idle.id, 'admin')).toBeUndefined();

    const busy = s.create('admin', null, 'c');
    for (let i = 0; i < 7; i++) {
      clock.advance(15 * MIN);
      expect(s.get(busy.id, 'admin')).toBeDefined();
    }
    clock.advance(16 * MIN);
    expect(s.get(busy.id, 'admin')).toBeUndefined();
  });

  it('keeps only a hash of the id, keeps kinds apart, and forgets a destroyed session', () => {
    const db = openTestDatabase(tempDir());
    const s = createWebSessions({ db, clock: manualClock() });
    const { id, csrf } = s.create('admin', null, 'c');
    expect(JSON.stringify(db.prepare('SELECT * FROM web_sessions').all())).not.toContain(id);
    expect(s.get(id, 'admin')?.csrf).toBe(csrf);
    expect(s.get(id, 'account')).toBeUndefined();
    s.destroy(id);
    expect(s.get(id, 'admin')).toBeUndefined();
  });

  it('shows a flash message once', () => {
    const s = createWebSessions({ db: openTestDatabase(tempDir()), clock: manualClock() });
    const { id } = s.create('admin', null, 'c');
    s.setFlash(id, 'Saved');
    expect(s.takeFlash(id)).toBe('Saved');
    expect(s.takeFlash(id)).toBeUndefined();
  });

  it('generates the cookie secret once per data folder and keeps it across restarts', () => {
    const dir = tempDir();
    const first = createWebSessions({ db: openTestDatabase(dir), clock: manualClock() }).cookieSecret();
    expect(first.length).toBeGreaterThanOrEqual(40);
    const again = createWebSessions({ db: openTestDatabase(dir), clock: manualClock() }).cookieSecret();
    expect(again).toBe(first);
    expect(createWebSessions({ db: openTestDatabase(tempDir()), clock: manualClock() }).cookieSecret()).not.toBe(first);
  });
});
