// Shared pieces of the Chromium tests: the browser, page sizes, the axe-core check, the no-sideways-scroll check.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };
export const OUT = path.resolve(__dirname, '../../test-output/pages');

const AXE = readFileSync(path.resolve(__dirname, '../../node_modules/axe-core/axe.min.js'), 'utf8');

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

interface AxeViolation { id: string; impact: string | null; help: string; nodes: string[] }

/**
 * axe-core's rules (WCAG 2.x A/AA and best practices) on the page as it is; fails on serious or critical ones. The
 * script is evaluated over the DevTools protocol, which the page's CSP (script-src 'none') does not govern.
 */
export async function axeCheck(page: Page, what: string): Promise<void> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> }; document: unknown };
    const r = await g.axe.run(g.document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  }) as AxeViolation[];
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), `axe on ${what}`).toEqual([]);
}

/** Fits the screen: nothing wider than the viewport. */
export async function noHorizontalScroll(page: Page): Promise<void> {
  const [scroll, client] = await page.evaluate(() => {
    const { document } = globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } };
    return [document.documentElement.scrollWidth, document.documentElement.clientWidth];
  });
  expect(scroll).toBeLessThanOrEqual(client);
}

/** The id of the element that has the keyboard focus (or its tag). */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as { document: { activeElement: { id: string; tagName: string; textContent: string | null } | null } };
    const el = document.activeElement;
    return el ? el.id || `${el.tagName.toLowerCase()}:${(el.textContent ?? '').trim().slice(0, 40)}` : '';
  });
}
