import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // End-to-end tests run the real binary many times over; on a loaded two-core machine one
    // command can take seconds. A hung command is caught sooner, with a report, by runCommand's own
    // timeout (test/helpers/cli.ts).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: end-to-end tests spawn worker processes of their own.
    maxWorkers: 2,
  },
});
