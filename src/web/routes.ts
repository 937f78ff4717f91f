// Adapter that mounts the web pages in the HTTP app's route list, handing them the shared HTTP dependencies.
import type { RoutePlugin } from '../ingress/http/deps.js';
import { webPages } from './plugin.js';

/** `{ name: 'web', plugin: webRoutes }` in src/web-service.ts's HTTP_ROUTES: /, /settings, /faxes, /inbound, /send and /admin. */
export const webRoutes: RoutePlugin = async (app, { deps }) => {
  await app.register(webPages({
    accounts: deps.accounts,
    registry: deps.registry,
    config: deps.config,
    db: deps.db,
    clock: deps.clock,
    throttle: deps.throttle,
    jobs: deps.jobs,
    intake: deps.intake,
    images: deps.images,
    feedback: deps.feedback,
    inbound: deps.inbound,
    health: deps.health,
    faxes: deps.faxes,
  }));
};
