// GET /healthz and GET /readyz on a real loopback server over a real SQLite file: each readiness check can fail alone.
import { rmSync, writeFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealth, type LineCheck } from '../../../src/health/index.js';
import type { Clock } from '../../../src/domain/types.js';
import { makeHarness, type Harness } from './harness.js';
import { tempDir } from '../../helpers/tmp.js';

interface Ready { status: string; checks: { name: string; ok: boolean; detail: string }[] }

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.app.close();
});

/** A harness listening on loopback; `health` deps are passed to createHealth over the harness's own database. */
async function serve(opts: { lines?: LineCheck[]; probeDir?: string; ghostscript?: () => Promise<string>; clock?: Clock; timeoutMs?: number } = {}) {
  const probeDir = opts.probeDir ?? tempDir('faxgate-probe-');
  // The harness opens the database, so the health deps reach it through this holder.
  const held: { h?: Harness } = {};
  const lazyDb = { prepare: (sql: string) => held.h!.db.prepare(sql) };
  const health = createHealth({
    clock: opts.clock ?? { now: () => new Date() }, db: lazyDb, dataDir: probeDir, lines: () => opts.lines ?? [],
    ...(opts.ghostscript ? { ghostscript: opts.ghostscript } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
  const h = makeHarness({}, { health });
  held.h = h;
  open.push(h);
  const base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  const ready = async () => {
    const r = await fetch(`${base}/readyz`);
    return { status: r.status, body: (await r.json()) as Ready, cache: r.headers.get('cache-control') };
  };
  return { h, base, ready, probeDir };
}

const byName = (b: Ready, name: string) => b.checks.find((c) => c.name === name);
const okLine = (name: string): LineCheck => ({ name, check: async () => ({ ok: true, detail: 'registered' }) });

describe('GET /healthz', () => {
  it('answers 200 {status:"ok"} without a token, even when the database is closed (no dependency is checked)', async () => {
    const { h, base } = await serve();
    h.db.close();
    const r = await fetch(`${base}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
    expect(r.headers.get('cache-control')).toBe('no-store');
  });
});

describe('GET /readyz', () => {
  it('answers 200 with every check ok (real Ghostscript, real data folder), no token needed, nothing of the host or accounts', async () => {
    const { h, ready, probeDir } = await serve({ lines: [okLine('sandbox')] });
    const a = h.account();
    const { status, body, cache } = await ready();
    expect(status).toBe(200);
    expect(cache).toBe('no-store');
    expect(body.status).toBe('ok');
    expect(body.checks.map((c) => [c.name, c.ok])).toEqual([['database', true], ['data-folder', true], ['renderer', true], ['line:sandbox', true]]);
    const text = JSON.stringify(body);
    for (const secret of [probeDir, h.dataDir, a.id, a.apiKey, a.name, '/tmp']) expect(text).not.toContain(secret);
    // The probe file is gone again.
    expect(readdirSync(probeDir)).toEqual([]);
  });

  it('without injected health deps the route still checks the harness database, data folder and renderer', async () => {
    const h = makeHarness();
    open.push(h);
    const base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as Ready).checks.map((c) => c.name)).toEqual(['database', 'data-folder', 'renderer']);
    h.db.close();
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
  });

  it('answers 503 when the database is closed, and only that check fails', async () => {
    const { h, ready } = await serve();
    h.db.close();
    const { status, body } = await ready();
    expect(status).toBe(503);
    expect(body.status).toBe('unavailable');
    expect(body.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['database']);
  });

  // Tests run as root, which chmod cannot stop: the folder is replaced by a plain file instead.
  it('answers 503 when the data folder cannot take a file (replaced by a plain file), naming the errno but not the path', async () => {
    const probeDir = tempDir('faxgate-probe-');
    const { ready } = await serve({ probeDir });
    expect((await ready()).status).toBe(200);
    rmSync(probeDir, { recursive: true });
    writeFileSync(probeDir, 'not a folder');
    const { status, body } = await ready();
    expect(status).toBe(503);
    expect(byName(body, 'data-folder')).toMatchObject({ ok: false, detail: 'not writable (ENOTDIR)' });
    expect(body.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['data-folder']);
    rmSync(probeDir);
  });

  it.each([
    ['reports not ok', async () => ({ ok: false, detail: 'modem does not answer' }), 'modem does not answer'],
    ['throws (its message, which may name paths, is not shown)', async () => { throw Object.assign(new Error('/dev/ttyS0 gone'), { code: 'ENOENT' }); }, 'the check failed (ENOENT)'],
    ['never answers', () => new Promise<never>(() => undefined), 'no answer within 200 ms'],
  ])('answers 503 when a line check %s', async (_label, check, detail) => {
    // Ghostscript answers at once here: the short limit is for the line under test, not for a real gs on a busy machine.
    const { ready } = await serve({ lines: [okLine('a'), { name: 'b', check }], timeoutMs: 200, ghostscript: async () => '10.0\n' });
    const { status, body } = await ready();
    expect(status).toBe(503);
    expect(body.checks.filter((c) => !c.ok)).toEqual([{ name: 'line:b', ok: false, detail }]);
    expect(byName(body, 'line:a')?.ok).toBe(true);
  });

  it('answers 503 when Ghostscript does not run', async () => {
    const { ready } = await serve({ ghostscript: async () => { throw Object.assign(new Error('spawn gs ENOENT'), { code: 'ENOENT' }); } });
    const { status, body } = await ready();
    expect(status).toBe(503);
    expect(byName(body, 'renderer')).toMatchObject({ ok: false });
  });

  it('runs Ghostscript once per 30 s however many probes arrive, concurrent or not', async () => {
    let now = new Date('2026-03-01T10:00:00Z');
    let runs = 0;
    const { ready } = await serve({ clock: { now: () => now }, ghostscript: async () => { runs++; return '10.02.1\n'; } });
    const first = await Promise.all(Array.from({ length: 20 }, () => ready()));
    expect(first.every((r) => r.status === 200)).toBe(true);
    expect(runs).toBe(1);
    now = new Date(now.getTime() + 29_000);
    await ready();
    expect(runs).toBe(1);
    now = new Date(now.getTime() + 2_000);
    await ready();
    expect(runs).toBe(2);
  });
});
