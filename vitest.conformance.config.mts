import { defineConfig } from 'vitest/config';

/** `npm run test:conformance`: the ONNX backend suite, which needs Debian's libonnx-testdata. */
export default defineConfig({
  test: {
    include: ['test/conformance/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
