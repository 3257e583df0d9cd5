import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests use real Redis and real HTTP servers; each file has its own key prefix.
    pool: 'forks',
  },
});
