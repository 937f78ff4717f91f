// XSD validation of SOAP bodies with xmllint: the schema is extracted from the served WSDL, the operation element from the envelope.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { feedbackWsdl } from '../../src/feedback/wsdl.js';

let n = 0;

export function xsdFromWsdl(dir: string, wsdl = feedbackWsdl()): string {
  const wsdlPath = path.join(dir, 'feedback.wsdl');
  writeFileSync(wsdlPath, wsdl);
  const xsd = execFileSync('xmllint', ['--xpath', '/*[local-name()="definitions"]/*[local-name()="types"]/*[local-name()="schema"]', wsdlPath], { encoding: 'utf8' });
  const xsdPath = path.join(dir, 'feedback.xsd');
  writeFileSync(xsdPath, xsd);
  return xsdPath;
}

/** Validate one SOAP envelope: well-formed as a whole, and its Body's operation element against the XSD. */
export function validateEnvelope(dir: string, xsdPath: string, envelope: string): { ok: boolean; output: string } {
  n += 1;
  const envPath = path.join(dir, `env-${n}.xml`);
  writeFileSync(envPath, envelope);
  const op = spawnSync('xmllint', ['--xpath', '/*[local-name()="Envelope" and namespace-uri()="http://schemas.xmlsoap.org/soap/envelope/"]/*[local-name()="Body"]/*', envPath], { encoding: 'utf8' });
  if (op.status !== 0) return { ok: false, output: op.stderr };
  const opPath = path.join(dir, `op-${n}.xml`);
  writeFileSync(opPath, `<?xml version="1.0" encoding="UTF-8"?>\n${op.stdout}`);
  const v = spawnSync('xmllint', ['--noout', '--schema', xsdPath, opPath], { encoding: 'utf8' });
  return { ok: v.status === 0, output: v.stderr };
}
