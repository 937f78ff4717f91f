// The "Send a fax" page: the form, then the screen's verdict on every file (the dry run) and a confirm step.
import type { ScreenDecision } from '../domain/types.js';
import { html } from './html.js';
import { ACCOUNT_NAV, csrfField, page } from './layout.js';
import { fileReport, type Viewer } from './faxes-page.js';

export interface SendValues { to: string; coverText: string; resolution: string; sendAt: string }
export interface SendError { field: 'to' | 'file' | 'sendAt' | ''; text: string }

const RESOLUTIONS: [string, string][] = [['fine', 'Fine (200 × 200 dpi, the usual)'], ['standard', 'Standard (200 × 100 dpi, fastest)'], ['superfine', 'Superfine (200 × 400 dpi)']];

const shell = (v: Viewer, title: string, body: ReturnType<typeof html>, error = false) => page({
  title, body, error, nav: { links: ACCOUNT_NAV, current: '/send' }, signedIn: { who: v.who, signOutAction: '/settings/sign-out', csrf: v.csrf },
});

export function sendFormPage(v: Viewer & { values?: SendValues; errors?: SendError[]; canSchedule: boolean; status?: string }): string {
  const values = v.values ?? { to: '', coverText: '', resolution: 'fine', sendAt: '' };
  const errors = v.errors ?? [];
  const err = (field: SendError['field']) => errors.find((e) => e.field === field);
  const mark = (id: string, help: string, field: SendError['field']) => {
    const e = err(field);
    return {
      attrs: html` aria-describedby="${help}${e ? ` ${id}-error` : ''}"${e ? html` aria-invalid="true"` : ''}`,
      message: e && html`<span class="error" id="${id}-error"><span class="visually-hidden">Error: </span>${e.text}</span>`,
    };
  };
  const to = mark('to', 'to-help', 'to');
  const file = mark('file', 'file-help', 'file');
  const sendAt = mark('send-at', 'send-at-help', 'sendAt');
  const ids: Record<string, string> = { to: 'to', file: 'file', sendAt: 'send-at' };
  const body = html`${v.status && html`<p class="status" role="status">${v.status}</p>`}
${errors.length > 0 && html`<div class="summary" role="alert" aria-labelledby="summary-title"><h2 id="summary-title">The fax was not checked</h2><ul>${errors.map((e) => html`<li>${e.field ? html`<a href="#${ids[e.field]}">${e.text}</a>` : e.text}</li>`)}</ul></div>`}
<p>Nothing is sent until you have seen how each file will be faxed and confirmed.</p>
<form method="post" action="/send" enctype="multipart/form-data" novalidate>
${csrfField(v.csrf)}
<div class="field">
<label for="to">Fax number(s)</label>
<span class="help" id="to-help">One number per line (or separated by commas), in international format such as +15551234567.</span>
<textarea id="to" name="to" rows="3" required autocomplete="off" spellcheck="false"${to.attrs}>${values.to}</textarea>${to.message}
</div>
<div class="field">
<label for="file">Files</label>
<span class="help" id="file-help">PDF, images, text and the other types your server accepts; you can choose several.</span>
<input type="file" id="file" name="file" multiple${file.attrs}>${file.message}
</div>
<div class="field">
<label for="cover-text">Message</label>
<span class="help" id="cover-text-help">Text for the cover page (or a page of its own when the cover page is off). Optional when there are files.</span>
<textarea id="cover-text" name="coverText" rows="5" aria-describedby="cover-text-help">${values.coverText}</textarea>
</div>
<div class="field">
<label for="resolution">Resolution</label>
<span class="help" id="resolution-help">Finer pages are sharper and take longer to send.</span>
<select id="resolution" name="resolution" aria-describedby="resolution-help">${RESOLUTIONS.map(([value, label]) => html`<option value="${value}"${value === values.resolution ? html` selected` : ''}>${label}</option>`)}</select>
</div>
${v.canSchedule && html`<div class="field">
<label for="send-at">Send at (optional)</label>
<span class="help" id="send-at-help">Leave empty to send at once; otherwise a time in the next 30 days, in UTC.</span>
<input type="datetime-local" id="send-at" name="sendAt" value="${values.sendAt}"${sendAt.attrs}>${sendAt.message}
</div>`}
<div class="actions"><button type="submit">Check the fax</button></div>
</form>`;
  return shell(v, 'Send a fax', body, errors.length > 0);
}

export function sendReviewPage(v: Viewer & { draft: string; recipients: string[]; decision: ScreenDecision; coverText: boolean; resolution: string; sendAt?: string }): string {
  const ok = v.decision.outcome === 'accept';
  const dropped = v.decision.files.filter((f) => f.verdict !== 'accepted' && f.verdict !== 'inline').length;
  const refusal = v.decision.reason === 'nothing-to-fax'
    ? 'There is nothing to fax: no file can be faxed and there is no message.'
    : 'Your account refuses the whole fax when a file cannot be faxed (Settings: Handling of unsupported file types).';
  const body = html`${ok
    ? html`<p class="status" role="status">Ready to send${dropped ? ` — ${dropped} file${dropped === 1 ? '' : 's'} will be left out` : ''}. Nothing has been queued yet.</p>`
    : html`<div class="summary" role="alert"><h2>This fax cannot be sent</h2><p class="error">${refusal}</p></div>`}
<dl class="facts">
<dt>To</dt><dd>${v.recipients.join(', ')}</dd>
<dt>Message</dt><dd>${v.coverText ? 'yes' : 'none'}</dd>
<dt>Resolution</dt><dd>${v.resolution}</dd>
${v.sendAt && html`<dt>Send at</dt><dd>${v.sendAt}</dd>`}
</dl>
<h2>How each file will be faxed</h2>
${fileReport(v.decision.files, 'The screen\'s verdict on each file')}
<div class="actions">
${ok && html`<form method="post" action="/send/confirm" class="inline">${csrfField(v.csrf)}<input type="hidden" name="draft" value="${v.draft}"><button type="submit">Send the fax</button></form>`}
<form method="post" action="/send/discard" class="inline">${csrfField(v.csrf)}<input type="hidden" name="draft" value="${v.draft}"><button type="submit" class="secondary">${ok ? 'Start again' : 'Back to the form'}</button></form>
</div>`;
  return shell(v, 'Check and send', body, !ok);
}
