import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests open loopback servers; two workers match the two cores CI has.
    pool: 'forks',
    maxWorkers: 2,
  },
});
