import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests bind ports and spawn real clients; two workers fit the 2-core CI machine.
    maxWorkers: 2,
    pool: 'forks',
  },
});
