// The compliance check with the real helper (native/t30check, built by scripts/setup.sh): rendered faxes of every
// resolution, paper and coding cross a whole T.30 call and arrive pixel for pixel; what a standard machine cannot
// print is refused with the far end's T.30 result; a file that is not a fax is a clean error, never a call.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { comparePages, createFaxCheck, FaxCheckError, type FaxCheckOptions } from '../../src/render/check.js';
import type { RenderOptions } from '../../src/render/index.js';
import { CORPUS, tempDir } from '../helpers/tmp.js';
import { rejection, renderer, run, T30CHECK } from './helpers.js';

/** T.30 completion codes of spandsp 0.0.6 (t30.h) */
const T30_ERR_NORESSUPPORT = 11;
const T30_ERR_NOSIZESUPPORT = 12;

const dir = tempDir();
const r = renderer(dir);
afterAll(() => r.close());
const fc = createFaxCheck({ binPath: T30CHECK, timeoutMs: 30_000, tmpDir: dir });
const THREE = path.join(CORPUS, 'pdf/pdf_three_pages.pdf');

async function render(opts: RenderOptions, name: string, input = THREE): Promise<string> {
  const out = path.join(dir, `${name}.tif`);
  await r.renderDoc({ name: path.basename(input), path: input, detected: 'pdf', renderer: 'pdf' }, opts, out);
  return out;
}

const checkError = (p: Promise<unknown>) => rejection(p, FaxCheckError);

describe('fax compliance check: rendered faxes cross a T.30 call', () => {
  const cases: [RenderOptions['resolution'], RenderOptions['paper'], 'g3' | 'g4'][] = [];
  for (const res of ['standard', 'fine', 'superfine'] as const) {
    for (const paper of ['letter', 'a4'] as const) {
      for (const compression of ['g3', 'g4'] as const) cases.push([res, paper, compression]);
    }
  }
  it.each(cases)('%s %s %s: delivered, pixel-identical, at its own resolution', async (resolution, paper, compression) => {
    const fax = await render({ resolution, paper, compression }, `${resolution}-${paper}-${compression}`);
    const c = await fc.check(fax);
    expect(c).toMatchObject({ delivered: true, identical: true, pages: 3, pagesSent: 3, code: 0, resolution, ecm: true, compression: 'mmr' });
    expect(c.reason).toBeUndefined();
    expect(c.seconds).toBeGreaterThan(5); // a real call: training, phase B, pages, disconnect
  });

  const transports: [string, FaxCheckOptions, { transport: string; ecm: boolean; compression: string }][] = [
    ['T.38', { t38: true }, { transport: 't38', ecm: true, compression: 'mmr' }],
    ['audio without ECM', { ecm: false }, { transport: 'audio', ecm: false, compression: 'mr' }],
    ['T.38 without ECM', { t38: true, ecm: false }, { transport: 't38', ecm: false, compression: 'mr' }],
    ['a receiver of MH only', { compressions: ['mh'] }, { transport: 'audio', ecm: true, compression: 'mh' }],
  ];
  it.each(transports)('%s: delivered and identical, negotiated as expected', async (_name, opts, expected) => {
    const fax = await render({ resolution: 'fine', paper: 'letter' }, `transport-${_name.replace(/\W+/g, '-')}`);
    expect(await fc.check(fax, opts)).toMatchObject({ delivered: true, identical: true, pages: 3, ...expected });
  });

  it('keeps the received fax where asked, with the pages sent', async () => {
    const fax = await render({ resolution: 'standard', paper: 'a4' }, 'kept');
    const received = path.join(dir, 'kept-received.tif');
    expect(await fc.check(fax, { receivedPath: received })).toMatchObject({ delivered: true, identical: true });
    const { stdout } = await run('tiffinfo', [received]);
    expect(stdout.match(/Image Width: 1728 Image Length: 1146/g)).toHaveLength(3);
  });
});

describe('fax compliance check: the page comparison', () => {
  it('names a page that differs, a page of another size and a missing page', async () => {
    const fine = { resolution: 'fine', paper: 'letter' } as const;
    const three = await render(fine, 'cmp-three');
    const other = await render(fine, 'cmp-other', path.join(CORPUS, 'pdf/pdf_rotate90_five_pages.pdf'));
    const a4 = await render({ ...fine, paper: 'a4' }, 'cmp-a4');
    const one = await render(fine, 'cmp-one', path.join(CORPUS, 'pdf/pdf_type3_font.pdf'));
    expect(await comparePages(three, three)).toBeUndefined();
    expect(await comparePages(three, await render({ ...fine, compression: 'g3' }, 'cmp-three-g3'))).toBeUndefined();
    expect(await comparePages(three, other)).toMatch(/^\d+ of 3 pages arrived$/);
    expect(await comparePages(one, await render(fine, 'cmp-one-other', path.join(CORPUS, 'pdf/pdf_helloworld_bad.pdf')))).toMatch(/^page 1: \d+ pixels? differ$/);
    expect(await comparePages(three, a4)).toMatch(/^page 1: sent 1728x2156, received 1728x2\d{3}$/);
  });
});

describe('fax compliance check: refusals and errors', () => {
  it('a 400 dpi A4 TIFF (Ghostscript) is refused: the far end cannot receive at its size', async () => {
    const fax = path.join(dir, 'a4-400dpi.tif');
    await run('gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=tiffg4', '-r400', '-sPAPERSIZE=a4', '-dFIXEDMEDIA',
      '-dPDFFitPage', `-sOutputFile=${fax}`, THREE]);
    const c = await fc.check(fax);
    expect(c).toMatchObject({ delivered: false, identical: false, pages: 0, pagesSent: 3, code: T30_ERR_NOSIZESUPPORT });
    expect(c.reason).toMatch(/\w{6,}/);
  });

  it('a superfine fax is refused by a receiver without superfine (resolution), accepted once rendered fine', async () => {
    const superfine = await render({ resolution: 'superfine', paper: 'letter' }, 'no-superfine');
    expect(await fc.check(superfine, { superfine: false })).toMatchObject({ delivered: false, identical: false, code: T30_ERR_NORESSUPPORT });
    const fine = await render({ resolution: 'fine', paper: 'letter' }, 'no-superfine-fine');
    expect(await fc.check(fine, { superfine: false })).toMatchObject({ delivered: true, identical: true });
  });

  it.each([
    ['not a TIFF at all', Buffer.from('this is not a fax\n')],
    ['a TIFF header with nothing behind it', Buffer.from('II*\0\x08\0\0\0', 'latin1')],
  ])('%s is a clean input error, not a call', async (name, bytes) => {
    const f = path.join(dir, `${name.replace(/\W+/g, '-')}.tif`);
    writeFileSync(f, bytes);
    expect((await checkError(fc.check(f))).kind).toBe('input');
  });

  it('a call longer than its limit of simulated seconds ends as a timeout, not a hang', async () => {
    const fax = await render({ resolution: 'fine', paper: 'letter' }, 'limit');
    expect((await checkError(fc.check(fax, { maxSeconds: 5 }))).kind).toBe('timeout');
    expect((await checkError(fc.check(fax, { maxSeconds: 0 }))).kind).toBe('usage');
  });

  it('a missing helper says so', async () => {
    const missing = createFaxCheck({ binPath: path.join(dir, 'no-such-t30check'), timeoutMs: 5_000 });
    expect((await checkError(missing.check(await render({ resolution: 'fine', paper: 'letter' }, 'missing')))).kind).toBe('missing-helper');
  });
});
