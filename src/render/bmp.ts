// Minimal BMP decoder (uncompressed 1/4/8/16/24/32-bit and BITFIELDS) because libvips in sharp has no BMP loader.
import { RenderFailure } from './types.js';

/** Decode to RGB (3 channels, top-down). Checks the pixel limit from the header before allocating anything. */
export function decodeBmp(buf: Buffer, maxPixels: number): { data: Buffer; width: number; height: number } {
  if (buf.length < 26 || buf.toString('latin1', 0, 2) !== 'BM') throw new RenderFailure('damaged', 'not a BMP file');
  const dataOffset = buf.readUInt32LE(10);
  const hdrSize = buf.readUInt32LE(14);
  let width: number, rawHeight: number, bpp: number, compression = 0, colours = 0;
  if (hdrSize === 12) {
    width = buf.readUInt16LE(18);
    rawHeight = buf.readInt16LE(20);
    bpp = buf.readUInt16LE(24);
  } else {
    if (buf.length < 54) throw new RenderFailure('damaged', 'the BMP header is truncated');
    width = buf.readInt32LE(18);
    rawHeight = buf.readInt32LE(22);
    bpp = buf.readUInt16LE(28);
    compression = buf.readUInt32LE(30);
    colours = buf.readUInt32LE(46);
  }
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height <= 0) throw new RenderFailure('damaged', 'the BMP has no pixels');
  if (width * height > maxPixels) {
    throw new RenderFailure('too-many-pixels', `${width}×${height} pixels, more than the ${Math.round(maxPixels / 1e6)} megapixel limit`);
  }
  if (compression === 1 || compression === 2) throw new RenderFailure('unsupported-type', 'RLE-compressed BMP files are not supported');
  if (compression !== 0 && compression !== 3) throw new RenderFailure('unsupported-type', 'this BMP compression is not supported');
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new RenderFailure('damaged', `a BMP with ${bpp} bits per pixel is not valid`);
  const palEntry = hdrSize === 12 ? 3 : 4;
  const palStart = 14 + hdrSize + (compression === 3 && hdrSize === 40 ? 12 : 0);
  const palCount = bpp <= 8 ? (colours || 1 << bpp) : 0;
  const palette: number[][] = [];
  for (let i = 0; i < palCount && palStart + i * palEntry + 3 <= buf.length; i++) {
    const o = palStart + i * palEntry;
    palette.push([buf[o + 2], buf[o + 1], buf[o]]);
  }
  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
  if (compression === 3 && buf.length >= 66) masks = [buf.readUInt32LE(54), buf.readUInt32LE(58), buf.readUInt32LE(62)];
  const channel = (v: number, m: number) => {
    if (!m) return 0;
    const shift = 31 - Math.clz32(m & -m);
    const max = m >>> shift;
    return Math.round((((v & m) >>> shift) * 255) / max);
  };
  const rowBytes = ((width * bpp + 31) >> 5) << 2;
  if (dataOffset + rowBytes * height > buf.length) throw new RenderFailure('damaged', 'the BMP is truncated');
  const out = Buffer.alloc(width * height * 3, 255);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      let r: number, g: number, b: number;
      if (bpp <= 8) {
        const bit = x * bpp;
        const idx = (buf[row + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        [r, g, b] = palette[idx] ?? [0, 0, 0];
      } else if (bpp === 24) {
        const o = row + x * 3;
        b = buf[o]; g = buf[o + 1]; r = buf[o + 2];
      } else {
        const v = bpp === 16 ? buf.readUInt16LE(row + x * 2) : buf.readUInt32LE(row + x * 4);
        r = channel(v, masks[0]); g = channel(v, masks[1]); b = channel(v, masks[2]);
      }
      const o = (y * width + x) * 3;
      out[o] = r; out[o + 1] = g; out[o + 2] = b;
    }
  }
  return { data: out, width, height };
}
