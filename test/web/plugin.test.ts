// The web pages through fastify inject(): sign-in, cookie flags, CSRF refusals, the settings form, escaping, headers and sign-in backoff.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFailureThrottle } from '../../src/ingress/http/throttle.js';
import { hashApiKey } from '../../src/settings/accounts.js';
import { webApp, world } from './harness.js';
import { Browser, inlineError, summaryLinks, validForm } from './jar.js';


describe('web pages (inject)', () => {
  const w = world();
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await webApp({ ...w.deps, signInAttempts: 1000 });
  });
  afterAll(() => app.close());

  describe('unauthenticated access', () => {
    it.each(['/settings', '/admin'])('GET %s shows only a sign-in form', async (url) => {
      const res = await new Browser(app).get(url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(url === '/settings' ? /<label for="apiKey">API key<\/label>/ : /<label for="adminToken">Admin token<\/label>/);
      expect(res.body).toContain('>Sign in</button>');
      expect(res.body).not.toContain('Integration settings for incoming fax');
      expect(res.body).not.toContain('Supported file types');
    });

    it.each([
      ['/settings', validForm('x')],
      ['/settings/secret', { _csrf: 'x', action: 'show' }],
      ['/admin/types', { _csrf: 'x', 'enabled.pdf': 'true' }],
    ])('POST %s without a session is refused and changes nothing', async (url, form) => {
      const before = { settings: w.accounts.get(w.standard.id)!.settings, types: w.registry.list() };
      const res = await new Browser(app).post(url, form);
      expect(res.statusCode).toBe(401);
      expect(res.body).not.toContain('whsec_');
      expect(w.accounts.get(w.standard.id)!.settings).toEqual(before.settings);
      expect(w.registry.list()).toEqual(before.types);
    });

    it('refuses a wrong API key and a sign-in form without its pre-session token', async () => {
      const b = new Browser(app);
      expect((await b.signIn('fgk_wrong')).statusCode).toBe(401);
      expect(b.last!.body).toContain('aria-invalid="true"');
      const stranger = new Browser(app);
      const res = await stranger.post('/settings/sign-in', { _csrf: 'forged', apiKey: w.standard.apiKey });
      expect(res.statusCode).toBe(403);
      expect(res.cookies.find((c) => c.name === 'fg_settings')).toBeUndefined();
    });

    it('a tampered session cookie counts as signed out', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      const value = b.cookies.get('fg_settings')!;
      // Another character than the one there (a cookie that already had an x there was not tampered with at all).
      b.cookies.set('fg_settings', `${value.slice(0, 5)}${value[5] === 'x' ? 'y' : 'x'}${value.slice(6)}`);
      const res = await b.get('/settings');
      expect(res.body).toContain('>Sign in</button>');
    });
  });

  describe('session cookie', () => {
    it('is HttpOnly, SameSite=Strict, path-scoped, signed, and holds a random id instead of the API key', async () => {
      const b = new Browser(app);
      const res = await b.signIn(w.standard.apiKey);
      expect(res.statusCode).toBe(303);
      const cookie = res.cookies.find((c) => c.name === 'fg_settings') as { value: string; httpOnly?: boolean; sameSite?: string; path?: string };
      expect(cookie.httpOnly).toBe(true);
      expect(cookie.sameSite).toBe('Strict');
      expect(cookie.path).toBe('/');
      const raw = decodeURIComponent(cookie.value);
      expect(raw).not.toContain(w.standard.apiKey);
      expect(raw).not.toContain(w.standard.apiKey.slice(4, 20));
      const [id, signature] = [raw.slice(0, raw.lastIndexOf('.')), raw.slice(raw.lastIndexOf('.') + 1)];
      expect(signature.length).toBeGreaterThan(20);
      // The database holds only the id's hash.
      const stored = JSON.stringify(w.db.prepare('SELECT * FROM web_sessions').all());
      expect(stored).not.toContain(id);
      expect(stored).toContain(createHash('sha256').update(id).digest('hex'));
      expect(b.last!.body).toContain('<h1>Integration settings</h1>');
    });

    it('is Secure when the public URL is https', async () => {
      const secureApp = await webApp({ ...w.deps, config: { ...w.config, publicUrl: 'https://fax.example' } });
      const b = new Browser(secureApp);
      const res = await b.signIn(w.standard.apiKey);
      expect((res.cookies.find((c) => c.name === 'fg_settings') as { secure?: boolean }).secure).toBe(true);
      await secureApp.close();
    });

    it('ends when the API key that opened it is revoked', async () => {
      const b = new Browser(app);
      const key = w.accounts.issueApiKey(w.standard.id);
      await b.signIn(key);
      expect(b.last!.body).toContain('Integration settings for incoming fax');
      w.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE hash = ?').run(new Date().toISOString(), hashApiKey(key));
      expect((await b.get('/settings')).body).toContain('>Sign in</button>');
    });
  });

  describe('CSRF', () => {
    const refusals: [string, (b: Browser, other: string) => [Record<string, string>, Record<string, string>]][] = [
      ['no token', () => [validForm(''), {}]],
      ['a wrong token', () => [validForm('A'.repeat(43)), {}]],
      ['the token of another session', (_b, other) => [validForm(other), {}]],
      ['a cross-site request', (b) => [validForm(b.csrf()), { 'sec-fetch-site': 'cross-site' }]],
      ['a foreign Origin', (b) => [validForm(b.csrf()), { origin: 'https://evil.example' }]],
      ['an opaque Origin', (b) => [validForm(b.csrf()), { origin: 'null' }]],
    ];
    it.each(refusals)('refuses a settings post with %s and changes nothing', async (_name, make) => {
      const other = new Browser(app);
      await other.signIn(w.developer.apiKey);
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      const before = w.accounts.get(w.standard.id)!.settings;
      const [form, headers] = make(b, other.csrf());
      const res = await b.post('/settings', form, headers);
      expect(res.statusCode).toBe(403);
      expect(w.accounts.get(w.standard.id)!.settings).toEqual(before);
    });

    it('accepts the public URL\'s origin behind a proxy that rewrites Host', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      const res = await b.post('/settings', validForm(b.csrf()), { origin: 'http://localhost:8080', host: '10.0.0.5:8080' });
      expect(res.statusCode).toBe(303);
    });

    it('a second sign-in replaces the earlier session', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      const first = b.cookies.get('fg_settings')!;
      // The sign-in form (shown to this browser without its session cookie) carries the token for its login cookie.
      const formOnly = new Browser(app);
      formOnly.cookies.set('fg_login', b.cookies.get('fg_login')!);
      await formOnly.get('/settings');
      expect((await b.post('/settings/sign-in', { _csrf: formOnly.csrf(), apiKey: w.developer.apiKey })).statusCode).toBe(303);
      expect((await b.get('/settings')).body).toContain('Dev Shop');
      b.cookies.set('fg_settings', first);
      expect((await b.get('/settings')).body).toContain('>Sign in</button>');
    });

    it('refuses sign-out, secret and admin posts without the session token', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      expect((await b.post('/settings/secret', { action: 'show' })).statusCode).toBe(403);
      expect((await b.post('/settings/sign-out', {})).statusCode).toBe(403);
      expect((await b.get('/settings')).body).toContain('Integration settings for incoming fax');
      const a = new Browser(app);
      await a.adminSignIn();
      const before = w.registry.list();
      expect((await a.post('/admin/types', { 'enabled.pdf': 'false' })).statusCode).toBe(403);
      expect(w.registry.list()).toEqual(before);
    });

    it('refuses a text/plain body (the classic cross-site form trick)', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      const res = await app.inject({
        method: 'POST', url: '/settings', payload: 'feedbackUrl=https://x.example', headers: { 'content-type': 'text/plain', cookie: b.cookieHeader },
      });
      // fastify reads text/plain as a string, which carries no form token: refused before anything is read.
      expect(res.statusCode).toBe(403);
      expect(w.accounts.get(w.standard.id)!.settings.feedbackUrl).not.toBe('https://x.example');
    });
  });

  describe('settings form', () => {
    it('shows the API validation messages per field, keeps what was typed, and escapes it', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      const before = w.accounts.get(w.standard.id)!.settings;
      const evil = 'javascript:"><script>alert(1)</script>';
      const res = await b.post('/settings', validForm(b.csrf(), { feedbackUrl: evil }));
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/id="feedback-url"[^>]*aria-describedby="feedback-url-help feedback-url-error" aria-invalid="true"/);
      // The page names the label people see, inline and in the summary (which links to the field); the API name stays out.
      expect(inlineError(res.body, 'feedback-url')).toMatch(/^Web feedback URL /);
      expect(summaryLinks(res.body)).toEqual([['feedback-url', inlineError(res.body, 'feedback-url')]]);
      expect(res.body).not.toContain('feedbackUrl must');
      expect(res.body).toContain('<title>Error: Integration settings — faxgate</title>');
      expect(res.body).not.toContain('<script>alert');
      expect(res.body).toContain('value="javascript:&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
      expect(w.accounts.get(w.standard.id)!.settings).toEqual(before);
    });

    it('a rule across fields marks the field to fix: a feedback method without a URL marks the URL field', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      const res = await b.post('/settings', validForm(b.csrf(), { feedbackUrl: '' }));
      expect(res.statusCode).toBe(400);
      const invalid = [...res.body.matchAll(/ id="([^"]+)"[^>]*aria-invalid="true"/g)].map((m) => m[1]);
      expect(invalid).toEqual(['feedback-url']);
      expect(inlineError(res.body, 'feedback-url')).toMatch(/^Web feedback URL /);
      expect(summaryLinks(res.body).map(([id]) => id)).toEqual(['feedback-url']);
      expect(res.body).toContain('<title>Error: Integration settings — faxgate</title>');
    });

    it('the title says Error only while the form shows errors', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      expect(b.last!.body).toContain('<title>Integration settings — faxgate</title>');
      const refused = new Browser(app);
      await refused.signIn('fgk_wrong');
      expect(refused.last!.body).toContain('<title>Error: Integration settings — faxgate</title>');
      await refused.adminSignIn('not-the-admin-token');
      expect(refused.last!.body).toContain('<title>Error: Administration — faxgate</title>');
    });

    it('escapes the account name', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      expect(b.last!.body).toContain('Clinic &lt;North&gt; &amp; &quot;Co&quot;');
      expect(b.last!.body).not.toContain('<North>');
    });

    it('saves every setting, says Saved once, and records the web actor', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      const res = await b.post('/settings', validForm(b.csrf()));
      expect(res.statusCode).toBe(303);
      expect(w.accounts.get(w.standard.id)!.settings).toMatchObject({
        feedbackUrl: 'https://hooks.example/fax',
        incoming: { feedbackMethod: 'xml', deleteAfterRetrieval: true },
        outgoing: { feedbackWhen: 'failure', feedbackMethod: 'xml', unsupportedFiles: 'reject' },
        // a form without the page fieldset (an older page) leaves the page settings at their values
        header: { enabled: true }, timezone: 'UTC',
        email: { receipts: 'always', receiptAttachment: 'none', faxToEmail: [] },
      });
      expect((await b.get('/settings')).body).toContain('<p class="status" role="status">Saved</p>');
      expect((await b.get('/settings')).body).not.toContain('role="status">Saved');
      expect(w.accounts.auditLog(w.standard.id)[0].actor).toBe(`web:${w.standard.id}`);
      // An unchecked checkbox is sent as nothing and means false.
      const form: Record<string, string> = validForm(b.csrf());
      delete form['incoming.deleteAfterRetrieval'];
      await b.post('/settings', form);
      expect(w.accounts.get(w.standard.id)!.settings.incoming.deleteAfterRetrieval).toBe(false);
    });

    it('the page fieldset: header line, time zone, sender, station id and cover saved and validated like the API', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      const pages = {
        'header.format': '%d.%m.%Y %H:%M|%%s|%%P/%%T', timezone: 'Europe/Berlin', 'sender.name': 'Front desk', 'sender.faxNumber': '+15550100100',
        'sender.csid': '+1 555 010 0100', 'cover.enabled': 'true', 'cover.notice': 'For the addressee only.',
      };
      expect((await b.post('/settings', validForm(b.csrf(), pages))).statusCode).toBe(303);
      expect(w.accounts.get(w.standard.id)!.settings).toMatchObject({
        timezone: 'Europe/Berlin', header: { enabled: false, format: '%d.%m.%Y %H:%M|%%s|%%P/%%T' },
        sender: { name: 'Front desk', faxNumber: '+15550100100', csid: '+1 555 010 0100' }, cover: { enabled: true, notice: 'For the addressee only.' },
      });
      await b.get('/settings');
      const bad = await b.post('/settings', validForm(b.csrf(), { ...pages, 'header.enabled': 'true', timezone: 'Mars/Base', 'sender.csid': 'ACME' }));
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('Time zone is not a time zone this server knows');
      expect(bad.body).toContain('Station id (TSI) may hold only digits, + and spaces');
      expect(w.accounts.get(w.standard.id)!.settings.header.enabled).toBe(false);
      await b.get('/settings');
      await b.post('/settings', validForm(b.csrf(), { ...pages, 'header.enabled': 'true', 'cover.enabled': '' }));
      expect(w.accounts.get(w.standard.id)!.settings).toMatchObject({ header: { enabled: true }, cover: { enabled: false } });
    });

    it('the mail settings: a stranger address is refused on its control, a registered sender is saved and shown as text', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      const bad = await b.post('/settings', validForm(b.csrf(), { 'email.receipts': 'failure', 'email.receiptAttachment': 'pdf', 'email.faxToEmail': '* pdf stranger@evil.example' }));
      expect(bad.statusCode).toBe(400);
      expect(inlineError(bad.body, 'email-fax-to-email')).toMatch(/^Received faxes by email rule \*: stranger@evil\.example is not a registered sender/);
      expect(bad.body).toContain('value="* pdf stranger@evil.example"');
      const ok = await b.post('/settings', validForm(b.csrf(), { 'email.receipts': 'failure', 'email.receiptAttachment': 'pdf', 'email.faxToEmail': '* pdf front@clinic.example' }));
      expect(ok.statusCode).toBe(303);
      expect(w.accounts.get(w.standard.id)!.settings.email).toEqual({ receipts: 'failure', receiptAttachment: 'pdf', faxToEmail: [{ number: '*', to: ['front@clinic.example'], format: 'pdf' }] });
      expect((await b.get('/settings')).body).toContain('value="* pdf front@clinic.example"');
      await b.post('/settings', validForm(b.csrf(), { 'email.receipts': 'always', 'email.receiptAttachment': 'none', 'email.faxToEmail': '' }));
    });

    it('shows the designated number only to developer accounts and validates it', async () => {
      const s = new Browser(app);
      await s.signIn(w.standard.apiKey);
      expect(s.last!.body).not.toContain('Designated fax number for Developers');
      const d = new Browser(app);
      await d.signIn(w.developer.apiKey);
      expect(d.last!.body).toContain('<label for="designated-fax-number">Designated fax number for Developers</label>');
      expect(d.last!.body).toContain('value="+15551230000"');
      const res = await d.post('/settings', validForm(d.csrf(), { designatedFaxNumber: '555' }));
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/id="designated-fax-number"[^>]*aria-invalid="true"/);
      expect(inlineError(res.body, 'designated-fax-number')).toMatch(/^Designated fax number for Developers /);
      expect(summaryLinks(res.body).map(([id]) => id)).toEqual(['designated-fax-number']);
      await d.post('/settings', validForm(d.csrf(), { designatedFaxNumber: '+15559870000' }));
      expect(w.accounts.get(w.developer.id)!.settings.designatedFaxNumber).toBe('+15559870000');
    });

    it('shows the signing secret only on request and rotates it', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      const secret = w.accounts.get(w.standard.id)!.feedbackSecret;
      expect(b.last!.body).not.toContain(secret);
      const shown = await b.post('/settings/secret', { _csrf: b.csrf(), action: 'show' });
      expect(shown.body).toContain(secret);
      expect(shown.headers['cache-control']).toBe('no-store');
      const rotated = await b.post('/settings/secret', { _csrf: b.csrf(), action: 'rotate' });
      const fresh = w.accounts.get(w.standard.id)!.feedbackSecret;
      expect(fresh).not.toBe(secret);
      expect(rotated.body).toContain(fresh);
      expect((await b.get('/settings')).body).not.toContain(fresh);
    });

    it('rotation keeps the old secret signed with for the grace period, says until when, and "revoke now" ends it', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      const old = w.accounts.get(w.standard.id)!.feedbackSecret;
      const rotated = await b.post('/settings/secret', { _csrf: b.csrf(), action: 'rotate' });
      const fresh = w.accounts.get(w.standard.id)!.feedbackSecret;
      const until = w.accounts.get(w.standard.id)!.previousSecretExpiresAt;
      expect(until).toBeDefined();
      expect(w.accounts.signingSecrets(w.standard.id)).toEqual([fresh, old]);
      expect(rotated.body).toContain(until);
      expect(rotated.body).not.toContain(old);
      const revoked = await b.post('/settings/secret', { _csrf: b.csrf(), action: 'rotate-now' });
      const newest = w.accounts.get(w.standard.id)!.feedbackSecret;
      expect(revoked.statusCode).toBe(200);
      expect(revoked.body).toContain(newest);
      expect(w.accounts.signingSecrets(w.standard.id)).toEqual([newest]);
      expect(w.accounts.get(w.standard.id)!.previousSecretExpiresAt).toBeUndefined();
    });

    it('signs out: the old cookie no longer opens the page', async () => {
      const b = new Browser(app);
      await b.signIn(w.standard.apiKey);
      const old = b.cookies.get('fg_settings')!;
      expect((await b.post('/settings/sign-out', { _csrf: b.csrf() })).statusCode).toBe(303);
      b.cookies.set('fg_settings', old);
      expect((await b.get('/settings')).body).toContain('>Sign in</button>');
    });
  });

  describe('wording (issue 8)', () => {
    // [legend, label, options in order (none for text fields and checkboxes)]
    const controls: [string, string, string[]][] = [
      ['Integration settings for incoming fax', 'Web feedback method', ['Never', 'HTTP Post', 'XML Web service']],
      ['Integration settings for incoming fax', 'Delete fax image after retrieval by Web Service', []],
      ['Integration settings for outgoing fax', 'Web feedback When', ['Always', 'Never', 'On success', 'On failure']],
      ['Integration settings for outgoing fax', 'Web feedback method', ['HTTP Post', 'XML Web service']],
      ['Integration settings for outgoing fax', 'Web feedback URL', []],
      ['Integration settings for outgoing fax', 'Handling of unsupported file types', ['Disregard unsupported attachments', 'Reject the whole fax']],
      ['Integration settings for outgoing fax', 'Designated fax number for Developers', []],
      ['Email to people', 'Email receipts', ['Always', 'Never', 'On success', 'On failure']],
      ['Email to people', 'Attachment with receipts', ['No attachment', 'First page as a picture (PNG)', 'The pages as sent (PDF)']],
      ['Email to people', 'Received faxes by email', []],
    ];
    it.each(controls)('%s has a labelled "%s" with a help text and the exact options', async (legend, label, options) => {
      const b = new Browser(app);
      await b.signIn(w.developer.apiKey);
      const body = b.last!.body;
      const fieldsets = [...body.matchAll(/<fieldset>\s*<legend>([^<]*)<\/legend>([\s\S]*?)<\/fieldset>/g)];
      const group = fieldsets.find((f) => f[1] === legend);
      expect(group).toBeDefined();
      const labelled = new RegExp(`<label for="([^"]+)">${label}</label>`).exec(group![2]);
      expect(labelled).not.toBeNull();
      const id = labelled![1];
      const control = new RegExp(`<(select|input)[^>]* id="${id}"[^>]*aria-describedby="${id}-help"`).exec(group![2]);
      expect(control).not.toBeNull();
      expect(new RegExp(`<span class="help" id="${id}-help">[^<]{20,}</span>`).test(group![2])).toBe(true);
      if (options.length) {
        const select = new RegExp(`<select id="${id}"[\\s\\S]*?</select>`).exec(group![2])![0];
        expect([...select.matchAll(/<option [^>]*>([^<]*)<\/option>/g)].map((m) => m[1])).toEqual(options);
      }
    });

    it.each(['/settings/sign-in', '/settings/secret', '/admin/types'])('GET %s leads back to its page', async (url) => {
      const res = await new Browser(app).get(url);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(url.startsWith('/admin') ? '/admin' : '/settings');
    });
  });

  describe('headers', () => {
    it.each(['/settings', '/admin'])('%s sends CSP, anti-framing and no-store, and the CSP allows exactly its inline style', async (url) => {
      const b = new Browser(app);
      if (url === '/settings') await b.signIn(w.standard.apiKey);
      else await b.adminSignIn();
      const res = b.last!;
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'none'");
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      // Not no-referrer: that makes browsers send "Origin: null" on same-site form posts, which the origin check refuses.
      expect(res.headers['referrer-policy']).toBe('same-origin');
      const style = /<style>([\s\S]*?)<\/style>/.exec(res.body)![1];
      expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
      expect(res.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(res.body).not.toMatch(/<(script|link|img)\b/);
    });
  });


  describe('failed sign-ins (issue #12.8)', () => {
    function manualClock(start = Date.parse('2026-06-01T00:00:00Z')) {
      let t = start;
      return { now: () => new Date(t), advance: (ms: number) => { t += ms; } };
    }
    async function strictApp() {
      const clock = manualClock();
      const throttle = createFailureThrottle({ clock, freeFailures: 3 });
      return { clock, app: await webApp({ ...w.deps, clock, throttle }) };
    }

    it('backs off wrong API keys from one address, but a correct key still signs in', async () => {
      const { clock, app: strict } = await strictApp();
      const b = new Browser(strict);
      for (let i = 0; i < 3; i++) expect((await b.signIn('fgk_wrong')).statusCode).toBe(401);
      const refused = await b.signIn('fgk_wrong');
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBe('2');
      // Someone else behind the same address (or the same person, with the right key) is not locked out.
      expect((await new Browser(strict).signIn(w.standard.apiKey)).statusCode).toBe(303);
      clock.advance(2000);
      expect((await b.signIn('fgk_wrong')).statusCode).toBe(401);
      await strict.close();
    });

    it('sign-in failures at /settings do not slow /admin', async () => {
      const { app: strict } = await strictApp();
      const b = new Browser(strict);
      for (let i = 0; i < 5; i++) await b.signIn('fgk_wrong');
      expect((await b.signIn('fgk_wrong')).statusCode).toBe(429);
      expect((await b.adminSignIn('wrong-admin-token-xxxxxxxx')).statusCode).toBe(401);
      expect((await b.adminSignIn()).statusCode).toBe(303);
      await strict.close();
    });

    it('sign-in failures at /admin back off that address there, but do not slow /settings', async () => {
      const { clock, app: strict } = await strictApp();
      const b = new Browser(strict);
      for (let i = 0; i < 3; i++) expect((await b.adminSignIn(`wrong-admin-token-${i}-xxxxxxxx`)).statusCode).toBe(401);
      expect((await b.adminSignIn('wrong-admin-token-more-xxxxxxxx')).statusCode).toBe(429);
      expect((await b.signIn('fgk_wrong')).statusCode).toBe(401);
      expect((await b.signIn(w.standard.apiKey)).statusCode).toBe(303);
      clock.advance(1000);
      expect((await b.adminSignIn()).statusCode).toBe(303);
      await strict.close();
    });
  });
});
