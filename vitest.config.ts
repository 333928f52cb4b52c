import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Fault tests kill and restart processes and stores of their own: `npm run test:faults`.
    exclude: ['tests/faults/**', '**/node_modules/**'],
    pool: 'forks',
    // Two cores: integration files each get a fresh database, so keep parallelism modest.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/fast-check-seed.ts'],
  },
});
