// The shared byte helpers: which byte-order mark a text starts with, and bounded reads of a file's head.
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { byteOrderMark, readAt, readHead } from '../../src/formats/bytes.js';
import { tempDir } from '../helpers/tmp.js';

describe('byteOrderMark', () => {
  it.each([
    ['UTF-8', [0xef, 0xbb, 0xbf, 0x41], { charset: 'utf-8', length: 3 }],
    ['UTF-16 LE', [0xff, 0xfe, 0x41, 0x00], { charset: 'utf-16le', length: 2 }],
    ['UTF-16 BE', [0xfe, 0xff, 0x00, 0x41], { charset: 'utf-16be', length: 2 }],
    ['no mark', [0x41, 0x42, 0x43], undefined],
    ['a UTF-8 mark cut short', [0xef, 0xbb], undefined],
    ['one byte', [0xff], undefined],
    ['nothing', [], undefined],
  ])('%s', (_name, bytes, expected) => {
    expect(byteOrderMark(Buffer.from(bytes))).toEqual(expected);
  });
});

describe('readHead and readAt', () => {
  const dir = tempDir('faxgate-bytes-');
  const file = path.join(dir, 'ten');
  writeFileSync(file, Buffer.from('0123456789'));

  it('reads the first bytes, and no more than the file has', async () => {
    expect((await readHead(file, 4)).toString()).toBe('0123');
    expect((await readHead(file, 100)).toString()).toBe('0123456789');
  });

  it('reads at an offset, short at the end of the file', async () => {
    const fh = await open(file, 'r');
    try {
      expect((await readAt(fh, 8, 4)).toString()).toBe('89');
      expect((await readAt(fh, 20, 4)).length).toBe(0);
      expect((await readAt(fh, 0, -1)).length).toBe(0);
    } finally {
      await fh.close();
    }
  });
});
