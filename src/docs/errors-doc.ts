// Renders docs/errors.md from the error catalogue, so the documented codes cannot drift from the code (issue #13).
// `npm run docs:errors` builds and runs this file to rewrite docs/errors.md; test/docs/errors-doc.test.ts compares.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CATALOGUE, type CatalogueEntry } from '../domain/errors.js';

/** A table cell: `|` would end the cell and a newline the row. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** The whole of docs/errors.md for a catalogue (the real one unless a test passes its own). */
export function renderErrorsDoc(catalogue: Record<string, CatalogueEntry> = CATALOGUE): string {
  const rows = Object.entries(catalogue).map(([code, e]) => `| \`${code}\` | ${e.smtp} | ${e.enhanced} | ${e.http} | ${cell(e.title)} |`);
  return [
    '# Error catalogue',
    '',
    '<!-- Generated from src/domain/errors.ts by `npm run docs:errors`; do not edit by hand. -->',
    '',
    'Every refusal faxgate makes carries one of these stable codes, on every path: the SMTP reply',
    '(`<reply> <enhanced code> <message>`, always inside the session, see [smtp.md](smtp.md)), the HTTP problem',
    '(`application/problem+json` with `code` and `type` `urn:faxgate:error:<code>`, see [http-api.md](http-api.md)),',
    'and the command line (`faxgate <command>: <code>: <message>`, exit status 1). The message text may change',
    'between versions; the code, the replies and the status do not. The title is the problem\'s `title` and the',
    'default message.',
    '',
    '| code | SMTP reply | enhanced code | HTTP status | title |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** Run directly (`node dist/src/docs/errors-doc.js [OUT]`): write the document, by default docs/errors.md. */
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const out = path.resolve(process.argv[2] ?? 'docs/errors.md');
  writeFileSync(out, renderErrorsDoc());
  process.stdout.write(`wrote ${out}\n`);
}
