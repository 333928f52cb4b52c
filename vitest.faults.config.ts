import { defineConfig } from 'vitest/config';

/** `npm run test:faults`: one file at a time, since each starts and kills processes and stores of its own. */
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/fast-check-seed.ts'],
  },
});
