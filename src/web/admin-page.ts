// The admin page: the shared type registry as an editable table, its recent changes, and the recent settings changes (audit trail).
import { html, type SafeHtml } from './html.js';
import { ADMIN_NAV, csrfField, page } from './layout.js';
import type { TypeRow as RegistryRow } from '../attachments/registry.js';

/** One row of the type registry (docs/screen.md §1), as the registry lists it: the fields this page shows. */
export type TypeRow = Pick<RegistryRow, 'id' | 'name' | 'enabled' | 'available' | 'maxBytes' | 'reason'>;

export interface AuditRow { accountId: string | null; actor: string; at: string; field: string; old: unknown; new: unknown }

/** A refused change: `typeId` and `what` name the control to mark (the row's checkbox or its max-size field), if any. */
export interface AdminError { text: string; typeId?: string; what?: 'enabled' | 'max' }

export interface AdminView {
  types: TypeRow[];
  /** recent changes of account settings (type rows excluded: they have their own list) */
  audit: AuditRow[];
  /** recent changes of the type registry (audit fields `types.<id>.enabled` / `types.<id>.maxBytes`) */
  typeChanges: AuditRow[];
  csrf: string;
  status?: string;
  errors?: AdminError[];
  /** what was posted, re-shown when the save was refused */
  submitted?: Record<string, unknown>;
}

const MB = 1024 * 1024;

/** Max size as shown in the form: megabytes (MiB) with at most two decimals; empty for no per-type limit. */
export function formatMb(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '';
  return String(Number((bytes / MB).toFixed(2)));
}

export function mbToBytes(text: string): number {
  return Math.round(Number(text) * MB);
}

/** A row's checkbox is locked when the type cannot be enabled here (no renderer) and is not enabled now. */
export function isLocked(t: TypeRow): boolean {
  return !t.available && !t.enabled;
}

/** Who made a change, in words; the account holder's own web edits need not repeat the account id. */
function actorLabel(a: AuditRow): string {
  if (a.accountId && a.actor === `web:${a.accountId}`) return 'account holder (web page)';
  if (a.actor === 'admin:web') return 'admin (web page)';
  if (a.actor === 'admin:api') return 'admin (API)';
  return a.actor;
}

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The row's audit field `types.<id>.<what>` split into the type and what changed; undefined for any other field. */
export function typeChangeOf(field: string): { typeId: string; what: 'enabled' | 'maxBytes' } | undefined {
  const m = /^types\.([^.]+)\.(enabled|maxBytes)$/.exec(field);
  return m ? { typeId: m[1], what: m[2] as 'enabled' | 'maxBytes' } : undefined;
}

function showTypeValue(what: 'enabled' | 'maxBytes', v: unknown): string {
  if (what === 'enabled') return v === true ? 'enabled' : v === false ? 'disabled' : show(v);
  return typeof v === 'number' ? `${formatMb(v)} MB` : 'no limit';
}

const when = (at: string) => at.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

function typeChangesTable(changes: AuditRow[], types: TypeRow[]): SafeHtml {
  if (!changes.length) return html`<p id="type-changes-empty">No file type has been changed yet.</p>`;
  const names = new Map(types.map((t) => [t.id, t.name]));
  return html`<div class="scroll" role="region" aria-labelledby="type-changes-title" tabindex="0"><table class="stack" id="type-changes"><thead><tr><th scope="col">When (UTC)</th><th scope="col">Changed by</th><th scope="col">Type</th><th scope="col">Setting</th><th scope="col">From → to</th></tr></thead>
<tbody>${changes.map((a) => {
    const c = typeChangeOf(a.field);
    if (!c) return '';
    return html`<tr data-type="${c.typeId}" data-what="${c.what}"><td data-label="When" class="when"><time datetime="${a.at}">${when(a.at)}</time></td><td data-label="Changed by">${actorLabel(a)}</td><td data-label="Type"><code>${c.typeId}</code> ${names.get(c.typeId) ?? ''}</td><td data-label="Setting">${c.what === 'enabled' ? 'Enabled' : 'Max size'}</td><td data-label="From → to" class="val">${showTypeValue(c.what, a.old)} → ${showTypeValue(c.what, a.new)}</td></tr>`;
  })}</tbody></table></div>`;
}

export function adminPage(v: AdminView): string {
  const sub = v.submitted;
  const errors = v.errors ?? [];
  const errorOf = (typeId: string, what: 'enabled' | 'max') => errors.find((e) => e.typeId === typeId && e.what === what);
  const fieldId = (e: AdminError) => (e.typeId && e.what ? `type-${e.typeId}-${e.what}` : undefined);
  /** aria-invalid, the description ids and the inline message for one control */
  const marks = (id: string, described: string[], e: AdminError | undefined) => ({
    attrs: html`${described.length || e ? html` aria-describedby="${[...described, ...(e ? [`${id}-error`] : [])].join(' ')}"` : ''}${e ? html` aria-invalid="true"` : ''}`,
    message: e && html`<span class="error" id="${id}-error"><span class="visually-hidden">Error: </span>${e.text}</span>`,
  });
  const rows = v.types.map((t) => {
    const cbId = `type-${t.id}-enabled`;
    const maxId = `type-${t.id}-max`;
    const checked = sub ? sub[`enabled.${t.id}`] === 'true' || sub[`enabled.${t.id}`] === 'on' : t.enabled;
    const checkedFinal = isLocked(t) ? false : checked;
    const maxValue = sub && typeof sub[`maxMb.${t.id}`] === 'string' ? (sub[`maxMb.${t.id}`] as string) : formatMb(t.maxBytes);
    const cb = marks(cbId, isLocked(t) ? [`type-${t.id}-reason`] : [], errorOf(t.id, 'enabled'));
    const max = marks(maxId, ['max-help'], errorOf(t.id, 'max'));
    return html`<tr>
<td data-label="Enabled" class="lead"><input type="checkbox" id="${cbId}" name="enabled.${t.id}" value="true"${checkedFinal ? html` checked` : ''}${isLocked(t) ? html` disabled` : ''}${cb.attrs}>
<label for="${cbId}"><code>${t.id}</code> ${t.name}</label>${cb.message}</td>
<td data-label="Available">${t.available ? html`<span class="yes">Yes</span>` : html`<span class="no">No</span>`}</td>
<td data-label="Reason" id="type-${t.id}-reason"${t.reason ? '' : html` class="empty"`}>${t.reason || '—'}</td>
<td data-label="Max size (MB)" class="max"><label for="${maxId}" class="visually-hidden">Max size for ${t.id} in MB</label>
<input type="number" id="${maxId}" name="maxMb.${t.id}" value="${maxValue}" min="0.01" step="any" inputmode="decimal"${max.attrs}>${max.message}</td>
</tr>`;
  });
  const audit = v.audit.length
    ? html`<div class="scroll" role="region" aria-labelledby="audit-title" tabindex="0"><table class="stack"><thead><tr><th scope="col">When (UTC)</th><th scope="col">Account</th><th scope="col">Changed by</th><th scope="col">Setting</th><th scope="col">Old → new</th></tr></thead>
<tbody>${v.audit.map((a) => html`<tr><td data-label="When" class="when">${when(a.at)}</td><td data-label="Account">${a.accountId ?? '(global)'}</td><td data-label="Changed by">${actorLabel(a)}</td><td data-label="Setting"><code>${a.field}</code></td><td data-label="Old → new" class="val">${show(a.old)} → ${show(a.new)}</td></tr>`)}</tbody></table></div>`
    : html`<p>No settings have been changed yet.</p>`;
  const summary = errors.length > 0 && html`<div class="summary" role="alert" aria-labelledby="summary-title"><h2 id="summary-title">The changes were not saved</h2><ul>${errors.map((e) => {
    const id = fieldId(e);
    return html`<li>${id && v.types.some((t) => t.id === e.typeId) ? html`<a href="#${id}">${e.text}</a>` : e.text}</li>`;
  })}</ul></div>`;
  const body = html`${v.status && html`<p class="status" role="status">${v.status}</p>`}
${summary}
<h2 id="types-title">Supported file types</h2>
<p>A type is faxed when it is enabled and available. Changes apply at once to email and web-service submissions. Types without a working renderer on this host cannot be enabled.</p>
<form method="post" action="/admin/types" novalidate>
${csrfField(v.csrf)}
<table class="stack" aria-labelledby="types-title">
<thead><tr><th scope="col">Enabled</th><th scope="col">Available</th><th scope="col">Reason</th><th scope="col">Max size (MB)</th></tr></thead>
<tbody>${rows}</tbody>
</table>
<p class="help" id="max-help">Max size is per file, in megabytes (1 MB = 1,048,576 bytes); leave it empty for no per-type limit (the message size limit still applies).</p>
<div class="actions"><button type="submit">Save</button></div>
</form>
<h2 id="type-changes-title">Recent type changes</h2>
${typeChangesTable(v.typeChanges, v.types)}
<h2 id="audit-title">Recent settings changes</h2>
${audit}`;
  return page({
    title: 'Administration', body, wide: true, error: errors.length > 0, nav: { links: ADMIN_NAV, current: '/admin' },
    signedIn: { who: 'administrator', signOutAction: '/admin/sign-out', csrf: v.csrf },
  });
}
