// The committed client (client/openapi.json, client/schema.d.ts) is what a fresh generation from the running gateway
// makes, and @redocly/cli lint passes on that document under redocly.yaml: the document, the client and the server
// cannot drift apart unnoticed. Regenerate with `npm run -s api:client`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpenAPI3 } from 'openapi-typescript';
import { clientTypes, documentText, dumpOpenApi } from '../../src/docs/openapi-doc.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let doc: OpenAPI3;

beforeAll(async () => {
  doc = await dumpOpenApi();
}, 120_000);

describe('the generated API client', () => {
  it('client/openapi.json is the document the gateway serves', () => {
    expect(readFileSync(path.join(ROOT, 'client/openapi.json'), 'utf8'), 'run npm run -s api:client').toBe(documentText(doc));
  });

  it('client/schema.d.ts is what openapi-typescript makes of it', async () => {
    expect(readFileSync(path.join(ROOT, 'client/schema.d.ts'), 'utf8'), 'run npm run -s api:client').toBe(await clientTypes(doc));
  });

  it('@redocly/cli lint finds no error and no warning', () => {
    const r = spawnSync(path.join(ROOT, 'node_modules/.bin/redocly'), ['lint', 'client/openapi.json', '--config', 'redocly.yaml', '--format=stylish'], {
      cwd: ROOT, encoding: 'utf8', timeout: 120_000,
      // No telemetry or update check: the lint needs no network.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out).toBe(0);
    // Problems only (the Node 20 deprecation banner is not one): stylish prints each as "line:col  warning  rule".
    expect(out, out).not.toMatch(/^\s*\d+:\d+\s+(warning|error)\b/m);
    expect(out).toMatch(/Your API description is valid/);
  }, 120_000);
});
