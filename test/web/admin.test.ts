// The admin page through fastify inject(): sign-in, the type table, refusals marked on their field, and the type change list.
import { afterAll, describe, expect, it } from 'vitest';
import { FaxError } from '../../src/domain/errors.js';
import { webApp, world } from './harness.js';
import { Browser, inlineError, summaryLinks, typeChanges } from './jar.js';

const w = world();
const app = await webApp({ ...w.deps, signInAttempts: 1000 });
afterAll(() => app.close());

describe('admin page (inject)', () => {
  it('refuses a wrong token', async () => {
    const b = new Browser(app);
    expect((await b.adminSignIn('not-the-admin-token')).statusCode).toBe(401);
    expect(b.last!.body).not.toContain('Supported file types');
  });

  it('an account session does not open the admin page', async () => {
    const b = new Browser(app);
    await b.signIn(w.standard.apiKey);
    expect((await b.get('/admin')).body).toContain('<label for="adminToken">Admin token</label>');
  });

  it('lists every registry type, toggles one, sets a max size and shows the change in the audit list', async () => {
    const b = new Browser(app);
    await b.adminSignIn();
    const page = b.last!.body;
    for (const t of w.registry.list()) expect(page).toContain(`<label for="type-${t.id}-enabled"><code>${t.id}</code>`);
    expect(page).toMatch(/id="type-docx-enabled" name="enabled.docx" value="true" disabled/);
    const form: Record<string, string> = { _csrf: b.csrf() };
    for (const t of w.registry.list()) {
      if (t.enabled && t.id !== 'gif') form[`enabled.${t.id}`] = 'true';
      form[`maxMb.${t.id}`] = '';
    }
    form['maxMb.pdf'] = '5';
    expect((await b.post('/admin/types', form)).statusCode).toBe(303);
    const rows = new Map(w.registry.list().map((t) => [t.id, t]));
    expect(rows.get('gif')!.enabled).toBe(false);
    expect(rows.get('pdf')!.maxBytes).toBe(5 * 1024 * 1024);
    expect(rows.get('png')!.enabled).toBe(true);
    const after = (await b.get('/admin')).body;
    expect(after).toContain('role="status">Saved');
    expect(after).toContain('value="5"');
    // Each type change is in the change record, by the web admin, and in the page's own list (not the settings list).
    expect(w.accounts.auditLog(undefined, 50, 'types').map((a) => [a.field, a.actor, a.old, a.new])).toEqual(expect.arrayContaining([
      ['types.gif.enabled', 'admin:web', true, false],
      ['types.pdf.maxBytes', 'admin:web', null, 5 * 1024 * 1024],
    ]));
    expect(typeChanges(after)).toEqual(expect.arrayContaining([['gif', 'enabled', 'admin (web page)'], ['pdf', 'maxBytes', 'admin (web page)']]));
    expect(after).not.toContain('<code>types.gif.enabled</code>');
  });

  it('lists type changes newest first with who, when, which type and from → to', async () => {
    const b = new Browser(app);
    await b.adminSignIn();
    const post = async (enableTiff: boolean) => {
      const form: Record<string, string> = { _csrf: b.csrf() };
      for (const t of w.registry.list()) {
        if (t.id === 'tiff' ? enableTiff : t.enabled) form[`enabled.${t.id}`] = 'true';
        form[`maxMb.${t.id}`] = t.maxBytes === null ? '' : String(t.maxBytes / 1048576);
      }
      expect((await b.post('/admin/types', form)).statusCode).toBe(303);
      await b.get('/admin');
    };
    await post(false);
    await post(true);
    const page = b.last!.body;
    const tiff = [...page.matchAll(/<tr data-type="tiff" data-what="enabled">([\s\S]*?)<\/tr>/g)].map((m) => m[1]);
    expect(tiff.length).toBeGreaterThanOrEqual(2);
    // Newest first: the re-enable, then the disable.
    expect(tiff[0]).toMatch(/class="val">disabled → enabled</);
    expect(tiff[1]).toMatch(/class="val">enabled → disabled</);
    expect(tiff[0]).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[^"]+Z">/);
    expect(tiff[0]).toContain('<code>tiff</code>');
    const rows = w.accounts.auditLog(undefined, 2, 'types');
    expect(rows.map((r) => [r.field, r.old, r.new])).toEqual([['types.tiff.enabled', false, true], ['types.tiff.enabled', true, false]]);
  });

  it('refuses to enable an unavailable type with the reason, and a bad max size', async () => {
    const b = new Browser(app);
    await b.adminSignIn();
    const form: Record<string, string> = { _csrf: b.csrf() };
    for (const t of w.registry.list()) {
      if (t.enabled) form[`enabled.${t.id}`] = 'true';
      form[`maxMb.${t.id}`] = t.maxBytes === null ? '' : String(t.maxBytes / 1048576);
    }
    const before = w.registry.list();
    const res = await b.post('/admin/types', { ...form, 'enabled.docx': 'true' });
    // A locked checkbox is never sent by a browser; a crafted one is ignored, so nothing changes.
    expect(res.statusCode).toBe(303);
    expect(w.registry.list()).toEqual(before);
    const bad = await b.post('/admin/types', { ...form, 'maxMb.png': '-3' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/id="type-png-max"[^>]*value="-3"[^>]*aria-describedby="max-help type-png-max-error" aria-invalid="true"/);
    expect(inlineError(bad.body, 'type-png-max')).toMatch(/^Max size for png /);
    expect(summaryLinks(bad.body).map(([id]) => id)).toEqual(['type-png-max']);
    expect(bad.body).toContain('<title>Error: Administration — faxgate</title>');
    expect(bad.body.match(/aria-invalid="true"/g)).toHaveLength(1);
    expect(w.registry.list()).toEqual(before);
  });

  it('shows the registry\'s refusal with its reason', async () => {
    const refusing = {
      list: () => w.registry.list(),
      update: () => { throw new FaxError('type-unavailable', 'docx cannot be enabled: LibreOffice (soffice) is not installed', { id: 'docx' }); },
    };
    const refApp = await webApp({ ...w.deps, registry: refusing });
    const b = new Browser(refApp);
    await b.adminSignIn();
    const res = await b.post('/admin/types', { _csrf: b.csrf(), 'maxMb.pdf': '7' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('docx cannot be enabled: LibreOffice (soffice) is not installed');
    // The refusal names the type, so its checkbox is marked and the summary links to it.
    expect(res.body).toMatch(/id="type-docx-enabled"[^>]*aria-describedby="type-docx-reason type-docx-enabled-error" aria-invalid="true"/);
    expect(summaryLinks(res.body).map(([id]) => id)).toEqual(['type-docx-enabled']);
    await refApp.close();
  });

  it('leaves rows that were not on the posted form alone', async () => {
    const b = new Browser(app);
    await b.adminSignIn();
    const before = w.registry.list();
    expect((await b.post('/admin/types', { _csrf: b.csrf() })).statusCode).toBe(303);
    expect(w.registry.list()).toEqual(before);
  });

  it('says the admin pages are off when no admin token is configured', async () => {
    const off = world({ adminToken: null });
    const offApp = await webApp(off.deps);
    const b = new Browser(offApp);
    const res = await b.get('/admin');
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('FAXGATE_ADMIN_TOKEN');
    const post = await b.post('/admin/sign-in', { _csrf: 'x', adminToken: '' });
    expect(post.statusCode).toBe(403);
    expect(post.cookies.find((c) => c.name === 'fg_admin')).toBeUndefined();
    await offApp.close();
  });

  it('an admin session ends when the admin token changes', async () => {
    const b = new Browser(app);
    await b.adminSignIn();
    const changed = await webApp({ ...w.deps, config: { ...w.config, adminToken: 'a-different-admin-token-0000' } });
    const res = await changed.inject({ method: 'GET', url: '/admin', headers: { cookie: b.cookieHeader } });
    expect(res.body).toContain('<label for="adminToken">Admin token</label>');
    await changed.close();
  });
});
