// The "Sent faxes" pages: the account's outgoing faxes as a list, and one fax with its file report, calls and feedback.
import { JOB_STATUSES, type JobSnapshot } from '../domain/jobs.js';
import type { FileReport } from '../domain/types.js';
import type { AttemptRecord } from '../jobs/attempts.js';
import type { JobEventView } from '../ingress/http/deps.js';
import { html, type SafeHtml } from './html.js';
import { ACCOUNT_NAV, csrfField, page } from './layout.js';

export interface Viewer { who: string; csrf: string }

/** A delivery of the fax's feedback to the account's web service, as src/feedback records it. */
export interface DeliveryView { at?: string; url?: string; outcome?: string; statusCode?: number; error?: string }

export const when = (at: string | undefined) => (at ? at.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : '—');

const STATUS_WORDS: Record<string, string> = {
  received: 'Submitted', rendering: 'Preparing', queued: 'Waiting to send', sending: 'Sending', retrying: 'Will retry',
  sent: 'Sent', failed: 'Failed', rejected: 'Refused', cancelled: 'Cancelled', scheduled: 'Scheduled', stored: 'Stored', deleted: 'Deleted',
};

export function statusBadge(status: string): SafeHtml {
  return html`<span class="badge ${status}">${STATUS_WORDS[status] ?? status}</span>`;
}

const faxed = (f: FileReport) => f.verdict === 'accepted' || f.verdict === 'inline';

/** The per-file report: what was faxed, what was left out and why. */
export function fileReport(files: FileReport[], caption: string): SafeHtml {
  if (!files.length) return html`<p>No files (the text alone is faxed).</p>`;
  return html`<table class="stack"><caption class="visually-hidden">${caption}</caption><thead><tr><th scope="col">File</th><th scope="col">Detected as</th><th scope="col">Verdict</th><th scope="col">Why</th></tr></thead>
<tbody>${files.map((f) => html`<tr><td data-label="File" class="lead">${f.name} <span class="help">${f.size.toLocaleString('en-US')} bytes</span></td>
<td data-label="Detected as">${f.detected ?? 'unknown'}</td>
<td data-label="Verdict">${faxed(f) ? html`<span class="yes">Faxed</span>` : html`<span class="no">Not faxed</span> <code>${f.verdict}</code>`}${f.pages ? html` <span class="help">${f.pages} page${f.pages === 1 ? '' : 's'}</span>` : ''}</td>
<td data-label="Why"${f.reason ? '' : html` class="empty"`}>${f.reason ?? '—'}</td></tr>`)}</tbody></table>`;
}

function filesSummary(files: FileReport[]): SafeHtml | string {
  const left = files.filter((f) => !faxed(f)).length;
  const all = `${files.length} file${files.length === 1 ? '' : 's'}`;
  return left ? html`${all}, <span class="no">${left} not faxed</span>` : files.length ? all : 'text only';
}

/** Who sent it, in words: the browser's sends need not show the account id. */
function senderLabel(job: JobSnapshot): string {
  if (job.sender === `web:${job.accountId}`) return 'this web page';
  return `${job.sender} (${job.source === 'email' ? 'email' : 'web service'})`;
}

export function faxListPage(v: Viewer & { jobs: JobSnapshot[]; status?: string; more?: string; filter?: string }): string {
  const rows = v.jobs.map((j) => html`<tr>
<td data-label="To" class="lead"><a href="/faxes/${j.id}">${j.to}</a></td>
<td data-label="Status">${statusBadge(j.status)}</td>
<td data-label="Pages">${j.pagesSent ? `${j.pagesSent} of ${j.pages}` : j.pages || '—'}</td>
<td data-label="Submitted" class="when"><time datetime="${j.submittedAt}">${when(j.submittedAt)}</time></td>
<td data-label="Files">${filesSummary(j.files)}</td>
</tr>`);
  const body = html`${v.status && html`<p class="status" role="status">${v.status}</p>`}
<p><a href="/send">Send a fax</a></p>
<form method="get" action="/faxes" class="row-actions" role="search" aria-label="Filter the faxes">
<label for="status-filter">Status</label>
<select id="status-filter" name="status"><option value="">All</option>${JOB_STATUSES.map((st) => html`<option value="${st}"${st === v.filter ? html` selected` : ''}>${STATUS_WORDS[st] ?? st}</option>`)}</select>
<button type="submit" class="secondary">Show</button>
</form>
${v.jobs.length ? html`<div class="scroll" role="region" aria-labelledby="list-title" tabindex="0"><h2 id="list-title" class="visually-hidden">Your faxes, newest first</h2>
<table class="stack"><thead><tr><th scope="col">To</th><th scope="col">Status</th><th scope="col">Pages</th><th scope="col">Submitted</th><th scope="col">Files</th></tr></thead>
<tbody>${rows}</tbody></table></div>` : html`<p>${v.filter ? 'No fax has this status.' : 'You have not sent a fax yet.'}</p>`}
${v.more && html`<p class="pager"><a href="${v.more}">Older faxes</a></p>`}`;
  return page({ title: 'Sent faxes', body, wide: true, nav: { links: ACCOUNT_NAV, current: '/faxes' }, signedIn: { who: v.who, signOutAction: '/settings/sign-out', csrf: v.csrf } });
}

export interface FaxDetail {
  job: JobSnapshot;
  events: JobEventView[];
  calls: AttemptRecord[];
  deliveries: DeliveryView[];
  /** the image can be downloaded (rendered and still stored) */
  hasImage: boolean;
  /** cancel and resend, shown when the service offers them */
  canCancel?: boolean;
  canResend?: boolean;
  /** the faxes that resent this one */
  resentAs?: string[];
}

export function faxDetailPage(v: Viewer & FaxDetail & { status?: string; error?: string }): string {
  const { job } = v;
  const calls = v.calls.length
    ? html`<table class="stack"><caption class="visually-hidden">Calls</caption><thead><tr><th scope="col">Attempt</th><th scope="col">Line</th><th scope="col">Dialled</th><th scope="col">Outcome</th><th scope="col">Pages sent</th><th scope="col">Remote station</th></tr></thead>
<tbody>${v.calls.map((c) => html`<tr><td data-label="Attempt" class="lead">${c.attempt}</td><td data-label="Line">${c.line}</td><td data-label="Dialled" class="when">${when(c.dialledAt ?? c.claimedAt)}</td>
<td data-label="Outcome">${c.outcome ?? 'in progress'}${c.lineText ? html` <span class="help">${c.lineText}</span>` : ''}</td><td data-label="Pages sent">${c.pagesSent ?? 0}</td><td data-label="Remote station"${c.remoteId ? '' : html` class="empty"`}>${c.remoteId ?? '—'}</td></tr>`)}</tbody></table>`
    : html`<p>No call has been made yet.</p>`;
  const deliveries = v.deliveries.length
    ? html`<table class="stack"><caption class="visually-hidden">Feedback deliveries</caption><thead><tr><th scope="col">When</th><th scope="col">To</th><th scope="col">Outcome</th></tr></thead>
<tbody>${v.deliveries.map((d) => html`<tr><td data-label="When" class="when lead">${when(d.at)}</td><td data-label="To" class="val">${d.url ?? '—'}</td>
<td data-label="Outcome">${d.outcome ?? '—'}${d.statusCode ? ` (HTTP ${d.statusCode})` : ''}${d.error ? html` <span class="help">${d.error}</span>` : ''}</td></tr>`)}</tbody></table>`
    : html`<p>No feedback has been delivered for this fax (none is due yet, or the account's settings ask for none).</p>`;
  const actions = html`${v.hasImage && html`<p class="row-actions"><a href="/faxes/${job.id}/image?format=pdf">Download PDF</a> <a href="/faxes/${job.id}/image?format=tiff">Download TIFF</a></p>`}
${v.canCancel && html`<form method="post" action="/faxes/${job.id}/cancel">${csrfField(v.csrf)}<button type="submit" class="secondary">Cancel this fax</button></form>`}
${v.canResend && html`<form method="post" action="/faxes/${job.id}/resend" class="resend">${csrfField(v.csrf)}
<div class="field"><label for="resend-to">Resend to</label><span class="help" id="resend-help">The same pages again, to this number (change it to send them elsewhere).</span>
<input type="tel" id="resend-to" name="to" value="${job.to}" autocomplete="off" aria-describedby="resend-help"></div>
<div class="actions"><button type="submit">Resend</button></div></form>`}`;
  const body = html`${v.status && html`<p class="status" role="status">${v.status}</p>`}
${v.error && html`<div class="summary" role="alert"><p class="error">${v.error}</p></div>`}
<p><a href="/faxes">All sent faxes</a></p>
<dl class="facts">
<dt>Status</dt><dd>${statusBadge(job.status)}${job.reason ? html` <span class="help">${job.reason}</span>` : ''}</dd>
<dt>To</dt><dd>${job.to}</dd>
<dt>Pages</dt><dd>${job.pages || '—'}${job.pagesSent ? ` (${job.pagesSent} sent)` : ''}</dd>
<dt>Submitted</dt><dd><time datetime="${job.submittedAt}">${when(job.submittedAt)}</time></dd>
${job.sendAt && html`<dt>Scheduled for</dt><dd><time datetime="${job.sendAt}">${when(job.sendAt)}</time></dd>`}
<dt>Finished</dt><dd>${when(job.completedAt)}</dd>
<dt>Sent from</dt><dd>${senderLabel(job)}</dd>
<dt>Resolution</dt><dd>${job.resolution}, ${job.paper}</dd>
<dt>Fax id</dt><dd><code>${job.id}</code></dd>
${v.resentAs && v.resentAs.length > 0 && html`<dt>Resent as</dt><dd>${v.resentAs.map((id, i) => html`${i ? ', ' : ''}<a href="/faxes/${id}"><code>${id}</code></a>`)}</dd>`}
</dl>
${actions}
<h2 id="files-title">Files</h2>
${fileReport(job.files, 'Files of this fax')}
<h2>Calls (${job.attempts} attempt${job.attempts === 1 ? '' : 's'})</h2>
${calls}
<h2>Feedback deliveries</h2>
${deliveries}
<h2>History</h2>
<ol>${v.events.map((e) => html`<li><time datetime="${e.at}">${when(e.at)}</time>: ${STATUS_WORDS[e.to] ?? e.to}${e.note ? ` — ${e.note}` : ''}</li>`)}</ol>`;
  return page({
    title: `Fax to ${job.to}`, body, wide: true, error: Boolean(v.error), nav: { links: ACCOUNT_NAV, current: '/faxes' },
    signedIn: { who: v.who, signOutAction: '/settings/sign-out', csrf: v.csrf },
  });
}
