import { defineConfig } from 'vitest/config';

/**
 * `npm run check:stalls`: timing measurements (the worst event-loop delay per worst-case request).
 * They read the wall clock, so they are not part of `npm test`; run them on a quiet machine.
 */
export default defineConfig({
  test: {
    include: ['test/measure/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['test/global-setup.ts'],
  },
});
