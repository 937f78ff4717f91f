// GET /healthz (liveness: the process answers) and GET /readyz (readiness: src/health) for load balancers and monitors.
// No authentication (a balancer has no token) and nothing about accounts or jobs: only what is wrong with this server.
import { createHealth } from '../../../health/index.js';
import type { RoutePlugin } from '../deps.js';
import { systemClock } from '../../../domain/types.js';

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
  // main.ts passes one with the fax lines; without it the database, data folder and renderer are still checked.
  const health = deps.health ?? createHealth({ clock: deps.clock ?? systemClock, db: deps.db, dataDir: deps.config.dataDir, ...(deps.logger ? { logger: deps.logger } : {}) });

  app.get('/healthz', {
    schema: {
      summary: 'Liveness: the process answers',
      description: 'No dependency is checked: restart the process only when this fails. No authentication.',
      tags: ['meta'],
      response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] } },
    },
  }, async (_req, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  app.get('/readyz', {
    schema: {
      summary: 'Readiness: database, data folder, renderer and fax lines',
      description: '200 when every check passes, 503 otherwise; each check with ok and detail. The Ghostscript answer is '
        + 'reused for 30 s and a check still running is joined, so frequent probes cost little. No authentication.',
      tags: ['meta'],
      response: { 200: readySchema, 503: readySchema },
    },
  }, async (_req, reply) => {
    const r = await health.readiness();
    return reply.code(r.ok ? 200 : 503).header('cache-control', 'no-store')
      .send({ status: r.ok ? 'ok' : 'unavailable', checks: r.checks });
  });
};
