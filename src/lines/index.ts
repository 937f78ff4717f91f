// Builds the configured fax lines (FAXGATE_LINES plus the built-in sandbox) into the line set the workers send on.
import path from 'node:path';
import { ConfigError, type Config } from '../config.js';
import type { HylafaxLineConfig, LineConfig } from './config.js';
import { createLineSet, type LineSet } from './registry.js';
import { createSandboxLine } from './sandbox.js';
import type { FaxLine } from './types.js';

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
    if (!factories.hylafax) throw new ConfigError([`FAXGATE_LINES: line ${l.name}: this build cannot send on HylaFAX lines yet`]);
    return factories.hylafax(l);
  });
  return createLineSet({ lines, defaultName: defaultLineName(config), accountLine: deps.accountLine });
}

/** The real line implementations, loaded only when a configured line needs them. */
export async function lineFactories(config: Pick<Config, 'lines'>): Promise<LineFactories> {
  const factories: LineFactories = {};
  void config;
  return factories;
}
