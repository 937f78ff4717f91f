// The contract in docs/ names only settings, routes and codes that exist, and names all of them (issue #13).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/domain/errors.js';
import { DEFAULT_SETTINGS, SETTING_KEYS, flatten } from '../../src/settings/validate.js';

const ROOT = path.resolve(__dirname, '../..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');
const DOCS = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
const ALL = [...DOCS, 'README.md'];

/** Rows of the first table under a heading that starts with `heading`, as trimmed cells. */
function table(file: string, heading: string): string[][] {
  const text = read(file);
  const at = text.split('\n').findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, '').startsWith(heading));
  expect(at, `${file}: heading "${heading}"`).toBeGreaterThanOrEqual(0);
  const lines = text.split('\n').slice(at + 1);
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|')));
  }
  return rows;
}

const ticks = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('docs name what exists', () => {
  it('every FAXGATE_* variable named in docs/ and README.md is one src/config.ts reads, and running.md lists them all', () => {
    const config = read('src/config.ts');
    const known = new Set([...config.matchAll(/env: '(FAXGATE_[A-Z0-9_]+)'/g)].map((m) => m[1]));
    known.add('FAXGATE_CONFIG');
    const unknown = ALL.flatMap((f) => [...read(f).matchAll(/FAXGATE_[A-Z0-9_]+/g)].map((m) => m[0]).filter((v) => !known.has(v)).map((v) => `${f}: ${v}`));
    expect(unknown).toEqual([]);
    const running = read('docs/running.md');
    expect([...known].filter((v) => !running.includes(v)), 'add the new setting to docs/running.md §2').toEqual([]);
  });

  it('every /v1 route named in docs/ is served, and http-api.md lists every served route', () => {
    const sources = ['src/ingress/http/app.ts', ...readdirSync(path.join(ROOT, 'src/ingress/http/routes')).map((f) => `src/ingress/http/routes/${f}`)];
    const served = new Set(sources.flatMap((f) => [...read(f).matchAll(/\.(get|post|put|delete)(?:<[^(]*>)?\('(\/v1\/[^']*)'/g)]
      .map((m) => `${m[1].toUpperCase()} ${m[2].replace(/:(\w+)/g, '{$1}')}`)));
    expect(served.size).toBeGreaterThan(10);
    const named = (f: string) => [...read(f).matchAll(/\b(GET|POST|PUT|DELETE) (\/v1\/[A-Za-z0-9_.{}/-]*)/g)].map((m) => `${m[1]} ${m[2]}`);
    const unknown = ALL.flatMap((f) => named(f).filter((r) => !served.has(r)).map((r) => `${f}: ${r}`));
    expect(unknown).toEqual([]);
    const api = new Set(table('docs/http-api.md', '3. Routes').map((r) => ticks(r[0])[0]?.split('?')[0]));
    expect([...served].filter((r) => !api.has(r)), 'add the route to docs/http-api.md §3').toEqual([]);
  });

  it('the SMTP replies table gives each code the reply of the catalogue', () => {
    const rows = table('docs/smtp.md', '3. Replies');
    expect(rows.length).toBeGreaterThan(10);
    for (const [situation, , reply, code] of rows) {
      const codes = ticks(code);
      const replies = ticks(reply);
      codes.forEach((c, i) => {
        expect(Object.keys(CATALOGUE), situation).toContain(c);
        const e = CATALOGUE[c as keyof typeof CATALOGUE];
        expect(replies[i], `${situation}: ${c}`).toBe(`${e.smtp} ${e.enhanced}`);
      });
    }
  });

  it('the settings table lists every setting with its default', () => {
    const rows = table('docs/settings.md', '2. Integration settings');
    const defaults = flatten(DEFAULT_SETTINGS as unknown as Record<string, unknown>);
    expect(rows.map((r) => ticks(r[0])[0]).sort()).toEqual([...SETTING_KEYS].sort());
    for (const [name, values, def] of rows) {
      const key = ticks(name)[0];
      const want = defaults[key];
      if (want === undefined) expect(def, key).toBe('—');
      else if (want === '' || (Array.isArray(want) && want.length === 0)) expect(def, key).toBe('empty');
      else {
        expect(def, key).toBe(`\`${String(want)}\``);
        expect(ticks(values), key).toContain(String(want));
      }
    }
  });
});
