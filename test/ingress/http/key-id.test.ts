// Records and feedback name the API key that acted by its id (api:key_<id>), never by any characters of the key itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate, openDatabase, sqliteDB } from '../../../src/store/db.js';
import { MIGRATIONS } from '../../../src/store/migrations/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { auth, corpusBytes, makeHarness, multipart, type Harness } from './harness.js';

const PDF = corpusBytes('pdf/pdf_three_pages.pdf');

let h: Harness;
beforeAll(async () => {
  h = makeHarness();
  await h.app.ready();
});
afterAll(async () => {
  await h.feedback.close();
  await h.app.close();
});

/** Every text value stored in the database, table by table. */
function everyStoredText(db: Harness['db']): string {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
  return tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all())).join('\n');
}

/** Each 6-character piece of the secret part of the key (after `fgk_`), the length of the prefix stored before. */
function pieces(key: string): string[] {
  const secret = key.slice('fgk_'.length);
  return Array.from({ length: secret.length - 5 }, (_, i) => secret.slice(i, i + 6));
}

describe('the actor of an API call is the key id', () => {
  it('settings audit, job and submission sender and the feedback payload carry api:key_<id> and nothing of the key', async () => {
    const a = h.account();
    const actor = `api:key_${a.apiKeyId}`;
    const put = await h.app.inject({
      method: 'PUT', url: '/v1/settings/integration', headers: auth(a.apiKey),
      payload: { feedbackUrl: 'http://127.0.0.1:9/hook', outgoing: { feedbackWhen: 'always' } },
    });
    expect(put.statusCode).toBe(200);
    expect(h.accounts.auditLog(a.id).filter((e) => e.field !== 'account').map((e) => e.actor)).toEqual([actor, actor]);

    const m = multipart([['to', '+15551230001']], [{ name: 'three.pdf', type: 'application/pdf', data: PDF }]);
    const r = await h.app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...m.headers, ...auth(a.apiKey) }, payload: m.payload });
    expect(r.statusCode).toBe(202);
    const job = h.jobs.get(a.id, r.json().jobs[0].id)!;
    expect(job.sender).toBe(actor);
    h.db.transaction(() => h.feedback.onJobTerminal({ ...job, status: 'sent', completedAt: new Date().toISOString() }))();
    const outbox = h.db.prepare('SELECT fields, body FROM feedback_outbox WHERE subject_id = ?').get(job.id) as { fields: string; body: string };
    expect(JSON.parse(outbox.fields).Sender).toBe(actor);
    expect(new URLSearchParams(outbox.body).get('Sender')).toBe(actor);

    const stored = everyStoredText(h.db);
    for (const p of pieces(a.apiKey)) expect(stored, `a piece of the key (${p.length} characters) is stored`).not.toContain(p);
  });
});

describe('migration of records written before key ids', () => {
  it('rewrites api:<key prefix> actors to the key id and forgets the stored prefix', () => {
    const dir = tempDir('faxgate-keyid-');
    // A database as the previous release left it: every migration before the key-id one.
    const before = MIGRATIONS.filter((m) => m.name !== 'api-key-ids');
    const db = sqliteDB(new Database(path.join(dir, 'faxgate.sqlite')));
    migrate(db, before);
    const key = 'fgk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd';
    const prefix = key.slice(0, 10);
    const now = new Date().toISOString();
    db.prepare("INSERT INTO accounts (id, name, kind, country, feedback_secret, settings, created_at) VALUES ('acc_1', 'A', 'standard', '1', 'whsec_eA==', '{}', ?)").run(now);
    db.prepare("INSERT INTO api_keys (id, account_id, hash, prefix, created_at) VALUES ('k-1', 'acc_1', 'h', ?, ?)").run(prefix, now);
    db.prepare("INSERT INTO settings_audit (account_id, actor, at, field, old_value, new_value) VALUES ('acc_1', ?, ?, 'feedbackUrl', 'null', 'null')").run(`api:${prefix}`, now);
    db.prepare("INSERT INTO settings_audit (account_id, actor, at, field, old_value, new_value) VALUES ('acc_1', 'api:fgk_gone00', ?, 'feedbackUrl', 'null', 'null')").run(now);
    db.prepare(`INSERT INTO feedback_outbox (id, webhook_id, account_id, subject_id, direction, origin, method, url, fields, body, content_type, status, created_at)
      VALUES ('fbk_1', 'msg_1', 'acc_1', 'job_1', 'outbound', 'event', 'http-post', 'http://x/', ?, ?, 'application/x-www-form-urlencoded', 'delivered', ?)`)
      .run(JSON.stringify({ Sender: `api:${prefix}` }), `Sender=api%3A${prefix}`, now);
    db.close();

    const after = openDatabase(dir);
    const actors = (after.prepare('SELECT actor FROM settings_audit ORDER BY id').all() as { actor: string }[]).map((x) => x.actor);
    expect(actors).toEqual(['api:key_k-1', 'api:key_unknown']);
    const fb = after.prepare('SELECT fields, body FROM feedback_outbox').get() as { fields: string; body: string };
    expect(JSON.parse(fb.fields).Sender).toBe('api:key_k-1');
    expect(fb.body).toBe('Sender=api%3Akey_k-1');
    expect(after.prepare('SELECT prefix FROM api_keys').get()).toEqual({ prefix: '' });
    for (const p of pieces(key)) expect(everyStoredText(after)).not.toContain(p);
    after.close();
  });
});
