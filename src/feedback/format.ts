// Feedback payloads (docs/feedback.md): one ordered field list drives the HTTP Post form, the SOAP body and the XSD.
import type { JobSnapshot } from '../domain/jobs.js';
import type { InboundNotice } from '../domain/types.js';

export type Direction = 'outbound' | 'inbound';
export type FeedbackMethod = 'http-post' | 'xml';

/** The per-file report as feedback carries it (`Files`). */
export interface FileEntry {
  name: string;
  declaredType: string | null;
  detectedType: string | null;
  verdict: string;
  reason: string | null;
  pages: number | null;
}

export type FieldValue = string | number | FileEntry[] | undefined;
export type FeedbackFields = Record<string, FieldValue>;

/** XSD simple type of each field; `files` is the structured per-file report. */
export type FieldKind = 'string' | 'int' | 'count' | 'dateTime' | 'uri' | 'direction' | 'status' | 'source' | 'resolution' | 'files';
export interface FieldDef { name: string; kind: FieldKind; optional?: boolean }

export const OUTBOUND_FIELDS: readonly FieldDef[] = [
  { name: 'FaxId', kind: 'string' },
  { name: 'Direction', kind: 'direction' },
  { name: 'Status', kind: 'status' },
  { name: 'StatusCode', kind: 'int' },
  { name: 'Reason', kind: 'string' },
  { name: 'Source', kind: 'source' },
  { name: 'ToFax', kind: 'string' },
  { name: 'Sender', kind: 'string' },
  { name: 'Pages', kind: 'count' },
  { name: 'PagesSent', kind: 'count' },
  { name: 'Attempts', kind: 'count' },
  { name: 'SubmittedAt', kind: 'dateTime' },
  { name: 'CompletedAt', kind: 'dateTime' },
  { name: 'Resolution', kind: 'resolution' },
  { name: 'Files', kind: 'files' },
  // What the latest call reported; absent when no call was made (a refusal) or the line does not say.
  { name: 'Line', kind: 'string', optional: true },
  { name: 'RemoteId', kind: 'string', optional: true },
  { name: 'Duration', kind: 'count', optional: true },
  { name: 'LineStatus', kind: 'string', optional: true },
  // The submission's clientReference (issue 18), echoed as given; absent when none was given.
  { name: 'ClientReference', kind: 'string', optional: true },
];

export const INBOUND_FIELDS: readonly FieldDef[] = [
  { name: 'FaxId', kind: 'string' },
  { name: 'Direction', kind: 'direction' },
  { name: 'Status', kind: 'status' },
  { name: 'StatusCode', kind: 'int' },
  { name: 'Reason', kind: 'string' },
  { name: 'ToFax', kind: 'string' },
  { name: 'FromFax', kind: 'string' },
  { name: 'Pages', kind: 'count' },
  { name: 'ReceivedAt', kind: 'dateTime' },
  { name: 'CompletedAt', kind: 'dateTime' },
  { name: 'ImageUrl', kind: 'uri' },
];

export const NS = 'urn:faxgate:feedback:1';
export const OPERATION: Record<Direction, string> = { outbound: 'FaxFeedback', inbound: 'InboundFax' };
export const SOAP_ACTION = (d: Direction): string => `${NS}#${OPERATION[d]}`;

export type InboundFaxInfo = InboundNotice;

export function outboundFields(job: JobSnapshot, completedAt: string): FeedbackFields {
  return {
    FaxId: job.id,
    Direction: 'outbound',
    Status: job.status,
    StatusCode: job.statusCode,
    Reason: job.reason ?? '',
    Source: job.source,
    ToFax: job.to,
    Sender: job.sender,
    Pages: job.pages,
    PagesSent: job.pagesSent,
    Attempts: job.attempts,
    SubmittedAt: job.submittedAt,
    CompletedAt: job.completedAt ?? completedAt,
    Resolution: job.resolution,
    Line: job.line,
    RemoteId: job.remoteId,
    Duration: job.durationSeconds === undefined ? undefined : Math.round(job.durationSeconds),
    LineStatus: job.lineStatus ? `${job.lineStatus.code} ${job.lineStatus.text}`.trim() || undefined : undefined,
    ClientReference: job.clientReference,
    Files: (job.files ?? []).map((f) => ({
      name: f.name,
      declaredType: f.declaredType ?? null,
      detectedType: f.detected ?? null,
      verdict: f.verdict,
      reason: f.reason ?? null,
      pages: f.pages ?? null,
    })),
  };
}

export function inboundFields(fax: InboundFaxInfo): FeedbackFields {
  return {
    FaxId: fax.id,
    Direction: 'inbound',
    Status: 'received',
    StatusCode: 0,
    Reason: '',
    ToFax: fax.to,
    FromFax: fax.from,
    Pages: fax.pages,
    ReceivedAt: fax.receivedAt,
    CompletedAt: fax.receivedAt,
    ImageUrl: fax.imageUrl,
  };
}

const defsFor = (d: Direction): readonly FieldDef[] => (d === 'outbound' ? OUTBOUND_FIELDS : INBOUND_FIELDS);

/** `application/x-www-form-urlencoded`, fields in docs/feedback.md §2 order; `Files` is a JSON array. */
export function formBody(direction: Direction, fields: FeedbackFields): string {
  const p = new URLSearchParams();
  for (const d of defsFor(direction)) {
    const v = fields[d.name];
    if (v === undefined) continue;
    p.append(d.name, d.kind === 'files' ? JSON.stringify(v) : String(v));
  }
  return p.toString();
}

/** XML 1.0 cannot carry most control characters even escaped; file names from email may contain them. */
function xmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function el(name: string, value: string | number, indent: string): string {
  return `${indent}<${name}>${xmlText(String(value))}</${name}>\n`;
}

function filesXml(files: FileEntry[], indent: string): string {
  let out = `${indent}<Files>\n`;
  for (const f of files) {
    out += `${indent}  <File>\n`;
    const i = `${indent}    `;
    out += el('Name', f.name, i);
    if (f.declaredType !== null) out += el('DeclaredType', f.declaredType, i);
    if (f.detectedType !== null) out += el('DetectedType', f.detectedType, i);
    out += el('Verdict', f.verdict, i);
    if (f.reason !== null) out += el('Reason', f.reason, i);
    if (f.pages !== null) out += el('Pages', f.pages, i);
    out += `${indent}  </File>\n`;
  }
  return `${out}${indent}</Files>\n`;
}

/**
 * A SOAP 1.1 envelope calling FaxFeedback / InboundFax. The operation element declares the target namespace
 * as its default namespace, so the body element is a self-contained document valid against the WSDL's XSD.
 */
export function soapBody(direction: Direction, fields: FeedbackFields): string {
  const op = OPERATION[direction];
  let inner = '';
  for (const d of defsFor(direction)) {
    const v = fields[d.name];
    if (v === undefined) continue;
    inner += d.kind === 'files' ? filesXml(v as FileEntry[], '      ') : el(d.name, v as string | number, '      ');
  }
  return '<?xml version="1.0" encoding="UTF-8"?>\n'
    + '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n'
    + '  <soap:Body>\n'
    + `    <${op} xmlns="${NS}">\n${inner}    </${op}>\n`
    + '  </soap:Body>\n'
    + '</soap:Envelope>\n';
}

export function renderBody(method: FeedbackMethod, direction: Direction, fields: FeedbackFields): { body: string; contentType: string; soapAction?: string } {
  if (method === 'xml') return { body: soapBody(direction, fields), contentType: 'text/xml; charset=utf-8', soapAction: `"${SOAP_ACTION(direction)}"` };
  return { body: formBody(direction, fields), contentType: 'application/x-www-form-urlencoded' };
}

/**
 * True when a SOAP response carries a Fault (any prefix) in the SOAP 1.1 or 1.2 envelope namespace. The namespace
 * is the nearest declaration in scope for the tag's prefix (on the tag itself, else the last one before it).
 */
export function hasSoapFault(responseText: string): boolean {
  const m = /<(?:([A-Za-z_][\w.-]*):)?Fault(?=[\s>/])([^>]*)>/.exec(responseText);
  if (!m) return false;
  const attr = m[1] ? `xmlns:${m[1].replace(/\./g, '\\.')}` : 'xmlns';
  const decl = new RegExp(`\\s${attr}\\s*=\\s*["']([^"']*)["']`, 'g');
  const upTo = responseText.slice(0, m.index + m[0].length);
  let ns: string | undefined;
  for (const d of upTo.matchAll(decl)) ns = d[1];
  return ns === 'http://schemas.xmlsoap.org/soap/envelope/' || ns === 'http://www.w3.org/2003/05/soap-envelope';
}
