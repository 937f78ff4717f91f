// Browser test of the admin's new pages in Debian's Chromium against the real HTTP app: the queue (jobs by status,
// oldest waiting, failures in the last hour) and the lines' health; accounts created, senders and inbound numbers
// added and removed, API keys issued and revoked, each change in the audit trail; axe-core on every page.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebService } from '../../src/web-service.js';
import { createHealth } from '../../src/health/index.js';
import { createSandboxLine } from '../../src/lines/sandbox.js';
import { systemClock } from '../../src/domain/types.js';
import { ADMIN_TOKEN, world } from './harness.js';
import { axeCheck, DESKTOP, launch, noHorizontalScroll, OUT, PHONE } from './browser-helpers.js';

describe('admin pages in Chromium', () => {
  const w = world();
  let app: FastifyInstance;
  let browser: Browser;
  let base = '';

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    // The lines' health as main.ts wires it: readiness over the configured lines (here the sandbox line).
    const sandbox = createSandboxLine({ outboxDir: path.join(w.dir, 'sandbox-outbox'), secondsPerPage: 0 });
    const health = createHealth({ clock: systemClock, db: w.db, dataDir: w.dir, lines: () => [sandbox] });
    app = createWebService({ ...w.parts.deps, health });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launch();
    // Two faxes: one waiting, one failed just now.
    for (const to of ['+15550102000', '+15550102001']) {
      await w.parts.intake.submit({ source: 'api', accountId: w.standard.id, sender: 'test', recipients: [to], files: [], coverText: 'Hello' });
    }
    const [failed] = w.parts.jobs.list(w.standard.id);
    w.parts.jobs.transition(failed.id, 'failed', { reason: 'no answer', statusCode: 2 });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function adminPage(viewport = DESKTOP): Promise<Page> {
    const page = await (await browser.newContext({ viewport })).newPage();
    await page.goto(`${base}/admin`);
    await page.getByLabel('Admin token', { exact: true }).fill(ADMIN_TOKEN);
    await page.getByLabel('Admin token', { exact: true }).press('Enter');
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    return page;
  }

  it('the queue and the lines', async () => {
    const page = await adminPage();
    await page.getByRole('link', { name: 'Queue and lines' }).click();
    await page.getByRole('heading', { level: 1, name: 'Queue and lines' }).waitFor();
    expect(await page.locator('tr[data-status="received"] td[data-label="Jobs"]').textContent()).toBe('1');
    expect(await page.locator('tr[data-status="failed"] td[data-label="Jobs"]').textContent()).toBe('1');
    expect(await page.locator('#failed-hour').textContent()).toBe('1');
    expect(await page.locator('#oldest').textContent()).toMatch(/^submitted \d{4}-\d\d-\d\d .* ago\)$/);
    expect(await page.locator('tr[data-check="line:sandbox"] td[data-label="State"]').textContent()).toBe('OK');
    expect(await page.locator('tr[data-check="database"] td[data-label="State"]').textContent()).toBe('OK');
    await axeCheck(page, 'the queue page');
    await page.screenshot({ path: path.join(OUT, 'admin-queue-1280.png'), fullPage: true });
    await page.setViewportSize(PHONE);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(OUT, 'admin-queue-390.png'), fullPage: true });
  });

  it('creates an account, adds and removes senders and numbers, issues and revokes keys; every change is audited', async () => {
    const page = await adminPage();
    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
    await axeCheck(page, 'the accounts page');

    // A refused creation keeps what was typed and says why.
    await page.getByLabel('Name', { exact: true }).fill('Harbor Clinic');
    await page.getByLabel('Sender addresses', { exact: true }).fill('not-an-address');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').getByText('The account was not created').waitFor();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Harbor Clinic');
    await axeCheck(page, 'the accounts page with an error');

    await page.getByLabel('Sender addresses', { exact: true }).fill('desk@harbor.example, night@harbor.example');
    await page.getByLabel('Inbound fax numbers', { exact: true }).fill('+15550104000');
    await page.getByRole('button', { name: 'Create account' }).click();
    const key = (await page.locator('#new-key').textContent())!;
    expect(key).toMatch(/^fgk_/);
    const created = w.accounts.findByApiKey(key)!;
    expect(created.name).toBe('Harbor Clinic');
    expect(created.senders.sort()).toEqual(['desk@harbor.example', 'night@harbor.example']);
    expect(created.inboundNumbers).toEqual(['+15550104000']);
    await page.screenshot({ path: path.join(OUT, 'admin-accounts-1280.png'), fullPage: true });

    await page.getByRole('status').getByRole('link', { name: 'Harbor Clinic' }).click();
    await page.getByRole('heading', { level: 1, name: 'Harbor Clinic' }).waitFor();
    await axeCheck(page, 'an account\'s page');
    await page.getByLabel('Add a sender address', { exact: true }).fill('fax@harbor.example');
    await page.getByLabel('Add a sender address', { exact: true }).press('Enter');
    await page.getByRole('status').getByText('Added fax@harbor.example.').waitFor();
    await page.getByRole('button', { name: 'Remove sender night@harbor.example' }).click();
    await page.getByRole('status').getByText('Removed night@harbor.example.').waitFor();
    await page.getByLabel('Add an inbound number', { exact: true }).fill('+15550104001');
    await page.getByLabel('Add an inbound number', { exact: true }).press('Enter');
    await page.getByRole('status').getByText('Added +15550104001.').waitFor();
    // A refused change is shown on the page and changes nothing.
    await page.getByLabel('Add an inbound number', { exact: true }).fill('12');
    await page.getByLabel('Add an inbound number', { exact: true }).press('Enter');
    await page.getByRole('alert').waitFor();
    expect(w.accounts.get(created.id)!.inboundNumbers.sort()).toEqual(['+15550104000', '+15550104001']);

    await page.getByRole('button', { name: 'Issue a new API key' }).click();
    const second = (await page.locator('#new-key').textContent())!;
    expect(w.accounts.findByApiKey(second)?.id).toBe(created.id);
    const firstKeyId = w.accounts.listApiKeys(created.id)[0].id;
    await page.getByRole('button', { name: `Revoke key_${firstKeyId}` }).click();
    await page.getByRole('status').getByText(`Revoked key_${firstKeyId}`).waitFor();
    expect(w.accounts.findByApiKey(key)).toBeUndefined();
    expect(w.accounts.findByApiKey(second)?.id).toBe(created.id);
    await page.screenshot({ path: path.join(OUT, 'admin-account-1280.png'), fullPage: true });
    await page.setViewportSize(PHONE);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(OUT, 'admin-account-390.png'), fullPage: true });

    const audit = w.accounts.auditLog(created.id, 50).filter((a) => a.actor === 'admin:web').map((a) => a.field);
    expect(audit.sort()).toEqual(['account', 'apiKey', 'apiKey', 'inboundNumber', 'sender', 'sender'].sort());
  });

  it('signed out, the admin pages lead to the sign-in; a forged form is refused', async () => {
    const res = await fetch(`${base}/admin/accounts`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin');
    const post = await fetch(`${base}/admin/accounts`, { method: 'POST', body: new URLSearchParams({ name: 'x', senders: 'a@b.example' }), redirect: 'manual' });
    expect(post.status).toBe(401);
    expect(w.accounts.list().map((a) => a.name)).not.toContain('x');
  });
});
