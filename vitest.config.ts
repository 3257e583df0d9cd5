import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Above the longest single wait inside a test (waitFor up to 20 s for a retry after a failed step, 15 s for a
    // target freed through a stopped replica's wake-up): a test that is only slow on a loaded CI machine then still
    // passes, and one that waits in vain fails on its own waitFor, saying what it waited for. No test is timed by it.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests use real Redis and real HTTP servers; each file has its own key prefix.
    pool: 'forks',
  },
});
