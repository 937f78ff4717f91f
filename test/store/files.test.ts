// The one durable-file helper: a published copy is whole, private and leaves no temporary name behind; a failed one
// leaves nothing; a move keeps the bytes.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsyncDir, mkdirDurable, moveDurable, publishCopy } from '../../src/store/files.js';
import { tempDir } from '../helpers/tmp.js';

describe('store/files', () => {
  it('publishCopy: the same bytes at dest, mode 0600, no temporary file, size returned', async () => {
    const dir = tempDir();
    const src = path.join(dir, 'src.tif');
    writeFileSync(src, Buffer.alloc(70_000, 7), { mode: 0o644 });
    const out = path.join(dir, 'out');
    await mkdirDurable(out);
    expect(await publishCopy(src, path.join(out, 'fax.tif'))).toBe(70_000);
    expect(readFileSync(path.join(out, 'fax.tif')).equals(readFileSync(src))).toBe(true);
    expect(statSync(path.join(out, 'fax.tif')).mode & 0o777).toBe(0o600);
    expect(readdirSync(out)).toEqual(['fax.tif']);
  });

  it('publishCopy of a missing source fails and leaves nothing', async () => {
    const dir = tempDir();
    await expect(publishCopy(path.join(dir, 'missing'), path.join(dir, 'fax.tif'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('moveDurable moves the bytes; fsyncDir refuses a file (it opens folders only)', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a'), 'abc');
    await moveDurable(path.join(dir, 'a'), path.join(dir, 'b'));
    expect(existsSync(path.join(dir, 'a'))).toBe(false);
    expect(readFileSync(path.join(dir, 'b'), 'utf8')).toBe('abc');
    await expect(fsyncDir(path.join(dir, 'b'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
