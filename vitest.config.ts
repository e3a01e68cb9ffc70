import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // suites spawn their own workers and processes; keep vitest's own parallelism small
    maxWorkers: 2,
  },
});
