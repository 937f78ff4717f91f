// GET/PUT /v1/admin/types: the global type registry (admin token); changes apply to email and web submissions at once.
import type { FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../deps.js';
import { adminSecurity, requireAdmin } from '../auth.js';
import { problemResponses } from '../problems.js';

const typesResponse = {
  type: 'object',
  required: ['types'],
  properties: { types: { type: 'array', items: { $ref: 'TypeRow#' } } },
} as const;

const changeBody = {
  type: 'object',
  description: 'partial: { "<type id>": { "enabled": bool, "maxBytes": number|null } }',
  minProperties: 1,
  additionalProperties: {
    type: 'object',
    properties: {
      enabled: { type: 'boolean' },
      maxBytes: { type: ['integer', 'null'], minimum: 1, description: 'per-type cap in bytes; null removes it' },
    },
    minProperties: 1,
    additionalProperties: false,
  },
} as const;

export const adminTypesRoutes: RoutePlugin = async (app, { deps }) => {
  const admin = requireAdmin(deps.config.adminToken);
  const { registry } = deps;

  app.get('/v1/admin/types', {
    onRequest: admin,
    schema: {
      summary: 'The type registry: enabled, available, maxBytes and reason per type',
      tags: ['admin'],
      security: adminSecurity,
      response: { 200: typesResponse, ...problemResponses(401, 403) },
    },
  }, async () => ({ types: registry.list() }));

  app.put('/v1/admin/types', {
    onRequest: admin,
    schema: {
      summary: 'Enable or disable types and set their size caps',
      description: 'Enabling a type that has no working renderer on this host is refused (409 type-unavailable) with its reason.',
      tags: ['admin'],
      security: adminSecurity,
      body: changeBody,
      response: { 200: typesResponse, ...problemResponses(400, 401, 403, 409) },
    },
  }, async (req: FastifyRequest) => {
    await registry.update(req.body as Record<string, { enabled?: boolean; maxBytes?: number | null }>, req.actor ?? 'admin:api');
    return { types: registry.list() };
  });
};
