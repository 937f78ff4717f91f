// GET /metrics: Prometheus text exposition. Job counts and queue age are business volume, so by default only the
// admin token may read them (FAXGATE_METRICS=admin); `open` serves scrapers on a private network, `off` removes it.
import type { RoutePlugin } from '../deps.js';
import { adminSecurity, requireAdmin } from '../auth.js';
import { problemResponses } from '../problems.js';

export const metricsRoutes: RoutePlugin = async (app, { deps }) => {
  const mode = deps.config.metrics;
  if (mode === 'off') return;
  app.get('/metrics', {
    ...(mode === 'admin' ? { onRequest: requireAdmin(deps.config.adminToken) } : {}),
    schema: {
      summary: 'Prometheus metrics (text exposition format)',
      description: 'Needs the admin token unless FAXGATE_METRICS=open; absent with FAXGATE_METRICS=off.',
      tags: ['meta'],
      ...(mode === 'admin' ? { security: adminSecurity } : {}),
      response: {
        200: { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
        ...problemResponses(401, 403),
      },
    },
  }, async (_req, reply) => {
    const { metrics } = deps;
    const text = await metrics.render();
    return reply.type(metrics.contentType).send(text);
  });
};
