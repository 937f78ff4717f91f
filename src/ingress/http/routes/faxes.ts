// POST /v1/faxes (multipart or JSON base64, idempotent), GET /v1/faxes/{id} and its rendered image (TIFF or PDF).
import { createReadStream } from 'node:fs';
import { access, rename, rm, stat } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FaxError } from '../../../domain/errors.js';
import type { Paper, Resolution } from '../../../domain/types.js';
import type { Account } from '../../../settings/types.js';
import { accountOf, bearerSecurity, requireAccount } from '../auth.js';
import type { IntakePort, RoutePlugin } from '../deps.js';
import { checkRecipientCount } from '../../../intake/rules.js';
import { createIdempotencyStore, requestHash } from '../idempotency.js';
import { faxView, faxViewSchema } from './fax-view.js';
import { PROBLEM_CONTENT_TYPE, problemOf, problemResponses, toFaxError } from '../problems.js';
import {
  MAX_FILES, MAX_RECIPIENTS, receiveJsonFiles, removeUpload, uploadRouteOptions, type JsonFile, type ParsedUpload,
} from '../uploads.js';

const resolutionSchema = { type: 'string', enum: ['standard', 'fine', 'superfine'], description: 'default fine' } as const;
const paperSchema = { type: 'string', enum: ['letter', 'a4'], description: 'default letter' } as const;
const coverTextSchema = { type: 'string', maxLength: 65536, description: 'text laid out as the first page(s); on the cover page when there is one' } as const;
const coverSchema = {
  anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['on', 'off'] }],
  description: "a cover page (on) or none (off); absent: the account's cover.enabled (docs/pages.md §3)",
} as const;
const subjectSchema = {
  type: 'string', maxLength: 998, description: 'shown on the cover page and in %%S of the header line; [cover], [nocover], [standard], [fine], [superfine] in it are applied and removed',
} as const;

const receiptToSchema = {
  type: 'string', maxLength: 254,
  description: 'email a receipt to this address when the fax is done (one of the account\'s registered senders; docs/mail.md)',
} as const;

/** The fax's options, the same fields in a multipart form and a JSON body. */
const optionProperties = {
  resolution: resolutionSchema,
  paper: paperSchema,
  coverText: coverTextSchema,
  cover: coverSchema,
  subject: subjectSchema,
  receiptTo: receiptToSchema,
  clientReference: { type: 'string', maxLength: 100, description: 'your own reference for this fax: echoed in its status, the list (filter clientReference) and every feedback' },
  callbackUrl: { type: 'string', maxLength: 2048, description: "this fax's feedback goes here instead of the account's feedbackUrl (same SSRF guard, signing and outgoing.feedbackWhen)" },
  retries: { type: 'integer', minimum: 0, maximum: 5, description: "calls after the first when the number is busy or does not answer; absent: the account's outgoing.retries" },
  sendAt: { type: 'string', maxLength: 40, description: 'ISO 8601 with offset, at most 30 days ahead: rendered now (the screen\'s verdict at once), status scheduled, sent at that time' },
} as const;

const multipartBody = {
  type: 'object',
  properties: {
    to: { type: 'array', items: { type: 'string', maxLength: 64 }, minItems: 1, maxItems: MAX_RECIPIENTS, description: 'fax number (repeat for several)' },
    file: { type: 'array', items: { type: 'string', contentEncoding: 'binary' }, maxItems: MAX_FILES, description: 'a document (repeat for several)' },
    ...optionProperties,
  },
  required: ['to'],
  additionalProperties: false,
} as const;

const jsonFile = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 255 },
    contentType: { type: 'string', maxLength: 255, description: 'recorded, never decides' },
    data: { type: 'string', contentEncoding: 'base64' },
  },
  required: ['data'],
  additionalProperties: false,
} as const;

const jsonBody = {
  type: 'object',
  properties: {
    to: {
      anyOf: [
        { type: 'array', items: { type: 'string', maxLength: 64 }, minItems: 1, maxItems: MAX_RECIPIENTS },
        { type: 'string', maxLength: 64 },
      ],
    },
    files: { type: 'array', items: jsonFile, maxItems: MAX_FILES },
    ...optionProperties,
  },
  required: ['to'],
  additionalProperties: false,
} as const;

/** The body both ingress forms produce once uploads are on disk. */
interface SubmitBody {
  to: string | string[];
  files?: JsonFile[];
  resolution?: Resolution;
  paper?: Paper;
  coverText?: string;
  cover?: boolean | 'on' | 'off';
  subject?: string;
  receiptTo?: string;
  clientReference?: string;
  callbackUrl?: string;
  retries?: number | string;
  sendAt?: string;
}

const idParams = {
  type: 'object',
  properties: { id: { type: 'string', maxLength: 100 } },
  required: ['id'],
} as const;

/** Normalise every recipient under the account's rules; all problems are reported, the first one's code wins. */
function checkRecipients(intake: IntakePort, account: Account, raw: string[]): string[] {
  checkRecipientCount(raw.length, 'request');
  const out: string[] = [];
  const errors: { field: string; message: string }[] = [];
  let first: FaxError | undefined;
  raw.forEach((r, i) => {
    try {
      const e164 = intake.checkRecipient(account, r);
      if (!out.includes(e164)) out.push(e164);
    } catch (e) {
      const fe = toFaxError(e);
      first ??= fe;
      errors.push({ field: `to.${i}`, message: `${r}: ${fe.message}` });
    }
  });
  if (first) throw new FaxError(first.code, errors.map((e) => e.message).join('; '), { errors });
  if (out.length === 0) throw new FaxError('no-recipients', 'give at least one fax number in "to"');
  return out;
}

export const faxesRoutes: RoutePlugin = async (app, { deps }) => {
  const { config } = deps;
  const idem = createIdempotencyStore({ db: deps.db, clock: deps.clock, instanceId: deps.instanceId });
  const auth = requireAccount(deps.accounts);

  const { jsonBodies, intake, jobs, images } = deps;
  jsonBodies.install(app);

  app.post('/v1/faxes', {
    ...uploadRouteOptions(config, auth, jsonBodies),
    schema: {
      summary: 'Submit a fax',
      description: 'multipart/form-data (fields to, file — both repeatable — resolution, paper, coverText, cover, subject) or JSON with '
        + 'base64 files. Every file passes the same screen as email under the account\'s outgoing.unsupportedFiles rule. '
        + 'One job per recipient. Send Idempotency-Key to make retries safe.',
      tags: ['faxes'],
      security: bearerSecurity,
      headers: {
        type: 'object',
        properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255, description: 'replays the first response for the same request' } },
      },
      body: {
        content: {
          'multipart/form-data': { schema: multipartBody },
          'application/json': { schema: jsonBody },
        },
      },
      response: {
        202: { description: 'accepted: one job per recipient, with the per-file report', $ref: 'SubmitResult#' },
        ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 500, 503),
      },
    },
  }, async (req: FastifyRequest, reply: FastifyReply) => {
    const account = accountOf(req);
    const body = req.body as SubmitBody;
    const upload = req.upload ?? await receiveJsonFiles(req, body.files ?? [], config.dataDir, config.maxMessageBytes);
    try {
      return await submitUpload(req, reply, account, intake, body, upload);
    } finally {
      // Intake moved what it kept; whatever is left of the upload goes now (onResponse is the safety net).
      await removeUpload(upload);
    }
  });

  async function submitUpload(req: FastifyRequest, reply: FastifyReply, account: Account, intake: IntakePort, body: SubmitBody, upload: ParsedUpload) {
    const recipients = checkRecipients(intake, account, Array.isArray(body.to) ? body.to : [body.to]);
    const options = { ...(body.resolution ? { resolution: body.resolution } : {}), ...(body.paper ? { paper: body.paper } : {}) };
    const coverText = body.coverText?.trim() ? body.coverText : undefined;
    // The choice is passed on as given; intake decides (with the subject's modifiers) the same way as for email.
    const cover = body.cover === undefined ? undefined : body.cover === true || body.cover === 'on';
    const pageChoices = {
      ...(cover !== undefined ? { cover } : {}), ...(body.subject ? { subject: body.subject } : {}), ...(body.receiptTo ? { receiptTo: body.receiptTo } : {}),
      ...(body.clientReference !== undefined ? { clientReference: body.clientReference } : {}),
      ...(body.callbackUrl !== undefined ? { callbackUrl: body.callbackUrl } : {}),
      ...(body.retries !== undefined && body.retries !== '' ? { retries: Number(body.retries) } : {}),
      ...(body.sendAt !== undefined ? { sendAt: body.sendAt } : {}),
    };

    const key = req.headers['idempotency-key'];
    const idemKey = typeof key === 'string' && key ? key : undefined;
    if (idemKey) {
      const hash = requestHash({ to: recipients, options, coverText: coverText ?? null, ...pageChoices, files: upload.digests });
      const replay = idem.claim(account.id, idemKey, hash);
      if (replay) {
        reply.code(replay.status).header('idempotent-replayed', 'true')
          .type(replay.status >= 400 ? PROBLEM_CONTENT_TYPE : 'application/json; charset=utf-8');
        return replay.body;
      }
    }
    // Set once the key's answer is stored; a claim left without one is given back in `finally`, whatever threw.
    let recorded = !idemKey;
    try {
      const result = await intake.submit({
        source: 'api', accountId: account.id, sender: req.actor ?? 'api', recipients, files: upload.files,
        ...(coverText ? { coverText } : {}), ...(Object.keys(options).length ? { options } : {}), ...pageChoices,
      });
      const out = {
        submissionId: result.submissionId,
        jobs: result.jobs.map((j) => ({ id: j.id, to: j.to, status: j.status })),
        files: result.files,
        ...(result.duplicate !== undefined ? { duplicate: result.duplicate } : {}),
      };
      if (idemKey) {
        idem.complete(account.id, idemKey, { status: 202, body: out });
        recorded = true;
      }
      if (out.jobs[0]) reply.header('location', `/v1/faxes/${out.jobs[0].id}`);
      // Returned, not sent: the response goes out after the caller's cleanup of the upload has finished.
      reply.code(202);
      return out;
    } catch (e) {
      if (idemKey && !recorded) {
        const fe = toFaxError(e);
        // A refusal of this exact request is its answer (replayed); a temporary failure frees the key for a retry.
        if (fe.entry.http >= 400 && fe.entry.http < 500) {
          idem.complete(account.id, idemKey, { status: fe.entry.http, body: problemOf(fe, '/v1/faxes') });
          recorded = true;
        }
      }
      throw e;
    } finally {
      if (idemKey && !recorded) idem.release(account.id, idemKey);
    }
  }

  app.get<{ Params: { id: string } }>('/v1/faxes/:id', {
    onRequest: auth,
    schema: {
      summary: 'Status of a fax job: pages, attempts, per-file report, history and feedback deliveries',
      tags: ['faxes'],
      security: bearerSecurity,
      params: idParams,
      response: { 200: faxViewSchema, ...problemResponses(401, 404) },
    },
  }, async (req) => {
    const account = accountOf(req);
    const job = jobs.get(account.id, req.params.id);
    if (!job || job.accountId !== account.id) throw new FaxError('not-found', `no fax ${req.params.id}`);
    return faxView(deps, job);
  });

  app.get<{ Params: { id: string }; Querystring: { format: 'tiff' | 'pdf' } }>('/v1/faxes/:id/image', {
    onRequest: auth,
    schema: {
      summary: 'The rendered fax as TIFF Class F or as PDF (same pages, CCITT passthrough)',
      tags: ['faxes'],
      security: bearerSecurity,
      params: idParams,
      querystring: {
        type: 'object',
        properties: { format: { type: 'string', enum: ['tiff', 'pdf'], default: 'tiff' } },
        additionalProperties: false,
      },
      response: {
        200: {
          description: 'the fax image',
          content: {
            'image/tiff': { schema: { type: 'string', contentEncoding: 'binary' } },
            'application/pdf': { schema: { type: 'string', contentEncoding: 'binary' } },
          },
        },
        ...problemResponses(401, 404, 409, 410),
      },
    },
  }, async (req, reply) => {
    const account = accountOf(req);
    const job = jobs.get(account.id, req.params.id);
    if (!job || job.accountId !== account.id) throw new FaxError('not-found', `no fax ${req.params.id}`);
    const tiff = images.tiffPath(job);
    if (!tiff) {
      if (job.status === 'rejected' || job.status === 'failed') {
        throw new FaxError('invalid-state', `fax ${job.id} was ${job.status} before it was rendered; there is no image`);
      }
      throw new FaxError('not-ready', `fax ${job.id} is not rendered yet (status ${job.status}); try again shortly`);
    }
    try {
      await access(tiff);
    } catch {
      throw new FaxError('gone', `the image of fax ${job.id} is no longer stored`);
    }
    let file = tiff;
    if (req.query.format === 'pdf') {
      file = `${tiff.replace(/\.tiff?$/i, '')}.pdf`;
      const exists = await stat(file).then(() => true, () => false);
      if (!exists) {
        const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
        try {
          await images.toPdf(tiff, tmp);
          await rename(tmp, file);
        } finally {
          await rm(tmp, { force: true });
        }
      }
    }
    const { size } = await stat(file);
    const pdf = req.query.format === 'pdf';
    return reply
      .type(pdf ? 'application/pdf' : 'image/tiff')
      .header('content-length', size)
      .header('content-disposition', `attachment; filename="${job.id}.${pdf ? 'pdf' : 'tif'}"`)
      .send(createReadStream(file));
  });
};
