// docs/errors.md is generated from the error catalogue; this fails as soon as the two differ (issue #13).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/domain/errors.js';
import { renderErrorsDoc } from '../../src/docs/errors-doc.js';

const DOC = path.resolve(__dirname, '../../docs/errors.md');

describe('docs/errors.md', () => {
  it('is exactly what the catalogue renders (regenerate with `npm run docs:errors`)', () => {
    const onDisk = readFileSync(DOC, 'utf8');
    expect(onDisk, 'docs/errors.md differs from src/domain/errors.ts: run `npm run docs:errors` and commit docs/errors.md')
      .toBe(renderErrorsDoc());
  });

  it('has one row per code with its SMTP reply, enhanced code and HTTP status', () => {
    const rows = renderErrorsDoc().split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toHaveLength(Object.keys(CATALOGUE).length);
    for (const [code, e] of Object.entries(CATALOGUE)) {
      const row = rows.find((r) => r.startsWith(`| \`${code}\` |`));
      expect(row, code).toBeDefined();
      expect(row).toContain(`| ${e.smtp} | ${e.enhanced} | ${e.http} |`);
    }
  });

  it('keeps a title with a | from breaking its table row', () => {
    const doc = renderErrorsDoc({ 'x-test': { smtp: 550, enhanced: '5.7.1', http: 403, title: 'a | b' } });
    const row = doc.split('\n').find((l) => l.startsWith('| `x-test`'));
    expect(row).toBe('| `x-test` | 550 | 5.7.1 | 403 | a \\| b |');
  });
});
