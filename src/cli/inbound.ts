// `faxgate inbound inject|list`: receive a fax on the sandbox line from a file, and list an account's received faxes.
import { parse, printJson, printTable, UsageError, dataOption } from './args.js';
import { openCore, openInbound } from '../main.js';
import { effectivePublicUrl } from './serve-info.js';


export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'inject') {
    const { values, positionals } = parse(rest, { ...dataOption, to: { type: 'string' }, from: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? 'give one FILE' : 'missing FILE');
    if (!values.to || !values.from) throw new UsageError('--to E164 and --from E164 are required');
    const core = openCore({ ...(values.data ? { dataDir: values.data } : {}) });
    // the notification's image link is delivered by the server: it must carry the server's public URL (issue #17)
    core.config.publicUrl = effectivePublicUrl(core.config);
    const { inbound, close } = await openInbound(core);
    try {
      const file = positionals[0];
      const fax = await inbound.receive({ to: values.to, from: values.from, path: file, name: file.split('/').pop() ?? file });
      if (!fax) {
        process.stderr.write(`faxgate inbound: discarded: no account owns ${values.to}\n`);
        return 1;
      }
      if (values.json) printJson(fax);
      else {
        process.stdout.write(`received ${fax.id} for account ${fax.accountId}: ${fax.pages} page(s) from ${fax.from} to ${fax.to}\n`);
        process.stdout.write(`  image: ${fax.imageUrl}  (?format=tiff|pdf, with the account's API key)\n`);
      }
      return 0;
    } finally {
      await close();
      core.db.close();
    }
  }
  if (sub === 'list') {
    const { values, positionals } = parse(rest, { ...dataOption, limit: { type: 'string' }, cursor: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? 'give one ACCOUNT_ID' : 'missing ACCOUNT_ID');
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, got "${values.limit}"`);
    const core = openCore({ ...(values.data ? { dataDir: values.data } : {}) });
    core.config.publicUrl = effectivePublicUrl(core.config);
    const { inbound, close } = await openInbound(core);
    try {
      const account = core.accounts.mustGet(positionals[0]);
      const page = inbound.list(account.id, { limit, cursor: values.cursor });
      if (values.json) printJson(page);
      else {
        printTable(page.items.map((f) => ({
          ...f, received: f.receivedAt, retrieved: f.retrievalCount, deleted: f.deletedAt ? `${f.deletedAt} (${f.deletedReason} by ${f.deletedBy})` : '',
        })), ['id', 'status', 'received', 'from', 'to', 'pages', 'retrieved', 'deleted']);
        if (page.nextCursor) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
      }
      return 0;
    } finally {
      await close();
      core.db.close();
    }
  }
  throw new UsageError(sub ? `unknown sub-command "${sub}"` : 'missing inject or list');
}
