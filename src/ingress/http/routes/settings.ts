// GET/PUT /v1/settings/integration: the account's integration settings; partial updates, every change audited.
import type { FastifyRequest } from 'fastify';
import { FaxError } from '../../../domain/errors.js';
import type { RoutePlugin } from '../deps.js';
import { accountOf, bearerSecurity, requireAccount } from '../auth.js';
import { problemResponses } from '../problems.js';

export const settingsRoutes: RoutePlugin = async (app, { deps }) => {
  const auth = requireAccount(deps.accounts);

  app.get('/v1/settings/integration', {
    onRequest: auth,
    schema: {
      summary: 'The account\'s integration settings',
      tags: ['settings'],
      security: bearerSecurity,
      response: { 200: { $ref: 'IntegrationSettings#' }, ...problemResponses(401) },
    },
  }, async (req: FastifyRequest) => deps.accounts.mustGet(accountOf(req).id).settings);

  app.put('/v1/settings/integration', {
    onRequest: auth,
    // The settings validator (shared with the CLI and web pages) names each bad field better than a schema can,
    // so the schema here documents the shape and the validator decides.
    attachValidation: true,
    schema: {
      summary: 'Change integration settings (partial: only the fields sent change)',
      description: 'Nested objects or dotted keys ("outgoing.feedbackWhen"). Unknown keys and values are refused with '
        + 'errors naming each field. Every change is recorded with the actor api:key_<key id>.',
      tags: ['settings'],
      security: bearerSecurity,
      body: { $ref: 'IntegrationSettings#' },
      response: { 200: { $ref: 'IntegrationSettings#' }, ...problemResponses(400, 401) },
    },
  }, async (req: FastifyRequest) => {
    const account = accountOf(req);
    const body = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      const errors = [{ field: '(body)', message: 'the body must be a JSON object of settings' }];
      throw new FaxError('invalid-settings', errors[0].message, { errors });
    }
    return deps.accounts.updateSettings(account.id, body as Record<string, unknown>, req.actor ?? 'api');
  });
};
