// HTML through headless Chromium: laid out and faxed, with no script run and no request made (a real local HTTP
// server counts every hit and must see none), inline cid: images kept, and the time and memory limits honoured.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRenderer, RenderFailure } from '../../src/render/index.js';
import { renderHtmlToPdf } from '../../src/render/html.js';
import { geometry } from '../../src/render/types.js';
import { silentLogger } from '../../src/logger.js';
import { inlineCidImages } from '../../src/formats/html.js';
import { tempDir } from '../helpers/tmp.js';
import { LIMITS, decodePage, inkBox } from './helpers.js';
import sharp from 'sharp';

const dir = tempDir();
const r = createRenderer({ limits: LIMITS, logger: silentLogger, tmpDir: dir });
let server: Server;
let hits: string[] = [];
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await r.close();
  await new Promise((resolve) => server.close(resolve));
});

const doc = (p: string) => ({ name: 'page.html', path: p, detected: 'html', renderer: 'html' as const });

describe('HTML renderer', () => {
  it('runs no script and makes no request, remote image and all', async () => {
    hits = [];
    const p = path.join(dir, 'hostile.html');
    await writeFile(p, `<!doctype html><html><head>
      <link rel="stylesheet" href="${base}/style.css"><style>@import url("${base}/import.css"); body{background:url(${base}/bg.png)}</style>
      <meta http-equiv="refresh" content="0; url=${base}/refresh">
      </head><body><h1 id="t">Invoice 4711</h1>
      <img src="${base}/remote.png" width="200" height="200"><img src="http://localhost:${base.split(':')[2]}/byname.png">
      <iframe src="${base}/frame"></iframe><object data="${base}/object"></object><video src="${base}/video" autoplay></video>
      <script>document.getElementById('t').textContent = 'SCRIPT RAN'; new Image().src = '${base}/script.png'; fetch('${base}/fetch');</script>
      <script src="${base}/external.js"></script></body></html>`);
    const out = path.join(dir, 'hostile.tif');
    const { pages } = await r.renderDoc(doc(p), { resolution: 'fine', paper: 'letter' }, out);
    expect(pages).toBe(1);
    // some time for anything late (the refresh, a lazy frame) to have reached the server if it were going to
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(hits).toEqual([]);
    // the heading is there (ink at the top), the script's text is not checked by OCR but by the page's text: below
    const page = await decodePage(out);
    expect(inkBox(page)).toBeDefined();
  });

  it('prints what the script would have replaced (the script did not run)', async () => {
    const p = path.join(dir, 'script.html');
    await writeFile(p, '<p id="x">KEPT</p><script>document.getElementById("x").textContent="GONE"</script>');
    const w = tempDir();
    const res = await renderHtmlToPdf(p, geometry({ resolution: 'fine', paper: 'letter' }), { limits: LIMITS, deadline: Date.now() + 30_000 }, w);
    const { run } = await import('./helpers.js');
    const { stdout } = await run('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-sDEVICE=txtwrite', '-sOutputFile=-', res.pdf]);
    expect(stdout).toContain('KEPT');
    expect(stdout).not.toContain('GONE');
  });

  it('keeps an inline cid: image in place', async () => {
    const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#000' } }).png().toBuffer();
    const { html, used } = inlineCidImages('<p>logo:</p><img src="cid:logo@x" width="300" height="300">', [{ contentId: '<logo@x>', data: png }]);
    expect([...used]).toEqual(['logo@x']);
    const p = path.join(dir, 'cid.html');
    await writeFile(p, html);
    const out = path.join(dir, 'cid.tif');
    await r.renderDoc(doc(p), { resolution: 'fine', paper: 'letter' }, out);
    const page = await decodePage(out);
    const ink = page.ink.reduce((a, b) => a + b, 0);
    // a 300 px black square at 96 dpi printed at 204×196 dpi is about 640×610 fax pixels of ink
    expect(ink).toBeGreaterThan(300_000);
  });

  it('a page over the time limit is refused as damaged, not hung', async () => {
    const p = path.join(dir, 'big.html');
    await writeFile(p, `<table>${'<tr><td>cell</td><td>cell</td></tr>'.repeat(200_000)}</table>`);
    const quick = createRenderer({ limits: { ...LIMITS, timeoutMs: 1500 }, logger: silentLogger, tmpDir: dir });
    const err = await quick.renderDoc(doc(p), { resolution: 'fine', paper: 'letter' }, path.join(dir, 'big.tif')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RenderFailure);
    expect((err as RenderFailure).reason).toMatch(/damaged|too-many-pages/);
  });
});
