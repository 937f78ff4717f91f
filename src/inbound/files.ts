// Disk primitives for received faxes: durable publish (fsync, rename, directory fsync) and best-effort shredding removal.
import { constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';

/** fsync a directory so a rename or unlink inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, fsc.O_RDONLY | fsc.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Copy `src` to `dest` durably: write to a temporary name next to it, fsync the data, rename over `dest`, fsync
 * the directory. A crash leaves either no `dest` or a complete one, never a torn file.
 */
export async function publishCopy(src: string, dest: string): Promise<number> {
  const tmp = `${dest}.${process.pid}.${Date.now()}.tmp`;
  try {
    await fsp.copyFile(src, tmp);
    const fh = await fsp.open(tmp, 'r+');
    let size: number;
    try {
      // Fax content is readable by the service user only, whatever the source file's mode was.
      await fh.chmod(0o600);
      await fh.sync();
      size = (await fh.stat()).size;
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, dest);
    await fsyncDir(path.dirname(dest));
    return size;
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

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
