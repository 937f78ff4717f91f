// The OpenAPI document as the running gateway serves it, and the TypeScript client types generated from it with
// openapi-typescript. `npm run -s api:client` runs this file to rewrite client/openapi.json and client/schema.d.ts;
// test/client/generated.test.ts fails when the committed files differ from a fresh generation.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { openCore, startGateway } from '../main.js';

const HEADER = '// Generated from the OpenAPI document (GET /v1/openapi.json) by `npm run -s api:client` with openapi-typescript; do not edit.\n';

/**
 * Start the gateway on a throwaway data folder (the environment is not read: the document must not depend on the
 * machine it is made on), fetch /v1/openapi.json, stop.
 */
export async function dumpOpenApi(): Promise<OpenAPI3> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'faxgate-openapi-'));
  const core = openCore({ dataDir, logLevel: 'silent' }, {});
  const gw = await startGateway(core, { smtpPort: 0, httpPort: 0, bindHost: '127.0.0.1' });
  try {
    const r = await fetch(`http://127.0.0.1:${gw.httpPort}/v1/openapi.json`);
    return await r.json() as OpenAPI3;
  } finally {
    await gw.stop();
    core.db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The document in the form committed (stable key order as served, two-space indent, final newline). */
export const documentText = (doc: OpenAPI3): string => `${JSON.stringify(doc, null, 2)}\n`;

/** The client's types for a document: the `paths` and `components` openapi-fetch is typed with. */
export async function clientTypes(doc: OpenAPI3): Promise<string> {
  // structuredClone: openapi-typescript annotates the object it is given.
  const ast = await openapiTS(structuredClone(doc), { alphabetize: false, exportType: false });
  return HEADER + astToString(ast);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = process.argv[2] ?? 'client';
  const doc = await dumpOpenApi();
  writeFileSync(path.join(out, 'openapi.json'), documentText(doc));
  writeFileSync(path.join(out, 'schema.d.ts'), await clientTypes(doc));
  process.stdout.write(`wrote ${out}/openapi.json and ${out}/schema.d.ts\n`);
}
