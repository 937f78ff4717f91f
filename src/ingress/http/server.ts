// Starts the web service for `faxgate serve`: builds the app from the gateway's parts and its route list, and listens.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createHttpApp, type HttpDeps, type RouteEntry } from './app.js';

export interface HttpServer {
  app: FastifyInstance;
  /** the bound port (useful with port 0) */
  port: number;
  /** Stop accepting, let requests in flight finish, close. */
  close(): Promise<void>;
}

export async function startHttpServer(
  deps: HttpDeps, routes: readonly RouteEntry[], opts: { port?: number; host?: string } = {},
): Promise<HttpServer> {
  const app = createHttpApp(deps, routes);
  await app.listen({ port: opts.port ?? deps.config.httpPort, host: opts.host ?? deps.config.bindHost });
  const port = (app.server.address() as AddressInfo).port;
  deps.logger.info({ port }, 'http listening');
  return { app, port, close: () => app.close() };
}
