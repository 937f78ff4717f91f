// HTML (an email body or a .html attachment) → PDF with headless Chromium, as a browser would print it: JavaScript
// off, every request but the page itself refused (cid: images arrive inlined as data: URLs), under the time and
// memory budget of every renderer; the PDF then takes the ordinary PDF path.
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { listProcesses, treeProportionalKb, watchMemory } from '../proc/memory.js';
import { overBudget, RenderFailure, type Budget, type Geometry } from './types.js';

/** The page's own address: never resolvable, answered by our route, so relative links resolve to nothing real. */
const PAGE_URL = 'http://message.invalid/';
/** What one page may be: the mail parser caps HTML bodies at 2 MB; an attachment is screened by size already. */
const MAX_HTML_BYTES = 32 * 1024 * 1024;

export const CHROMIUM = '/usr/bin/chromium';

export interface HtmlResult {
  pdf: string;
  /** requests the page made that were refused (remote images, style sheets, frames), counted */
  blocked: number;
  /** the browser's largest resident size seen, in MB */
  peakMb: number;
}

/** Paper of the page geometry in inches (fax pages are letter, A4 or longer at 8.5 in wide). */
function paperInches(geom: Geometry): { width: number; height: number } {
  const h = geom.height / geom.yres;
  if (Math.abs(h - 297 / 25.4) < 0.1) return { width: 210 / 25.4, height: 297 / 25.4 };
  return { width: 8.5, height: Math.round(h * 100) / 100 };
}

/**
 * A fax page is black and white: coloured and grey text would be dithered into dots, so text is printed black, as
 * a browser's print to a monochrome printer would. Backgrounds are left out (printBackground off, a browser's
 * default) for the same reason. Put after the <head> tag, so a DOCTYPE keeps the page out of quirks mode.
 */
const FAX_STYLE = Buffer.from('<style>@media print { * { color: #000 !important; text-shadow: none !important; } }</style>');

export function withFaxStyle(raw: Buffer): Buffer {
  // A meta refresh would navigate away (to a request that is refused) while the page is being printed: it is made
  // inert by its name, byte for byte in any ASCII-compatible charset.
  const html = Buffer.from(raw.toString('latin1').replace(/(http-equiv\s*=\s*["']?\s*)refresh/gi, '$1x-refresh-off'), 'latin1');
  const headAt = /<head\b[^>]*>/i.exec(html.subarray(0, 64 * 1024).toString('latin1'));
  if (headAt) {
    const at = headAt.index + headAt[0].length;
    return Buffer.concat([html.subarray(0, at), FAX_STYLE, html.subarray(at)]);
  }
  return Buffer.concat([html, FAX_STYLE]);
}

/** Every process whose command line names this render's profile folder (the browser and all its helpers). */
function profileProcesses(profile: string): number[] {
  const out: number[] = [];
  for (const p of listProcesses()) {
    try {
      if (readFileSync(`/proc/${p.pid}/cmdline`, 'latin1').includes(profile)) out.push(p.pid);
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/**
 * After close or a kill: no process of this render may outlive it, or it goes on writing into the profile while the
 * work folder is removed (a helper that left the browser's process group survives the group kill). Each one left is
 * killed, and we wait (bounded) until they are gone.
 */
async function reapProfile(profile: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const left = profileProcesses(profile);
    if (left.length === 0) return;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The browser process this render started: our child whose command line names our own profile folder. */
function browserPid(profile: string): number | undefined {
  for (const p of listProcesses()) {
    if (p.ppid !== process.pid) continue;
    try {
      if (readFileSync(`/proc/${p.pid}/cmdline`, 'latin1').includes(`--user-data-dir=${profile}`)) return p.pid;
    } catch {
      // ended meanwhile
    }
  }
  return undefined;
}

/** Chromium switches that hold whatever the page asks: no scripts, no proxy bypass, nothing in the background. */
export const CHROMIUM_ARGS = [
  '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check',
  '--disable-extensions', '--disable-background-networking', '--disable-sync', '--disable-component-update',
  '--disable-domain-reliability', '--dns-prefetch-disable', '--no-pings', '--mute-audio',
  '--blink-settings=scriptEnabled=false',
  // a second wall: should any request get past the route, it goes to a proxy that is not there (loopback too)
  '--proxy-server=http://127.0.0.1:9', '--proxy-bypass-list=<-loopback>',
];

/**
 * Chromium's own sandbox is kept whenever it can run: it cannot for root (Chromium refuses it there), so a server run
 * as root (a container) leans on the two walls above alone, scripts off and nothing fetched; run faxgate as an
 * ordinary user to have the sandbox as well.
 */
const asRoot = (): boolean => process.getuid?.() === 0;

/**
 * Lay out `input` (HTML bytes, charset per its <meta> or UTF-8) and print it to `<workDir>/page.pdf`. Throws
 * RenderFailure: over the time or memory budget → damaged, no browser → unsupported-type.
 */
export async function renderHtmlToPdf(input: string, geom: Geometry, budget: Budget, workDir: string, executablePath = CHROMIUM, charset = 'utf-8'): Promise<HtmlResult> {
  const st = await stat(input);
  if (st.size > MAX_HTML_BYTES) throw new RenderFailure('too-large', `the HTML page is over ${MAX_HTML_BYTES / 1048576} MB`);
  const html = withFaxStyle(await readFile(input));
  const { chromium } = await import('playwright-core');
  const home = path.join(workDir, 'home');
  await mkdir(home, { recursive: true });
  const remaining = () => Math.max(1, budget.deadline - Date.now());
  // A profile folder of its own: nothing persists between pages, and its path names this browser's process.
  const profile = path.join(workDir, 'profile');
  let ctx: Awaited<ReturnType<typeof chromium.launchPersistentContext>>;
  try {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath, headless: true, args: [...CHROMIUM_ARGS, ...(asRoot() ? ['--no-sandbox'] : [])], timeout: remaining(), chromiumSandbox: !asRoot(),
      javaScriptEnabled: false, offline: true, serviceWorkers: 'block', acceptDownloads: false,
      env: { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: workDir, XDG_CONFIG_HOME: home, XDG_CACHE_HOME: home, LANG: 'C.UTF-8' },
    });
  } catch (e) {
    if (Date.now() >= budget.deadline) throw overBudget(budget);
    throw new RenderFailure('unsupported-type', `the HTML renderer (Chromium) does not start on this server (${(e as Error).message.split('\n')[0].slice(0, 80)})`);
  }
  const pid = browserPid(profile);
  let killed: 'time' | 'memory' | undefined;
  const kill = (why: 'time' | 'memory') => {
    killed ??= why;
    if (!pid) return;
    try {
      process.kill(-pid, 'SIGKILL'); // playwright starts it as a process group leader
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const watch = pid ? watchMemory(pid, Math.max(16, budget.limits.memoryMb) * 1024, () => kill('memory'), { measure: treeProportionalKb }) : undefined;
  const timer = setTimeout(() => kill('time'), remaining());
  let blocked = 0;
  const out = path.join(workDir, 'page.pdf');
  try {
    // Every request goes through here: the page itself is answered from memory, everything else is refused.
    await ctx.route('**/*', async (route) => {
      if (route.request().url() === PAGE_URL && route.request().isNavigationRequest()) {
        await route.fulfill({ status: 200, contentType: `text/html; charset=${/^[\w.:-]{1,40}$/.test(charset) ? charset : 'utf-8'}`, body: html });
        return;
      }
      blocked++;
      await route.abort('blockedbyclient');
    });
    const page = ctx.pages()[0] ?? await ctx.newPage();
    page.setDefaultTimeout(remaining());
    await page.goto(PAGE_URL, { waitUntil: 'load', timeout: remaining() });
    const paper = paperInches(geom);
    await page.pdf({
      path: out, width: `${paper.width}in`, height: `${paper.height}in`, printBackground: false,
      margin: { top: '0.4in', bottom: '0.4in', left: '0.4in', right: '0.4in' },
    });
  } catch (e) {
    if (killed === 'time' || Date.now() >= budget.deadline) throw overBudget(budget);
    if (killed === 'memory') throw new RenderFailure('damaged', `the HTML renderer ran out of its ${budget.limits.memoryMb} MB memory budget on this file`);
    throw new RenderFailure('damaged', `the HTML page could not be laid out (${(e as Error).message.split('\n')[0].slice(0, 80)})`);
  } finally {
    clearTimeout(timer);
    watch?.stop();
    await ctx.close().catch(() => kill('time'));
    await reapProfile(profile);
  }
  if (killed === 'memory') throw new RenderFailure('damaged', `the HTML renderer ran out of its ${budget.limits.memoryMb} MB memory budget on this file`);
  return { pdf: out, blocked, peakMb: Math.ceil((watch?.peakKb ?? 0) / 1024) };
}
