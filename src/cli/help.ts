// The help table: one entry per command and sub-command (usage, options, examples), printed by `--help`/`-h`.
// Kept as data in one place so every command gets the same shape and a test can walk them all.

export interface CommandHelp {
  /** one line: what it does */
  summary: string;
  /** the usage line after `faxgate ` */
  usage: string;
  /** [flag, one-line meaning] */
  options?: [string, string][];
  /** command lines that run as written (after `faxgate `) */
  examples: string[];
  /** an extra line or two: exit codes, where output goes */
  notes?: string[];
}

const DATA: [string, string] = ['--data DIR', 'data folder (default $FAXGATE_DATA_DIR or ./var)'];
const JSON_OPT: [string, string] = ['--json', 'print JSON instead of text'];

export const HELP: Record<string, CommandHelp> = {
  serve: {
    summary: 'start SMTP, HTTP and the workers on the data folder',
    usage: 'serve [--data DIR] [--smtp-port N] [--http-port N]',
    options: [DATA, ['--smtp-port N', 'SMTP port (default $FAXGATE_SMTP_PORT or 2525; 0 = any free port)'],
      ['--http-port N', 'HTTP port (default $FAXGATE_HTTP_PORT or 8080; 0 = any free port)']],
    examples: ['serve', 'serve --data /srv/faxgate --smtp-port 2526 --http-port 8081'],
    notes: ['The first start on an empty data folder creates a demo account and prints its API key once.',
      'One server per data folder; stop it with Ctrl-C or SIGTERM.'],
  },
  account: {
    summary: 'manage accounts: create, list, show, API keys, senders, inbound numbers',
    usage: 'account create|list|show|key|sender|inbound|line|disable|enable ...',
    examples: ['account create --name "Clinic" --sender front@clinic.example', 'account list', 'account key add ACCOUNT_ID'],
  },
  'account create': {
    summary: 'create an account; prints its API key and feedback secret once',
    usage: 'account create --name NAME --sender EMAIL [--sender EMAIL]... [options]',
    options: [['--name NAME', 'account name'], ['--sender EMAIL', 'sender address allowed to fax by email (repeatable)'],
      ['--kind standard|developer', 'developer accounts may fax only their designated number (default standard)'],
      ['--designated E164', 'the designated fax number of a developer account'],
      ['--inbound E164', 'a fax number whose received faxes belong to this account (repeatable)'],
      ['--country CC', 'calling code for national numbers (default 1)'], DATA, JSON_OPT],
    examples: ['account create --name "Clinic" --sender front@clinic.example --inbound +15550001111',
      'account create --name "Dev" --sender dev@example.com --kind developer --designated +15551234567'],
  },
  'account list': {
    summary: 'list accounts (never their secrets)',
    usage: 'account list [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['account list', 'account list --json'],
  },
  'account show': {
    summary: 'show one account (never its secrets)',
    usage: 'account show ACCOUNT_ID [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['account show acc_0123456789abcdef'],
  },
  'account disable': {
    summary: 'disable an account: its email and web-service submissions and sign-ins are refused (account-disabled); faxes already submitted finish',
    usage: 'account disable ACCOUNT_ID [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['account disable acc_0123456789abcdef'],
  },
  'account enable': {
    summary: 'enable a disabled account again',
    usage: 'account enable ACCOUNT_ID [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['account enable acc_0123456789abcdef'],
  },
  'account key': {
    summary: 'API keys of an account: add, list, revoke',
    usage: 'account key add|list|revoke ACCOUNT_ID ...',
    examples: ['account key add ACCOUNT_ID', 'account key list ACCOUNT_ID', 'account key revoke ACCOUNT_ID KEY_ID'],
  },
  'account key add': {
    summary: 'issue a new API key; it is printed once and stored only hashed',
    usage: 'account key add ACCOUNT_ID [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['account key add acc_0123456789abcdef'],
  },
  'account key list': {
    summary: 'list an account\'s API keys: id, created, revoked (never any part of the key)',
    usage: 'account key list ACCOUNT_ID [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['account key list acc_0123456789abcdef'],
  },
  'account key revoke': {
    summary: 'revoke an API key by its id; the web service refuses it from then on',
    usage: 'account key revoke ACCOUNT_ID KEY_ID [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['account key revoke acc_0123456789abcdef 3f2a9c1e-5b7d-4e0a-9c8b-1d2e3f4a5b6c', 'account key revoke acc_0123456789abcdef 3f2a9c1e'],
    notes: ['KEY_ID is the id shown by `faxgate account key list` (also as key_<id> in records), or its first 8+ characters.'],
  },
  'account sender': {
    summary: 'sender addresses of an account: add, remove',
    usage: 'account sender add|remove ACCOUNT_ID EMAIL',
    examples: ['account sender add ACCOUNT_ID billing@clinic.example'],
  },
  'account sender add': {
    summary: 'allow one more sender address to fax by email for the account',
    usage: 'account sender add ACCOUNT_ID EMAIL [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['account sender add acc_0123456789abcdef billing@clinic.example'],
  },
  'account sender remove': {
    summary: 'remove a sender address (an account keeps at least one)',
    usage: 'account sender remove ACCOUNT_ID EMAIL [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['account sender remove acc_0123456789abcdef billing@clinic.example'],
  },
  'account inbound': {
    summary: 'inbound fax numbers of an account: add, remove',
    usage: 'account inbound add|remove ACCOUNT_ID NUMBER',
    examples: ['account inbound add ACCOUNT_ID +15550002222'],
  },
  'account inbound add': {
    summary: 'faxes received on this number belong to the account from now on',
    usage: 'account inbound add ACCOUNT_ID NUMBER [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['account inbound add acc_0123456789abcdef +15550002222'],
    notes: ['A national number is read with the account\'s country code.'],
  },
  'account inbound remove': {
    summary: 'stop receiving on this number (faxes already received stay)',
    usage: 'account inbound remove ACCOUNT_ID NUMBER [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['account inbound remove acc_0123456789abcdef +15550002222'],
  },
  'account line': {
    summary: 'send the account\'s faxes on a named fax line, or on the default line again',
    usage: 'account line ACCOUNT_ID LINE|default [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['account line acc_0123456789abcdef office', 'account line acc_0123456789abcdef default'],
    notes: ['LINE is a name from FAXGATE_LINES (or sandbox); see `faxgate lines list`.'],
  },
  lines: {
    summary: 'the fax lines faxes go out on: list them, test their health',
    usage: 'lines list|test ...',
    examples: ['lines list', 'lines test office'],
  },
  'lines list': {
    summary: 'list the configured fax lines (never a password), the default, and each line\'s health',
    usage: 'lines list [--json]',
    options: [JSON_OPT],
    examples: ['lines list', 'lines list --json'],
    notes: ['Lines come from FAXGATE_LINES (or "lines" in the FAXGATE_CONFIG file); the sandbox is always there.'],
  },
  'lines test': {
    summary: 'check that a line can take faxes now (connect, log in, modem state); exit 1 when it cannot',
    usage: 'lines test [LINE] [--json]',
    options: [JSON_OPT],
    examples: ['lines test', 'lines test office'],
    notes: ['Without LINE every line is tested. Exit status 0 when all tested lines are healthy, 1 otherwise.'],
  },
  settings: {
    summary: 'show or set an account\'s integration settings',
    usage: 'settings show|set ACCOUNT_ID ...',
    examples: ['settings show ACCOUNT_ID', 'settings set ACCOUNT_ID feedbackUrl=https://hooks.example/fax'],
  },
  'settings show': {
    summary: 'print the settings as KEY=VALUE lines (or JSON)',
    usage: 'settings show ACCOUNT_ID [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['settings show acc_0123456789abcdef'],
  },
  'settings set': {
    summary: 'change settings, validated exactly as the web service does; each change is audited',
    usage: 'settings set ACCOUNT_ID KEY=VALUE... [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['settings set acc_0123456789abcdef outgoing.unsupportedFiles=reject feedbackUrl=https://hooks.example/fax',
      "settings set acc_0123456789abcdef email.receipts=failure email.receiptAttachment=pdf 'email.faxToEmail=* pdf front@clinic.example'"],
  },
  types: {
    summary: 'the supported file types: list, enable, disable, size caps',
    usage: 'types list|enable|disable|max ...',
    examples: ['types list', 'types disable webp', 'types max pdf 10485760'],
  },
  'types list': {
    summary: 'every known type: enabled, available (renderer installed), maxBytes, reason',
    usage: 'types list [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['types list', 'types list --json'],
  },
  'types enable': {
    summary: 'accept these types again (refused with the reason when no renderer is installed)',
    usage: 'types enable ID... [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['types enable webp gif'],
  },
  'types disable': {
    summary: 'stop accepting these types',
    usage: 'types disable ID... [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['types disable webp'],
  },
  'types max': {
    summary: 'set or clear the per-type size cap in bytes',
    usage: 'types max ID BYTES|none [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['types max pdf 10485760', 'types max pdf none'],
  },
  screen: {
    summary: 'dry-run the attachment screen on local files (no job is created)',
    usage: 'screen [--policy ignore|reject] [--data DIR] [--json] FILE...',
    options: [['--policy ignore|reject', 'what unsupported files do to the job (default ignore)'], DATA, JSON_OPT],
    examples: ['screen letter.pdf photo.jpg', 'screen --policy reject --json letter.pdf archive.zip'],
    notes: ['Exit status: 0 accepted, 3 rejected, 2 usage error.'],
  },
  render: {
    summary: 'render files to one TIFF Class F fax (and optionally its PDF)',
    usage: 'render [options] -o OUT.tif INPUT...',
    options: [['-o, --output OUT.tif', 'the fax to write (required)'],
      ['--resolution standard|fine|superfine', 'default fine'], ['--paper letter|a4|legal', 'default letter'],
      ['--g3', 'CCITT G3 instead of G4'], ['--pdf OUT.pdf', 'also write the fax as PDF'],
      ['--check', 'then send it over a simulated T.30 call to a standard Group 3 machine and compare the pages received'],
      ['--check-t38', 'the check call over T.38 instead of modem audio (implies --check)'],
      ['--check-no-ecm', 'the checked receiver has no error correction mode (implies --check)'],
      ['--check-no-superfine', 'the checked receiver has no superfine resolution (implies --check)'], JSON_OPT],
    examples: ['render -o fax.tif letter.pdf photo.jpg', 'render --resolution standard --paper a4 --pdf fax.pdf -o fax.tif note.txt',
      'render --check --resolution superfine -o fax.tif letter.pdf'],
    notes: ['A file that cannot be faxed: exit 1, one line on stderr (name: reason: why), no output file.',
      'With --check: exit 3 when the far end refuses the fax or the pages differ (one line on stderr, the fax is kept),',
      '2 when the check cannot run (native/build/t30check is built by scripts/setup.sh).'],
  },
  jobs: {
    summary: 'the fax jobs in the data folder: list, show',
    usage: 'jobs list|show ...',
    examples: ['jobs list', 'jobs show JOB_ID'],
  },
  'jobs list': {
    summary: 'fax jobs, newest first',
    usage: 'jobs list [--account ACCOUNT_ID] [--limit N] [--data DIR] [--json]',
    options: [['--account ACCOUNT_ID', 'only this account\'s jobs'], ['--limit N', 'at most N jobs (default 50)'], DATA, JSON_OPT],
    examples: ['jobs list --limit 10', 'jobs list --account acc_0123456789abcdef --json'],
  },
  'jobs show': {
    summary: 'one job: status, files and their verdicts, history',
    usage: 'jobs show JOB_ID [--data DIR] [--json]',
    options: [DATA, JSON_OPT],
    examples: ['jobs show job_0123456789abcdef'],
  },
  inbound: {
    summary: 'received faxes on the sandbox line: inject, list',
    usage: 'inbound inject|list ...',
    examples: ['inbound inject fax.tif --to +15550001111 --from +14155550123', 'inbound list ACCOUNT_ID'],
  },
  'inbound inject': {
    summary: 'receive a fax from a file (fax TIFF or PDF) on the sandbox line',
    usage: 'inbound inject FILE --to E164 --from E164 [--data DIR] [--json]',
    options: [['--to E164', 'the called number (an account\'s inbound number)'], ['--from E164', 'the calling number'], DATA, JSON_OPT],
    examples: ['inbound inject fax.tif --to +15550001111 --from +14155550123'],
    notes: ['Image links use FAXGATE_PUBLIC_URL, or else the one `faxgate serve` last ran with on this data folder.',
      'Exit status 1 when no account owns the called number (the fax is discarded).'],
  },
  'inbound list': {
    summary: 'an account\'s received faxes, newest first',
    usage: 'inbound list ACCOUNT_ID [--limit N] [--cursor C] [--data DIR] [--json]',
    options: [['--limit N', 'at most N faxes (default 50)'], ['--cursor C', 'the next page, as printed after "more:"'], DATA, JSON_OPT],
    examples: ['inbound list acc_0123456789abcdef --limit 20'],
  },
};

/** The longest command path in `words` that has a help entry, e.g. ['account', 'key', 'add', 'acc_1'] → 'account key add'. */
export function helpKey(words: string[]): string | undefined {
  for (let n = Math.min(words.length, 3); n > 0; n--) {
    const key = words.slice(0, n).join(' ');
    if (HELP[key]) return key;
  }
  return undefined;
}

/** The sub-commands directly under a key, e.g. 'account' → ['account create', 'account list', ...]. */
function children(key: string): string[] {
  const depth = key.split(' ').length + 1;
  return Object.keys(HELP).filter((k) => k.startsWith(`${key} `) && k.split(' ').length === depth);
}

export function formatHelp(key: string): string {
  const h = HELP[key];
  const out = [`usage: faxgate ${h.usage}`, '', h.summary, ''];
  const subs = children(key);
  if (subs.length) {
    out.push('sub-commands:');
    const w = Math.max(...subs.map((s) => s.length - key.length - 1));
    for (const s of subs) out.push(`  ${s.slice(key.length + 1).padEnd(w)}  ${HELP[s].summary}`);
    out.push('', `Run \`faxgate ${key} <sub-command> --help\` for its options.`, '');
  }
  const options: [string, string][] = [...(h.options ?? []), ['-h, --help', 'show this help']];
  out.push('options:');
  const w = Math.max(...options.map(([f]) => f.length));
  for (const [f, d] of options) out.push(`  ${f.padEnd(w)}  ${d}`);
  out.push('', 'examples:', ...h.examples.map((e) => `  faxgate ${e}`));
  if (h.notes?.length) out.push('', ...h.notes);
  return `${out.join('\n')}\n`;
}

/** The top-level help: every command with its summary. */
export function formatTopHelp(): string {
  const top = Object.keys(HELP).filter((k) => !k.includes(' '));
  const w = Math.max(...top.map((k) => k.length));
  return [
    'usage: faxgate <command> [options]', '',
    'commands:', ...top.map((k) => `  ${k.padEnd(w)}  ${HELP[k].summary}`), '',
    'options:', '  -h, --help     show help (also after any command: faxgate account create --help)',
    '  -V, --version  print the version', '',
    'examples:', '  faxgate serve', '  faxgate account create --name "Clinic" --sender front@clinic.example', '  faxgate types list --help', '',
    'Common option: --data DIR (or FAXGATE_DATA_DIR), default ./var', '',
  ].join('\n');
}
