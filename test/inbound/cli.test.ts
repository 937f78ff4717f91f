// `faxgate inbound inject|list` against a real data folder, as an operator would use the sandbox line from a shell.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/inbound.js';
import { UsageError } from '../../src/cli/args.js';
import { systemClock } from '../../src/domain/types.js';
import { createSqliteAccountStore } from '../../src/settings/accounts.js';
import { openDatabase } from '../../src/store/db.js';
import { FAX_TIFF, listFiles, removeScratch, scratchDir } from './parts.js';
import { captureCli } from '../helpers/cli.js';

afterAll(removeScratch);

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return captureCli(() => run(argv));
}

describe('faxgate inbound', () => {
  const data = scratchDir();
  const db = openDatabase(data);
  const account = createSqliteAccountStore({ db, clock: systemClock }).create({ name: 'Clinic', senders: ['c@clinic.example'], inbound: ['+15550003333'] });
  db.close();

  it('inject stores the fax in the owner account and list shows it', async () => {
    const inj = await capture(['inject', FAX_TIFF, '--to', '+15550003333', '--from', '+14155550123', '--data', data, '--json']);
    expect(inj.code).toBe(0);
    const fax = JSON.parse(inj.out) as { id: string; accountId: string; pages: number };
    expect(fax).toMatchObject({ accountId: account.id, pages: 3 });
    expect(listFiles(path.join(data, 'inbound', fax.id)).map((f) => path.basename(f))).toEqual(['fax.tif']);

    const human = await capture(['list', account.id, '--data', data]);
    expect(human.code).toBe(0);
    expect(human.out).toContain(fax.id);
    const json = await capture(['list', account.id, '--data', data, '--json']);
    expect((JSON.parse(json.out) as { items: { id: string }[] }).items.map((f) => f.id)).toEqual([fax.id]);
  });

  it('inject to a number nobody owns discards the fax and exits 1', async () => {
    const r = await capture(['inject', FAX_TIFF, '--to', '+15558888888', '--from', '+14155550123', '--data', data]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('discarded');
  });

  it.each([
    [['inject', FAX_TIFF, '--to', '+15550003333']],
    [['inject', '--to', '+15550003333', '--from', '+14155550123']],
    [['list']],
    [['frobnicate']],
  ])('refuses %o with a usage error', async (argv) => {
    await expect(run([...argv, '--data', data])).rejects.toBeInstanceOf(UsageError);
  });
});
