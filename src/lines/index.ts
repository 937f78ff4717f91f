// Builds the configured fax lines (FAXGATE_LINES plus the built-in sandbox) into the line set the workers send on.
import path from 'node:path';
import { ConfigError, type Config } from '../config.js';
import type { HylafaxLineConfig, LineConfig, TelnyxLineConfig } from './config.js';
import { createLineSet, type LineSet } from './registry.js';
import { createSandboxLine } from './sandbox.js';
import type { FaxLine } from './types.js';
import type { Clock } from '../domain/types.js';
import type { Logger } from '../logger.js';
import type { DB } from '../store/db.js';
import type { Dispatcher } from 'undici';
import type { CarrierEndpoint, TelnyxLine } from './telnyx/line.js';
import type { InboundPort } from './telnyx/receive.js';

export type { CarrierEndpoint, WebhookAnswer } from './telnyx/line.js';

export interface LineFactories {
  /** the HylaFAX line (src/lines/hylafax), passed in so this module needs no network code of its own */
  hylafax?: (cfg: HylafaxLineConfig) => FaxLine;
  /** the Telnyx line (src/lines/telnyx) */
  telnyx?: (cfg: TelnyxLineConfig) => FaxLine;
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
    if (l.kind === 'telnyx') {
      if (!factories.telnyx) throw new ConfigError([`FAXGATE_LINES: line ${l.name}: no Telnyx line factory was given`]);
      return factories.telnyx(l);
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
  /** the database: the Telnyx line keeps its faxes and webhook event ids in its own tables */
  db?: DB;
  /** the SSRF-guarded dispatcher (src/feedback): a carrier's media links on other hosts go through it */
  guarded?: Dispatcher;
  /** where a carrier line downloads received documents before src/inbound stores them */
  tmpDir?: string;
  /** Telnyx: silence on a fax before it is polled (default 60 s); how often a tracked fax looks at the clock (1 s) */
  telnyxPollAfterMs?: number;
  telnyxTickMs?: number;
}

const isCarrier = (l: FaxLine): l is TelnyxLine => l.kind === 'telnyx' && typeof (l as Partial<TelnyxLine>).webhook === 'function';

/** The lines that take webhooks (Telnyx), by name: faxgate's HTTP server routes /v1/carrier/{name}/… to them. */
export function carrierEndpoints(lines: LineSet): (name: string) => CarrierEndpoint | undefined {
  return (name) => {
    const l = lines.byName(name);
    return l && isCarrier(l) ? l : undefined;
  };
}

/** Release what carrier lines hold (their HTTP connections): for a command that built the lines only to check them. */
export async function closeCarrierLines(lines: LineSet): Promise<void> {
  await Promise.all(lines.lines.filter(isCarrier).map((c) => c.stop()));
}

/** Hand received faxes of every carrier line to src/inbound from now on; returns the stop of them all. */
export function attachCarrierInbound(lines: LineSet, inbound: InboundPort, defaultCountry?: string): () => Promise<void> {
  const carriers = lines.lines.filter(isCarrier);
  for (const c of carriers) c.attachInbound(inbound, defaultCountry);
  return async () => {
    await Promise.all(carriers.map((c) => c.stop()));
  };
}

/** The real line implementations, loaded only when a configured line needs them. */
export async function lineFactories(config: Pick<Config, 'lines'>, deps: LineFactoryDeps): Promise<LineFactories> {
  const factories: LineFactories = {};
  if (config.lines.some((l) => l.kind === 'hylafax')) {
    const { createHylafaxLine } = await import('./hylafax/line.js');
    factories.hylafax = (cfg) => createHylafaxLine(cfg, { clock: deps.clock, logger: deps.logger, pollMs: deps.hylafaxPollMs });
  }
  if (config.lines.some((l) => l.kind === 'telnyx')) {
    const { createTelnyxLine } = await import('./telnyx/line.js');
    const { db, tmpDir } = deps;
    if (!db || !tmpDir) throw new ConfigError(['FAXGATE_LINES: a Telnyx line needs the database and a temporary folder']);
    factories.telnyx = (cfg) => createTelnyxLine(cfg, {
      db, clock: deps.clock, logger: deps.logger, guarded: deps.guarded, tmpDir,
      pollAfterMs: deps.telnyxPollAfterMs, tickMs: deps.telnyxTickMs,
    });
  }
  return factories;
}
