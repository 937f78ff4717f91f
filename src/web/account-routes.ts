// The account holder's pages beside /settings: the landing page, sent faxes, received faxes and sending from the
// browser. Thin adapters: sending goes through intake.submit() after intake.screenOnly()'s dry run, as the API does.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Clock } from '../domain/types.js';
import { isFaxError } from '../domain/errors.js';
import type { Resolution } from '../domain/types.js';
import type { AccountStore } from '../settings/types.js';
import type { FeedbackPort, ImagesPort, IntakePort, JobsPort } from '../ingress/http/deps.js';
import type { InboundService } from '../inbound/service.js';
import type { FaxService } from '../jobs/service.js';
import { TERMINAL, type JobStatus } from '../domain/jobs.js';
import { jobImageFile } from '../ingress/http/job-image.js';
import { removeUpload, receiveMultipart, MULTIPART_OVERHEAD, type ParsedUpload } from '../ingress/http/uploads.js';
import { checkRecipientCount, checkSendAt } from '../intake/rules.js';
import { ACCOUNT, FORM_LIMIT, Refusal, str, type Body, type Signed, type WebContext } from './context.js';
import { faxDetailPage, faxListPage, when, type DeliveryView } from './faxes-page.js';
import { inboundPage } from './inbound-page.js';
import { sendFormPage, sendReviewPage, type SendError, type SendValues } from './send-page.js';
import { homePage } from './home-page.js';

export interface AccountPagesDeps {
  accounts: Pick<AccountStore, 'get'>;
  config: Pick<Config, 'adminToken' | 'dataDir' | 'maxMessageBytes'>;
  clock: Clock;
  jobs: JobsPort;
  intake: IntakePort;
  images: ImagesPort;
  feedback: Pick<FeedbackPort, 'deliveriesFor'>;
  inbound: Pick<InboundService, 'list' | 'get' | 'openImage' | 'remove'>;
  /** cancel, resend and the paged list (src/jobs/service.ts), the same calls as the API's */
  faxes: Pick<FaxService, 'cancel' | 'resend' | 'listFaxes'>;
  /** faxes per page of the lists (50) */
  pageSize?: number;
}

/** Files checked by the dry run and waiting for the confirm step; removed on confirm, discard, expiry or shutdown. */
interface Draft {
  sessionId: string;
  accountId: string;
  upload: ParsedUpload;
  recipients: string[];
  coverText: string;
  resolution: Resolution;
  /** ISO 8601 UTC, when the fax was scheduled */
  sendAt?: string;
  expires: number;
}

// Shorter than the cleanup sweep's age bound (an hour at least, main.ts), which would otherwise take a draft's files;
// a draft left behind is dropped at the next check on this server, at shutdown, or by that sweep.
const DRAFT_MS = 30 * 60_000;
const DEFAULT_PAGE = 50;
const RESOLUTIONS = new Set(['standard', 'fine', 'superfine']);

/** A refusal from the services, shown as a page with the catalogue's HTTP status. */
function asRefusal(e: unknown): unknown {
  return isFaxError(e) ? new Refusal(e.entry.http, e.message) : e;
}

export function accountPages(app: FastifyInstance, ctx: WebContext, deps: AccountPagesDeps): void {
  const drafts = new Map<string, Draft>();
  const PAGE = deps.pageSize ?? DEFAULT_PAGE;
  const viewer = (cur: Signed) => {
    const account = deps.accounts.get(cur.session.accountId as string);
    if (!account) throw new Refusal(401, 'Your account no longer exists.');
    return { account, who: account.name, csrf: cur.session.csrf };
  };

  async function dropDraft(id: string): Promise<void> {
    const d = drafts.get(id);
    drafts.delete(id);
    await removeUpload(d?.upload);
  }
  async function sweep(): Promise<void> {
    const now = deps.clock.now().getTime();
    for (const [id, d] of drafts) if (d.expires <= now) await dropDraft(id);
  }
  app.addHook('onClose', async () => {
    for (const id of [...drafts.keys()]) await dropDraft(id);
  });

  app.get('/', async (_req, reply) => ctx.sendPage(reply, 200, homePage({ adminEnabled: Boolean(deps.config.adminToken) })));

  // ---- sent faxes ---------------------------------------------------------------------------------------------

  app.get<{ Querystring: { cursor?: string; status?: string } }>('/faxes', async (req, reply) => {
    const cur = ctx.current(ACCOUNT, req);
    if (!cur) return ctx.accountSignIn(req, reply, '/faxes');
    const v = viewer(cur);
    const status = typeof req.query.status === 'string' && req.query.status.length <= 20 ? req.query.status : '';
    const cursor = typeof req.query.cursor === 'string' && req.query.cursor.length <= 200 ? req.query.cursor : undefined;
    let list;
    try {
      list = deps.faxes.listFaxes(v.account.id, status ? { status } : {}, { limit: PAGE, ...(cursor ? { cursor } : {}) });
    } catch (e) {
      throw asRefusal(e);
    }
    const more = list.nextCursor ? `/faxes?${new URLSearchParams({ ...(status ? { status } : {}), cursor: list.nextCursor })}` : undefined;
    return ctx.sendPage(reply, 200, faxListPage({ ...v, jobs: list.items, status: ctx.takeFlash(cur.id), filter: status, ...(more ? { more } : {}) }));
  });

  function ownJob(cur: Signed, id: string) {
    const job = id.length <= 100 ? deps.jobs.get(cur.session.accountId as string, id) : undefined;
    if (!job) throw new Refusal(404, 'There is no such fax in your account.');
    return job;
  }

  function showFax(reply: FastifyReply, status: number, cur: Signed, id: string, extra: { error?: string; status?: string } = {}) {
    const job = ownJob(cur, id);
    const hasImage = Boolean(deps.images.tiffPath(job));
    return ctx.sendPage(reply, status, faxDetailPage({
      ...viewer(cur), job, events: deps.jobs.events(job.id), calls: deps.jobs.attempts(job.id),
      deliveries: deps.feedback.deliveriesFor(job.id) as DeliveryView[], hasImage,
      canCancel: !TERMINAL.has(job.status as JobStatus), canResend: hasImage, resentAs: deps.jobs.resendsOf(job.id), ...extra,
    }));
  }

  app.get<{ Params: { id: string } }>('/faxes/:id', async (req, reply) => {
    const cur = ctx.current(ACCOUNT, req);
    if (!cur) return ctx.accountSignIn(req, reply, '/faxes');
    return showFax(reply, 200, cur, req.params.id, { status: ctx.takeFlash(cur.id) });
  });

  app.post<{ Params: { id: string } }>('/faxes/:id/cancel', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
    const cur = ctx.requireSession(ACCOUNT, req);
    const job = ownJob(cur, req.params.id);
    try {
      const after = await deps.faxes.cancel(job.accountId, job.id);
      ctx.setFlash(cur.id, after.status === 'cancelled' ? 'The fax was cancelled.' : 'The line was asked to hang up; the fax ends as soon as it does.');
    } catch (e) {
      if (!isFaxError(e) || e.code !== 'fax-finished') throw asRefusal(e);
      return showFax(reply, 409, cur, job.id, { error: `It cannot be cancelled: ${e.message.replace(/^./, (c) => c.toLowerCase())}.` });
    }
    return reply.redirect(`/faxes/${job.id}`, 303);
  });

  app.post<{ Params: { id: string } }>('/faxes/:id/resend', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
    const cur = ctx.requireSession(ACCOUNT, req);
    const job = ownJob(cur, req.params.id);
    const to = str((req.body as Body).to).trim();
    try {
      const jobs = deps.faxes.resend(job.accountId, job.id, to ? { to: [to] } : {});
      ctx.setFlash(cur.id, `Resent to ${jobs.map((j) => j.to).join(', ')}.`);
      return reply.redirect(`/faxes/${jobs[0].id}`, 303);
    } catch (e) {
      if (!isFaxError(e) || e.entry.http >= 500) throw e;
      return showFax(reply, e.entry.http, cur, job.id, { error: `It was not resent: ${e.message}` });
    }
  });

  app.get<{ Params: { id: string }; Querystring: { format?: string } }>('/faxes/:id/image', async (req, reply) => {
    const cur = ctx.current(ACCOUNT, req);
    if (!cur) throw new Refusal(401, 'You are not signed in (or your session ended). Please sign in again.');
    const job = ownJob(cur, req.params.id);
    const pdf = req.query.format === 'pdf';
    const { file, size } = await jobImageFile(deps.images, job, pdf ? 'pdf' : 'tiff').catch((e: unknown) => {
      throw asRefusal(e);
    });
    return reply.type(pdf ? 'application/pdf' : 'image/tiff').header('content-length', size)
      .header('content-disposition', `attachment; filename="${job.id}.${pdf ? 'pdf' : 'tif'}"`)
      .send(createReadStream(file));
  });

  // ---- received faxes -----------------------------------------------------------------------------------------

  app.get<{ Querystring: { cursor?: string } }>('/inbound', async (req, reply) => {
    const cur = ctx.current(ACCOUNT, req);
    if (!cur) return ctx.accountSignIn(req, reply, '/inbound');
    const v = viewer(cur);
    const cursor = typeof req.query.cursor === 'string' && req.query.cursor.length <= 64 ? req.query.cursor : undefined;
    const list = (() => {
      try {
        return deps.inbound.list(v.account.id, { limit: PAGE, cursor });
      } catch (e) {
        throw asRefusal(e);
      }
    })();
    return ctx.sendPage(reply, 200, inboundPage({
      ...v, faxes: list.items, status: ctx.takeFlash(cur.id), deleteAfterRetrieval: v.account.settings.incoming.deleteAfterRetrieval,
      ...(list.nextCursor ? { more: `/inbound?cursor=${encodeURIComponent(list.nextCursor)}` } : {}),
    }));
  });

  // Viewing is a retrieval, recorded (and, with incoming.deleteAfterRetrieval, deleting) once the whole PDF went out.
  app.get<{ Params: { id: string } }>('/inbound/:id/view', { exposeHeadRoute: false }, async (req, reply) => {
    const cur = ctx.current(ACCOUNT, req);
    if (!cur) throw new Refusal(401, 'You are not signed in (or your session ended). Please sign in again.');
    const accountId = cur.session.accountId as string;
    const img = await deps.inbound.openImage(accountId, req.params.id.slice(0, 64), 'pdf', `web:${accountId}`).catch((e: unknown) => {
      throw asRefusal(e);
    });
    let finished = false;
    reply.raw.once('finish', () => {
      finished = true;
      img.onComplete().catch((err: unknown) => req.log.error({ err }, 'recording the retrieval failed'));
    });
    reply.raw.once('close', () => {
      if (!finished) img.onAbort();
    });
    // The browser's PDF viewer needs plugins: this response gets a CSP of its own (no framing, no forms, no base).
    return reply.header('content-security-policy', "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
      .type('application/pdf').header('content-length', String(img.size))
      .header('content-disposition', `inline; filename="${img.filename}"`).send(img.stream);
  });

  app.post<{ Params: { id: string } }>('/inbound/:id/delete', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
    const cur = ctx.requireSession(ACCOUNT, req);
    const accountId = cur.session.accountId as string;
    try {
      await deps.inbound.remove(accountId, req.params.id.slice(0, 64), `web:${accountId}`);
      ctx.setFlash(cur.id, 'The fax was deleted.');
    } catch (e) {
      if (!isFaxError(e) || e.code !== 'gone') throw asRefusal(e);
      ctx.setFlash(cur.id, 'That fax had already been deleted.');
    }
    return reply.redirect('/inbound', 303);
  });

  // ---- sending ------------------------------------------------------------------------------------------------

  const sendForm = (reply: FastifyReply, status: number, cur: Signed, extra: { values?: SendValues; errors?: SendError[]; status?: string } = {}) =>
    ctx.sendPage(reply, status, sendFormPage({ ...viewer(cur), canSchedule: true, ...extra }));

  app.get('/send', async (req, reply) => {
    const cur = ctx.current(ACCOUNT, req);
    if (!cur) return ctx.accountSignIn(req, reply, '/send');
    return sendForm(reply, 200, cur, { status: ctx.takeFlash(cur.id) });
  });

  app.post('/send', { bodyLimit: deps.config.maxMessageBytes + MULTIPART_OVERHEAD }, async (req: FastifyRequest, reply) => {
    // Who is asking is known before the files are read: a stranger's upload is refused unread.
    ctx.checkOrigin(req);
    const cur = ctx.current(ACCOUNT, req);
    if (!cur) throw new Refusal(401, 'You are not signed in (or your session ended). Please sign in again.');
    if (!req.isMultipart()) throw new Refusal(400, 'The form must be sent as multipart/form-data.');
    let body: Body;
    try {
      body = await receiveMultipart(req, deps.config.dataDir, deps.config.maxMessageBytes);
    } catch (e) {
      throw asRefusal(e);
    }
    const upload = req.upload as ParsedUpload;
    let kept = false;
    try {
      ctx.checkCsrf(cur.session, body);
      const v = viewer(cur);
      const first = (x: unknown) => str(Array.isArray(x) ? x[0] : x);
      const values: SendValues = {
        to: first(body.to), coverText: first(body.coverText), resolution: first(body.resolution) || 'fine', sendAt: first(body.sendAt).trim(),
      };
      const resolution = (RESOLUTIONS.has(values.resolution) ? values.resolution : 'fine') as Resolution;
      // An empty file input still sends one nameless, empty part: it is not a file.
      upload.files = upload.files.filter((f) => f.size > 0 || !/^attachment/.test(f.name));
      const errors: SendError[] = [];
      const raw = values.to.split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean);
      const recipients: string[] = [];
      if (!raw.length) errors.push({ field: 'to', text: 'Fax number(s): give at least one number.' });
      try {
        checkRecipientCount(raw.length, 'request');
        for (const r of raw) {
          try {
            const e164 = deps.intake.checkRecipient(v.account, r);
            if (!recipients.includes(e164)) recipients.push(e164);
          } catch (e) {
            errors.push({ field: 'to', text: `Fax number(s): ${r}: ${isFaxError(e) ? e.message : 'not a fax number'}` });
          }
        }
      } catch (e) {
        errors.push({ field: 'to', text: `Fax number(s): ${isFaxError(e) ? e.message : 'too many numbers'}` });
      }
      if (!upload.files.length && !values.coverText.trim()) errors.push({ field: 'file', text: 'Files: choose a file, or write a message.' });
      const sendAt = scheduleOf(values.sendAt, errors);
      if (errors.length) return sendForm(reply, 400, cur, { values, errors });
      const decision = await deps.intake.screenOnly(v.account.id, upload.files, Boolean(values.coverText.trim()));
      await sweep();
      const draft = randomBytes(16).toString('base64url');
      drafts.set(draft, {
        sessionId: cur.id, accountId: v.account.id, upload, recipients, coverText: values.coverText, resolution, ...(sendAt ? { sendAt } : {}),
        expires: deps.clock.now().getTime() + DRAFT_MS,
      });
      kept = true;
      // The app's response hook removes a request's upload: this one now belongs to the draft.
      req.upload = undefined;
      return ctx.sendPage(reply, 200, sendReviewPage({
        ...v, draft, recipients, decision, coverText: Boolean(values.coverText.trim()), resolution, ...(sendAt ? { sendAt: when(sendAt) } : {}),
      }));
    } finally {
      if (!kept) await removeUpload(upload);
    }
  });

  /** The form's "send at" (a datetime-local value, read as UTC) as ISO 8601, checked by intake's own rule. */
  function scheduleOf(raw: string, errors: SendError[]): string | undefined {
    if (!raw) return undefined;
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(raw) ? `${raw}Z` : raw;
    try {
      const at = checkSendAt(iso, deps.clock.now());
      if (!at) errors.push({ field: 'sendAt', text: 'Send at: that time has passed; leave it empty to send at once.' });
      return at;
    } catch (e) {
      errors.push({ field: 'sendAt', text: `Send at: ${isFaxError(e) && /at most 30 days/.test(e.message) ? 'at most 30 days ahead' : 'give a date and time'}.` });
      return undefined;
    }
  }

  function takeDraft(cur: Signed, body: Body): Draft | undefined {
    const id = str(body.draft);
    const d = drafts.get(id);
    if (!d || d.sessionId !== cur.id || d.expires <= deps.clock.now().getTime()) return undefined;
    drafts.delete(id);
    return d;
  }

  app.post('/send/confirm', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
    const cur = ctx.requireSession(ACCOUNT, req);
    const d = takeDraft(cur, req.body as Body);
    if (!d) {
      ctx.setFlash(cur.id, 'That fax was already sent or has expired; nothing was sent now. Choose the files again.');
      return reply.redirect('/send', 303);
    }
    try {
      const accountId = cur.session.accountId as string;
      const result = await deps.intake.submit({
        source: 'api', accountId, sender: `web:${accountId}`, recipients: d.recipients, files: d.upload.files,
        ...(d.coverText.trim() ? { coverText: d.coverText } : {}), options: { resolution: d.resolution }, ...(d.sendAt ? { sendAt: d.sendAt } : {}),
      });
      const to = result.jobs.map((j) => j.to).join(', ');
      ctx.setFlash(cur.id, d.sendAt ? `Fax to ${to} scheduled for ${when(d.sendAt)}.` : `Fax queued for ${to}.`);
      return reply.redirect(result.jobs.length === 1 ? `/faxes/${result.jobs[0].id}` : '/faxes', 303);
    } catch (e) {
      if (isFaxError(e) && (e.code === 'unsupported-attachment' || e.code === 'nothing-to-fax')) {
        ctx.setFlash(cur.id, `The fax was refused: ${e.message}`);
        return reply.redirect('/send', 303);
      }
      throw asRefusal(e);
    } finally {
      await removeUpload(d.upload);
    }
  });

  app.post('/send/discard', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
    const cur = ctx.requireSession(ACCOUNT, req);
    const d = takeDraft(cur, req.body as Body);
    await removeUpload(d?.upload);
    return reply.redirect('/send', 303);
  });

  for (const target of ['/send/confirm', '/send/discard']) app.get(target, async (_req, reply) => reply.redirect('/send', 303));
  for (const action of ['cancel', 'resend']) {
    app.get<{ Params: { id: string } }>(`/faxes/:id/${action}`, async (req, reply) => reply.redirect(`/faxes/${encodeURIComponent(req.params.id)}`, 303));
  }
}
