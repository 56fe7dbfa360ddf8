import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: terraform and kubectl tests are heavy, so keep the worker count at the core count.
    maxWorkers: 2,
    // One moto_server (local AWS API) for the whole run; tests reach it through useMoto().
    globalSetup: ['test/support/moto-global-setup.ts'],
    setupFiles: ['test/support/load-renderers.ts'],
  },
});
