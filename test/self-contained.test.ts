// A clone tests itself with nothing beside it: no test, bench, script or source refers to a folder outside the
// repository (the shared corpus next to a developer's checkout is not there in a user's clone).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const SCANNED = ['src', 'test', 'bench', 'scripts', 'fixtures', '.ci', 'vitest.config.ts', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'eslint.config.js', 'faxgate', 'README.md', 'docs'];
const TEXT = /\.(ts|js|mjs|cjs|json|sh|md)$|^[^.]+$/;
// Built from pieces so that this file does not match itself.
const OUTSIDE = new RegExp(['\\.\\./', 'shared', '|', 'shared', '/(corpus|recipes|SPEC)'].join(''));

function files(p: string): string[] {
  const full = path.join(ROOT, p);
  const st = statSync(full, { throwIfNoEntry: false });
  if (!st) return [];
  if (st.isFile()) return [p];
  return readdirSync(full).flatMap((f) => files(path.join(p, f)));
}

describe('the repository is self-contained', () => {
  it('refers to no folder outside itself', () => {
    const offenders = SCANNED.flatMap(files)
      .filter((f) => TEXT.test(path.basename(f)) && statSync(path.join(ROOT, f)).size < 1_000_000)
      .flatMap((f) => readFileSync(path.join(ROOT, f), 'utf8').split('\n')
        .map((line, i) => ({ f, i, line }))
        .filter(({ line }) => OUTSIDE.test(line))
        .map(({ f, i, line }) => `${f}:${i + 1}: ${line.trim()}`));
    expect(offenders).toEqual([]);
  });

  it('finds the fixtures the tests use inside the repository', () => {
    const sources = readFileSync(path.join(ROOT, 'fixtures/SOURCES.md'), 'utf8');
    const listed = [...sources.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    const present = ['emails', 'pdf', 'images', 'tiff', 'office', 'tnef'].flatMap((d) => readdirSync(path.join(ROOT, 'fixtures', d)));
    // every copied file is listed with its origin and licence, and every listed file is there
    expect(present.sort()).toEqual(listed.sort());
  });

  it('links from the README and docs/ only to files the repository has', () => {
    const broken = ['README.md', ...files('docs')].filter((f) => f.endsWith('.md')).flatMap((f) => {
      const text = readFileSync(path.join(ROOT, f), 'utf8').replace(/```[\s\S]*?```/g, '');
      return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1])
        .filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('#'))
        .filter((href) => !statSync(path.resolve(ROOT, path.dirname(f), decodeURIComponent(href.split('#')[0])), { throwIfNoEntry: false }))
        .map((href) => `${f}: ${href}`);
    });
    expect(broken).toEqual([]);
  });
});
