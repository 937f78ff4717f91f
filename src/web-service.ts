// The web service as faxgate serves it: the HTTP API's routes and the web pages, on one app (composition, issue 13).
import type { FastifyInstance } from 'fastify';
import { createHttpApp, type HttpAppOptions, type HttpDeps, type RouteEntry } from './ingress/http/app.js';
import { startHttpServer, type HttpServer } from './ingress/http/server.js';
import { API_ROUTES } from './ingress/http/routes/index.js';
import { webRoutes } from './web/routes.js';

/**
 * Every route plugin, in registration order: the API, then the web pages (/settings, /admin). Built here, above both,
 * because the web pages use the HTTP adapter's auth and throttle: if the adapter imported the pages, the two folders
 * would need each other.
 */
export const HTTP_ROUTES: readonly RouteEntry[] = [...API_ROUTES, { name: 'web', plugin: webRoutes }];

/** The whole web service (not listening), for `app.inject()` or `app.listen()`. */
export function createWebService(deps: HttpDeps, opts: HttpAppOptions = {}): FastifyInstance {
  return createHttpApp(deps, HTTP_ROUTES, opts);
}

/** The whole web service, listening (faxgate serve). */
export function startWebService(deps: HttpDeps, opts: { port?: number; host?: string } = {}): Promise<HttpServer> {
  return startHttpServer(deps, HTTP_ROUTES, opts);
}
