// The contract run on PostgreSQL: the store tests and the end-to-end harnesses again, each test on a fresh database
// of one real PostgreSQL server that the global setup starts (test/helpers/postgres-global.ts).
import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/helpers/summary-reporter.js';

export const PG_CONTRACT = [
  'test/store/*.test.ts',
  'test/jobs/store.test.ts',
  'test/jobs/workers.test.ts',
  'test/jobs/fairness.test.ts',
  'test/settings/accounts.test.ts',
  'test/web/sessions.test.ts',
  'test/feedback/*.test.ts',
  'test/mail/receipts.test.ts',
  'test/inbound/service.test.ts',
  'test/attachments/registry.test.ts',
  'test/ingress/http/idempotency.test.ts',
  'test/lines/telnyx/line.test.ts',
  'test/intake/intake.test.ts',
];

export default defineConfig({
  test: {
    include: PG_CONTRACT,
    globalSetup: ['test/helpers/postgres-global.ts'],
    env: { TEST_ENGINE: 'pg' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', new SummaryReporter()],
  },
});
