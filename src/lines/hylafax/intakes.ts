// `faxgate serve`'s receiving on HylaFAX lines: one drop-folder intake (receive.ts) per line with a receiveDir, started
// and stopped together, each with a readiness check of its folder for /readyz.
import { constants, promises as fsp } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../config.js';
import type { Clock } from '../../domain/types.js';
import type { LineCheck } from '../../health/index.js';
import type { Logger } from '../../logger.js';
import type { LineConfig } from '../config.js';
import { FAILED_DIR, createHylafaxIntake, type HylafaxIntake, type HylafaxIntakeOptions } from './receive.js';

export interface HylafaxIntakesDeps {
  lines: readonly LineConfig[];
  inbound: HylafaxIntakeOptions['inbound'];
  defaultCountry: string;
  logger: Logger;
  clock: Clock;
  /** passed to every intake (tests scan faster) */
  pollMs?: number;
}

export interface HylafaxIntakes {
  readonly intakes: readonly { line: string; intake: HylafaxIntake }[];
  /** one readiness check per receiving line, named `<line>:receive` (shown as `line:<line>:receive`) */
  checks(): LineCheck[];
  stop(): Promise<void>;
}

/** Counts only: the folder's path and the faxes' names are not for a readiness probe. */
async function dropFolderHealth(dir: string): Promise<{ ok: boolean; detail: string }> {
  try {
    // faxgate reads each pair and removes it after the hand-over: it needs both
    await fsp.access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
    const names = await fsp.readdir(dir);
    const waiting = names.filter((n) => n.endsWith('.meta') && !n.startsWith('.')).length;
    const failed = await fsp.readdir(path.join(dir, FAILED_DIR)).then((f) => f.filter((n) => n.endsWith('.reason.json')).length, () => 0);
    return { ok: true, detail: `drop folder readable and writable; ${waiting} waiting, ${failed} set aside in ${FAILED_DIR}/` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, detail: `drop folder not usable (${/^[A-Z0-9_]{2,20}$/.test(code) ? code : 'error'})` };
  }
}

/**
 * Start an intake for every HylaFAX line with a receiveDir: each first hands over what arrived while faxgate was down.
 * A drop folder that does not exist or that faxgate cannot use is a configuration error naming the line (the hook
 * could not deliver into it either); intakes already started are stopped again.
 */
export async function startHylafaxIntakes(deps: HylafaxIntakesDeps): Promise<HylafaxIntakes> {
  const started: { line: string; intake: HylafaxIntake; dir: string }[] = [];
  const stop = async () => {
    for (const s of started.splice(0).reverse()) await s.intake.stop();
  };
  try {
    for (const l of deps.lines) {
      if (l.kind !== 'hylafax' || !l.receiveDir) continue;
      const dir = l.receiveDir;
      const health = await dropFolderHealth(dir);
      if (!health.ok) throw new ConfigError([`FAXGATE_LINES: line ${l.name}: receiveDir ${dir}: ${health.detail} for this user`]);
      const intake = createHylafaxIntake({
        dropDir: dir, inbound: deps.inbound, defaultCountry: deps.defaultCountry, logger: deps.logger.child({ lineName: l.name }),
        clock: deps.clock, ...(l.number ? { lineNumber: l.number } : {}), ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
      });
      started.push({ line: l.name, intake, dir });
      const first = await intake.start();
      deps.logger.info({ line: l.name, ...first }, 'HylaFAX receive intake started');
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const all = [...started];
  return {
    intakes: all.map(({ line, intake }) => ({ line, intake })),
    checks: () => all.map(({ line, dir }) => ({ name: `${line}:receive`, check: () => dropFolderHealth(dir) })),
    stop,
  };
}
