// The fastify web service: problem+json errors, bearer auth, JSON schemas on every route and the OpenAPI document.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import { rm } from 'node:fs/promises';
import type { HttpDeps, RouteEntry } from './deps.js';
import { frameworkErrors, installProblemHandlers, problemSchema } from './problems.js';
import { installMediaTypeCheck } from './media-type.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { grantContinue, guardContinue } from './continue.js';
import { jsonBodyLimit } from './uploads.js';

export type { HttpDeps, RouteEntry, RoutePlugin } from './deps.js';

export interface HttpAppOptions {
  /** pino logger or fastify logger options; defaults to deps.logger */
  logger?: FastifyServerOptions['loggerInstance'];
}

/**
 * Build the app (not listening) with the given routes, registered in order. Call `app.listen({ port, host })` or
 * `app.inject()`. The list comes from the caller (src/web-service.ts: the API routes and the web pages), so this
 * module knows no route file and the web pages are not imported by the HTTP adapter (issue 13).
 */
export function createHttpApp(deps: HttpDeps, routes: readonly RouteEntry[], opts: HttpAppOptions = {}): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger ?? deps.logger,
    // Only JSON bodies use this; uploads are streamed and counted by uploads.ts.
    bodyLimit: 1024 * 1024,
    // req.ip is the socket's address, unless that peer is a configured proxy: then the rightmost X-Forwarded-For hop
    // it did not add itself (@fastify/proxy-addr), so clients behind the proxy are told apart (issue #12.8).
    trustProxy: deps.config.trustedProxies?.length ? deps.config.trustedProxies : false,
    ajv: {
      // Unknown fields are refused (not silently dropped) and every problem is listed at once.
      customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array' },
    },
    return503OnClosing: true,
    frameworkErrors,
    // Slow uploads may take minutes, but no request may hold a connection forever.
    requestTimeout: 5 * 60 * 1000,
  }) as unknown as FastifyInstance;
  guardContinue(app.server, jsonBodyLimit(deps.config.maxMessageBytes));
  app.addHook('preParsing', grantContinue);

  app.decorate('authThrottle', deps.throttle);
  installProblemHandlers(app);
  installMediaTypeCheck(app);
  app.addSchema(problemSchema);
  for (const s of SHARED_SCHEMAS) app.addSchema(s);

  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'faxgate web service',
        version: '1',
        description: 'Submit faxes, follow them, screen files and manage integration settings. Errors are application/problem+json with a stable `code`.',
        license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
      },
      servers: [{ url: deps.config.publicUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'the account API key' },
          adminToken: { type: 'http', scheme: 'bearer', description: 'FAXGATE_ADMIN_TOKEN' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  app.register(multipart, { throwFileSizeLimit: true });

  // Uploaded temp files never outlive their request, whatever the outcome.
  app.addHook('onResponse', async (req) => {
    if (req.upload) await rm(req.upload.dir, { recursive: true, force: true });
  });

  for (const { plugin } of routes) app.register(plugin, { deps });

  // Registered as a plugin (after swagger's onRoute hook exists) so the document lists itself too.
  app.register(async (scope) => {
    scope.get('/v1/openapi.json', {
    schema: {
      summary: 'This OpenAPI 3 document',
      tags: ['meta'],
      security: [],
      response: { 200: { type: 'object', additionalProperties: true } },
    },
    }, async (_req, reply) => reply.type('application/json').send(app.swagger()));
  });

  return app;
}
