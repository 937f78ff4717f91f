// The admin's queue-and-lines page and the accounts pages (list, create, one account's senders, numbers and API keys).
import type { CheckResult } from '../health/index.js';
import type { Account, ApiKeyInfo } from '../settings/types.js';
import { html, type SafeHtml } from './html.js';
import { ADMIN_NAV, csrfField, page } from './layout.js';
import { statusBadge, when } from './faxes-page.js';

const shell = (title: string, current: string, csrf: string, body: SafeHtml, error = false) => page({
  title, body, wide: true, error, nav: { links: ADMIN_NAV, current },
  signedIn: { who: 'administrator', signOutAction: '/admin/sign-out', csrf },
});

const ORDER = ['scheduled', 'received', 'rendering', 'queued', 'sending', 'retrying', 'sent', 'failed', 'rejected', 'cancelled'];

function age(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function queuePage(v: {
  csrf: string; counts: Record<string, number>; oldestOpenSince?: Date; now: Date; failedLastHour: number; checks: CheckResult[];
}): string {
  const statuses = [...ORDER.filter((s) => s in v.counts), ...Object.keys(v.counts).filter((s) => !ORDER.includes(s))];
  const body = html`<h2 id="queue-title">Queue</h2>
<dl class="facts">
<dt>Oldest waiting</dt><dd id="oldest">${v.oldestOpenSince ? html`submitted ${when(v.oldestOpenSince.toISOString())} (${age(v.now.getTime() - v.oldestOpenSince.getTime())} ago)` : 'nothing waits'}</dd>
<dt>Failures in the last hour</dt><dd id="failed-hour">${v.failedLastHour}</dd>
</dl>
${statuses.length ? html`<table class="stack" aria-labelledby="queue-title"><thead><tr><th scope="col">Status</th><th scope="col">Jobs</th></tr></thead>
<tbody>${statuses.map((s) => html`<tr data-status="${s}"><td data-label="Status" class="lead">${statusBadge(s)} <code>${s}</code></td><td data-label="Jobs">${v.counts[s]}</td></tr>`)}</tbody></table>`
    : html`<p>No fax has been submitted yet.</p>`}
<h2 id="health-title">Lines and services</h2>
<p>Checked now, as <code>/readyz</code> reports them.</p>
<table class="stack" aria-labelledby="health-title"><thead><tr><th scope="col">Check</th><th scope="col">State</th><th scope="col">Detail</th></tr></thead>
<tbody>${v.checks.map((c) => html`<tr data-check="${c.name}"><td data-label="Check" class="lead"><code>${c.name}</code></td>
<td data-label="State">${c.ok ? html`<span class="yes">OK</span>` : html`<span class="no">Failing</span>`}</td><td data-label="Detail" class="val">${c.detail}</td></tr>`)}</tbody></table>`;
  return shell('Queue and lines', '/admin/queue', v.csrf, body);
}

export interface CreateValues { name: string; kind: string; senders: string; designated: string; inbound: string }

export function accountsPage(v: {
  csrf: string; accounts: (Account & { activeKeys: number })[]; status?: string; error?: string; values?: CreateValues;
  created?: { id: string; name: string; apiKey: string };
}): string {
  const values = v.values ?? { name: '', kind: 'standard', senders: '', designated: '', inbound: '' };
  const field = (id: string, name: string, label: string, help: string, value: string, type = 'text') => html`<div class="field">
<label for="${id}">${label}</label><span class="help" id="${id}-help">${help}</span>
<input type="${type}" id="${id}" name="${name}" value="${value}" autocomplete="off" spellcheck="false" aria-describedby="${id}-help${v.error ? ' create-error' : ''}"></div>`;
  const body = html`${v.status && html`<p class="status" role="status">${v.status}</p>`}
${v.created && html`<div class="status" role="status" id="created"><p>Account <a href="/admin/accounts/${v.created.id}">${v.created.name}</a> created. Its API key, shown only now:</p>
<code class="secret" id="new-key">${v.created.apiKey}</code></div>`}
${v.error && html`<div class="summary" role="alert"><h2>The account was not created</h2><p class="error" id="create-error">${v.error}</p></div>`}
<h2 id="accounts-title">Accounts</h2>
<div class="scroll" role="region" aria-labelledby="accounts-title" tabindex="0"><table class="stack"><thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Senders</th><th scope="col">Inbound numbers</th><th scope="col">Active API keys</th></tr></thead>
<tbody>${v.accounts.map((a) => html`<tr><td data-label="Name" class="lead"><a href="/admin/accounts/${a.id}">${a.name}</a></td><td data-label="Kind">${a.kind}${a.disabledAt ? html` <span class="no">disabled</span>` : ''}</td>
<td data-label="Senders" class="val">${a.senders.join(', ') || '—'}</td><td data-label="Inbound numbers">${a.inboundNumbers.join(', ') || '—'}</td><td data-label="Active API keys">${a.activeKeys}</td></tr>`)}</tbody></table></div>
<h2 id="create-title">Create an account</h2>
<form method="post" action="/admin/accounts" novalidate aria-labelledby="create-title">
${csrfField(v.csrf)}
${field('new-name', 'name', 'Name', 'Shown on the cover page and header line unless the account sets a sender name.', values.name)}
<div class="field"><label for="new-kind">Kind</label><span class="help" id="new-kind-help">A developer account may only send to its designated number.</span>
<select id="new-kind" name="kind" aria-describedby="new-kind-help">${[['standard', 'Standard'], ['developer', 'Developer']].map(([k, l]) => html`<option value="${k}"${k === values.kind ? html` selected` : ''}>${l}</option>`)}</select></div>
${field('new-senders', 'senders', 'Sender addresses', 'The email addresses that may send faxes for this account, separated by commas.', values.senders)}
${field('new-designated', 'designated', 'Designated fax number (developer accounts)', 'In international format such as +15551234567; leave empty for a standard account.', values.designated, 'tel')}
${field('new-inbound', 'inbound', 'Inbound fax numbers', 'Numbers whose received faxes belong to this account, separated by commas; may be empty.', values.inbound)}
<div class="actions"><button type="submit">Create account</button></div>
</form>`;
  return shell('Accounts', '/admin/accounts', v.csrf, body, Boolean(v.error));
}

export function accountPage(v: { csrf: string; account: Account; keys: ApiKeyInfo[]; status?: string; error?: string; newKey?: string }): string {
  const a = v.account;
  const base = `/admin/accounts/${a.id}`;
  const list = (title: string, items: string[], what: 'sender' | 'number', removeLabel: string) => html`<ul>${items.map((x) => html`<li>${x}
<form method="post" action="${base}/${what === 'sender' ? 'senders' : 'numbers'}" class="inline">${csrfField(v.csrf)}<input type="hidden" name="value" value="${x}"><input type="hidden" name="action" value="remove">
<button type="submit" class="secondary" aria-label="${removeLabel} ${x}">Remove</button></form></li>`)}</ul>${items.length ? '' : html`<p>None.</p>`}
<form method="post" action="${base}/${what === 'sender' ? 'senders' : 'numbers'}">${csrfField(v.csrf)}<input type="hidden" name="action" value="add">
<div class="field"><label for="add-${what}">${title}</label><input type="${what === 'sender' ? 'email' : 'tel'}" id="add-${what}" name="value" autocomplete="off" required></div>
<div class="actions"><button type="submit">Add</button></div></form>`;
  const body = html`${v.status && html`<p class="status" role="status">${v.status}</p>`}
${v.newKey && html`<div class="status" role="status" id="issued"><p>New API key, shown only now:</p><code class="secret" id="new-key">${v.newKey}</code></div>`}
${v.error && html`<div class="summary" role="alert"><p class="error">${v.error}</p></div>`}
<p><a href="/admin/accounts">All accounts</a></p>
<dl class="facts"><dt>Id</dt><dd><code>${a.id}</code></dd><dt>Kind</dt><dd>${a.kind}${a.settings.designatedFaxNumber ? ` (sends only to ${a.settings.designatedFaxNumber})` : ''}</dd>
<dt>Created</dt><dd>${when(a.createdAt)}</dd><dt>Line</dt><dd>${a.line ?? 'the default line'}</dd>
<dt>State</dt><dd id="account-state">${a.disabledAt ? html`<span class="no">Disabled</span> since ${when(a.disabledAt)}` : html`<span class="yes">Enabled</span>`}</dd></dl>
<form method="post" action="${base}/state">${csrfField(v.csrf)}<input type="hidden" name="action" value="${a.disabledAt ? 'enable' : 'disable'}">
<p class="help" id="state-help">${a.disabledAt ? 'Enabling lets its senders and API keys send faxes again.' : 'A disabled account can send nothing by email or the web service and cannot sign in; faxes already submitted still finish, and received faxes are still kept.'}</p>
<div class="actions"><button type="submit" class="secondary" aria-describedby="state-help">${a.disabledAt ? 'Enable the account' : 'Disable the account'}</button></div></form>
<h2>Sender addresses</h2>
${list('Add a sender address', a.senders, 'sender', 'Remove sender')}
<h2>Inbound fax numbers</h2>
${list('Add an inbound number', a.inboundNumbers, 'number', 'Remove number')}
<h2 id="keys-title">API keys</h2>
<table class="stack" aria-labelledby="keys-title"><thead><tr><th scope="col">Key id</th><th scope="col">Issued</th><th scope="col">State</th></tr></thead>
<tbody>${v.keys.map((k) => html`<tr data-key="${k.id}"><td data-label="Key id" class="lead"><code>key_${k.id}</code></td><td data-label="Issued" class="when">${when(k.createdAt)}</td>
<td data-label="State">${k.revokedAt ? `revoked ${when(k.revokedAt)}` : html`<form method="post" action="${base}/keys" class="inline">${csrfField(v.csrf)}<input type="hidden" name="action" value="revoke"><input type="hidden" name="keyId" value="${k.id}">
<button type="submit" class="secondary" aria-label="Revoke key_${k.id}">Revoke</button></form>`}</td></tr>`)}</tbody></table>
<form method="post" action="${base}/keys">${csrfField(v.csrf)}<input type="hidden" name="action" value="issue"><div class="actions"><button type="submit">Issue a new API key</button></div></form>`;
  return shell(a.name, '/admin/accounts', v.csrf, body, Boolean(v.error));
}
