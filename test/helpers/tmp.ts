// Temporary data folders for tests, removed once the test file has finished, wherever tempDir() was called.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

// Registered once when a test file first imports this module: an afterAll registered from inside a test or a
// hook would never run, and folders created there used to be left behind.
const created: string[] = [];
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'faxgate-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

// The repository's own copies of the corpus files (fixtures/SOURCES.md): a clone tests itself with nothing beside it.
export { FIXTURES as CORPUS } from '../../fixtures/generate.js';
