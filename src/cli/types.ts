// `faxgate types`: list the type registry and switch types on or off (refused with the reason when unavailable).
import { parse, printJson, printTable, UsageError, dataOption } from './args.js';
import { openCore } from '../main.js';
import { checkAvailability } from '../render/availability.js';
import { createTypeRegistry } from '../attachments/registry.js';

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals: args } = parse(rest, { ...dataOption, json: { type: 'boolean' } });
  const positionals: string[] = [...args];
  if (sub !== 'list' && sub !== 'enable' && sub !== 'disable' && sub !== 'max') {
    throw new UsageError(sub ? `unknown sub-command "${sub}"` : 'missing list, enable, disable or max');
  }
  if (sub === 'list' && positionals.length !== 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if ((sub === 'enable' || sub === 'disable') && positionals.length === 0) throw new UsageError('missing ID...');
  if (sub === 'max' && positionals.length !== 2) throw new UsageError('give ID and BYTES (or none)');
  let maxBytes: number | null = null;
  if (sub === 'max' && positionals[1] !== 'none') {
    maxBytes = Number(positionals[1]);
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new UsageError(`BYTES must be a positive whole number or "none", got "${positionals[1]}"`);
  }
  const core = openCore({ ...(values.data ? { dataDir: values.data } : {}) });
  try {
    const registry = createTypeRegistry({ db: core.db, clock: core.clock, availability: await checkAvailability() });
    let rows = registry.list();
    if (sub === 'enable' || sub === 'disable') {
      rows = registry.update(Object.fromEntries(positionals.map((id) => [id, { enabled: sub === 'enable' }])), 'cli');
      rows = rows.filter((r) => positionals.includes(r.id));
    } else if (sub === 'max') {
      rows = registry.update({ [positionals[0]]: { maxBytes } }, 'cli').filter((r) => r.id === positionals[0]);
    }
    if (values.json) printJson(sub === 'list' ? rows : rows.length === 1 ? rows[0] : rows);
    else printTable(rows.map((r) => ({ ...r, maxBytes: r.maxBytes ?? '' })), ['id', 'name', 'renderer', 'enabled', 'available', 'maxBytes', 'reason']);
    return 0;
  } finally {
    core.db.close();
  }
}
