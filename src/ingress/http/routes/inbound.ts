// Received faxes over the web service: list, show, image download (delete-after-retrieval hooks the response's
// finish, so an interrupted download deletes nothing), DELETE, and the sandbox line's receive endpoint (admin token).
import { FaxError } from '../../../domain/errors.js';
import { shredFile } from '../../../inbound/files.js';
import type { ImageFormat } from '../../../inbound/types.js';
import type { RoutePlugin } from '../deps.js';
import { accountOf, adminSecurity, bearerSecurity, requireAccount, requireAdmin } from '../auth.js';
import { problemResponses } from '../problems.js';
import { isoFilter } from '../../../jobs/service.js';
import { receiveMultipart } from '../uploads.js';

const nullableString = { type: ['string', 'null'] } as const;

const inboundFax = {
  type: 'object',
  description: 'A received fax, or its tombstone once deleted (status `deleted`: numbers, size and image are gone)',
  required: ['id', 'status', 'pages', 'receivedAt'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['stored', 'deleted'] },
    from: { ...nullableString, description: 'calling number (E.164), or `anonymous` when the caller withheld it or the line delivered none; null once deleted' },
    to: { ...nullableString, description: 'called number (E.164), one of the account\'s inbound numbers; null once deleted' },
    remoteId: { ...nullableString, description: 'the sending machine\'s station id (TSI), when the line reports one; null once deleted' },
    partial: { type: 'boolean', description: 'true when the line reported the call ended before the whole document arrived (pages may be missing)' },
    pages: { type: 'integer' },
    size: { type: ['integer', 'null'], description: 'TIFF size in bytes; null once deleted' },
    receivedAt: { type: 'string', format: 'date-time' },
    imageUrl: { ...nullableString, description: 'GET this for the image (?format=tiff|pdf); null once deleted' },
    retrievalCount: { type: 'integer', description: 'complete image downloads' },
    firstRetrievedAt: nullableString,
    lastRetrievedAt: nullableString,
    lastRetrievedBy: { ...nullableString, description: 'who downloaded it last (api:key_<key id>)' },
    deletedAt: nullableString,
    deletedBy: { ...nullableString, description: 'api:key_<key id> of the key that retrieved or deleted it' },
    deletedReason: { type: ['string', 'null'], enum: ['retrieved', 'deleted', null] },
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

interface InboundQuery { limit?: number; cursor?: string; status?: Array<'stored' | 'deleted'>; to?: string; from?: string; until?: string }

export const inboundRoutes: RoutePlugin = async (app, { deps }) => {
  const auth = requireAccount(deps.accounts);
  const inbound = () => deps.inbound;

  app.get<{ Querystring: InboundQuery }>('/v1/inbound', {
    onRequest: auth,
    schema: {
      summary: 'Received faxes of this account, newest first (tombstones included)',
      tags: ['inbound'],
      security: bearerSecurity,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          cursor: { type: 'string', maxLength: 64, description: 'nextCursor of the previous page' },
          status: { type: 'array', items: { type: 'string', enum: ['stored', 'deleted'] }, maxItems: 2, description: 'repeat for both' },
          to: { type: 'string', maxLength: 64, description: 'the called number, E.164' },
          from: { type: 'string', maxLength: 40, description: 'received at or after (ISO 8601)' },
          until: { type: 'string', maxLength: 40, description: 'received before (ISO 8601)' },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['items', 'nextCursor'],
          properties: { items: { type: 'array', items: inboundFax }, nextCursor: nullableString },
        },
        ...problemResponses(400, 401),
      },
    },
  }, async (req) => {
    const { limit, cursor, status, to, from, until } = req.query;
    const since = isoFilter('from', from);
    const before = isoFilter('until', until);
    const filters = {
      ...(status?.length ? { status } : {}), ...(to ? { to: to.replace(/[\s().-]/g, '') } : {}),
      ...(since ? { from: since } : {}), ...(before ? { until: before } : {}),
    };
    return inbound().list(accountOf(req).id, { limit, cursor, filters });
  });

  app.get<{ Params: { id: string } }>('/v1/inbound/:id', {
    onRequest: auth,
    schema: {
      summary: 'One received fax (another account\'s fax answers 404)',
      tags: ['inbound'],
      security: bearerSecurity,
      params: idParams,
      response: { 200: inboundFax, ...problemResponses(401, 404) },
    },
  }, async (req) => inbound().get(accountOf(req).id, req.params.id));

  app.get<{ Params: { id: string }; Querystring: { format?: ImageFormat } }>('/v1/inbound/:id/image', {
    onRequest: auth,
    // A HEAD must never count as a retrieval (it would "complete" without a body and could delete the fax).
    exposeHeadRoute: false,
    schema: {
      summary: 'The fax image: TIFF Class F as received, or a PDF made from it (CCITT passthrough)',
      description: 'With incoming.deleteAfterRetrieval, a complete download deletes the fax for good; afterwards 410.',
      tags: ['inbound'],
      security: bearerSecurity,
      params: idParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { format: { type: 'string', enum: ['tiff', 'pdf'], default: 'tiff' } },
      },
      response: {
        200: { description: 'the image: image/tiff or application/pdf', type: 'string', format: 'binary' },
        ...problemResponses(400, 401, 404, 410),
      },
    },
  }, async (req, reply) => {
    const account = accountOf(req);
    const img = await inbound().openImage(account.id, req.params.id, req.query.format ?? 'tiff', req.actor ?? 'api');
    let finished = false;
    // 'finish': the whole body was handed to the operating system. 'close' without it: aborted or failed.
    reply.raw.once('finish', () => {
      finished = true;
      img.onComplete().catch((err: unknown) => req.log.error({ err, faxId: req.params.id }, 'recording the retrieval failed'));
    });
    reply.raw.once('close', () => {
      if (!finished) img.onAbort();
    });
    return reply
      .header('content-type', img.contentType)
      .header('content-length', String(img.size))
      .header('content-disposition', `attachment; filename="${img.filename}"`)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(img.stream);
  });

  app.delete<{ Params: { id: string } }>('/v1/inbound/:id', {
    onRequest: auth,
    schema: {
      summary: 'Delete a received fax for good (image, cached PDF, every temporary file); a tombstone stays',
      tags: ['inbound'],
      security: bearerSecurity,
      params: idParams,
      response: { 200: inboundFax, ...problemResponses(401, 404, 410) },
    },
  }, async (req) => {
    return inbound().remove(accountOf(req).id, req.params.id, req.actor ?? 'api');
  });

  app.post('/v1/sandbox/inbound', {
    onRequest: requireAdmin(deps.config.adminToken),
    schema: {
      summary: 'Sandbox line: receive a fax (multipart fields to, from, file: a fax TIFF or a PDF)',
      description: '201 with the stored fax; 202 `{ status: "discarded" }` when no account owns `to` (nothing is kept).',
      tags: ['inbound', 'admin'],
      security: adminSecurity,
      consumes: ['multipart/form-data'],
      response: {
        201: inboundFax,
        202: { type: 'object', properties: { status: { type: 'string', enum: ['discarded'] }, to: { type: 'string' } } },
        ...problemResponses(400, 401, 403, 413),
      },
    },
  }, async (req, reply) => {
    if (!req.isMultipart()) throw new FaxError('invalid-request', 'send multipart/form-data with to, from and file');
    const body = await receiveMultipart(req, deps.config.dataDir, deps.config.maxMessageBytes);
    const files = req.upload?.files ?? [];
    try {
      const one = (f: string) => {
        const v = body[f];
        const s = Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v;
        if (typeof s !== 'string' || !s) throw new FaxError('invalid-request', `${f} is required (once)`, { errors: [{ field: f, message: `${f} is required (once)` }] });
        return s;
      };
      if (files.length !== 1) throw new FaxError('invalid-request', 'exactly one file is required', { errors: [{ field: 'file', message: 'exactly one file is required' }] });
      const to = one('to');
      const fax = await inbound().receive({ to, from: one('from'), path: files[0].path, name: files[0].name });
      if (!fax) return reply.code(202).send({ status: 'discarded', to });
      return reply.code(201).send(fax);
    } finally {
      // The upload is a precursor of the fax: overwrite it, do not just unlink it.
      for (const f of files) await shredFile(f.path);
    }
  });
};
