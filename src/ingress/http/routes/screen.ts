// POST /v1/screen: the dry run of the one shared screen for uploaded files, under the caller's settings; creates no job.
import type { FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../deps.js';
import { accountOf, bearerSecurity, requireAccount } from '../auth.js';
import { problemResponses } from '../problems.js';
import { MAX_FILES, receiveJsonFiles, removeUpload, uploadRouteOptions, type JsonFile } from '../uploads.js';

const multipartBody = {
  type: 'object',
  properties: {
    file: { type: 'array', items: { type: 'string', contentEncoding: 'binary' }, maxItems: MAX_FILES },
    coverText: { type: 'string', maxLength: 65536, description: 'counts as faxable body text' },
  },
  additionalProperties: false,
} as const;

const jsonBody = {
  type: 'object',
  properties: {
    files: {
      type: 'array',
      maxItems: MAX_FILES,
      items: {
        type: 'object',
        properties: {
          name: { type: 'string', maxLength: 255 },
          contentType: { type: 'string', maxLength: 255 },
          data: { type: 'string', contentEncoding: 'base64' },
        },
        required: ['data'],
        additionalProperties: false,
      },
    },
    coverText: { type: 'string', maxLength: 65536 },
  },
  additionalProperties: false,
} as const;

const decisionSchema = {
  type: 'object',
  required: ['outcome', 'files'],
  properties: {
    outcome: { type: 'string', enum: ['accept', 'reject'] },
    reason: { type: 'string', enum: ['unsupported-attachment', 'nothing-to-fax'] },
    files: { type: 'array', items: { $ref: 'FileReport#' } },
  },
} as const;

export const screenRoutes: RoutePlugin = async (app, { deps }) => {
  const { config } = deps;
  const { jsonBodies, intake } = deps;
  jsonBodies.install(app);
  app.post('/v1/screen', {
    ...uploadRouteOptions(config, requireAccount(deps.accounts), jsonBodies),
    schema: {
      summary: 'Dry run of the attachment screen',
      description: 'Detects each file from its bytes and applies the account\'s outgoing.unsupportedFiles rule, '
        + 'exactly as a submission would, without creating a job. Always 200: the decision is the answer.',
      tags: ['faxes'],
      security: bearerSecurity,
      body: { content: { 'multipart/form-data': { schema: multipartBody }, 'application/json': { schema: jsonBody } } },
      response: { 200: decisionSchema, ...problemResponses(400, 401, 413, 429, 503) },
    },
  }, async (req: FastifyRequest) => {
    const account = accountOf(req);
    const body = (req.body ?? {}) as { files?: JsonFile[]; coverText?: string };
    const upload = req.upload ?? await receiveJsonFiles(req, body.files ?? [], config.dataDir, config.maxMessageBytes);
    try {
      return await intake.screenOnly(account.id, upload.files, Boolean(body.coverText?.trim()));
    } finally {
      await removeUpload(upload);
    }
  });
};


