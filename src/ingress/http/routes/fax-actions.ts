// GET /v1/faxes (newest first, filters, keyset cursor), POST /v1/faxes/{id}/cancel and /resend: the HTTP face of the
// fax service (src/jobs/service.ts), which decides; this file translates query, body and answer.
import { JOB_STATUSES } from '../../../domain/jobs.js';
import { MAX_PAGE } from '../../../jobs/service.js';
import { MAX_RECIPIENTS } from '../../../intake/rules.js';
import { accountOf, bearerSecurity, requireAccount } from '../auth.js';
import type { RoutePlugin } from '../deps.js';
import { problemResponses } from '../problems.js';
import { faxSummarySchema, faxView, faxViewSchema } from './fax-view.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } } as const;

const EXAMPLE_JOB = {
  id: 'job_5f2c9a0e1b7d4c3a2e10', submissionId: 'sub_0a1b2c3d4e5f60718293', status: 'queued', to: '+15551234567', source: 'api',
  sender: 'api:key_3f9a', resolution: 'fine', paper: 'letter', pages: 3, pagesSent: 0, attempts: 0, statusCode: 0, reason: '',
  files: [{ name: 'letter.pdf', verdict: 'accepted', detected: 'pdf', pages: 3 }], submittedAt: '2026-12-04T21:30:00.000Z',
  clientReference: 'invoice-4711',
} as const;

const EXAMPLE_CANCELLED = {
  ...EXAMPLE_JOB, status: 'cancelled', statusCode: 8, reason: 'cancelled: cancelled on request', completedAt: '2026-12-04T21:31:12.000Z',
  events: [
    { at: '2026-12-04T21:30:00.000Z', from: null, to: 'received', note: '' },
    { at: '2026-12-04T21:30:01.000Z', from: 'received', to: 'rendering', note: '' },
    { at: '2026-12-04T21:30:02.000Z', from: 'rendering', to: 'queued', note: '' },
    { at: '2026-12-04T21:31:12.000Z', from: 'queued', to: 'cancelled', note: 'cancel requested' },
  ],
  calls: [], feedback: [],
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'array', items: { type: 'string', enum: [...JOB_STATUSES] }, maxItems: JOB_STATUSES.length, description: 'repeat for several (status=queued&status=sending)' },
    to: { type: 'string', maxLength: 64, description: 'the recipient\'s number, E.164 (+15551234567)' },
    source: { type: 'string', enum: ['email', 'api'] },
    from: { type: 'string', maxLength: 40, description: 'submitted at or after (ISO 8601; a date alone is its start, UTC)' },
    until: { type: 'string', maxLength: 40, description: 'submitted before (ISO 8601)' },
    clientReference: { type: 'string', maxLength: 100 },
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 50 },
    cursor: { type: 'string', maxLength: 400, description: 'nextCursor of the previous page, as given (opaque)' },
  },
} as const;

interface ListQuery { status?: string[]; to?: string; source?: string; from?: string; until?: string; clientReference?: string; limit?: number; cursor?: string }

export const faxActionsRoutes: RoutePlugin = async (app, { deps }) => {
  const auth = requireAccount(deps.accounts);
  // Read at each request, not at registration: the service is the one part a test may swap for its own lines.
  const faxes = { get: () => deps.faxes };

  app.get<{ Querystring: ListQuery }>('/v1/faxes', {
    onRequest: auth,
    schema: {
      summary: 'Outgoing faxes of this account, newest first',
      description: 'Filters combine (AND). Pages are cut on (submission time, id), so faxes submitted meanwhile never repeat '
        + 'or skip a row of the next page: follow nextCursor until it is null.',
      tags: ['faxes'],
      security: bearerSecurity,
      querystring: listQuery,
      response: {
        200: {
          type: 'object',
          required: ['items', 'nextCursor'],
          properties: { items: { type: 'array', items: faxSummarySchema }, nextCursor: { type: ['string', 'null'] } },
          examples: [{ items: [EXAMPLE_JOB], nextCursor: 'WyIyMDI2LTEyLTA0VDIxOjMwOjAwLjAwMFoiLCJqb2JfNWYyYzlhMGUxYjdkNGMzYTJlMTAiXQ' }],
        },
        ...problemResponses(400, 401),
      },
    },
  }, async (req) => {
    const { limit, cursor, ...filters } = req.query;
    const to = filters.to?.replace(/[\s().-]/g, '');
    return faxes.get().listFaxes(accountOf(req).id, { ...filters, ...(to ? { to } : {}) }, { ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) });
  });

  app.post<{ Params: { id: string } }>('/v1/faxes/:id/cancel', {
    onRequest: auth,
    schema: {
      summary: 'Cancel a fax not yet sent; hang up one being sent',
      description: 'A fax received, rendering, scheduled, queued or waiting to retry ends `cancelled` at once (200), with one '
        + 'feedback as a failure with StatusCode 8 under the account\'s outgoing.feedbackWhen. A fax on the line is hung up '
        + '(sandbox) or killed (HylaFAX JKILL): 202 with cancelRequested, and the status becomes `cancelled` when the line '
        + 'has let go (or `sent` if the call finished first). A finished fax answers 409 fax-finished.',
      tags: ['faxes'],
      security: bearerSecurity,
      params: idParams,
      response: {
        200: { ...faxViewSchema, description: 'cancelled', examples: [EXAMPLE_CANCELLED] },
        202: { ...faxViewSchema, description: 'on the line: being hung up (status still sending, cancelRequested true)' },
        ...problemResponses(401, 404, 409),
      },
    },
  }, async (req, reply) => {
    const account = accountOf(req);
    const job = await faxes.get().cancel(account.id, req.params.id);
    reply.code(job.status === 'cancelled' ? 200 : 202);
    return faxView(deps, job);
  });

  app.post<{ Params: { id: string }; Body: { to?: string | string[] } | undefined }>('/v1/faxes/:id/resend', {
    onRequest: auth,
    // No body at all is a resend to the fax's own number: validated as the empty object.
    preValidation: async (req) => { req.body ??= {}; },
    schema: {
      summary: 'Send a fax again from the same rendering, to its number or to others',
      description: 'New job(s), queued at once from the pages already rendered (no new screen or render), each linked to the '
        + 'first (resentFrom on the new one, resends on the first). The header line is stamped again at the new call.',
      tags: ['faxes'],
      security: bearerSecurity,
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          to: {
            anyOf: [
              { type: 'array', items: { type: 'string', maxLength: 64 }, minItems: 1, maxItems: MAX_RECIPIENTS },
              { type: 'string', maxLength: 64 },
            ],
            description: 'the number(s) to send to; absent: the fax\'s own number',
          },
        },
        examples: [{ to: ['+15557654321'] }],
      },
      response: {
        202: {
          type: 'object',
          required: ['resentFrom', 'jobs'],
          properties: { resentFrom: { type: 'string' }, jobs: { type: 'array', items: faxSummarySchema } },
          examples: [{ resentFrom: 'job_5f2c9a0e1b7d4c3a2e10', jobs: [{ ...EXAMPLE_JOB, id: 'job_9e8d7c6b5a4f3e2d1c0b', to: '+15557654321', resentFrom: 'job_5f2c9a0e1b7d4c3a2e10' }] }],
        },
        ...problemResponses(400, 401, 403, 404, 409),
      },
    },
  }, async (req, reply) => {
    const account = accountOf(req);
    const raw = req.body?.to;
    const made = faxes.get().resend(account.id, req.params.id, raw === undefined ? {} : { to: Array.isArray(raw) ? raw : [raw] });
    if (made[0]) reply.header('location', `/v1/faxes/${made[0].id}`);
    reply.code(202);
    return { resentFrom: req.params.id, jobs: made };
  });
};
