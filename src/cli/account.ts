// `faxgate account create|list|show`: manage accounts against the data folder.
import { parse, printJson, printTable, UsageError, dataOption } from './args.js';
import { openCore } from '../main.js';
import type { Account } from '../settings/accounts.js';

/** What an account looks like on screen: never the stored secret unless just created. */
export function publicAccount(a: Account) {
  return {
    id: a.id, name: a.name, kind: a.kind, country: a.country, senders: a.senders, inboundNumbers: a.inboundNumbers,
    settings: a.settings, createdAt: a.createdAt,
  };
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'create') {
    const { values } = parse(rest, {
      ...dataOption,
      name: { type: 'string' }, sender: { type: 'string', multiple: true }, kind: { type: 'string' },
      designated: { type: 'string' }, inbound: { type: 'string', multiple: true }, country: { type: 'string' },
      json: { type: 'boolean' },
    }, false);
    if (!values.name || !values.sender?.length) throw new UsageError('usage: faxgate account create --name NAME --sender EMAIL [--sender EMAIL]... [--kind standard|developer] [--designated E164] [--inbound E164]... [--country CC] [--json]');
    const core = openCore({ ...(values.data ? { dataDir: values.data } : {}) });
    const acc = core.accounts.create({
      name: values.name, senders: values.sender, kind: values.kind as Account['kind'] | undefined,
      designated: values.designated, inbound: values.inbound, country: values.country,
    });
    const out = { ...publicAccount(acc), apiKey: acc.apiKey, apiKeyId: acc.apiKeyId, feedbackSecret: acc.feedbackSecret };
    if (values.json) printJson(out);
    else {
      process.stdout.write(`created account ${acc.id} (${acc.name}, ${acc.kind})\n`);
      process.stdout.write(`  senders:         ${acc.senders.join(', ')}\n`);
      if (acc.inboundNumbers.length) process.stdout.write(`  inbound numbers: ${acc.inboundNumbers.join(', ')}\n`);
      process.stdout.write(`  API key:         ${acc.apiKey}   (shown once; store it now)\n`);
      // Records name this key as api:key_<id>, so the id is what to look for in the audit trail.
      process.stdout.write(`  API key id:      ${acc.apiKeyId}\n`);
      process.stdout.write(`  feedback secret: ${acc.feedbackSecret}\n`);
    }
    core.db.close();
    return 0;
  }
  if (sub === 'list') {
    const { values } = parse(rest, { ...dataOption, json: { type: 'boolean' } }, false);
    const core = openCore({ ...(values.data ? { dataDir: values.data } : {}) });
    const list = core.accounts.list().map(publicAccount);
    if (values.json) printJson(list);
    else printTable(list.map((a) => ({ ...a, senders: a.senders.join(','), inbound: a.inboundNumbers.join(',') })), ['id', 'name', 'kind', 'senders', 'inbound']);
    core.db.close();
    return 0;
  }
  if (sub === 'show') {
    const { values, positionals } = parse(rest, { ...dataOption, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('usage: faxgate account show ID [--json]');
    const core = openCore({ ...(values.data ? { dataDir: values.data } : {}) });
    const a = publicAccount(core.accounts.mustGet(positionals[0]));
    if (values.json) printJson(a);
    else process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
    core.db.close();
    return 0;
  }
  throw new UsageError('usage: faxgate account create|list|show');
}
