// Shared JSON schemas (registered once with addSchema; they become OpenAPI components).
import { JOB_STATUSES } from '../../domain/jobs.js';
import { REASON_CODES } from '../../domain/types.js';

export const fileReportSchema = {
  $id: 'FileReport',
  type: 'object',
  description: 'What the screen decided about one file',
  required: ['name', 'verdict'],
  properties: {
    name: { type: 'string' },
    size: { type: 'integer' },
    declaredType: { type: 'string', description: 'Content-Type as sent (recorded, never decides)' },
    detected: { type: ['string', 'null'], description: 'type registry id detected from the bytes, null when unknown' },
    mime: { type: 'string' },
    verdict: { type: 'string', enum: ['accepted', 'inline', ...REASON_CODES] },
    reason: { type: 'string' },
    note: { type: 'string', description: 'what was left out of an accepted file (an HTML page\'s remote images)' },
    pages: { type: 'integer' },
  },
  additionalProperties: true,
} as const;

export const jobRefSchema = {
  $id: 'JobRef',
  type: 'object',
  required: ['id', 'to', 'status'],
  properties: {
    id: { type: 'string' },
    to: { type: 'string', description: 'E.164 number' },
    status: { type: 'string', enum: [...JOB_STATUSES] },
  },
} as const;

export const submitResultSchema = {
  $id: 'SubmitResult',
  type: 'object',
  required: ['jobs', 'files'],
  properties: {
    submissionId: { type: 'string' },
    jobs: { type: 'array', items: { $ref: 'JobRef#' } },
    files: { type: 'array', items: { $ref: 'FileReport#' } },
    duplicate: { type: 'boolean' },
  },
} as const;

export const settingsSchema = {
  $id: 'IntegrationSettings',
  type: 'object',
  properties: {
    feedbackUrl: { type: 'string', description: 'absolute http(s) URL, or empty' },
    incoming: {
      type: 'object',
      properties: {
        feedbackMethod: { type: 'string', enum: ['never', 'http-post', 'xml'] },
        deleteAfterRetrieval: { type: 'boolean' },
      },
    },
    outgoing: {
      type: 'object',
      properties: {
        feedbackWhen: { type: 'string', enum: ['always', 'never', 'success', 'failure'] },
        feedbackMethod: { type: 'string', enum: ['http-post', 'xml'] },
        unsupportedFiles: { type: 'string', enum: ['ignore', 'reject'] },
        retries: { type: ['integer', 'null'], minimum: 0, maximum: 5, description: 'calls after the first for busy/no answer; absent or null: FAXGATE_RETRY_ATTEMPTS − 1' },
        feedbackEvents: { type: 'string', enum: ['final', 'all'], description: 'final (default): feedback when the fax ends; all: also queued and sending' },
      },
    },
    designatedFaxNumber: { type: 'string', description: 'developer accounts only' },
    timezone: { type: 'string', description: 'IANA time zone of the header line and cover page, e.g. America/New_York' },
    header: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean', description: 'a header line on every sent page' },
        format: { type: 'string', description: 'the header line format (docs/pages.md §1)' },
      },
    },
    sender: {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'sender name on the header line and cover page (empty: the account name)' },
        faxNumber: { type: 'string', description: 'E.164 fax number on the header line, or empty' },
        csid: { type: 'string', description: 'station id (TSI) the line announces: up to 20 digits, + and spaces' },
      },
    },
    cover: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean', description: 'a cover page unless the submission says otherwise' },
        notice: { type: 'string', description: 'confidentiality notice printed on the cover page' },
      },
    },
    email: {
      type: 'object',
      description: 'mail to people (docs/mail.md): receipts to the sender, received faxes by email',
      properties: {
        receipts: { type: 'string', enum: ['always', 'never', 'success', 'failure'] },
        receiptAttachment: { type: 'string', enum: ['none', 'first-page', 'pdf'] },
        faxToEmail: {
          description: 'rules: number (an inbound number, or * for the rest), to (registered senders), format; or the text form "* pdf a@x.example; +15550100200 notice b@x.example"',
          anyOf: [
            {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  number: { type: 'string' },
                  to: { type: 'array', items: { type: 'string' } },
                  format: { type: 'string', enum: ['pdf', 'link', 'notice'] },
                },
              },
            },
            { type: 'string' },
          ],
        },
      },
    },
  },
} as const;

export const typeRowSchema = {
  $id: 'TypeRow',
  type: 'object',
  required: ['id', 'enabled', 'available'],
  properties: {
    id: { type: 'string' },
    enabled: { type: 'boolean' },
    available: { type: 'boolean' },
    supported: { type: 'boolean' },
    maxBytes: { type: ['integer', 'null'] },
    reason: { type: 'string' },
  },
  additionalProperties: true,
} as const;

export const SHARED_SCHEMAS = [fileReportSchema, jobRefSchema, submitResultSchema, settingsSchema, typeRowSchema];
