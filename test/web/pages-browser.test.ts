// Browser test of the account holder's pages in Debian's Chromium against the real HTTP app: the landing page, signing
// in from /faxes with the keyboard, sending with the dry run and confirm, the fax's page and downloads, received faxes
// viewed and deleted (tombstones); axe-core on every page, desktop and phone widths.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebService } from '../../src/web-service.js';
import { corpus } from '../ingress/http/harness.js';
import { world } from './harness.js';
import { axeCheck, DESKTOP, focused, launch, noHorizontalScroll, OUT, PHONE } from './browser-helpers.js';

/** A one-page G4 fax TIFF such as the render worker or a fax line makes. */
function faxTiff(file: string): string {
  execFileSync('convert', ['-size', '1728x2156', 'xc:white', '-fill', 'black', '-draw', 'rectangle 100,100 800,400', '-monochrome',
    '-compress', 'Group4', '-density', '204x196', '-units', 'PixelsPerInch', file]);
  return file;
}

describe('account pages in Chromium', () => {
  const w = world();
  let app: FastifyInstance;
  let browser: Browser;
  let base = '';
  const cspViolations: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    app = createWebService(w.parts.deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function newPage(viewport = DESKTOP): Promise<Page> {
    const context = await browser.newContext({ viewport, acceptDownloads: true });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    return page;
  }

  async function signIn(page: Page, url: string, key = w.standard.apiKey): Promise<void> {
    await page.goto(`${base}${url}`);
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
  }

  it('the root is a landing page linking the pages and the API document', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await newPage(viewport);
      const res = await page.goto(`${base}/`);
      expect(res!.status()).toBe(200);
      expect(res!.headers()['content-type']).toMatch(/^text\/html/);
      expect(await page.title()).toBe('Fax gateway — faxgate');
      for (const name of ['Sent faxes', 'Send a fax', 'Received faxes', 'Integration settings', 'Administration']) {
        expect(await page.getByRole('link', { name, exact: true }).count(), name).toBe(1);
      }
      expect(await page.getByRole('link', { name: '/v1/openapi.json' }).getAttribute('href')).toBe('/v1/openapi.json');
      await axeCheck(page, 'the landing page');
      await noHorizontalScroll(page);
      await page.screenshot({ path: path.join(OUT, `home-${viewport.width}.png`), fullPage: true });
      await page.context().close();
    }
    expect((await fetch(`${base}/v1/openapi.json`)).status).toBe(200);
  });

  it('signs in from /faxes with the keyboard alone and lands back on /faxes', async () => {
    const page = await newPage();
    await page.goto(`${base}/faxes`);
    expect(await page.title()).toBe('Sent faxes — faxgate');
    await axeCheck(page, 'the sign-in form');
    expect(await focused(page)).toBe('apiKey');
    await page.keyboard.type(w.standard.apiKey);
    await page.keyboard.press('Enter');
    await page.getByText('You have not sent a fax yet.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/faxes');
    // The skip link is the first stop and leads to the content; the page links follow the header's button.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('a:Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('a:Sent faxes');
    expect(await page.getByRole('link', { name: 'Sent faxes', exact: true }).getAttribute('aria-current')).toBe('page');
    await axeCheck(page, 'the empty fax list');
    await page.context().close();
  });

  let jobId = '';

  it('a wrong number is marked on its field, and nothing is uploaded for good', async () => {
    const page = await newPage();
    await signIn(page, '/send');
    await page.getByLabel('Fax number(s)', { exact: true }).fill('12');
    await page.getByRole('button', { name: 'Check the fax' }).click();
    await page.getByRole('alert').getByText('The fax was not checked').waitFor();
    expect(await page.title()).toBe('Error: Send a fax — faxgate');
    expect(await page.getByLabel('Fax number(s)', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Fax number(s)', { exact: true }).inputValue()).toBe('12');
    await axeCheck(page, 'the send form with errors');
    await page.getByRole('alert').getByRole('link').first().click();
    expect(new URL(page.url()).hash).toBe('#to');
    expect(w.parts.jobs.list(w.standard.id)).toEqual([]);
    await page.context().close();
  });

  it('sends from the browser: the screen\'s verdict on each file first, then confirm; the fax page, its files, PDF and TIFF', async () => {
    const page = await newPage();
    await signIn(page, '/send');
    await axeCheck(page, 'the send form');
    // Keyboard: the number, the message and the resolution are typed and chosen with keys; the files are picked.
    await page.getByLabel('Fax number(s)', { exact: true }).focus();
    await page.keyboard.type('+1 555 010 2000\n+15550102001');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('file');
    await page.getByLabel('Files', { exact: true }).setInputFiles([
      { name: 'pdf_three_pages.pdf', mimeType: 'application/pdf', buffer: readFileSync(corpus('pdf/pdf_three_pages.pdf')) },
      { name: 'notes.docx', mimeType: 'application/octet-stream', buffer: readFileSync(corpus('office/excel_2007.xlsx')) },
    ]);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('cover-text');
    await page.keyboard.type('Please find the signed forms attached.');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('resolution');
    await page.keyboard.press('ArrowDown');
    expect(await page.getByLabel('Resolution', { exact: true }).inputValue()).toBe('standard');
    await page.keyboard.press('Tab');
    // Send at is left empty (sent at once); its date and time parts are tab stops of their own, so skip to the button.
    expect(await focused(page)).toBe('send-at');
    await page.screenshot({ path: path.join(OUT, 'send-1280.png'), fullPage: true });
    await page.getByRole('button', { name: 'Check the fax' }).focus();
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Check and send' }).waitFor();
    const status = page.getByRole('status');
    expect(await status.textContent()).toMatch(/Ready to send — 1 file will be left out\. Nothing has been queued yet\./);
    const rows = page.locator('table tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).locator('td[data-label="Verdict"]').textContent()).toBe('Faxed 3 pages');
    expect(await rows.nth(1).locator('td[data-label="Verdict"]').textContent()).toMatch(/^Not faxed/);
    expect(await page.locator('dl.facts').textContent()).toContain('+15550102000, +15550102001');
    // Nothing is queued by the dry run.
    expect(w.parts.jobs.list(w.standard.id)).toEqual([]);
    await axeCheck(page, 'the review step');
    await page.screenshot({ path: path.join(OUT, 'send-review-1280.png'), fullPage: true });
    await page.setViewportSize(PHONE);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(OUT, 'send-review-390.png'), fullPage: true });
    await page.setViewportSize(DESKTOP);

    const draft = await page.locator('form[action="/send/confirm"] input[name="draft"]').inputValue();
    const csrf = await page.locator('form[action="/send/confirm"] input[name="_csrf"]').inputValue();
    await page.getByRole('button', { name: 'Send the fax' }).click();
    await page.getByRole('status').getByText('Fax queued for +15550102000, +15550102001.').waitFor();
    const jobs = w.parts.jobs.list(w.standard.id);
    expect(jobs.map((j) => j.to).sort()).toEqual(['+15550102000', '+15550102001']);
    expect(jobs[0].resolution).toBe('standard');
    expect(jobs[0].sender).toBe(`web:${w.standard.id}`);
    expect(jobs[0].files.map((f) => f.verdict)).toEqual(['accepted', 'unsupported-type']);
    // Confirming the same draft again (a second click, a resubmitted form) sends nothing more.
    const again = await page.request.post(`${base}/send/confirm`, { form: { _csrf: csrf, draft }, headers: { origin: base }, maxRedirects: 0 });
    expect(again.status()).toBe(303);
    expect(again.headers().location).toBe('/send');
    expect(w.parts.jobs.list(w.standard.id)).toHaveLength(2);

    jobId = jobs.find((j) => j.to === '+15550102000')!.id;
    // Stand in for the render worker, so the fax has its pages.
    const job = w.parts.jobs.getById(jobId)!;
    const tiff = faxTiff(path.join(w.dir, 'submissions', job.submissionId, 'fax.tif'));
    w.parts.jobs.setRendered(job.submissionId, { renderStatus: 'done', pages: 1, tiffPath: tiff });

    await page.goto(`${base}/faxes`);
    await page.getByRole('link', { name: '+15550102000' }).click();
    await page.getByRole('heading', { level: 1, name: 'Fax to +15550102000' }).waitFor();
    expect(await page.locator('table tbody tr').first().locator('td[data-label="File"]').textContent()).toContain('pdf_three_pages.pdf');
    await axeCheck(page, 'a fax\'s page');
    for (const [label, magic] of [['Download PDF', '%PDF'], ['Download TIFF', 'II*\u0000']] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: label }).click()]);
      const body = readFileSync((await download.path())!);
      expect(body.subarray(0, 4).toString('latin1'), label).toBe(magic);
    }

    // Resend the same pages to another number: a new fax, linked to the first; then cancel it before it is sent.
    await page.getByLabel('Resend to', { exact: true }).fill('+15550102009');
    await page.getByRole('button', { name: 'Resend' }).click();
    await page.getByRole('status').getByText('Resent to +15550102009.').waitFor();
    await page.getByRole('heading', { level: 1, name: 'Fax to +15550102009' }).waitFor();
    const resent = w.parts.jobs.list(w.standard.id).find((j) => j.to === '+15550102009')!;
    expect(new URL(page.url()).pathname).toBe(`/faxes/${resent.id}`);
    expect(w.parts.jobs.resendsOf(jobId)).toEqual([resent.id]);
    expect(await (await page.request.get(`${base}/faxes/${jobId}`)).text()).toContain(`<dt>Resent as</dt><dd><a href="/faxes/${resent.id}">`);
    await axeCheck(page, 'a resent fax');
    await page.screenshot({ path: path.join(OUT, 'fax-1280.png'), fullPage: true });
    await page.setViewportSize(PHONE);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(OUT, 'fax-390.png'), fullPage: true });
    await page.setViewportSize(DESKTOP);
    const cancelCsrf = await page.locator(`form[action="/faxes/${resent.id}/cancel"] input[name="_csrf"]`).inputValue();
    await page.getByRole('button', { name: 'Cancel this fax' }).click();
    await page.getByRole('status').getByText('The fax was cancelled.').waitFor();
    expect(w.parts.jobs.getById(resent.id)!.status).toBe('cancelled');
    expect(await page.getByRole('button', { name: 'Cancel this fax' }).count()).toBe(0);
    // A finished fax cannot be cancelled: the page says so (a form left open in another tab).
    const late = await page.request.post(`${base}/faxes/${resent.id}/cancel`, { form: { _csrf: cancelCsrf }, headers: { origin: base } });
    expect(late.status()).toBe(409);
    expect(await late.text()).toContain('It cannot be cancelled');

    await page.goto(`${base}/faxes?status=cancelled`);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.getByLabel('Status', { exact: true }).inputValue()).toBe('cancelled');
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/\/faxes\?status=$/);
    expect(await page.locator('tbody tr').count()).toBe(3);
    await axeCheck(page, 'the fax list');
    await page.screenshot({ path: path.join(OUT, 'faxes-1280.png'), fullPage: true });
    await page.setViewportSize(PHONE);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(OUT, 'faxes-390.png'), fullPage: true });
    await page.context().close();
  });

  it('another account cannot see or download the fax', async () => {
    const page = await newPage();
    await signIn(page, '/faxes', w.developer.apiKey);
    for (const url of [`/faxes/${jobId}`, `/faxes/${jobId}/image?format=pdf`]) {
      const res = await page.request.get(`${base}${url}`);
      expect(res.status(), url).toBe(404);
    }
    await page.context().close();
  });

  it('received faxes: view as PDF in the browser, delete; a fax deleted after retrieval shows its tombstone', async () => {
    w.accounts.addInboundNumber(w.standard.id, '+15550009999', 'test');
    const tiff = faxTiff(path.join(w.dir, 'incoming.tif'));
    const kept = (await w.parts.inbound.receive({ to: '+15550009999', from: '+14155550123', path: tiff, name: 'fax.tif', remoteId: '+1 415 555 0123' }))!;
    const doomed = (await w.parts.inbound.receive({ to: '+15550009999', from: '+14155550777', path: tiff, name: 'fax.tif' }))!;
    const page = await newPage();
    await signIn(page, '/inbound');
    expect(await page.locator('tbody tr').count()).toBe(2);
    await axeCheck(page, 'received faxes');
    await page.screenshot({ path: path.join(OUT, 'inbound-1280.png'), fullPage: true });

    const view = await page.request.get(`${base}/inbound/${kept.id}/view`);
    expect(view.status()).toBe(200);
    expect(view.headers()['content-type']).toBe('application/pdf');
    expect(view.headers()['content-disposition']).toMatch(/^inline/);
    expect((await view.body()).subarray(0, 4).toString('latin1')).toBe('%PDF');
    expect(await page.getByRole('link', { name: 'View the fax from +14155550123 (PDF)' }).getAttribute('href')).toBe(`/inbound/${kept.id}/view`);

    await page.getByRole('button', { name: 'Delete the fax from +14155550777' }).click();
    await page.getByRole('status').getByText('The fax was deleted.').waitFor();
    expect(await page.locator(`#fax-${doomed.id} td[data-label="Status"]`).textContent()).toMatch(/^Deleted/);
    expect(await page.locator(`#fax-${doomed.id} td[data-label="From"]`).textContent()).toBe('—');

    // With delete-after-retrieval, viewing the fax is its retrieval: afterwards only its tombstone is listed.
    w.accounts.updateSettings(w.standard.id, { 'incoming.deleteAfterRetrieval': true }, 'test');
    await page.reload();
    await page.locator('#retrieval-note').waitFor();
    expect((await page.request.get(`${base}/inbound/${kept.id}/view`)).status()).toBe(200);
    await w.parts.inbound.whenIdle();
    await page.reload();
    expect(await page.locator(`#fax-${kept.id} td[data-label="Status"]`).textContent()).toMatch(/^Deleted after it was retrieved, on /);
    expect((await page.request.get(`${base}/inbound/${kept.id}/view`)).status()).toBe(410);
    await axeCheck(page, 'received faxes with tombstones');
    await page.setViewportSize(PHONE);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(OUT, 'inbound-390.png'), fullPage: true });
    await page.context().close();
  });

  it('the browser reported no Content-Security-Policy violations', () => {
    expect(cspViolations).toEqual([]);
  });
});
