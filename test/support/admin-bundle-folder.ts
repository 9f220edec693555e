/** AdminJS bundles the back office's components here in tests (kept apart from `npm start`'s .adminjs). */
export const adminBundleFolder = 'test-artifacts/adminjs';
