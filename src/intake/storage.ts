// Durable file placement for "250 means durable": fsync the file, rename it into place, fsync the directory.
import { copyFile, mkdir, open, rename, rm, unlink } from 'node:fs/promises';
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

/** fsync a directory so a rename or create inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  await fsyncPath(dir, 'r');
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
