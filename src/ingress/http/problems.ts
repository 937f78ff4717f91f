// RFC 9457 problem+json: every HTTP error (ours and fastify's own) becomes a problem carrying the catalogue's code.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CATALOGUE, FaxError, isFaxError, type ErrorCode } from '../../domain/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The body of every error response. `files` / `errors` appear when the refusal carries them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  [extra: string]: unknown;
}

/** JSON schema of a problem, shared by every route's error responses (and the OpenAPI document). */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details with the stable faxgate error code',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', description: 'URI naming the problem type (urn:faxgate:error:<code>)' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', enum: Object.keys(CATALOGUE) },
    instance: { type: 'string' },
    files: { type: 'array', items: { $ref: 'FileReport#' } },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } }, required: ['field', 'message'] },
    },
  },
  additionalProperties: true,
} as const;

/** `{ 400: Problem, 401: Problem, ... }` for a route's response schema. */
export function problemResponses(...statuses: number[]): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const s of statuses) {
    out[s] = { description: describeStatus(s), content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: 'Problem#' } } } };
  }
  return out;
}

function describeStatus(status: number): string {
  const codes = Object.entries(CATALOGUE).filter(([, e]) => e.http === status).map(([c]) => c);
  return `Problem (${codes.join(', ') || 'error'})`;
}

/** Build the problem body for a FaxError; details (files, errors, ...) become extension members. */
export function problemOf(err: FaxError, instance?: string): Problem {
  const entry = err.entry;
  const problem: Problem = {
    type: `urn:faxgate:error:${err.code}`,
    title: entry.title,
    status: entry.http,
    detail: err.message,
    code: err.code,
  };
  if (instance) problem.instance = instance;
  for (const [k, v] of Object.entries(err.details ?? {})) {
    if (!(k in problem)) problem[k] = v;
  }
  return problem;
}

export function sendProblem(reply: FastifyReply, err: FaxError): FastifyReply {
  const problem = problemOf(err, reply.request.url.split('?')[0]);
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** Field errors from fastify/ajv validation: `{ field: 'to', message: 'must be string' }`. */
function validationErrors(err: FastifyError): { field: string; message: string }[] {
  return (err.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>;
    let field = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    if (typeof params.missingProperty === 'string') field = field ? `${field}.${params.missingProperty}` : params.missingProperty;
    if (typeof params.additionalProperty === 'string') field = field ? `${field}.${params.additionalProperty}` : params.additionalProperty;
    const where = err.validationContext && err.validationContext !== 'body' ? `${err.validationContext} ` : '';
    const name = field || err.validationContext || 'request';
    let message = `${where}${name} ${v.message ?? 'is invalid'}`;
    if (typeof params.additionalProperty === 'string') message = `${where}${name} is not a known field`;
    if (typeof params.missingProperty === 'string') message = `${where}${name} is required`;
    if (Array.isArray(params.allowedValues)) message += ` (${params.allowedValues.join(', ')})`;
    return { field: name, message };
  });
}

/** Map fastify's and its plugins' own errors (by their FST_* code) to the catalogue. */
export function toFaxError(err: unknown): FaxError {
  if (isFaxError(err)) return err;
  const e = err as FastifyError & { part?: unknown };
  if (e && e.validation) {
    // More recipients than a request may carry is its own documented refusal, not a schema message.
    if (e.validation.some((v) => v.keyword === 'maxItems' && v.instancePath === '/to')) {
      return new FaxError('too-many-recipients', `at most ${(e.validation.find((v) => v.keyword === 'maxItems')!.params as { limit: number }).limit} recipients per request`);
    }
    const errors = validationErrors(e);
    return new FaxError('invalid-request', errors.map((x) => x.message).join('; '), { errors });
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new FaxError('message-too-large', limitMessage(e.code));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new FaxError('unsupported-media-type', e.message);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_INVALID_JSON_FIELD_ERROR':
    case 'FST_PROTO_VIOLATION':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new FaxError('invalid-request', e.message);
  }
  if (e?.message === 'Unexpected end of form' || e?.message === 'Unexpected end of multipart data' || e?.code === 'FST_REQ_PREMATURE_CLOSE') {
    return new FaxError('invalid-request', 'the multipart body ended early');
  }
  // busboy's own refusals of a malformed multipart body ("Multipart: Boundary not found", "Malformed part header")
  if (typeof e?.message === 'string' && /^(Multipart: |Malformed )/.test(e.message)) {
    return new FaxError('invalid-request', `the multipart body is malformed: ${e.message}`);
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 413) return new FaxError('message-too-large', e.message);
    if (e.statusCode === 404) return new FaxError('not-found', e.message);
    if (e.statusCode === 401) return new FaxError('unauthorized', e.message);
    return new FaxError('invalid-request', e.message);
  }
  return new FaxError('internal');
}

function limitMessage(code: string): string {
  switch (code) {
    case 'FST_FILES_LIMIT': return 'too many files in one request';
    case 'FST_FIELDS_LIMIT': return 'too many form fields in one request';
    case 'FST_PARTS_LIMIT': return 'too many parts in one request';
    default: return 'the request is larger than the configured limit';
  }
}

/**
 * Fastify's `frameworkErrors`: refusals its router makes before any route or error handler runs (a path parameter
 * past the router's length limit, a URL that does not decode). Without this they leave in Fastify's own JSON shape.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const fe = err?.code === 'FST_ERR_MAX_PARAM_LENGTH' ? new FaxError('invalid-request', 'a path parameter is longer than any id this service issues')
    : err?.code === 'FST_ERR_BAD_URL' ? new FaxError('invalid-request', 'the URL is not valid (bad percent-encoding)')
      : toFaxError(err);
  req.log.info({ code: fe.code, fastify: err?.code }, 'request refused');
  return sendProblem(reply, fe);
}

/** Install the error and not-found handlers that turn everything into problem+json. */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const fe = toFaxError(err);
    if (fe.code === 'internal') req.log.error({ err }, 'internal error');
    else req.log.info({ code: fe.code }, 'request refused');
    // A refusal before the upload was read: close the connection rather than read megabytes we will not use.
    if (fe.code === 'message-too-large' || fe.code === 'unsupported-media-type') reply.header('connection', 'close');
    return sendProblem(reply, fe);
  });
  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    return sendProblem(reply, new FaxError('not-found', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
}
