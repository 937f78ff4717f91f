// A restart after kills (issue #12.5): the gateway removes the leftovers before it serves, and GET /metrics shows
// the counts in Prometheus text format, behind the admin token unless FAXGATE_METRICS says otherwise.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openCore, startGateway, type Gateway } from '../../src/main.js';
import type { Config } from '../../src/config.js';
import { tempDir } from '../helpers/tmp.js';

const ADMIN = 'admin-token-0123456789';
const gateways: Gateway[] = [];
afterAll(async () => {
  for (const gw of gateways) {
    await gw.stop();
    gw.core.db.close();
  }
});

async function start(dataDir: string, extra: Partial<Config> = {}) {
  const core = openCore({
    dataDir, bindHost: '127.0.0.1', smtpPort: 0, httpPort: 0, logLevel: 'silent', sandboxSecondsPerPage: 0, adminToken: ADMIN, ...extra,
  }, {});
  const gw = await startGateway(core);
  gateways.push(gw);
  return { gw, base: `http://127.0.0.1:${gw.httpPort}` };
}

/** What a server killed mid-render leaves: a work folder of page images per kill, and a submission never committed. */
function leaveCrashLeftovers(dataDir: string, kills: number) {
  const made: string[] = [];
  for (let i = 0; i < kills; i++) {
    const dir = path.join(dataDir, 'tmp', `render-kill${i}`, 'gs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'out-0.tif'), Buffer.alloc(1024, 7));
    made.push(path.dirname(dir));
  }
  const orphan = path.join(dataDir, 'submissions', 'sub_0123abcd');
  mkdirSync(orphan, { recursive: true });
  writeFileSync(path.join(orphan, 'f000.bin'), Buffer.alloc(2048, 1));
  made.push(orphan);
  return made;
}

const sample = (text: string, name: string) => text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1];

describe('restart after kills', () => {
  it('removes every leftover before serving, and /metrics counts them', async () => {
    const dataDir = tempDir('faxgate-cleanup-gw-');
    const made = leaveCrashLeftovers(dataDir, 3);
    const { base } = await start(dataDir);
    expect(made.filter((p) => existsSync(p))).toEqual([]);
    expect(readdirSync(path.join(dataDir, 'tmp')).filter((n) => n.startsWith('render-'))).toEqual([]);

    const r = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    expect(text).toMatch(/^# HELP faxgate_cleanup_removed_total /m);
    expect(text).toMatch(/^# TYPE faxgate_cleanup_removed_total counter$/m);
    expect(sample(text, 'faxgate_cleanup_removed_total{kind="render_tmp"}')).toBe('3');
    expect(sample(text, 'faxgate_cleanup_removed_total{kind="submission"}')).toBe('1');
    expect(sample(text, 'faxgate_cleanup_bytes_total')).toBe(String(3 * 1024 + 2048));
    expect(sample(text, 'faxgate_jobs{status="queued"}')).toBe('0');
    expect(sample(text, 'faxgate_queue_oldest_age_seconds')).toBe('0');
  });

  it('/metrics needs the admin token by default, can be opened, or switched off', async () => {
    const { base } = await start(tempDir('faxgate-metrics-'));
    const none = await fetch(`${base}/metrics`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { code: string }).code).toBe('unauthorized');
    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer fgk_notthetoken00000' } });
    expect(wrong.status).toBe(401);

    const open = await start(tempDir('faxgate-metrics-open-'), { metrics: 'open' });
    expect((await fetch(`${open.base}/metrics`)).status).toBe(200);
    const off = await start(tempDir('faxgate-metrics-off-'), { metrics: 'off' });
    expect((await fetch(`${off.base}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(404);
  });
});
