// Browser test: Debian's Chromium (playwright-core) against the real HTTP app listening on 127.0.0.1 — sign in,
// change every setting, see a validation error, save, reload, confirm through the API, toggle a type as admin.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebService } from '../../src/web-service.js';
import { httpDeps } from '../ingress/http/harness.js';
import { loadConfig } from '../../src/config.js';
import { ADMIN_TOKEN, world } from './harness.js';

/** The few browser globals the page.evaluate() callbacks use (the project compiles without the DOM lib). */
interface BrowserGlobals {
  document: {
    documentElement: { scrollWidth: number; clientWidth: number };
    getElementById(id: string): { getAttribute(name: string): string | null; textContent: string | null } | null;
  };
  getComputedStyle(el: unknown): { backgroundColor: string; borderTopColor: string };
}

const OUT = path.resolve(__dirname, '../../test-output');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1200, height: 900 };

describe('web pages in Chromium', () => {
  const w = world();
  const config = loadConfig({}, { dataDir: w.dir, adminToken: ADMIN_TOKEN, httpPort: 0 });
  let app: FastifyInstance;
  let browser: Browser;
  let base = '';
  const cspViolations: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    app = createWebService(httpDeps({ config, db: w.db, accounts: w.accounts }, { registry: w.registry }).deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function newPage(viewport = DESKTOP): Promise<Page> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    return page;
  }

  /** Fits a phone screen: nothing wider than the viewport. */
  async function noHorizontalScroll(page: Page): Promise<void> {
    const [scroll, client] = await page.evaluate(() => {
      const { document } = globalThis as unknown as BrowserGlobals;
      return [document.documentElement.scrollWidth, document.documentElement.clientWidth];
    });
    expect(scroll).toBeLessThanOrEqual(client);
  }

  const describedBy = (page: Page, id: string) => page.evaluate((i) => {
    const { document } = globalThis as unknown as BrowserGlobals;
    const el = document.getElementById(i)!;
    return (el.getAttribute('aria-describedby') ?? '').split(' ').map((d) => document.getElementById(d)?.textContent?.trim()).join(' | ');
  }, id);

  it('an account holder signs in with the keyboard, changes every setting, sees a validation error, saves, reloads, and the API agrees', async () => {
    const page = await newPage();
    await page.goto(`${base}/settings`);
    expect(await page.title()).toBe('Integration settings — faxgate');
    // Keyboard only: the API key field has focus, Enter submits.
    await page.keyboard.type(w.developer.apiKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Integration settings' }).waitFor();

    const incoming = page.getByRole('group', { name: 'Integration settings for incoming fax' });
    const outgoing = page.getByRole('group', { name: 'Integration settings for outgoing fax' });
    await incoming.getByLabel('Web feedback method', { exact: true }).selectOption({ label: 'HTTP Post' });
    await incoming.getByLabel('Delete fax image after retrieval by Web Service', { exact: true }).check();
    await outgoing.getByLabel('Web feedback When', { exact: true }).selectOption({ label: 'On failure' });
    await outgoing.getByLabel('Web feedback method', { exact: true }).selectOption({ label: 'XML Web service' });
    await outgoing.getByLabel('Web feedback URL', { exact: true }).fill('hooks.example/fax');
    await outgoing.getByLabel('Handling of unsupported file types', { exact: true }).selectOption({ label: 'Reject the whole fax' });
    await outgoing.getByLabel('Designated fax number for Developers', { exact: true }).fill('+15559870000');
    await page.getByRole('button', { name: 'Save' }).click();

    // The problem, named by the field's label, next to the control and in the announced summary, and nothing saved.
    await page.getByRole('alert').getByText('The settings were not saved').waitFor();
    expect(await page.title()).toBe('Error: Integration settings — faxgate');
    const url = outgoing.getByLabel('Web feedback URL', { exact: true });
    expect(await url.getAttribute('aria-invalid')).toBe('true');
    expect(await describedBy(page, 'feedback-url')).toMatch(/\| Error: Web feedback URL \S/);
    expect(await url.evaluate((el) => (globalThis as unknown as BrowserGlobals).getComputedStyle(el).borderTopColor)).toBe('rgb(164, 0, 29)');
    expect(await url.inputValue()).toBe('hooks.example/fax');
    // The summary entry is a link to the field.
    await page.getByRole('alert').getByRole('link', { name: /^Web feedback URL / }).click();
    expect(new URL(page.url()).hash).toBe('#feedback-url');

    // Feedback switched on with no URL: the URL field is the one marked, not the method that asked for it.
    await url.fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').getByText('The settings were not saved').waitFor();
    expect(await outgoing.getByLabel('Web feedback URL', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await incoming.getByLabel('Web feedback method', { exact: true }).getAttribute('aria-invalid')).toBe('false');
    expect(await outgoing.getByLabel('Web feedback When', { exact: true }).getAttribute('aria-invalid')).toBe('false');
    expect(w.accounts.get(w.developer.id)!.settings.outgoing.unsupportedFiles).toBe('ignore');
    await page.screenshot({ path: path.join(OUT, 'settings-validation-error.png'), fullPage: true });

    await url.fill('https://hooks.example/fax');
    const email = page.getByRole('group', { name: 'Email to people' });
    await email.getByLabel('Email receipts', { exact: true }).selectOption('failure');
    await email.getByLabel('Attachment with receipts', { exact: true }).selectOption('pdf');
    await email.getByLabel('Received faxes by email', { exact: true }).fill('* notice dev@shop.example');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved').waitFor();

    await page.reload();
    expect(await incoming.getByLabel('Web feedback method', { exact: true }).inputValue()).toBe('http-post');
    expect(await incoming.getByLabel('Delete fax image after retrieval by Web Service', { exact: true }).isChecked()).toBe(true);
    expect(await outgoing.getByLabel('Web feedback When', { exact: true }).inputValue()).toBe('failure');
    expect(await outgoing.getByLabel('Web feedback method', { exact: true }).inputValue()).toBe('xml');
    expect(await outgoing.getByLabel('Web feedback URL', { exact: true }).inputValue()).toBe('https://hooks.example/fax');
    expect(await outgoing.getByLabel('Handling of unsupported file types', { exact: true }).inputValue()).toBe('reject');
    expect(await outgoing.getByLabel('Designated fax number for Developers', { exact: true }).inputValue()).toBe('+15559870000');
    expect(await email.getByLabel('Received faxes by email', { exact: true }).inputValue()).toBe('* notice dev@shop.example');
    // Every control has a one-line help text as its description.
    for (const id of ['incoming-feedback-method', 'incoming-delete-after-retrieval', 'outgoing-feedback-when', 'outgoing-feedback-method',
      'feedback-url', 'outgoing-unsupported-files', 'designated-fax-number', 'email-receipts', 'email-receipt-attachment', 'email-fax-to-email']) {
      expect((await describedBy(page, id)).length).toBeGreaterThan(20);
    }

    const api = await fetch(`${base}/v1/settings/integration`, { headers: { authorization: `Bearer ${w.developer.apiKey}` } });
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({
      feedbackUrl: 'https://hooks.example/fax',
      incoming: { feedbackMethod: 'http-post', deleteAfterRetrieval: true },
      outgoing: { feedbackWhen: 'failure', feedbackMethod: 'xml', unsupportedFiles: 'reject' },
      designatedFaxNumber: '+15559870000',
      email: { receipts: 'failure', receiptAttachment: 'pdf', faxToEmail: [{ number: '*', to: ['dev@shop.example'], format: 'notice' }] },
    });

    // The signing secret appears only on request.
    const secret = w.accounts.get(w.developer.id)!.feedbackSecret;
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('button', { name: 'Show signing secret' }).click();
    expect(await page.locator('#secret-value').textContent()).toBe(secret);

    // The inline stylesheet is allowed by the CSP and applied.
    expect(await page.getByRole('button', { name: 'Save' }).evaluate((b) => (globalThis as unknown as BrowserGlobals).getComputedStyle(b).backgroundColor)).toBe('rgb(11, 79, 179)');
    await page.goto(`${base}/settings`);
    await page.screenshot({ path: path.join(OUT, 'settings-desktop.png'), fullPage: true });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('fits a phone screen', async () => {
    const page = await newPage(PHONE);
    await page.goto(`${base}/settings`);
    await page.getByLabel('API key', { exact: true }).fill(w.standard.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('group', { name: 'Integration settings for outgoing fax' }).waitFor();
    expect(await page.getByLabel('Designated fax number for Developers', { exact: true }).count()).toBe(0);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(OUT, 'settings-phone.png'), fullPage: true });
  });

  it('the admin signs in, switches a type off and sets a size limit; email and the API see it at once; the change is listed', async () => {
    const page = await newPage();
    await page.goto(`${base}/admin`);
    await page.getByLabel('Admin token', { exact: true }).fill('wrong-token-wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That admin token is not valid.').waitFor();
    await page.getByLabel('Admin token', { exact: true }).fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Supported file types' }).waitFor();

    expect(await page.getByRole('table', { name: 'Supported file types' }).locator('tbody tr').count()).toBe(w.registry.list().length);
    // An unavailable type cannot be switched on, and says why.
    expect(await page.getByLabel('docx Word document (.docx)', { exact: true }).isDisabled()).toBe(true);
    expect(await describedBy(page, 'type-docx-enabled')).toContain('LibreOffice (soffice) is not installed');

    await page.getByLabel('gif GIF image', { exact: true }).uncheck();
    await page.getByLabel('Max size for pdf in MB', { exact: true }).fill('5');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved').waitFor();
    expect(w.registry.list().find((t) => t.id === 'gif')!.enabled).toBe(false);
    const api = await fetch(`${base}/v1/admin/types`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const types = ((await api.json()) as { types: { id: string; enabled: boolean; maxBytes: number | null }[] }).types;
    expect(types.find((t) => t.id === 'gif')!.enabled).toBe(false);
    expect(types.find((t) => t.id === 'pdf')!.maxBytes).toBe(5 * 1024 * 1024);
    expect(await page.getByLabel('gif GIF image', { exact: true }).isChecked()).toBe(false);

    // The type change is in its own list (who, which type, from → to); the settings list keeps the account changes.
    const typeChanges = page.getByRole('region', { name: 'Recent type changes' });
    const gifRow = typeChanges.locator('tr[data-type="gif"][data-what="enabled"]').first();
    expect(await gifRow.locator('td[data-label="Changed by"]').textContent()).toBe('admin (web page)');
    expect(await gifRow.locator('td.val').textContent()).toBe('enabled → disabled');
    await page.getByRole('region', { name: 'Recent settings changes' }).getByText('outgoing.unsupportedFiles').first().waitFor();
    await page.screenshot({ path: path.join(OUT, 'admin-desktop.png'), fullPage: true });

    await page.getByLabel('gif GIF image', { exact: true }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved').waitFor();
    expect(w.registry.list().find((t) => t.id === 'gif')!.enabled).toBe(true);
    expect(await typeChanges.locator('tr[data-type="gif"]').first().locator('td.val').textContent()).toBe('disabled → enabled');
  });

  it('the admin page fits a phone screen', async () => {
    const page = await newPage(PHONE);
    await page.goto(`${base}/admin`);
    await page.getByLabel('Admin token', { exact: true }).fill(ADMIN_TOKEN);
    await page.getByLabel('Admin token', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: 'Supported file types' }).waitFor();
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(OUT, 'admin-phone.png'), fullPage: true });
  });

  it('the browser reported no Content-Security-Policy violations', () => {
    expect(cspViolations).toEqual([]);
  });
});
