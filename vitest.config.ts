import { defineConfig } from 'vitest/config';
import { adminBundleFolder } from './test/support/admin-bundle-folder.js';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.data/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Files share their worker's modules (AdminJS, TypeORM, Temporal's client load once per worker,
    // not once per file): the suite takes a third of the time. Each file still opens its own
    // database and servers, and no test stubs a module or the environment.
    isolate: false,
    // Two cores: two test files at a time, each with its own database.
    maxWorkers: 2,
    testTimeout: 60_000,
    // Where global setup bundled the back office's components for every file's server.
    env: { ADMIN_JS_TMP_DIR: adminBundleFolder },
    // Pages and deliveries take a moment on two busy cores: a poll waits up to 10 s unless it says otherwise.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 180_000,
  },
});
