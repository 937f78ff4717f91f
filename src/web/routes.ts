// Adapter that mounts the web pages in the HTTP app's route list, handing them the shared HTTP dependencies.
import type { RegistryPort, RoutePlugin } from '../ingress/http/deps.js';
import { webPages, type WebRegistry } from './plugin.js';

function asWebRegistry(r: RegistryPort): WebRegistry {
  return {
    // The port does not promise a display name; the real registry rows carry one.
    list: () => r.list().map((t) => {
      const name = (t as { name?: unknown }).name;
      return { ...t, name: typeof name === 'string' ? name : t.id, reason: t.reason ?? '' };
    }),
    update: (change, actor) => r.update(change, actor),
  };
}

/** `{ name: 'web', plugin: webRoutes }` in src/web-service.ts's HTTP_ROUTES: /settings and /admin. */
export const webRoutes: RoutePlugin = async (app, { deps }) => {
  await app.register(webPages({
    accounts: deps.accounts,
    registry: deps.registry && asWebRegistry(deps.registry),
    config: deps.config,
    db: deps.db,
    clock: deps.clock,
    throttle: deps.throttle,
  }));
};
