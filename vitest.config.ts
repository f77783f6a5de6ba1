import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One real PostgreSQL for every test file that needs it (test/pg/cluster.ts).
    globalSetup: ['test/pg/global-setup.ts'],
  },
});
