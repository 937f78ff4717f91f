// Builds the configured fax lines (FAXGATE_LINES plus the built-in sandbox) into the line set the workers send on.
import path from 'node:path';
import { ConfigError, type Config } from '../config.js';
import type { HylafaxLineConfig, LineConfig } from './config.js';
import { createLineSet, type LineSet } from './registry.js';
import { createSandboxLine } from './sandbox.js';
import type { FaxLine } from './types.js';
import type { Clock } from '../domain/types.js';
import type { Logger } from '../logger.js';

export interface LineFactories {
  /** the HylaFAX line (src/lines/hylafax), passed in so this module needs no network code of its own */
  hylafax?: (cfg: HylafaxLineConfig) => FaxLine;
}

/** Every line of the configuration, the sandbox always among them (under its own name unless a line takes it). */
export function allLineConfigs(config: Pick<Config, 'lines'>): LineConfig[] {
  const sandbox = config.lines.some((l) => l.name === 'sandbox') ? [] : [{ name: 'sandbox', kind: 'sandbox' as const }];
  return [...sandbox, ...config.lines];
}

/** The default line: FAXGATE_DEFAULT_LINE, else the first configured line, else the sandbox (a fresh install). */
export function defaultLineName(config: Pick<Config, 'lines' | 'defaultLine'>): string {
  return config.defaultLine ?? config.lines[0]?.name ?? 'sandbox';
}

export function buildLines(deps: {
  config: Config;
  factories: LineFactories;
  accountLine?: (accountId: string) => string | undefined;
}): LineSet {
  const { config, factories } = deps;
  const lines = allLineConfigs(config).map((l): FaxLine => {
    if (l.kind === 'sandbox') {
      return createSandboxLine({ name: l.name, outboxDir: path.join(config.dataDir, 'outbox'), secondsPerPage: config.sandboxSecondsPerPage });
    }
    // Only a caller that built no factories (a test of the sandbox alone) gets here with a hylafax line.
    if (!factories.hylafax) throw new ConfigError([`FAXGATE_LINES: line ${l.name}: no HylaFAX line factory was given`]);
    return factories.hylafax(l);
  });
  return createLineSet({ lines, defaultName: defaultLineName(config), accountLine: deps.accountLine });
}

/** What the real line implementations need from the process (main.ts and the CLI pass the real ones). */
export interface LineFactoryDeps {
  clock: Clock;
  logger: Logger;
  /** how often a HylaFAX job is polled while a fax is on its line (default 5 s) */
  hylafaxPollMs?: number;
}

/** The real line implementations, loaded only when a configured line needs them. */
export async function lineFactories(config: Pick<Config, 'lines'>, deps: LineFactoryDeps): Promise<LineFactories> {
  const factories: LineFactories = {};
  if (config.lines.some((l) => l.kind === 'hylafax')) {
    const { createHylafaxLine } = await import('./hylafax/line.js');
    factories.hylafax = (cfg) => createHylafaxLine(cfg, { clock: deps.clock, logger: deps.logger, pollMs: deps.hylafaxPollMs });
  }
  return factories;
}
