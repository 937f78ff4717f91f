// HEIC photos (made at test time by libheif's heif-enc from generated JPEGs) fax upright, within the pixel limit,
// through the same image path as JPEG; the EXIF orientation reader is held on its own.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { exifOrientation, hasHeifTransform } from '../../src/render/heif.js';
import { RenderFailure } from '../../src/render/index.js';
import { tempDir } from '../helpers/tmp.js';
import { decodePage, inkIn, LIMITS, rejection, renderer } from './helpers.js';

const dir = tempDir();
const r = renderer(dir);
afterAll(() => r.close());
const fine = { resolution: 'fine', paper: 'letter' } as const;

/** An upright 400×600 portrait with a black top quarter, stored as `orientation` says (JPEG → HEIC). */
async function heic(name: string, orientation: 1 | 6): Promise<string> {
  const upright = await sharp({ create: { width: 400, height: 600, channels: 3, background: '#fff' } })
    .composite([{ input: { create: { width: 400, height: 150, channels: 3, background: '#000' } }, top: 0, left: 0 }])
    .png().toBuffer();
  const stored = orientation === 6 ? sharp(upright).rotate(-90) : sharp(upright);
  const jpg = path.join(dir, `${name}.jpg`);
  writeFileSync(jpg, await stored.jpeg().withMetadata({ orientation }).toBuffer());
  const out = path.join(dir, `${name}.heic`);
  execFileSync('heif-enc', ['-q', '60', '-o', out, jpg], { stdio: 'ignore' });
  return out;
}

describe('HEIC photos', () => {
  it.each([1, 6] as const)('a HEIC stored with EXIF orientation %i faxes upright', async (orientation) => {
    const file = await heic(`o${orientation}`, orientation);
    expect((await sharp(file).metadata()).format).toBe('heif');
    const o = path.join(dir, `o${orientation}.tif`);
    expect(await r.renderDoc({ name: 'photo.heic', path: file, detected: 'heic', renderer: 'heif' }, fine, o)).toEqual({ pages: 1 });
    const p = await decodePage(o);
    expect(inkIn(p, 0.1, 0.02, 0.9, 0.15)).toBeGreaterThan(0.9); // black band at the top
    expect(inkIn(p, 0.1, 0.5, 0.9, 0.9)).toBeLessThan(0.02);
  }, 30_000);

  it('refuses a HEIC over the pixel limit before decoding it', async () => {
    const file = await heic('big', 1);
    const small = renderer(dir, { ...LIMITS, maxMegapixels: 0.1 });
    try {
      const e = await rejection(small.renderDoc({ name: 'big.heic', path: file, detected: 'heic', renderer: 'heif' }, fine, path.join(dir, 'big.tif')), RenderFailure);
      expect(e.reason).toBe('too-many-pixels');
    } finally {
      await small.close();
    }
  }, 30_000);

  it('refuses a damaged HEIC as damaged', async () => {
    const file = path.join(dir, 'bad.heic');
    writeFileSync(file, Buffer.concat([Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic'), Buffer.alloc(64, 7)]));
    const e = await rejection(r.renderDoc({ name: 'bad.heic', path: file, detected: 'heic', renderer: 'heif' }, fine, path.join(dir, 'bad.tif')), RenderFailure);
    expect(e.reason).toBe('damaged');
  }, 30_000);
});

describe('exifOrientation and hasHeifTransform', () => {
  const ifd = (le: boolean, value: number) => {
    const b = Buffer.alloc(26);
    b.write(le ? 'II*\0' : 'MM\0*', 0, 'latin1');
    const w16 = (v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
    const w32 = (v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
    w32(8, 4);
    w16(1, 8);
    w16(0x0112, 10);
    w16(3, 12);
    w32(1, 14);
    w16(value, 18);
    return b;
  };
  it.each([
    ['little-endian 6', Buffer.concat([Buffer.from([0, 0, 0, 6]), Buffer.from('Exif\0\0'), ifd(true, 6)]), 6],
    ['big-endian 8', ifd(false, 8), 8],
    ['out of range', ifd(true, 42), 1],
    ['no TIFF header', Buffer.from('nothing here'), 1],
  ] as const)('%s', (_n, buf, want) => {
    expect(exifOrientation(buf)).toBe(want);
  });
  it('sees irot/imir in the metadata box', () => {
    expect(hasHeifTransform(Buffer.from('....ipco....irot....'))).toBe(true);
    expect(hasHeifTransform(Buffer.from('....ipco....ispe....'))).toBe(false);
  });
});
