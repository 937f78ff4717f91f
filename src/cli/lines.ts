// `faxgate lines list|test`: the configured fax lines, which one is the default, and whether each can take faxes now.
import { parse, printJson, printTable, UsageError } from './args.js';
import path from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { openStateDatabase, type DB } from '../store/db.js';
import { systemClock } from '../domain/types.js';
import { silentLogger } from '../logger.js';
import { allLineConfigs, buildLines, closeCarrierLines, defaultLineName, lineFactories } from '../lines/index.js';
import { describeLine } from '../lines/config.js';
import type { LineHealth } from '../lines/types.js';
import type { LineSet } from '../lines/registry.js';

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'list' && sub !== 'test') throw new UsageError(sub ? `unknown sub-command "${sub}"` : 'missing list or test');
  const { values, positionals } = parse(rest, { json: { type: 'boolean' } });
  if (sub === 'list' && positionals.length) throw new UsageError('lines list takes no arguments');
  if (positionals.length > 1) throw new UsageError('give at most one LINE');
  const config = loadConfig();
  // A Telnyx line keeps its tables in the database; its check only asks Telnyx, but the line is built whole.
  const db = config.lines.some((l) => l.kind === 'telnyx') ? openStateDatabase(config) : undefined;
  try {
    return await report(sub, config, values.json === true, positionals[0], db);
  } finally {
    db?.close();
  }
}

async function report(sub: 'list' | 'test', config: Config, json: boolean, wanted: string | undefined, db: DB | undefined): Promise<number> {
  // Health checks only: nothing is sent, so the lines' own logging stays out of the table.
  const tmpDir = path.join(config.dataDir, 'tmp');
  const lines = buildLines({ config, factories: await lineFactories(config, { clock: systemClock, logger: silentLogger, db, tmpDir }) });
  if (wanted && !lines.byName(wanted)) {
    throw new UsageError(`no line "${wanted}"; configured: ${lines.lines.map((l) => l.name).join(', ')}`);
  }
  try {
    return await checkAll(sub, config, json, wanted, lines);
  } finally {
    await closeCarrierLines(lines);
  }
}

async function checkAll(sub: 'list' | 'test', config: Config, json: boolean, wanted: string | undefined, lines: LineSet): Promise<number> {
  const configs = allLineConfigs(config).filter((c) => !wanted || c.name === wanted);
  const def = defaultLineName(config);
  const rows: (Record<string, unknown> & { health: LineHealth })[] = [];
  for (const c of configs) {
    // check() never throws by contract; a line that broke it anyway is reported unhealthy rather than crashing.
    const health = await lines.byName(c.name)!.check().catch((e: Error) => ({ ok: false, detail: e.message }));
    rows.push({ ...describeLine(c), default: c.name === def, health });
  }
  if (json) printJson(rows);
  else {
    printTable(rows.map((r) => ({
      name: `${String(r.name)}${r.default ? ' *' : ''}`, kind: String(r.kind), health: r.health.ok ? 'ok' : 'FAILING', detail: r.health.detail,
    })), ['name', 'kind', 'health', 'detail']);
    if (sub === 'list') process.stdout.write('* the default line (FAXGATE_DEFAULT_LINE); an account may name its own: faxgate account line\n');
  }
  return sub === 'test' && rows.some((r) => !r.health.ok) ? 1 : 0;
}
