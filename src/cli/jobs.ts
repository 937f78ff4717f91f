// `faxgate jobs list|show`: the operator's view of fax jobs in the data folder (all accounts), newest first.
import { parse, printJson, printTable, UsageError, dataOption } from './args.js';
import { openCore } from '../main.js';
import { createSqliteJobStore } from '../jobs/store.js';
import { FaxError } from '../domain/errors.js';

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    const { values } = parse(rest, { ...dataOption, json: { type: 'boolean' }, account: { type: 'string' }, limit: { type: 'string' } }, false);
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, got "${values.limit}"`);
    const core = openCore({ ...(values.data ? { dataDir: values.data } : {}) });
    try {
      const jobs = createSqliteJobStore({ db: core.db, clock: core.clock }).list(values.account, { limit });
      if (values.json) printJson(jobs);
      else {
        printTable(jobs.map((j) => ({
          ...j, files: j.files.length, dropped: j.files.filter((f) => f.verdict !== 'accepted').length,
        })), ['id', 'status', 'to', 'pages', 'attempts', 'source', 'files', 'dropped', 'submittedAt']);
      }
    } finally {
      core.db.close();
    }
    return 0;
  }
  if (sub === 'show') {
    const { values, positionals } = parse(rest, { ...dataOption, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? 'give one JOB_ID' : 'missing JOB_ID');
    const core = openCore({ ...(values.data ? { dataDir: values.data } : {}) });
    try {
      const store = createSqliteJobStore({ db: core.db, clock: core.clock });
      const job = store.getById(positionals[0]);
      if (!job) throw new FaxError('not-found', `no job ${positionals[0]}`);
      const out = { ...job, calls: store.attempts(job.id).map(({ lineRef: _ref, ...a }) => a), events: store.events(job.id) };
      if (values.json) printJson(out);
      else {
        const w = (k: string, v: unknown) => process.stdout.write(`${k.padEnd(12)} ${v ?? ''}\n`);
        w('id', out.id);
        w('status', out.status);
        w('to', out.to);
        w('pages', `${out.pages}${out.pagesSent && out.pagesSent !== out.pages ? ` (${out.pagesSent} sent)` : ''}`);
        w('attempts', out.attempts);
        w('source', `${out.source} (${out.sender})`);
        w('account', out.accountId);
        w('submitted', out.submittedAt);
        if (out.completedAt) w('completed', out.completedAt);
        if (out.reason) w('reason', out.reason);
        if (out.line) w('line', out.line);
        if (out.remoteId) w('remote id', out.remoteId);
        if (out.durationSeconds !== undefined) w('duration', `${Math.round(out.durationSeconds)} s`);
        if (out.lineStatus) w('line status', `${out.lineStatus.code} ${out.lineStatus.text}`.trim());
        process.stdout.write('calls:\n');
        for (const c of out.calls) {
          const facts = [c.outcome ?? 'on the line', c.pagesSent !== undefined ? `${c.pagesSent} p. sent` : '', c.remoteId ? `to ${c.remoteId}` : '',
            c.durationSeconds !== undefined ? `${Math.round(c.durationSeconds)} s` : '', c.lineCode || c.lineText ? `[${`${c.lineCode ?? ''} ${c.lineText ?? ''}`.trim()}]` : ''];
          process.stdout.write(`  #${c.attempt}  ${c.line}  ${c.dialledAt ?? c.claimedAt}  ${facts.filter(Boolean).join('  ')}\n`);
        }
        process.stdout.write('files:\n');
        for (const f of out.files) {
          process.stdout.write(`  ${f.name}  ${f.detected ?? 'unknown'}  ${f.verdict}${f.pages !== undefined ? `  ${f.pages} p.` : ''}${f.reason ? `  - ${f.reason}` : ''}\n`);
        }
        process.stdout.write('events:\n');
        for (const e of out.events) process.stdout.write(`  ${e.at}  ${e.from ?? '-'} → ${e.to}${e.note ? `  (${e.note})` : ''}\n`);
      }
    } finally {
      core.db.close();
    }
    return 0;
  }
  throw new UsageError(sub ? `unknown sub-command "${sub}"` : 'missing list or show');
}
