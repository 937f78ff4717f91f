// The header line as sent: decoded from the stamped TIFF, the band has ink at every resolution, the page count and
// geometry are kept, and what was on the page is unchanged (kept in place, moved down whole, or scaled only when full).
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bandRows } from '../../src/render/header.js';
import { DEFAULT_HEADER_FORMAT } from '../../src/render/header-format.js';
import { parseTiff } from '../../src/render/tiff.js';
import { readFileSync } from 'node:fs';
import { tempDir } from '../helpers/tmp.js';
import { decodePage, pdfFromPostScript, renderer, tiffinfoD, type Page } from './helpers.js';

const dir = tempDir();
const r = renderer(dir);
afterAll(() => r.close());
let n = 0;
const out = () => path.join(dir, `h-${++n}.tif`);
const spec = { format: DEFAULT_HEADER_FORMAT, timezone: 'America/New_York', senderName: 'Acme Clinic', senderNumber: '+15550100100', csid: '+1 555 010 0100' };
const ctx = { to: '+15550100200', at: new Date('2026-12-04T18:30:00Z'), jobId: 'job_1' };

const rowsInk = (p: Page, y0: number, y1: number) => {
  let b = 0;
  for (let y = y0; y < y1; y++) for (let x = 0; x < p.width; x++) b += p.ink[y * p.width + x];
  return b;
};
/** Are rows [y0, y1) of `a` the same as rows [y0 + shift, y1 + shift) of `b`? */
const sameRows = (a: Page, b: Page, y0: number, y1: number, shift = 0) => {
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < a.width; x++) if (a.ink[y * a.width + x] !== b.ink[(y + shift) * b.width + x]) return false;
  }
  return true;
};

describe('header line', () => {
  it.each([
    ['standard', 98, 1078],
    ['fine', 196, 2156],
    ['superfine', 391, 4301],
  ] as const)('%s: the band has ink, the text page below it is unchanged, PageNumber and rows kept', async (resolution, yres, rows) => {
    const src = out();
    await r.renderText('Line one of the letter.\n\fPage two.', { resolution, paper: 'letter' }, src);
    const sent = out();
    const res = await r.stampHeader(src, sent, spec, ctx);
    expect(res).toEqual({ pages: 2, how: ['kept', 'kept'] });
    await tiffinfoD(sent);
    const pages = parseTiff(readFileSync(sent));
    expect(pages.map((p) => [p.width, p.height, Math.round(p.yres)])).toEqual([[1728, rows, yres], [1728, rows, yres]]);
    const { band, gap } = bandRows(yres);
    for (const i of [0, 1]) {
      const before = await decodePage(src, i);
      const after = await decodePage(sent, i);
      expect(rowsInk(before, 0, band)).toBe(0);
      expect(rowsInk(after, 0, band)).toBeGreaterThan(200 * (yres / 196));
      expect(sameRows(before, after, band + gap, rows)).toBe(true);
    }
  });

  it('moves content that starts at the top edge down whole when the bottom has room, scales a page full to both edges', async () => {
    const topOnly = await pdfFromPostScript(dir, 'top', `%!PS
<< /PageSize [612 792] >> setpagedevice
0 setgray 100 700 400 92 rectfill showpage`);
    const full = await pdfFromPostScript(dir, 'full', `%!PS
<< /PageSize [612 792] >> setpagedevice
0 setgray 100 0 400 792 rectfill showpage`);
    const fine = { resolution: 'fine', paper: 'letter' } as const;
    const a = out();
    await r.renderDoc({ name: 'top.pdf', path: topOnly, detected: 'pdf', renderer: 'pdf' }, fine, a);
    const b = out();
    await r.renderDoc({ name: 'full.pdf', path: full, detected: 'pdf', renderer: 'pdf' }, fine, b);
    const { band, gap } = bandRows(196);
    const sa = out();
    expect((await r.stampHeader(a, sa, spec, ctx)).how).toEqual(['moved']);
    const pa = await decodePage(a);
    const qa = await decodePage(sa);
    expect(sameRows(pa, qa, 0, 2156 - band - gap, band + gap)).toBe(true);
    expect(rowsInk(qa, 0, band)).toBeGreaterThan(200);
    const sb = out();
    expect((await r.stampHeader(b, sb, spec, ctx)).how).toEqual(['scaled']);
    const qb = await decodePage(sb);
    // the bar is narrower now (aspect kept), still solid, and nothing of it is under the header
    expect(rowsInk(qb, band, band + gap)).toBe(0);
    const mid = Math.round(2156 * 0.6);
    let left = -1, right = -1;
    for (let x = 0; x < 1728; x++) if (qb.ink[mid * 1728 + x]) { if (left < 0) left = x; right = x; }
    const pb = await decodePage(b);
    let l0 = -1, r0 = -1;
    for (let x = 0; x < 1728; x++) if (pb.ink[mid * 1728 + x]) { if (l0 < 0) l0 = x; r0 = x; }
    const s = (2156 - band - gap) / 2156;
    expect(Math.abs((right - left) - (r0 - l0) * s)).toBeLessThan(4);
  });
});
