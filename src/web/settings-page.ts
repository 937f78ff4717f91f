// The "Integration settings" page: the account's settings as two fieldsets, field errors from the shared validation, the signing secret.
import { html, type HtmlValue, type SafeHtml } from './html.js';
import { ACCOUNT_NAV, csrfField, page } from './layout.js';
import { formatFaxToEmail } from '../settings/validate.js';
import type { FaxToEmailRule } from '../domain/types.js';

export interface Control {
  /** the API field name (docs/settings.md); also the form field name, so API errors map straight to controls */
  field: string;
  id: string;
  label: string;
  help: string;
  kind: 'select' | 'checkbox' | 'text' | 'tel' | 'line' | 'textarea' | 'rules';
  options?: [value: string, label: string][];
  group: 'incoming' | 'outgoing' | 'pages' | 'email';
  developerOnly?: boolean;
}

export const INCOMING_LEGEND = 'Integration settings for incoming fax';
export const OUTGOING_LEGEND = 'Integration settings for outgoing fax';
export const PAGES_LEGEND = 'Header line and cover page of the faxes you send';
export const EMAIL_LEGEND = 'Email to people';

export const CONTROLS: Control[] = [
  {
    field: 'incoming.feedbackMethod', id: 'incoming-feedback-method', group: 'incoming', kind: 'select',
    label: 'Web feedback method',
    help: 'How your web service is told that a new fax has arrived: not at all, by an HTTP POST of form fields, or by an XML Web service (SOAP) call to the Web feedback URL.',
    options: [['never', 'Never'], ['http-post', 'HTTP Post'], ['xml', 'XML Web service']],
  },
  {
    field: 'incoming.deleteAfterRetrieval', id: 'incoming-delete-after-retrieval', group: 'incoming', kind: 'checkbox',
    label: 'Delete fax image after retrieval by Web Service',
    help: 'Once your web service has downloaded a received fax, its image and every document made from it are removed for good.',
  },
  {
    field: 'outgoing.feedbackWhen', id: 'outgoing-feedback-when', group: 'outgoing', kind: 'select',
    label: 'Web feedback When',
    help: 'Which outcomes of the faxes you send are reported to your Web feedback URL.',
    options: [['always', 'Always'], ['never', 'Never'], ['success', 'On success'], ['failure', 'On failure']],
  },
  {
    field: 'outgoing.feedbackMethod', id: 'outgoing-feedback-method', group: 'outgoing', kind: 'select',
    label: 'Web feedback method',
    help: 'The format of reports about sent faxes: an HTTP POST of form fields, or an XML Web service (SOAP) call.',
    options: [['http-post', 'HTTP Post'], ['xml', 'XML Web service']],
  },
  {
    field: 'feedbackUrl', id: 'feedback-url', group: 'outgoing', kind: 'text',
    label: 'Web feedback URL',
    help: 'Where feedback for incoming and outgoing faxes is delivered: an absolute https:// (or http://) address, or empty for none.',
  },
  {
    field: 'outgoing.unsupportedFiles', id: 'outgoing-unsupported-files', group: 'outgoing', kind: 'select',
    label: 'Handling of unsupported file types',
    help: 'Disregard: fax the supported attachments and leave out the rest. Reject: refuse the whole fax. Applies to email and the web service alike.',
    options: [['ignore', 'Disregard unsupported attachments'], ['reject', 'Reject the whole fax']],
  },
  {
    field: 'designatedFaxNumber', id: 'designated-fax-number', group: 'outgoing', kind: 'tel', developerOnly: true,
    label: 'Designated fax number for Developers',
    help: 'The only number this developer account may send faxes to, in international format such as +15551234567.',
  },
  {
    field: 'header.enabled', id: 'header-enabled', group: 'pages', kind: 'checkbox',
    label: 'Header line on every page',
    help: 'US law asks every fax to show, at the top of each page, the date and time it was sent, who sent it and the sending fax number.',
  },
  {
    field: 'header.format', id: 'header-format', group: 'pages', kind: 'line',
    label: 'Header line format',
    help: 'Codes: %Y-%m-%d %H:%M %Z for the date and time, %%s sender name, %%n sender fax number, %%d recipient, %%P/%%T page and total; | splits the line into fields.',
  },
  {
    field: 'timezone', id: 'timezone', group: 'pages', kind: 'line',
    label: 'Time zone',
    help: 'The time zone of the header line and the cover page, as a name such as America/New_York, Europe/Berlin or UTC.',
  },
  {
    field: 'sender.name', id: 'sender-name', group: 'pages', kind: 'line',
    label: 'Sender name',
    help: 'The name on the header line and cover page; empty uses the account name.',
  },
  {
    field: 'sender.faxNumber', id: 'sender-fax-number', group: 'pages', kind: 'tel',
    label: 'Sender fax number',
    help: 'Your fax number, shown on the header line and cover page, in international format such as +15551234567; may be empty.',
  },
  {
    field: 'sender.csid', id: 'sender-csid', group: 'pages', kind: 'line',
    label: 'Station id (TSI)',
    help: 'What the receiving fax machine displays as the caller: up to 20 characters of digits, + and spaces. Empty uses the sender fax number.',
  },
  {
    field: 'cover.enabled', id: 'cover-enabled', group: 'pages', kind: 'checkbox',
    label: 'Cover page',
    help: 'A cover page first, with To, From, Subject, date, page count and your message. A fax can still say otherwise: cover=off, or [nocover] in the email subject.',
  },
  {
    field: 'cover.notice', id: 'cover-notice', group: 'pages', kind: 'textarea',
    label: 'Confidentiality notice',
    help: 'Printed at the end of the cover page, for example that the fax is meant for the addressee only. At most 2000 characters.',
  },
  {
    field: 'email.receipts', id: 'email-receipts', group: 'email', kind: 'select',
    label: 'Email receipts',
    help: 'When a fax sent by email has reached its final state, a receipt is mailed to the address it came from: for every fax, never, only when it was sent, or only when it was not.',
    options: [['always', 'Always'], ['never', 'Never'], ['success', 'On success'], ['failure', 'On failure']],
  },
  {
    field: 'email.receiptAttachment', id: 'email-receipt-attachment', group: 'email', kind: 'select',
    label: 'Attachment with receipts',
    help: 'Proof of transmission in the receipt: the pages as sent as a PDF, the first page as a picture, or nothing (keeps fax content out of mailboxes).',
    options: [['none', 'No attachment'], ['first-page', 'First page as a picture (PNG)'], ['pdf', 'The pages as sent (PDF)']],
  },
  {
    field: 'email.faxToEmail', id: 'email-fax-to-email', group: 'email', kind: 'rules',
    label: 'Received faxes by email',
    help: 'One rule per number, separated by ";": the inbound number (or * for the others), then pdf, link or notice, then the addresses, which must be registered senders of this account. Example: * pdf front@clinic.example; +15550100200 notice dr@clinic.example. Empty: none.',
  },
];

export function controlsFor(kind: 'standard' | 'developer'): Control[] {
  return CONTROLS.filter((c) => !c.developerOnly || kind === 'developer');
}

/** Turn a posted form into the settings change the API would receive (every shown control, checkbox absent = false). */
export function formToChange(body: Record<string, unknown>, kind: 'standard' | 'developer'): Record<string, unknown> {
  const change: Record<string, unknown> = {};
  // The page fieldset came later: a form posted without any of its text fields (an older page still open) leaves
  // those settings alone rather than switching the header line off.
  const pagesPosted = CONTROLS.some((c) => c.group === 'pages' && c.kind !== 'checkbox' && c.field in body);
  for (const c of controlsFor(kind)) {
    if (c.group === 'pages' && !pagesPosted) continue;
    const v = body[c.field];
    // A form from before the mail settings existed (a page left open over an upgrade) leaves them as they are.
    if (c.group === 'email' && v === undefined) continue;
    if (c.kind === 'checkbox') change[c.field] = v === 'true' || v === 'on';
    else change[c.field] = typeof v === 'string' ? v : '';
  }
  return change;
}

/** A validation problem as the settings validation reports it (src/settings/validate.ts FieldError). */
export interface SettingsError { field: string; message: string; problem?: string; fix?: string }

/** A problem as the page shows it: the control to mark (if any) and a message that names the control's label. */
export interface PageError { control?: Control; text: string }

/** The label as a message names it: a label two controls share gets its fieldset's direction so it stays unambiguous. */
export function messageLabel(c: Control, controls: Control[] = CONTROLS): string {
  const shared = controls.some((o) => o !== c && o.label === c.label);
  return shared ? `${c.label} (${c.group} fax)` : c.label;
}

/**
 * Turn the validation's errors (which name API fields, as the API must) into the page's: each points at the control
 * the user has to change (`fix` for a rule across fields) and says its visible label instead of the API field name.
 */
export function pageErrors(errors: SettingsError[], controls: Control[]): PageError[] {
  const shown = errors.map((e): PageError => {
    const control = controls.find((c) => c.field === (e.fix ?? e.field));
    if (!control || !e.problem) return { text: e.message };
    return { control, text: `${messageLabel(control, controls)} ${e.problem}` };
  });
  // The summary follows the form's order (a problem without a control last), so it reads like the page.
  const at = (e: PageError) => (e.control ? controls.indexOf(e.control) : controls.length);
  return shown.sort((a, b) => at(a) - at(b));
}

export interface SettingsView {
  accountName: string;
  accountId: string;
  kind: 'standard' | 'developer';
  /** flat values by API field name: the saved settings, or what was posted when it did not validate */
  values: Record<string, unknown>;
  /** validation messages by API field name (the same messages as the API) */
  errors?: SettingsError[];
  status?: string;
  csrf: string;
  /** the signing secret, present only in the response to "Show"/"Rotate" */
  secret?: { value: string; rotated: boolean; previousUntil?: string };
}

function control(c: Control, value: unknown, error: string | undefined): SafeHtml {
  const helpId = `${c.id}-help`;
  const errId = `${c.id}-error`;
  const describedBy = error ? `${helpId} ${errId}` : helpId;
  const invalid = error ? 'true' : 'false';
  // The hidden "Error:" tells a screen reader, reading the description, that this is a problem and not help.
  const err = error && html`<span class="error" id="${errId}"><span class="visually-hidden">Error: </span>${error}</span>`;
  if (c.kind === 'checkbox') {
    return html`<div class="field check">
<input type="checkbox" id="${c.id}" name="${c.field}" value="true" aria-describedby="${describedBy}" aria-invalid="${invalid}"${value === true ? html` checked` : ''}>
<label for="${c.id}">${c.label}</label>
<span class="help" id="${helpId}">${c.help}</span>${err}
</div>`;
  }
  let input: SafeHtml;
  if (c.kind === 'textarea') {
    input = html`<textarea id="${c.id}" name="${c.field}" rows="4" maxlength="2000" aria-describedby="${describedBy}" aria-invalid="${invalid}">${typeof value === 'string' ? value : ''}</textarea>`;
  } else if (c.kind === 'line') {
    input = html`<input type="text" id="${c.id}" name="${c.field}" value="${typeof value === 'string' ? value : ''}" spellcheck="false" autocapitalize="off" autocomplete="off" aria-describedby="${describedBy}" aria-invalid="${invalid}">`;
  } else if (c.kind === 'select') {
    input = html`<select id="${c.id}" name="${c.field}" aria-describedby="${describedBy}" aria-invalid="${invalid}">
${(c.options ?? []).map(([v, label]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${label}</option>`)}
</select>`;
  } else if (c.kind === 'rules') {
    const text = Array.isArray(value) ? formatFaxToEmail(value as FaxToEmailRule[]) : typeof value === 'string' ? value : '';
    input = html`<input type="text" id="${c.id}" name="${c.field}" value="${text}" spellcheck="false" autocapitalize="off" autocomplete="off" placeholder="* pdf you@example.com" maxlength="4000" aria-describedby="${describedBy}" aria-invalid="${invalid}">`;
  } else {
    const type = c.kind === 'tel' ? 'tel' : 'url';
    const extra = c.kind === 'tel' ? html` autocomplete="off" placeholder="+15551234567"` : html` autocomplete="url" placeholder="https://example.com/fax-feedback" maxlength="2048"`;
    // type=url/tel give phones the right keyboard; novalidate on the form leaves validation (and its messages) to the server.
    input = html`<input type="${type}" id="${c.id}" name="${c.field}" value="${typeof value === 'string' ? value : ''}" spellcheck="false" autocapitalize="off"${extra} aria-describedby="${describedBy}" aria-invalid="${invalid}">`;
  }
  return html`<div class="field">
<label for="${c.id}">${c.label}</label>
<span class="help" id="${helpId}">${c.help}</span>
${input}${err}
</div>`;
}

export function settingsPage(v: SettingsView): string {
  const controls = controlsFor(v.kind);
  const errors = pageErrors(v.errors ?? [], controls);
  // A control with several problems shows the first inline; the summary lists them all.
  const byField = new Map<string, string>();
  for (const e of errors) if (e.control && !byField.has(e.control.field)) byField.set(e.control.field, e.text);
  const group = (g: Control['group'], legend: string) => html`<fieldset>
<legend>${legend}</legend>
${controls.filter((c) => c.group === g).map((c) => control(c, v.values[c.field], byField.get(c.field)))}
</fieldset>`;

  const summary = errors.length ? html`<div class="summary" role="alert" aria-labelledby="summary-title">
<h2 id="summary-title">The settings were not saved</h2>
<ul>${errors.map((e) => html`<li>${e.control ? html`<a href="#${e.control.id}">${e.text}</a>` : e.text}</li>`)}</ul>
</div>` : '';
  const status = v.status && html`<p class="status" role="status">${v.status}</p>`;

  const secret: HtmlValue = html`<h2 id="secret-title">Feedback signing secret</h2>
<p class="help">Every feedback request faxgate sends you is signed with this secret (Standard Webhooks <code>webhook-signature</code> header), so your web service can check it came from us. It is shown only when you ask.</p>
${v.secret && html`<div class="status" role="status">
<p>${!v.secret.rotated ? 'Your signing secret (it will not be shown again on this page):'
    : v.secret.previousUntil ? html`A new signing secret was created. Until <time datetime="${v.secret.previousUntil}">${v.secret.previousUntil}</time> every feedback also carries a signature made with the old one, so switch your service to the new secret before then. Copy it now:`
      : 'A new signing secret was created; the old one no longer works. Copy it now:'}</p>
<code class="secret" id="secret-value">${v.secret.value}</code>
</div>`}
<div class="actions">
<form method="post" action="/settings/secret">${csrfField(v.csrf)}<input type="hidden" name="action" value="show"><button type="submit" class="secondary">Show signing secret</button></form>
<form method="post" action="/settings/secret">${csrfField(v.csrf)}<input type="hidden" name="action" value="rotate"><button type="submit" class="secondary" aria-describedby="rotate-help">Rotate signing secret</button></form>
<form method="post" action="/settings/secret">${csrfField(v.csrf)}<input type="hidden" name="action" value="rotate-now"><button type="submit" class="secondary" aria-describedby="rotate-now-help">Rotate and revoke the old secret now</button></form>
</div>
<p class="help" id="rotate-help">Rotating creates a new secret at once. For a grace period (24 hours unless your operator set otherwise) each feedback carries two signatures, one with the new secret and one with the old, so your service keeps verifying while you switch it over.</p>
<p class="help" id="rotate-now-help">If the secret has leaked, revoke it now: feedback is signed only with the new secret from this moment, and checks with the old one fail.</p>`;

  const body = html`${status}${summary}
<p>Account <strong>${v.accountName}</strong> (<code>${v.accountId}</code>${v.kind === 'developer' ? ', developer account' : ''}). Changes apply to the next fax you send or receive.</p>
<form method="post" action="/settings" novalidate>
${csrfField(v.csrf)}
${group('incoming', INCOMING_LEGEND)}
${group('outgoing', OUTGOING_LEGEND)}
${group('pages', PAGES_LEGEND)}
${group('email', EMAIL_LEGEND)}
<div class="actions"><button type="submit">Save</button></div>
</form>
${secret}`;
  return page({
    title: 'Integration settings',
    error: errors.length > 0,
    body,
    nav: { links: ACCOUNT_NAV, current: '/settings' },
    signedIn: { who: v.accountName, signOutAction: '/settings/sign-out', csrf: v.csrf },
  });
}
