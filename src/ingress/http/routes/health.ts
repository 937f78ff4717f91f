// GET /healthz (liveness: the process answers) and GET /readyz (readiness: src/health) for load balancers and monitors.
// No authentication (a balancer has no token) and nothing about accounts or jobs: only what is wrong with this server.
import type { RoutePlugin } from '../deps.js';

const checkSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, ok: { type: 'boolean' }, detail: { type: 'string' } },
  required: ['name', 'ok', 'detail'],
} as const;
const readySchema = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok', 'unavailable'] }, checks: { type: 'array', items: checkSchema } },
  required: ['status', 'checks'],
} as const;

export const healthRoutes: RoutePlugin = async (app, { deps }) => {
  // main.ts builds it over the database, the data folder, the renderer's tools and every fax line.
  const { health } = deps;

  app.get('/healthz', {
    schema: {
      summary: 'Liveness: the process answers',
      description: 'No dependency is checked: restart the process only when this fails. No authentication.',
      tags: ['meta'],
      // Public on purpose: an explicit empty requirement says so in the document (redocly security-defined).
      security: [],
      response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] } },
    },
  }, async (_req, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  app.get('/readyz', {
    schema: {
      summary: 'Readiness: database, data folder, renderer and fax lines',
      description: '200 when every check passes, 503 otherwise; each check with ok and detail. The Ghostscript answer is '
        + 'reused for 30 s and a check still running is joined, so frequent probes cost little. No authentication.',
      tags: ['meta'],
      // Public on purpose: an explicit empty requirement says so in the document (redocly security-defined).
      security: [],
      response: { 200: readySchema, 503: readySchema },
    },
  }, async (_req, reply) => {
    const r = await health.readiness();
    return reply.code(r.ok ? 200 : 503).header('cache-control', 'no-store')
      .send({ status: r.ok ? 'ok' : 'unavailable', checks: r.checks });
  });
};
