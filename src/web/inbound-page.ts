// The "Received faxes" page: the account's inbound faxes with view (PDF in the browser) and delete; tombstones stay listed.
import type { InboundFax } from '../inbound/types.js';
import { html } from './html.js';
import { ACCOUNT_NAV, csrfField, page } from './layout.js';
import { statusBadge, when, type Viewer } from './faxes-page.js';

function tombstone(f: InboundFax): string {
  const how = f.deletedReason === 'retrieved' ? 'after it was retrieved, on' : 'on';
  const by = f.deletedBy === `web:${f.accountId}` ? 'from this page' : f.deletedBy ? `by ${f.deletedBy}` : '';
  return [how, when(f.deletedAt ?? undefined), by].filter(Boolean).join(' ');
}

export function inboundPage(v: Viewer & { faxes: InboundFax[]; status?: string; more?: string; deleteAfterRetrieval: boolean }): string {
  const rows = v.faxes.map((f) => {
    const label = f.status === 'stored' ? `from ${f.from ?? 'unknown'}` : 'deleted fax';
    return html`<tr id="fax-${f.id}">
<td data-label="Received" class="when lead"><time datetime="${f.receivedAt}">${when(f.receivedAt)}</time></td>
<td data-label="From">${f.from ?? '—'}${f.remoteId ? html` <span class="help">station ${f.remoteId}</span>` : ''}</td>
<td data-label="To">${f.to ?? '—'}</td>
<td data-label="Pages">${f.pages}</td>
<td data-label="Status">${statusBadge(f.status)}${f.status === 'deleted' ? html` <span class="help">${tombstone(f)}</span>` : ''}</td>
<td data-label="Actions"${f.status === 'stored' ? '' : html` class="empty"`}>${f.status === 'stored' ? html`<div class="row-actions">
<a href="/inbound/${f.id}/view" aria-label="View the fax ${label} (PDF)">View</a>
<form method="post" action="/inbound/${f.id}/delete" class="inline">${csrfField(v.csrf)}<button type="submit" class="secondary" aria-label="Delete the fax ${label}">Delete</button></form>
</div>` : '—'}</td>
</tr>`;
  });
  const body = html`${v.status && html`<p class="status" role="status">${v.status}</p>`}
${v.deleteAfterRetrieval && html`<p id="retrieval-note"><strong>Your account deletes a fax once it has been retrieved:</strong> viewing a fax here counts, so it can be viewed once.</p>`}
${v.faxes.length ? html`<div class="scroll" role="region" aria-labelledby="inbound-title" tabindex="0"><h2 id="inbound-title" class="visually-hidden">Received faxes, newest first</h2>
<table class="stack"><thead><tr><th scope="col">Received</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Pages</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows}</tbody></table></div>` : html`<p>No fax has been received for your numbers yet.</p>`}
${v.more && html`<p class="pager"><a href="${v.more}">Older faxes</a></p>`}`;
  return page({ title: 'Received faxes', body, wide: true, nav: { links: ACCOUNT_NAV, current: '/inbound' }, signedIn: { who: v.who, signOutAction: '/settings/sign-out', csrf: v.csrf } });
}
