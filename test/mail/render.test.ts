// A receipt's HTML as Chromium lays it out (playwright-core, as test/web does): readable on a phone and a desktop, escaped.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import type { JobSnapshot } from '../../src/domain/jobs.js';
import { composeReceipt } from '../../src/mail/format.js';
import { tempDir } from '../helpers/tmp.js';

/** The browser globals the page.evaluate() callbacks use (the project compiles without the DOM lib). */
interface Dom { document: { documentElement: { scrollWidth: number; clientWidth: number }; body: { innerText: string } } }

const OUT = process.env.FAXGATE_RECEIPT_SHOTS ?? tempDir('faxgate-receipt-');

const job = (over: Partial<JobSnapshot>): JobSnapshot => ({
  id: 'job_1', accountId: 'acc_1', submissionId: 'sub_1', source: 'email', to: '+15550100200', sender: 'alice@clinic.example', status: 'sent',
  resolution: 'fine', paper: 'letter', pages: 3, pagesSent: 3, attempts: 1, statusCode: 0, reason: 'sent 3 pages',
  files: [], submittedAt: '2026-12-04T18:40:00.000Z', completedAt: '2026-12-04T18:41:12.000Z', remoteId: '+1 555 010 0200', durationSeconds: 74, ...over,
});

export const SAMPLE = composeReceipt({
  jobs: [job({}), job({ id: 'job_2', to: '+15550100300', status: 'failed', pagesSent: 0, attempts: 3, statusCode: 1, reason: 'the line was busy after 3 attempts', remoteId: undefined, durationSeconds: undefined })],
  files: [
    { name: 'referral <urgent>.pdf', size: 52_000, detected: 'pdf', verdict: 'accepted', pages: 3 },
    { name: 'setup.exe', size: 90_000, detected: 'exe', verdict: 'unsupported-type', reason: 'a program, not a document that can be faxed' },
  ],
  originalSubject: 'Referral for J. Smith <script>alert(1)</script>',
  submittedAt: '2026-12-04T18:40:00.000Z',
  attachmentNote: 'Attached: the pages as sent, as a PDF.',
});

describe('a receipt in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });
  afterAll(async () => browser?.close());

  it.each([['phone', 390], ['desktop', 900]] as const)('%s (%i px): fits the width, shows every fact, runs no script', async (name, width) => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    // as a mail client shows it: no network, scripts off
    await page.route('**/*', (r) => r.abort());
    await page.setContent(SAMPLE.html, { waitUntil: 'load' });
    const overflow = await page.evaluate(() => {
      const d = (globalThis as unknown as Dom).document.documentElement;
      return d.scrollWidth - d.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    const text = await page.evaluate(() => (globalThis as unknown as Dom).document.body.innerText);
    for (const s of ['+1 555 010 0200', '+1 555 010 0300', 'busy after 3 attempts', '3 of 3', '0 of 3', '1 min 14 s', 'referral <urgent>.pdf',
      'setup.exe (exe): not faxed: a program', 'Referral for J. Smith <script>alert(1)</script>']) expect(text).toContain(s);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: path.join(OUT, `receipt-${name}.png`), fullPage: true });
    await page.close();
  });

  it('the plain-text alternative says the same', () => {
    writeFileSync(path.join(OUT, 'receipt.txt'), `Subject: ${SAMPLE.subject}\n\n${SAMPLE.text}`);
    expect(SAMPLE.subject).toBe('Fax to 2 numbers: 1 sent, 1 not sent');
    expect(SAMPLE.text).toContain('Status:                    failed: busy after 3 attempts');
  });
});
