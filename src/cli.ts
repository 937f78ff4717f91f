#!/usr/bin/env node
// The faxgate command line: dispatches each sub-command to its module under cli/; help, version and every error's
// one-line message are handled here, so each command only throws.
import { UsageError } from './cli/args.js';
import { formatHelp, formatTopHelp, helpKey } from './cli/help.js';
import { readVersion } from './cli/version.js';
import { ConfigError } from './config.js';
import { FaxError } from './domain/errors.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./cli/serve.js')).run,
  account: async () => (await import('./cli/account.js')).run,
  settings: async () => (await import('./cli/settings.js')).run,
  types: async () => (await import('./cli/types.js')).run,
  screen: async () => (await import('./cli/screen.js')).run,
  render: async () => (await import('./cli/render.js')).run,
  jobs: async () => (await import('./cli/jobs.js')).run,
  inbound: async () => (await import('./cli/inbound.js')).run,
  lines: async () => (await import('./cli/lines.js')).run,
};

// A reader that stops early (`faxgate types list | head -1`) closes our stdout: it has what it wanted, so we stop
// quietly with status 0 (as ripgrep does) rather than dying on EPIPE with a stack trace; same for a closed stderr.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

/** The words before the first option (or `--`): the command path, e.g. account key add ACCOUNT_ID. */
function words(argv: string[]): string[] {
  const end = argv.findIndex((a) => a.startsWith('-'));
  return end < 0 ? argv : argv.slice(0, end);
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, '; ');

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    process.stdout.write(`faxgate ${readVersion()}\n`);
    return 0;
  }
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    process.stdout.write(formatTopHelp());
    return 0;
  }
  if (!name) {
    process.stderr.write(`faxgate: no command given; see 'faxgate --help'\n`);
    return 2;
  }
  // `faxgate help account key` is `faxgate account key --help`
  const path = name === 'help' ? rest : argv;
  const key = helpKey(words(path));
  const load = COMMANDS[path[0]];
  if (!load || !key) {
    process.stderr.write(`faxgate: unknown command "${path[0]}"; see 'faxgate --help'\n`);
    return 2;
  }
  const dash = path.indexOf('--');
  const opts = dash < 0 ? path : path.slice(0, dash);
  if (name === 'help' || opts.includes('--help') || opts.includes('-h')) {
    process.stdout.write(formatHelp(key));
    return 0;
  }
  const label = `faxgate ${key}`;
  try {
    return await (await load())(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${label}: ${oneLine(e.message)}; see '${label} --help'\n`);
      return 2;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`faxgate: invalid configuration: ${e.problems.join('; ')}\n`);
      return 2;
    }
    if (e instanceof FaxError) {
      process.stderr.write(`${label}: ${e.code}: ${oneLine(e.message)}\n`);
      return 1;
    }
    // A system error with a code (a folder that cannot be created, a file not readable) is a mistake to name in
    // one line, not an internal error.
    const sys = e as NodeJS.ErrnoException;
    if (typeof sys?.code === 'string' && typeof sys.syscall === 'string') {
      process.stderr.write(`${label}: ${oneLine(sys.message)}\n`);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`faxgate: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
