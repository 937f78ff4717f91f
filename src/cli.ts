#!/usr/bin/env node
// The faxgate command line: dispatches each sub-command to its module under cli/.
import { UsageError } from './cli/args.js';
import { ConfigError } from './config.js';
import { FaxError } from './domain/errors.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: 'start SMTP, HTTP and the workers', load: async () => (await import('./cli/serve.js')).run },
  account: { summary: 'create|list|show accounts', load: async () => (await import('./cli/account.js')).run },
  settings: { summary: 'show|set an account\'s integration settings', load: async () => (await import('./cli/settings.js')).run },
  types: { summary: 'list|enable|disable supported file types', load: async () => (await import('./cli/types.js')).run },
  screen: { summary: 'dry-run the attachment screen on files', load: async () => (await import('./cli/screen.js')).run },
  render: { summary: 'render files to a TIFF Class F fax', load: async () => (await import('./cli/render.js')).run },
  jobs: { summary: 'list|show fax jobs', load: async () => (await import('./cli/jobs.js')).run },
  inbound: { summary: 'inject|list received faxes (sandbox line)', load: async () => (await import('./cli/inbound.js')).run },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`);
  return `usage: faxgate <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nCommon option: --data DIR (or FAXGATE_DATA_DIR), default ./var\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`faxgate: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await (await cmd.load())(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`faxgate ${name}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`faxgate: ${e.message}\n`);
      return 2;
    }
    if (e instanceof FaxError) {
      process.stderr.write(`faxgate ${name}: ${e.code}: ${e.message}\n`);
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
