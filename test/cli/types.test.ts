// `faxgate types list|enable|disable|max` run in-process against a real data folder, output captured.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/types.js';
import { UsageError } from '../../src/cli/args.js';
import { isFaxError } from '../../src/domain/errors.js';
import type { TypeRow } from '../../src/attachments/registry.js';
import { tempDir } from '../helpers/tmp.js';
import { captureCli } from '../helpers/cli.js';

const data = tempDir('faxgate-types-cli-');

async function types(...args: string[]): Promise<{ code: number; out: string }> {
  const { code, out } = await captureCli(() => run([...args, '--data', data]));
  return { code, out };
}

afterEach(() => vi.restoreAllMocks());

describe('faxgate types', () => {
  it('list --json prints every row with enabled, available, maxBytes and reason', async () => {
    const { code, out } = await types('list', '--json');
    expect(code).toBe(0);
    const rows = JSON.parse(out) as TypeRow[];
    expect(rows.find((r) => r.id === 'pdf')).toMatchObject({ enabled: true, available: true, maxBytes: null, renderer: 'pdf' });
    expect(rows.find((r) => r.id === 'zip')).toMatchObject({ enabled: false, available: false });
    for (const r of rows) expect(Object.keys(r).sort()).toEqual(['available', 'enabled', 'id', 'maxBytes', 'mimes', 'name', 'reason', 'renderer']);
  });

  it('list prints a table', async () => {
    const { out } = await types('list');
    expect(out).toMatch(/^ID\s+NAME\s+RENDERER\s+ENABLED\s+AVAILABLE\s+MAXBYTES\s+REASON/);
    expect(out).toMatch(/\npdf\s+PDF document\s+pdf\s+true\s+true/);
  });

  it('disable and enable persist in the data folder', async () => {
    expect((await types('disable', 'gif', '--json')).out).toMatch(/"enabled": false/);
    let rows = JSON.parse((await types('list', '--json')).out) as TypeRow[];
    expect(rows.find((r) => r.id === 'gif')!.enabled).toBe(false);
    await types('enable', 'gif');
    rows = JSON.parse((await types('list', '--json')).out) as TypeRow[];
    expect(rows.find((r) => r.id === 'gif')!.enabled).toBe(true);
  });

  it('max sets and clears a per-type cap', async () => {
    expect(JSON.parse((await types('max', 'pdf', '1000000', '--json')).out)).toMatchObject({ id: 'pdf', maxBytes: 1000000 });
    expect(JSON.parse((await types('max', 'pdf', 'none', '--json')).out)).toMatchObject({ id: 'pdf', maxBytes: null });
  });

  it('refuses to enable a type that has no renderer, naming the reason', async () => {
    const err = await types('enable', 'zip').catch((e: unknown) => e);
    expect(isFaxError(err) && err.code).toBe('type-unavailable');
    expect((err as Error).message).toMatch(/archives are not faxed/);
  });

  it('refuses an unknown id', async () => {
    const err = await types('disable', 'martian').catch((e: unknown) => e);
    expect(isFaxError(err) && err.code).toBe('invalid-request');
  });

  it.each([[['frobnicate']], [['enable']], [['list', 'extra']], [['max', 'pdf', '-5']], [['max', 'pdf']]])('usage error for %j', async (args) => {
    await expect(types(...args)).rejects.toBeInstanceOf(UsageError);
  });
});
