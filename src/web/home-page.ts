// The landing page at /: what this server is and where its pages and its API document are.
import { html } from './html.js';
import { page } from './layout.js';

export function homePage(opts: { adminEnabled: boolean }): string {
  const body = html`<p>This is a <strong>faxgate</strong> server: it sends the documents mailed or uploaded to it as faxes, and
delivers the faxes it receives to the account they were sent to.</p>
<h2>For account holders</h2>
<p>Sign in with your account's API key.</p>
<ul>
<li><a href="/faxes">Sent faxes</a>: what you sent, each fax's status, pages, calls and the report on every file</li>
<li><a href="/send">Send a fax</a> from this browser</li>
<li><a href="/inbound">Received faxes</a>: view and delete the faxes sent to your numbers</li>
<li><a href="/settings">Integration settings</a>: how faxgate reports to your web service</li>
</ul>
<h2>For developers</h2>
<p>The web service is described by its OpenAPI document: <a href="/v1/openapi.json">/v1/openapi.json</a>.</p>
${opts.adminEnabled && html`<h2>For the operator</h2><p><a href="/admin">Administration</a>: file types, the queue, the fax lines and accounts.</p>`}`;
  return page({ title: 'Fax gateway', body });
}
