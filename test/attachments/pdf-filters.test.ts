// The capped decoders of pdf-filters.ts against Ghostscript's own encoders, and bombs hidden behind those filters.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeStage, filterNames, OverCap } from '../../src/attachments/pdf-filters.js';
import { BOMB_RATIO, measurePdfStreams, type InflateFacts } from '../../src/attachments/pdf-inflate.js';
import { makeFlateBombPdf } from '../../fixtures/generate.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('faxgate-filters-');
const p = (name: string) => path.join(dir, name);
const MB = 1024 * 1024;
/** What the screen refuses as too-complex: past the 64 MB budget, or one stream past the bomb ratio. */
const bomb = (m: InflateFacts) => m.inflatedBytes > 64 * MB || (m.inflateRatio ?? 0) > BOMB_RATIO;

/** `file` through one of Ghostscript's PostScript encode filters (`args` go before the filter name). */
function gsEncode(file: string, filter: string, args = ''): Buffer {
  const out = `${file}.${filter}`;
  execFileSync('gs', ['-q', '-dNOSAFER', '-dNODISPLAY', '-dBATCH', '-c',
    `/o (${out}) (w) file ${args} /${filter} filter def /i (${file}) (r) file def { i 65536 string readstring exch o exch writestring not { exit } if } loop o closefile quit`]);
  return readFileSync(out);
}

// Distinct drawing operators (a fixed pseudo-random sequence) and a long run of zeros: both decoders' paths.
let seed = 7;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % 600; };
const drawing = Buffer.from(Array.from({ length: 20_000 }, () => `${rnd()} ${rnd()} m ${rnd()} ${rnd()} l S\n`).join(''), 'latin1');
const zeros = Buffer.alloc(3 * MB);

beforeAll(() => {
  writeFileSync(p('drawing'), drawing);
  writeFileSync(p('zeros'), zeros);
});

describe('capped PDF filter decoders', () => {
  it.each([
    ['/LZWDecode', 'LZWEncode', ''], ['/RunLengthDecode', 'RunLengthEncode', '0'],
    ['/ASCII85Decode', 'ASCII85Encode', ''], ['/ASCIIHexDecode', 'ASCIIHexEncode', ''],
  ])('%s decodes what Ghostscript encodes', (name, encoder, args) => {
    for (const [f, want] of [['drawing', drawing], ['zeros', zeros]] as const) {
      const got = decodeStage(name, gsEncode(p(f), encoder, args), 64 * MB);
      expect(got.length).toBe(want.length);
      expect(got.equals(want)).toBe(true);
    }
  });

  it('stops at the cap instead of producing more', () => {
    const lzw = gsEncode(p('zeros'), 'LZWEncode');
    expect(() => decodeStage('/LZWDecode', lzw, MB)).toThrow(OverCap);
    expect(() => decodeStage('/RunLengthDecode', gsEncode(p('zeros'), 'RunLengthEncode', '0'), MB)).toThrow(OverCap);
  });

  it('reads filter names and their abbreviations in order', () => {
    expect(filterNames('<< /Length 5 /Filter [/AHx /Fl] >>')).toEqual(['/ASCIIHexDecode', '/FlateDecode']);
    expect(filterNames('<< /Filter /LZWDecode /DecodeParms << /EarlyChange 1 >> >>')).toEqual(['/LZWDecode']);
    expect(filterNames('<< /Length 5 >>')).toEqual([]);
  });
});

describe('bombs behind other filters', () => {
  /** The generated Flate bomb with its stream rewritten through `encode` under `filter` (same objects, new xref). */
  function rewrap(src: string, dest: string, filter: string, encode: (zlib: Buffer) => Buffer): void {
    const s = readFileSync(src);
    const at = s.indexOf('stream\n') + 7;
    const end = s.indexOf('\nendstream', at);
    const head = s.subarray(0, at).toString('latin1');
    const body = encode(s.subarray(at, end));
    const dict = head.replace(/\/Length \d+ \/Filter \/FlateDecode/, `/Length ${body.length} /Filter ${filter}`);
    writeFileSync(dest, Buffer.concat([Buffer.from(dict, 'latin1'), body, s.subarray(end)]));
  }

  it('a Flate bomb behind ASCIIHex or ASCII85 is still found', async () => {
    makeFlateBombPdf(p('bomb.pdf'), { inflatedMb: 1024, pattern: '\n' });
    rewrap(p('bomb.pdf'), p('hex.pdf'), '[/ASCIIHexDecode /FlateDecode]', (z) => Buffer.from(z.toString('hex') + '>', 'latin1'));
    rewrap(p('bomb.pdf'), p('a85.pdf'), '[/A85 /Fl]', (z) => { writeFileSync(p('z.bin'), z); return gsEncode(p('z.bin'), 'ASCII85Encode'); });
    for (const f of ['hex.pdf', 'a85.pdf']) {
      const m = await measurePdfStreams(p(f), statSync(p(f)).size, { maxInflatedBytes: 64 * MB, timeoutMs: 10_000 });
      expect({ f, bomb: bomb(m) }).toEqual({ f, bomb: true });
    }
  });

  it('an LZW-coded content stream counts its decoded size, and LZW-coded zeros are a bomb', async () => {
    const measure = async (name: string, data: Buffer) => {
      const pdf = Buffer.concat([Buffer.from(`%PDF-1.4\n4 0 obj\n<< /Length ${data.length} /Filter /LZWDecode >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream\nendobj\n%%EOF\n')]);
      writeFileSync(p(name), pdf);
      return measurePdfStreams(p(name), pdf.length, { maxInflatedBytes: 64 * MB, timeoutMs: 10_000 });
    };
    const plain = await measure('lzw-drawing.pdf', gsEncode(p('drawing'), 'LZWEncode'));
    expect(plain.inflatedBytes).toBe(drawing.length);
    expect(bomb(plain)).toBe(false);
    expect(bomb(await measure('lzw-zeros.pdf', gsEncode(p('zeros'), 'LZWEncode')))).toBe(true);
  });
});
