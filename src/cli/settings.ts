// `faxgate settings show|set`: an account's integration settings, validated exactly as the API does.
import { parse, printJson, UsageError, dataOption } from './args.js';
import { openCore } from '../main.js';
import { flatten, formatFaxToEmail } from '../settings/validate.js';
import type { FaxToEmailRule } from '../domain/types.js';

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse(rest, { ...dataOption, json: { type: 'boolean' } });
  // mistakes are named before the data folder is opened (or created)
  if (!(sub === 'show' && positionals.length === 1) && !(sub === 'set' && positionals.length >= 2)) {
    if (sub === 'show') throw new UsageError(positionals.length ? 'give one ACCOUNT_ID' : 'missing ACCOUNT_ID');
    if (sub === 'set') throw new UsageError(positionals.length ? 'missing KEY=VALUE' : 'missing ACCOUNT_ID KEY=VALUE...');
    throw new UsageError(sub ? `unknown sub-command "${sub}"` : 'missing show or set');
  }
  const core = openCore({ ...(values.data ? { dataDir: values.data } : {}) });
  try {
    if (sub === 'show' && positionals.length === 1) {
      const a = core.accounts.mustGet(positionals[0]);
      if (values.json) printJson(a.settings);
      else {
        for (const [k, v] of Object.entries(flatten(a.settings))) {
          process.stdout.write(`${k}=${k === 'email.faxToEmail' ? formatFaxToEmail(v as FaxToEmailRule[]) : String(v)}\n`);
        }
      }
      return 0;
    }
    if (sub === 'set' && positionals.length >= 2) {
      const [id, ...pairs] = positionals;
      const change: Record<string, string> = {};
      for (const p of pairs) {
        const eq = p.indexOf('=');
        if (eq < 1) throw new UsageError(`expected KEY=VALUE, got "${p}"`);
        change[p.slice(0, eq)] = p.slice(eq + 1);
      }
      const settings = core.accounts.updateSettings(id, change, 'cli');
      if (values.json) printJson(settings);
      else process.stdout.write('saved\n');
      return 0;
    }
    return 2; // unreachable: checked above
  } finally {
    core.db.close();
  }
}
