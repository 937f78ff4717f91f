// The data-folder lock: one `faxgate serve` per data folder, so at start every lease found belongs to a dead worker.
import { openSync, readFileSync, unlinkSync, writeFileSync, closeSync, fsyncSync } from 'node:fs';
import path from 'node:path';
import { FaxError } from '../domain/errors.js';

/**
 * Folders locked by this process. A lock file with our own pid is normally stale (a container restarted as the same
 * pid after a kill), unless this process holds it right now, which only this set can tell.
 */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the lock (a stale one from a killed process is taken over); returns the release function. */
export function acquireDataLock(dataDir: string): () => void {
  const file = path.join(dataDir, 'serve.lock');
  if (heldHere.has(file)) {
    throw new FaxError('data-folder-in-use', `another faxgate serve in this process is using ${dataDir}`, { dataDir, pid: process.pid, lockFile: file });
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeFileSync(fd, `${process.pid}\n`);
      fsyncSync(fd);
      closeSync(fd);
      heldHere.add(file);
      return () => {
        heldHere.delete(file);
        try {
          if (Number(readFileSync(file, 'utf8').trim()) === process.pid) unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new FaxError('data-folder-in-use',
          `another faxgate serve (pid ${pid}) is using the data folder ${dataDir}; stop it first or use another folder with --data (if pid ${pid} is not faxgate, remove ${file})`,
          { dataDir, pid, lockFile: file });
      }
      unlinkSync(file);
    }
  }
  throw new Error(`cannot take the lock ${file}`);
}
