// Every /v1 route with a body names the media types it accepts; anything else is 415 before the body is read.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { FaxError } from '../../domain/errors.js';

/** What a route accepts: its body schema's content types, else its `consumes`, else JSON. */
export function acceptedTypes(route: Pick<RouteOptions, 'schema'>): string[] {
  const schema = (route.schema ?? {}) as { body?: { content?: Record<string, unknown> }; consumes?: string[] };
  if (schema.body?.content) return Object.keys(schema.body.content);
  if (schema.consumes?.length) return schema.consumes;
  return ['application/json'];
}

/** The media type of a request without its parameters, lower-cased ('' when none was sent). */
export function essence(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function hasBody(req: FastifyRequest): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Check the Content-Type of every /v1 request that carries a body against its route's list (a preParsing hook, so
 * authentication answers first and nothing is read). Without this, fastify's built-in text/plain parser hands a
 * string to routes that expect an object (a 500), and types without a parser come back as a vague 400.
 */
export function installMediaTypeCheck(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH')) return;
    const accepted = acceptedTypes(route);
    const check = async (req: FastifyRequest) => {
      if (!hasBody(req)) return;
      const got = essence(req.headers['content-type']);
      if (accepted.includes(got)) return;
      throw new FaxError('unsupported-media-type',
        `${req.method} ${route.url} accepts ${accepted.join(' or ')}${got ? `, not ${got}` : '; send a Content-Type header'}`,
        { accepted });
    };
    const existing = route.preParsing;
    route.preParsing = existing ? [check, ...(Array.isArray(existing) ? existing : [existing])] : [check];
  });
}
