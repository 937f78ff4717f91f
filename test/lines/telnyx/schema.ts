// A validator for the JSON Schema subset of fixtures/telnyx/fax-api.json (type, enum, required, properties, items,
// $ref, format uuid/date-time); `strict` also refuses properties the schema does not name (catches misspelt fields).
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Schema {
  $ref?: string; type?: string | string[]; enum?: unknown[]; required?: string[]; properties?: Record<string, Schema>;
  items?: Schema; format?: string;
}

const DOC = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../fixtures/telnyx/fax-api.json'), 'utf8')) as {
  components: { schemas: Record<string, Schema> };
  paths: Record<string, Record<string, { requestBody?: { $ref: string }; responses: Record<string, { $ref: string }> }>>;
  webhooks: Record<string, { $ref: string }>;
};

export const CONTRACT = DOC;
export const FAILURE_REASON_VALUES = (DOC.components.schemas.FailureReason.enum ?? []) as string[];

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

function check(s: Schema, v: unknown, at: string, strict: boolean, out: string[]): void {
  if (s.$ref) {
    const name = s.$ref.replace('#/components/schemas/', '');
    const target = DOC.components.schemas[name];
    if (!target) throw new Error(`unknown $ref ${s.$ref}`);
    return check(target, v, at, strict, out);
  }
  if (s.type) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const t = typeOf(v);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) {
      out.push(`${at}: expected ${types.join('|')}, got ${t}`);
      return;
    }
  }
  if (s.enum && !s.enum.includes(v)) out.push(`${at}: ${JSON.stringify(v)} is not one of ${s.enum.join(', ')}`);
  if (typeof v === 'string' && s.format === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) out.push(`${at}: not a uuid`);
  if (typeof v === 'string' && s.format === 'date-time' && Number.isNaN(Date.parse(v))) out.push(`${at}: not a date-time`);
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const k of s.required ?? []) if (!(k in o)) out.push(`${at}.${k}: required`);
    for (const [k, val] of Object.entries(o)) {
      const p = s.properties?.[k];
      if (p) check(p, val, `${at}.${k}`, strict, out);
      else if (strict && s.properties) out.push(`${at}.${k}: not in the schema`);
    }
  }
  if (Array.isArray(v) && s.items) v.forEach((x, i) => check(s.items!, x, `${at}[${i}]`, strict, out));
}

/** Problems of `value` against a named schema (components.schemas); [] when it conforms. */
export function validate(name: string, value: unknown, strict = false): string[] {
  const out: string[] = [];
  check({ $ref: `#/components/schemas/${name}` }, value, name, strict, out);
  return out;
}

/** The schema names of an operation's request body and of its response for a status (from the fixture's paths). */
export function operation(pathKey: string, method: string): { request?: string; response(status: number): string | undefined } {
  const op = DOC.paths[pathKey]?.[method];
  if (!op) throw new Error(`the contract has no ${method} ${pathKey}`);
  const name = (r?: { $ref: string }) => r?.$ref.replace('#/components/schemas/', '');
  return {
    request: name(op.requestBody),
    response: (status) => name(op.responses[String(status)] ?? (status >= 400 && status < 500 ? op.responses['4XX'] : undefined)),
  };
}

export const eventSchema = (type: string): string => DOC.webhooks[type].$ref.replace('#/components/schemas/', '');
