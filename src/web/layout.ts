// Page shell for the web pages: inline stylesheet (allowed by its CSP hash), security headers, shared form pieces.
import { createHash } from 'node:crypto';
import { html, raw, type HtmlValue, type SafeHtml } from './html.js';

// Colours meet WCAG AA contrast on white (text #1b1b1b, muted #4a4a4a, link/button #0b4fb3, error #a4001d); focus rings
// are near-black on white and amber on the navy header, both well over 3:1 against their background.
const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;font-size:100%;line-height:1.5;color:#1b1b1b;background:#fff}
body{margin:0}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
.skip:focus{left:.5rem}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;background:#12305e;color:#fff}
header .brand{font-weight:700;font-size:1.1rem}
header form{margin:0}
header .who{font-size:.95rem}
main{max-width:46rem;margin:0 auto;padding:1rem}
main.wide{max-width:64rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem}
h2{font-size:1.25rem;margin:2rem 0 .5rem}
fieldset{border:1px solid #8a8a8a;border-radius:.4rem;margin:0 0 1.25rem;padding:.5rem 1rem 1rem}
legend{font-weight:700;padding:0 .35rem;font-size:1.05rem}
.field{margin:.9rem 0}
label{display:block;font-weight:600}
.check label{display:inline;font-weight:600}
.help{display:block;color:#4a4a4a;font-size:.92rem;margin-top:.15rem}
input[type=text],input[type=url],input[type=password],input[type=tel],input[type=email],input[type=number],input[type=datetime-local],select,textarea{display:block;width:100%;max-width:34rem;font:inherit;padding:.5rem .6rem;border:1px solid #6b6b6b;border-radius:.3rem;background:#fff;color:#1b1b1b;margin-top:.3rem}
input[type=checkbox]{width:1.3rem;height:1.3rem;vertical-align:middle;margin:0 .5rem 0 0;accent-color:#0b4fb3}
input:focus,select:focus,textarea:focus,button:focus,a:focus{outline:3px solid #1b1b1b;outline-offset:2px}
header button:focus,.skip:focus{outline-color:#f2a900}
input[aria-invalid=true],select[aria-invalid=true],textarea[aria-invalid=true]{border:2px solid #a4001d}
input[type=checkbox][aria-invalid=true]{outline:2px solid #a4001d;outline-offset:2px}
.error{color:#a4001d;font-weight:600;display:block;margin-top:.2rem}
.summary{border:2px solid #a4001d;border-radius:.4rem;padding:.5rem 1rem;margin:0 0 1rem}
.summary h2{margin:.25rem 0;font-size:1.1rem;color:#a4001d}
.status{border:2px solid #1e6b34;color:#14532d;background:#eefaf1;border-radius:.4rem;padding:.5rem 1rem;margin:0 0 1rem;font-weight:600}
button{font:inherit;font-weight:600;padding:.55rem 1.1rem;border-radius:.3rem;border:2px solid #0b4fb3;background:#0b4fb3;color:#fff;cursor:pointer;min-height:2.75rem}
button.secondary{background:#fff;color:#0b4fb3}
header button{background:#fff;color:#12305e;border-color:#fff;padding:.3rem .8rem;min-height:2.25rem}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1rem}
a{color:#0b4fb3}
code,.secret{font-family:ui-monospace,"DejaVu Sans Mono",monospace}
.secret{display:block;word-break:break-all;background:#f3f3f3;border:1px solid #8a8a8a;padding:.5rem;border-radius:.3rem;margin:.5rem 0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid #c4c4c4;vertical-align:top}
td{overflow-wrap:break-word}
td.val{overflow-wrap:anywhere;min-width:12rem}
.scroll{overflow-x:auto}
th{background:#f0f3f8}
td input[type=number]{max-width:9rem;margin-top:0}
td label{display:inline}
td.when{white-space:nowrap}
.no{color:#a4001d;font-weight:600}
.yes{color:#14532d;font-weight:600}
nav{background:#e8edf5;border-bottom:1px solid #c4c4c4}
nav ul{list-style:none;margin:0 auto;padding:.25rem 1rem;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;max-width:46rem}
nav.wide ul{max-width:64rem}
nav a{display:inline-block;padding:.5rem 0;font-weight:600}
nav a[aria-current=page]{color:#1b1b1b;text-decoration:none;border-bottom:3px solid #12305e}
.inline{display:inline;margin:0}
.inline button{min-height:2.25rem;padding:.3rem .8rem}
.row-actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.row-actions select{width:auto;margin-top:0}
.row-actions label{display:inline}
.resend{margin-top:1rem}
input[type=file]{display:block;font:inherit;margin-top:.3rem;max-width:100%}
li{margin:.25rem 0}
li .inline{margin-left:.5rem}
.badge{display:inline-block;padding:0 .45rem;border-radius:.3rem;border:1px solid #4a4a4a;font-size:.92rem;font-weight:600}
.badge.sent,.badge.stored{border-color:#1e6b34;color:#14532d;background:#eefaf1}
.badge.failed,.badge.rejected,.badge.cancelled{border-color:#a4001d;color:#a4001d;background:#fdf0f2}
.badge.deleted{color:#4a4a4a;background:#f3f3f3}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.pager{margin:1rem 0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:40rem){
  main{padding:.75rem}
  nav ul{padding:.25rem .75rem}
  table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
  table.stack tr{display:block;border:1px solid #c4c4c4;border-radius:.4rem;margin:0 0 .75rem;padding:.25rem .5rem}
  table.stack td{display:block;border:0;padding:.25rem 0}
  table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600}
  table.stack td.lead::before{content:none}
  table.stack td.lead{font-size:1.05rem}
  table.stack td.empty{display:none}
  table.stack td.max{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}
  table.stack td.max input{margin:0}
  button{width:100%}
  header button,.inline button{width:auto}
  dl.facts{grid-template-columns:1fr}
  dl.facts dd{margin-bottom:.35rem}
}
`.trim();

const CSS_HASH = createHash('sha256').update(CSS).digest('base64');

/** Headers for every web page: no framing, no foreign content, nothing cached (pages show settings and secrets). */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'self'",
    `style-src 'sha256-${CSS_HASH}'`,
    "script-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts, defeating the origin check.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export interface PageOptions {
  title: string;
  body: HtmlValue;
  /** shown in the header with a Sign out button when signed in */
  signedIn?: { who: string; signOutAction: string; csrf: string };
  wide?: boolean;
  /** the page shows a form refused with errors: the title starts with "Error: " so it is the first thing announced */
  error?: boolean;
  /** the links between the pages of one area, the current one marked */
  nav?: { links: [href: string, label: string][]; current: string };
}

export const ACCOUNT_NAV: [string, string][] = [['/faxes', 'Sent faxes'], ['/send', 'Send a fax'], ['/inbound', 'Received faxes'], ['/settings', 'Settings']];
export const ADMIN_NAV: [string, string][] = [['/admin', 'File types'], ['/admin/queue', 'Queue and lines'], ['/admin/accounts', 'Accounts']];

/** A hidden CSRF field for a form (synchronizer token tied to the session). */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

export function page({ title, body, signedIn, wide, error, nav }: PageOptions): string {
  const header = html`<header>
<span class="brand">faxgate</span>
${signedIn && html`<span class="who">Signed in as ${signedIn.who}</span>
<form method="post" action="${signedIn.signOutAction}">${csrfField(signedIn.csrf)}<button type="submit">Sign out</button></form>`}
</header>
${nav && html`<nav aria-label="Pages"${raw(wide ? ' class="wide"' : '')}><ul>${nav.links.map(([href, label]) => html`<li><a href="${href}"${href === nav.current ? raw(' aria-current="page"') : ''}>${label}</a></li>`)}</ul></nav>`}`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${error ? 'Error: ' : ''}${title} — faxgate</title>
<style>${raw(CSS)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${header}
<main id="main"${raw(wide ? ' class="wide"' : '')}>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value;
}

/** A sign-in form with one secret field (API key or admin token). */
export function signInBody(opts: {
  action: string; fieldName: string; label: string; help: string; csrf: string; error?: string; intro: HtmlValue;
  /** the page to return to after signing in */
  next?: string;
}): SafeHtml {
  const errId = 'signin-error';
  return html`${opts.intro}
${opts.error && html`<div class="summary" role="alert"><p class="error" id="${errId}">${opts.error}</p></div>`}
<form method="post" action="${opts.action}">
${csrfField(opts.csrf)}${opts.next && html`<input type="hidden" name="next" value="${opts.next}">`}
<div class="field">
<label for="${opts.fieldName}">${opts.label}</label>
<span class="help" id="${opts.fieldName}-help">${opts.help}</span>
<input type="password" id="${opts.fieldName}" name="${opts.fieldName}" autocomplete="current-password" required
 spellcheck="false" autocapitalize="off" maxlength="512" aria-describedby="${opts.fieldName}-help${opts.error ? ` ${errId}` : ''}"${raw(opts.error ? ' aria-invalid="true" autofocus' : ' autofocus')}>
</div>
<div class="actions"><button type="submit">Sign in</button></div>
</form>`;
}
