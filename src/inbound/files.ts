// Best-effort shredding removal of received faxes (their durable publish is store/files.ts's publishCopy).
import { constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';
import { fsyncDir } from '../store/files.js';

/**
 * Overwrite a file's bytes with zeros (fsync) and unlink it. On ext4/xfs this overwrites the blocks in place; on
 * copy-on-write filesystems or SSDs with wear levelling the old blocks may survive at the device level, which no
 * application can prevent (the README says so).
 */
export async function shredFile(file: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(file, fsc.O_WRONLY | fsc.O_NOFOLLOW);
    const { size } = await fh.stat();
    const zeros = Buffer.alloc(Math.min(size, 1 << 20));
    for (let off = 0; off < size; off += zeros.length) {
      await fh.write(zeros, 0, Math.min(zeros.length, size - off), off);
    }
    await fh.sync();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    // ELOOP (a symlink) or EISDIR: fall through to a plain removal, never follow a link.
  } finally {
    await fh?.close();
  }
  await fsp.rm(file, { force: true, recursive: true });
}

/** Shred every file under `dir` (recursively), remove the folder and fsync its parent. Missing folders are fine. */
export async function shredDir(dir: string): Promise<string[]> {
  const removed: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return removed;
    throw e;
  }
  for (const ent of entries) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) removed.push(...(await shredDir(p)));
    else {
      await shredFile(p);
      removed.push(p);
    }
  }
  await fsp.rm(dir, { recursive: true, force: true });
  await fsyncDir(path.dirname(dir)).catch(() => undefined);
  return removed;
}
