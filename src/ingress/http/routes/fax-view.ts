// The status view of one outgoing fax (GET /v1/faxes/{id}, and the answer of cancel and resend) and the list's
// summary of one: the job with its calls, history, feedback deliveries and resend links.
import { JOB_STATUSES, type JobSnapshot } from '../../../domain/jobs.js';
import type { HttpDeps } from '../deps.js';

export const faxViewSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    submissionId: { type: 'string' },
    status: { type: 'string', enum: [...JOB_STATUSES] },
    to: { type: 'string' },
    source: { type: 'string', enum: ['email', 'api'] },
    sender: { type: 'string' },
    resolution: { type: 'string' },
    paper: { type: 'string' },
    pages: { type: 'integer' },
    pagesSent: { type: 'integer' },
    attempts: { type: 'integer' },
    statusCode: { type: 'integer', description: '0 = success' },
    reason: { type: 'string' },
    files: { type: 'array', items: { $ref: 'FileReport#' } },
    submittedAt: { type: 'string', format: 'date-time' },
    completedAt: { type: 'string', format: 'date-time' },
    line: { type: 'string', description: 'the fax line the job was (last) sent on' },
    remoteId: { type: 'string', description: "the receiving machine's station id (CSID) from the latest call" },
    localId: { type: 'string', description: 'the station id (TSI) this fax is sent with: the account\'s sender.csid or fax number' },
    durationSeconds: { type: 'number', description: 'seconds on the line in the latest call' },
    lineStatus: {
      type: 'object', description: "the line's own status code and text for the latest call (e.g. HylaFAX statuscode)",
      properties: { code: { type: 'string' }, text: { type: 'string' } },
    },
    clientReference: { type: 'string', description: 'the reference given with the submission, echoed in every feedback' },
    sendAt: { type: 'string', format: 'date-time', description: 'a scheduled fax: not dialled before this time' },
    resentFrom: { type: 'string', description: 'the fax this one re-sends (same rendering)' },
    resends: { type: 'array', items: { type: 'string' }, description: 'the faxes that re-send this one, oldest first' },
    cancelRequested: { type: 'boolean', description: 'a cancel was asked for during the call; the line is hanging up' },
    calls: {
      type: 'array',
      description: 'one entry per transmission attempt, oldest first',
      items: {
        type: 'object',
        properties: {
          attempt: { type: 'integer' }, line: { type: 'string' }, claimedAt: { type: 'string' }, dialledAt: { type: 'string' },
          finishedAt: { type: 'string' }, outcome: { type: 'string' }, pagesSent: { type: 'integer' }, remoteId: { type: 'string' },
          durationSeconds: { type: 'number' }, lineCode: { type: 'string' }, lineText: { type: 'string' },
        },
      },
    },
    events: {
      type: 'array',
      items: {
        type: 'object',
        properties: { at: { type: 'string' }, from: { type: ['string', 'null'] }, to: { type: 'string' }, note: { type: 'string' } },
      },
    },
    feedback: {
      type: 'array',
      description: 'outgoing feedback deliveries and their attempts',
      items: { type: 'object', additionalProperties: true },
    },
  },
} as const;

/** The fields of the summary in a list: the job itself, without its history. */
export const faxSummarySchema = {
  type: 'object',
  required: ['id', 'status', 'to', 'submittedAt'],
  properties: Object.fromEntries(Object.entries(faxViewSchema.properties).filter(([k]) => !['calls', 'events', 'feedback'].includes(k))),
} as const;

/** The full view of a job (the caller checked it is the account's). */
export function faxView(deps: Pick<HttpDeps, 'jobs' | 'feedback'>, job: JobSnapshot) {
  const { jobs } = deps;
  const events = jobs.events(job.id).map((ev) => ({ at: ev.at, from: ev.from ?? null, to: ev.to, note: ev.note ?? '' }));
  // The line's own reference (lineRef) is internal: the customer sees what the call reported, not how it is tracked.
  const calls = jobs.attempts(job.id).map(({ lineRef: _ref, ...a }) => a);
  const localId = jobs.submission(job.submissionId)?.options.csid;
  const resends = jobs.resendsOf(job.id);
  return {
    ...job, ...(localId ? { localId } : {}), ...(resends.length ? { resends } : {}),
    events, calls, feedback: deps.feedback.deliveriesFor(job.id),
  };
}
