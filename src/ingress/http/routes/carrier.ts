// Carrier lines (Telnyx): POST /v1/carrier/{line}/webhook takes the carrier's signed events, GET …/media/{token} serves
// an outgoing fax's pages to the carrier under a short-lived signed link. No account: the signature is the credential.
import { createReadStream, promises as fsp } from 'node:fs';
import { FaxError } from '../../../domain/errors.js';
import { throttled } from '../auth.js';
import { problemResponses } from '../problems.js';
import type { RoutePlugin } from '../deps.js';

/** Telnyx's webhooks are small JSON documents; anything near this is not one. */
const WEBHOOK_BODY_LIMIT = 256 * 1024;

const lineParams = {
  type: 'object', required: ['line'],
  properties: { line: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,31}$' } },
} as const;

export const carrierRoutes: RoutePlugin = async (app, { deps }) => {
  const carriers = deps.carriers;
  // The signature covers the exact bytes: this scope keeps JSON bodies raw (other routes still parse theirs).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.post('/v1/carrier/:line/webhook', {
    bodyLimit: WEBHOOK_BODY_LIMIT,
    schema: {
      summary: 'A carrier line\'s signed webhook (Telnyx fax events)',
      description: 'Telnyx posts fax.queued … fax.delivered/failed and fax.received here. Each delivery must carry a valid '
        + 'Ed25519 signature (telnyx-signature-ed25519 over `telnyx-timestamp|body`, the line\'s publicKey) at most 300 s '
        + 'from the server clock; an event id already seen is answered 200 and not acted on again. Refusals (401) are '
        + 'counted per client address like failed sign-ins (429 with Retry-After when in backoff); a correctly signed '
        + 'delivery is taken even then.',
      tags: ['lines'],
      // No bearer token: the carrier's signature (webhook) or the signed link (media) is the credential.
      security: [],
      params: lineParams,
      response: {
        200: { type: 'object', properties: { ok: { type: 'boolean' }, duplicate: { type: 'boolean' } }, required: ['ok'] },
        ...problemResponses(400, 401, 404, 429),
      },
    },
  }, async (req, reply) => {
    const { line } = req.params as { line: string };
    const throttle = req.server.authThrottle;
    const endpoint = carriers?.(line);
    if (!endpoint) throw new FaxError('not-found', 'no carrier line of that name');
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    // The signature is always checked first (one Ed25519 verify, the same work whatever the throttle says), so a
    // correctly signed delivery is taken even from an address in backoff: forged traffic through the same proxy as
    // Telnyx's cannot hold Telnyx's webhooks back.
    const r = endpoint.webhook(req.headers, raw);
    if (r.status === 200) return reply.send({ ok: true, ...(r.duplicate ? { duplicate: true } : {}) });
    if (r.status === 401 && throttle) {
      // A forged, unsigned or stale delivery counts against its address: guessing signatures slows down like guessing keys.
      const waiting = throttle.waitMs('carrier-webhook', req.ip);
      const wait = throttle.fail('carrier-webhook', req.ip);
      if (waiting > 0) throw throttled(reply, wait);
    }
    throw new FaxError(r.code ?? 'invalid-request', r.message);
  });

  app.get('/v1/carrier/:line/media/:token', {
    schema: {
      summary: 'An outgoing fax\'s pages for its carrier (signed, short-lived link)',
      description: 'The link faxgate gave Telnyx as media_url: valid for 30 minutes and only while the fax is on its way. '
        + 'A wrong, expired or finished link is 404.',
      tags: ['lines'],
      // No bearer token: the carrier's signature (webhook) or the signed link (media) is the credential.
      security: [],
      params: { ...lineParams, required: ['line', 'token'], properties: { ...lineParams.properties, token: { type: 'string', maxLength: 1024 } } },
      response: {
        200: { description: 'the fax pages (TIFF)', content: { 'image/tiff': { schema: { type: 'string', format: 'binary' } } } },
        ...problemResponses(404),
      },
    },
  }, async (req, reply) => {
    const { line, token } = req.params as { line: string; token: string };
    const found = carriers?.(line)?.media(token);
    const st = found ? await fsp.stat(found.path).catch(() => undefined) : undefined;
    if (!found || !st) throw new FaxError('not-found', 'no such document');
    return reply.header('content-type', 'image/tiff').header('content-length', String(st.size)).header('cache-control', 'no-store')
      .send(createReadStream(found.path));
  });
};
