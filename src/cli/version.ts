// `faxgate --version`: the version in package.json, found at run time from this file (src/ or dist/src/) upwards;
// the same walk finds the package folder for files that live beside the code (native/build/).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The folder of faxgate's own package.json at or above `from`, with that file's contents, or undefined. */
export function findPackage(from = HERE): { dir: string; version?: string } | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'faxgate') return { dir, version: pkg.version };
    } catch {
      // no (readable) package.json here: look further up
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function readVersion(from = HERE): string {
  return findPackage(from)?.version ?? 'unknown';
}
