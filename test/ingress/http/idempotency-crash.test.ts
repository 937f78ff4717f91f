// Issue #12.4: a keyed request cut off by a crash must not block its retries; claims die with the process holding them.
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createWebService } from '../../../src/web-service.js';
import type { ApiSubmission, IntakePort } from '../../../src/ingress/http/deps.js';
import { auth, corpusBytes, makeHarness, type Harness } from './harness.js';

const PDF = corpusBytes('pdf/pdf_three_pages.pdf');
const TO = '+15551230001';
const body = { to: TO, files: [{ name: 'a.pdf', data: PDF.toString('base64') }] };

/** An intake whose submit() waits until the test lets it go (or forever: the "crashed" request). */
function heldIntake(real: IntakePort) {
  let entered!: () => void;
  const inside = new Promise<void>((r) => { entered = r; });
  let go!: (fail?: Error) => void;
  const gate = new Promise<Error | undefined>((r) => { go = r; });
  const intake: IntakePort = {
    checkRecipient: (account, raw) => real.checkRecipient(account, raw),
    screenOnly: (...args) => real.screenOnly(...args),
    async submit(s: ApiSubmission) {
      entered();
      const fail = await gate;
      if (fail) throw fail;
      return real.submit(s);
    },
  };
  return { intake, inside, go };
}

const post = (app: FastifyInstance, key: string, idem: string) =>
  app.inject({ method: 'POST', url: '/v1/faxes', headers: { ...auth(key), 'idempotency-key': idem }, payload: body });

const harnesses: Harness[] = [];
const apps: FastifyInstance[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.feedback.close();
  for (const app of apps) await app.close().catch(() => undefined);
});

function harness(dataDir?: string) {
  const h = makeHarness(dataDir ? { dataDir } : {});
  harnesses.push(h);
  return h;
}

/** A harness, an account, and an app on that harness whose submit() is held until the test lets it go. */
async function heldApp() {
  const h = harness();
  const account = h.account();
  const held = heldIntake(h.intake);
  const app = createWebService({ ...h.deps, intake: held.intake });
  apps.push(app);
  await app.ready();
  return { h, account, held, app };
}

function submissions(h: Harness, accountId: string): number {
  return (h.db.prepare('SELECT COUNT(*) AS n FROM submissions WHERE account_id = ?').get(accountId) as { n: number }).n;
}

describe('Idempotency-Key after a crash', () => {
  it('a retry on the next server (same SQLite file) is processed at once, not 409, and creates the job once', async () => {
    // Server A takes the key and never answers: its process "dies" holding the claim.
    const { h: first, account, held, app: appA } = await heldApp();
    void post(appA, account.apiKey, 'crash-1');
    await held.inside;
    expect(first.db.prepare("SELECT COUNT(*) AS n FROM idempotency_keys WHERE key = 'crash-1'").get()).toEqual({ n: 1 });

    // Server B starts on the same data folder (a new connection to the same file) and gets the client's retry.
    const second = harness(first.dataDir);
    await second.app.ready();
    const retry = await post(second.app, account.apiKey, 'crash-1');
    expect(retry.statusCode).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(second.app, account.apiKey, 'crash-1');
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(retry.json());
    expect(submissions(second, account.id)).toBe(1);
  });

  it('a concurrent duplicate in the same server is still 409 while the first runs, then replays its answer', async () => {
    const { h, account, held, app } = await heldApp();
    const first = post(app, account.apiKey, 'dup-1');
    await held.inside;
    const dup = await post(app, account.apiKey, 'dup-1');
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('idempotency-conflict');
    held.go();
    expect((await first).statusCode).toBe(202);
    const replay = await post(app, account.apiKey, 'dup-1');
    expect(replay.statusCode).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(submissions(h, account.id)).toBe(1);
  });

  it('a request that fails without an answer frees its key at once (nothing half-written is replayed)', async () => {
    const { h, account, held, app } = await heldApp();
    const first = post(app, account.apiKey, 'fail-1');
    await held.inside;
    held.go(new Error('disk on fire'));
    expect((await first).statusCode).toBe(500);
    expect(h.db.prepare("SELECT COUNT(*) AS n FROM idempotency_keys WHERE key = 'fail-1'").get()).toEqual({ n: 0 });
    const retry = await post(h.app, account.apiKey, 'fail-1');
    expect(retry.statusCode).toBe(202);
    expect(submissions(h, account.id)).toBe(1);
  });
});
