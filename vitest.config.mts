import { configDefaults, defineConfig } from 'vitest/config';

/** `npm test`: everything that runs on a fresh machine with only Node (see vitest.conformance.config.mts). */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/conformance/**', 'test/measure/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    // grpc-js logs a bind failure that Proton already reports as an error (and a test expects).
    onConsoleLog: (log) => !log.includes('No address added out of total'),
  },
});
