// vitest globalSetup: one PostgreSQL server for the whole run; test files find it through TEST_PG_ADMIN_URL
// (forked workers inherit the environment) and make their own databases with postgresForTests().createDatabase().
import { PG_URL_ENV, startPostgres } from './postgres.js';

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env[PG_URL_ENV]) return async () => undefined; // a server given from outside (e.g. .ci): use it
  const server = await startPostgres();
  process.env[PG_URL_ENV] = server.adminUrl;
  return () => server.stop();
}
