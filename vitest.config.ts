import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.data/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Two cores: two test files at a time, each with its own database.
    maxWorkers: 2,
    testTimeout: 60_000,
    // AdminJS bundles the back office's components here (kept apart from `npm start`'s .adminjs).
    env: { ADMIN_JS_TMP_DIR: 'test-artifacts/adminjs' },
    hookTimeout: 180_000,
  },
});
