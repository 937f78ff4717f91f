// The one durable-file helper (intake's "250 means durable", received faxes, the sandbox outbox): fsync the file,
// rename it into place, fsync the directory, so a crash leaves the old state or the whole new one, never a torn file.
import { constants as fsc } from 'node:fs';
import { chmod, copyFile, mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/** fsync one file (or, with flags 'r', a directory). */
export async function fsyncPath(p: string, flags = 'r'): Promise<void> {
  const fh = await open(p, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory so a rename, create or unlink inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, fsc.O_RDONLY | fsc.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Create a directory (and its parents) and make its own entry durable in the parent. */
export async function mkdirDurable(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await fsyncDir(path.dirname(dir));
}

/**
 * Move `src` to `dest` durably. Same filesystem: fsync + rename. Otherwise copy to a temporary name in the
 * destination folder, fsync, rename, then remove the source. The caller fsyncs the destination folder once
 * after all moves (see fsyncDir). `synced` says the caller already fsynced `src` (and has not changed it since).
 */
export async function moveDurable(src: string, dest: string, opts: { synced?: boolean } = {}): Promise<void> {
  if (!opts.synced) await fsyncPath(src);
  try {
    await rename(src, dest);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    const tmp = `${dest}.part`;
    await copyFile(src, tmp);
    await fsyncPath(tmp);
    await rename(tmp, dest);
    await unlink(src).catch(() => undefined);
  }
}

export async function removeQuietly(p: string | undefined): Promise<void> {
  if (p) await rm(p, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Copy `src` to `dest` durably: a temporary name next to it, fsync the data, rename over `dest`, fsync the folder.
 * A crash leaves either no `dest` (or the old one) or a complete one. The copy is readable by the service user only
 * (fax content), whatever the source's mode was. Resolves to the bytes copied.
 */
export async function publishCopy(src: string, dest: string): Promise<number> {
  const tmp = `${dest}.${process.pid}.${Date.now()}.tmp`;
  try {
    await copyFile(src, tmp);
    await chmod(tmp, 0o600);
    await fsyncPath(tmp);
    const { size } = await stat(tmp);
    await rename(tmp, dest);
    await fsyncDir(path.dirname(dest));
    return size;
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
