// Composition root: the only place that wires real implementations together (database, stores, services).
import { loadConfig, type Config } from './config.js';
import { openDatabase, type DB } from './store/db.js';
import { createAccountStore, type AccountStore } from './settings/accounts.js';
import { systemClock, type Clock } from './domain/types.js';
import { createLogger, type Logger } from './logger.js';

export interface Core {
  config: Config;
  db: DB;
  clock: Clock;
  logger: Logger;
  accounts: AccountStore;
}

/** Open the data folder and the stores every command needs. */
export function openCore(overrides: Partial<Config> = {}, env: NodeJS.ProcessEnv = process.env): Core {
  const config = loadConfig(env, overrides);
  const db = openDatabase(config.dataDir);
  const clock = systemClock;
  const logger = createLogger(config.logLevel);
  const accounts = createAccountStore({ db, clock });
  return { config, db, clock, logger, accounts };
}
