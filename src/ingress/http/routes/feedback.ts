// GET /v1/feedback.wsdl (public: the XML feedback service a customer implements) and POST /v1/faxes/{id}/feedback/redeliver.
import type { FastifyRequest } from 'fastify';
import { feedbackWsdl } from '../../../feedback/wsdl.js';
import type { RoutePlugin } from '../deps.js';
import { accountOf, bearerSecurity, requireAccount } from '../auth.js';
import { problemResponses } from '../problems.js';

export const feedbackRoutes: RoutePlugin = async (app, { deps }) => {
  const auth = requireAccount(deps.accounts);
  // The document never changes while the process runs.
  const wsdl = feedbackWsdl();

  app.get('/v1/feedback.wsdl', {
    schema: {
      summary: 'WSDL (with embedded XSD) of the XML feedback web service a customer implements at its feedbackUrl',
      description: 'Operations FaxFeedback (outgoing faxes) and InboundFax (received faxes), SOAP 1.1 document/literal, '
        + 'namespace urn:faxgate:feedback:1. No authentication.',
      tags: ['feedback'],
      security: [],
      produces: ['text/xml'],
    },
  }, async (_req, reply) => reply.type('text/xml; charset=utf-8').header('cache-control', 'public, max-age=3600').send(wsdl));

  app.post('/v1/faxes/:id/feedback/redeliver', {
    onRequest: auth,
    schema: {
      summary: 'Send the last feedback of this fax again',
      description: 'Queues the last outgoing feedback again, under the same webhook-id, to the current feedbackUrl '
        + 'in the current format. A feedback still being retried is made due now. Attempts appear on GET /v1/faxes/{id}.',
      tags: ['faxes', 'feedback'],
      security: bearerSecurity,
      params: {
        type: 'object',
        properties: { id: { type: 'string', maxLength: 100 } },
        required: ['id'],
        additionalProperties: false,
      },
      response: {
        202: {
          type: 'object',
          properties: { webhookId: { type: 'string' }, deliveryId: { type: 'string' }, status: { type: 'string', enum: ['queued'] } },
          required: ['webhookId', 'deliveryId', 'status'],
        },
        ...problemResponses(401, 404, 409, 500),
      },
    },
  }, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const account = accountOf(req);
    const r = deps.feedback.redeliver(account.id, req.params.id);
    return reply.code(202).send({ ...r, status: 'queued' });
  });
};
