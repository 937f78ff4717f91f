// `faxgate account create|list|show|key|sender|inbound`: manage accounts against the data folder.
import { parse, printJson, printTable, UsageError, dataOption } from './args.js';
import { openCore, type Core } from '../main.js';
import type { Account, ApiKeyInfo } from '../settings/types.js';

/** What an account looks like on screen: never the stored secret unless just created. */
export function publicAccount(a: Account) {
  return {
    id: a.id, name: a.name, kind: a.kind, country: a.country, senders: a.senders, inboundNumbers: a.inboundNumbers,
    settings: a.settings, line: a.line ?? null, createdAt: a.createdAt, disabledAt: a.disabledAt ?? null,
  };
}

const common = { ...dataOption, json: { type: 'boolean' as const } };

/** Parse `ARGS... [--data DIR] [--json]` with exactly the named positionals, run `fn` on an open core, close it. */
async function withCore(rest: string[], names: string[], fn: (core: Core, args: string[], json: boolean) => void): Promise<number> {
  const { values, positionals } = parse(rest, common);
  if (positionals.length < names.length) throw new UsageError(`missing ${names.slice(positionals.length).join(' ')}`);
  if (positionals.length > names.length) throw new UsageError(`unexpected argument "${positionals[names.length]}"`);
  const core = openCore({ ...(values.data ? { dataDir: values.data } : {}) });
  try {
    fn(core, positionals, Boolean(values.json));
    return 0;
  } finally {
    core.db.close();
  }
}

const out = (s: string) => process.stdout.write(`${s}\n`);

function printAccount(a: Account, json: boolean): void {
  if (json) printJson(publicAccount(a));
  else {
    out(`account ${a.id} (${a.name}, ${a.kind})`);
    out(`  senders:         ${a.senders.join(', ')}`);
    out(`  inbound numbers: ${a.inboundNumbers.join(', ') || '(none)'}`);
  }
}

function printKeys(keys: ApiKeyInfo[], json: boolean): void {
  if (json) printJson(keys);
  else printTable(keys.map((k) => ({ ...k, created: k.createdAt, revoked: k.revokedAt ?? '' })), ['id', 'created', 'revoked']);
}

async function key(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'add') {
    return withCore(rest, ['ACCOUNT_ID'], (core, [id], json) => {
      const k = core.accounts.addApiKey(id, 'cli');
      if (json) printJson(k);
      else {
        out(`added API key ${k.id} to account ${id}`);
        out(`  API key: ${k.apiKey}   (shown once; store it now)`);
      }
    });
  }
  if (sub === 'list') return withCore(rest, ['ACCOUNT_ID'], (core, [id], json) => printKeys(core.accounts.listApiKeys(id), json));
  if (sub === 'revoke') {
    return withCore(rest, ['ACCOUNT_ID', 'KEY_ID'], (core, [id, keyId], json) => {
      const k = core.accounts.revokeApiKey(id, keyId, 'cli');
      const active = core.accounts.listApiKeys(id).filter((x) => !x.revokedAt).length;
      if (json) printJson({ ...k, activeKeys: active });
      else {
        out(`revoked API key ${k.id} of account ${id}; the web service refuses it from now on`);
        if (active === 0) out(`  the account has no active API key left; issue one with: faxgate account key add ${id}`);
      }
    });
  }
  throw new UsageError(sub ? `unknown sub-command "key ${sub}"` : 'missing add, list or revoke');
}

async function member(argv: string[], what: 'sender' | 'inbound'): Promise<number> {
  const [sub, ...rest] = argv;
  const arg = what === 'sender' ? 'EMAIL' : 'NUMBER';
  if (sub !== 'add' && sub !== 'remove') throw new UsageError(sub ? `unknown sub-command "${what} ${sub}"` : 'missing add or remove');
  return withCore(rest, ['ACCOUNT_ID', arg], (core, [id, value], json) => {
    const a = core.accounts;
    const acc = what === 'sender'
      ? (sub === 'add' ? a.addSender(id, value, 'cli') : a.removeSender(id, value, 'cli'))
      : (sub === 'add' ? a.addInboundNumber(id, value, 'cli') : a.removeInboundNumber(id, value, 'cli'));
    if (!json) out(`${sub === 'add' ? 'added' : 'removed'} ${what === 'sender' ? 'sender' : 'inbound number'} ${value}`);
    printAccount(acc, json);
  });
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'create') {
    const { values } = parse(rest, {
      ...common,
      name: { type: 'string' }, sender: { type: 'string', multiple: true }, kind: { type: 'string' },
      designated: { type: 'string' }, inbound: { type: 'string', multiple: true }, country: { type: 'string' },
    }, false);
    if (!values.name) throw new UsageError('--name NAME is required');
    if (!values.sender?.length) throw new UsageError('at least one --sender EMAIL is required');
    const core = openCore({ ...(values.data ? { dataDir: values.data } : {}) });
    try {
      const acc = core.accounts.create({
        name: values.name, senders: values.sender, kind: values.kind as Account['kind'] | undefined,
        designated: values.designated, inbound: values.inbound, country: values.country,
      });
      if (values.json) printJson({ ...publicAccount(acc), apiKey: acc.apiKey, apiKeyId: acc.apiKeyId, feedbackSecret: acc.feedbackSecret });
      else {
        out(`created account ${acc.id} (${acc.name}, ${acc.kind})`);
        out(`  senders:         ${acc.senders.join(', ')}`);
        if (acc.inboundNumbers.length) out(`  inbound numbers: ${acc.inboundNumbers.join(', ')}`);
        out(`  API key:         ${acc.apiKey}   (shown once; store it now)`);
        // Records name this key as api:key_<id>, so the id is what to look for in the audit trail.
        out(`  API key id:      ${acc.apiKeyId}`);
        out(`  feedback secret: ${acc.feedbackSecret}`);
      }
    } finally {
      core.db.close();
    }
    return 0;
  }
  if (sub === 'list') {
    return withCore(rest, [], (core, _args, json) => {
      const list = core.accounts.list().map(publicAccount);
      if (json) printJson(list);
      else printTable(list.map((a) => ({ ...a, senders: a.senders.join(','), inbound: a.inboundNumbers.join(',') })), ['id', 'name', 'kind', 'senders', 'inbound']);
    });
  }
  if (sub === 'show') {
    return withCore(rest, ['ACCOUNT_ID'], (core, [id], json) => {
      const a = { ...publicAccount(core.accounts.mustGet(id)), apiKeys: core.accounts.listApiKeys(id) };
      if (json) printJson(a);
      else out(JSON.stringify(a, null, 2));
    });
  }
  if (sub === 'key') return key(rest);
  if (sub === 'disable' || sub === 'enable') {
    return withCore(rest, ['ACCOUNT_ID'], (core, [id], json) => {
      const a = core.accounts.setDisabled(id, sub === 'disable', 'cli');
      if (json) printJson(publicAccount(a));
      else out(sub === 'disable' ? `disabled account ${id}: its email and web-service submissions are refused from now on` : `enabled account ${id}`);
    });
  }
  if (sub === 'line') {
    return withCore(rest, ['ACCOUNT_ID', 'LINE'], (core, [id, name], json) => {
      const known = ['sandbox', ...core.config.lines.map((l) => l.name)];
      const acc = core.accounts.setLine(id, name === 'default' ? null : name, known, 'cli');
      if (!json) out(`account ${id} now sends on ${acc.line ? `line ${acc.line}` : 'the default line'}`);
      printAccount(acc, json);
    });
  }
  if (sub === 'sender' || sub === 'inbound') return member(rest, sub);
  throw new UsageError(sub ? `unknown sub-command "${sub}"` : 'missing a sub-command (create, list, show, key, sender, inbound, line)');
}
