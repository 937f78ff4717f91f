// `faxgate settings set|show` with the page settings: saved as the API sees them, refused with the validator's words.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/settings.js';
import { FaxError } from '../../src/domain/errors.js';
import { makeHarness, auth } from '../ingress/http/harness.js';
import { captureCli } from '../helpers/cli.js';

async function settings(...args: string[]): Promise<{ code: number; out: string }> {
  const { code, out } = await captureCli(() => run(args));
  return { code, out };
}

afterEach(() => vi.restoreAllMocks());

describe('faxgate settings: header line, sender, cover', () => {
  it('set then show; the web service agrees; a bad value names the field and saves nothing', async () => {
    const h = makeHarness();
    const acc = h.account();
    const d = ['--data', h.dataDir];
    const set = await settings('set', acc.id, 'timezone=America/Chicago', 'sender.name=Acme Clinic', 'sender.csid=+1 555 010 0100',
      'header.format=%H:%M %Z|%%s|Page %%P of %%T', 'cover.enabled=true', ...d);
    expect(set).toEqual({ code: 0, out: 'saved\n' });
    const shown = await settings('show', acc.id, ...d);
    for (const l of ['timezone=America/Chicago', 'sender.name=Acme Clinic', 'sender.csid=+1 555 010 0100', 'header.format=%H:%M %Z|%%s|Page %%P of %%T',
      'header.enabled=true', 'cover.enabled=true', 'cover.notice=']) expect(shown.out.split('\n')).toContain(l);
    const api = (await h.app.inject({ method: 'GET', url: '/v1/settings/integration', headers: auth(acc.apiKey) })).json();
    expect(api).toMatchObject({ timezone: 'America/Chicago', sender: { name: 'Acme Clinic', csid: '+1 555 010 0100' }, cover: { enabled: true } });
    const bad = await settings('set', acc.id, 'timezone=Europe/Berlin', 'sender.csid=ACME 01', ...d).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(FaxError);
    expect((bad as FaxError).message).toMatch(/sender\.csid may hold only digits/);
    expect((await settings('show', acc.id, ...d)).out).toContain('timezone=America/Chicago');
  });
});
