import { existsSync } from 'node:fs';
import { Router } from 'adminjs';

/**
 * Outside production AdminJS serves its development bundles (React's development build among them):
 * some 26 MB of script per page against 3 MB, a second of Chromium's CPU on every page a browser test
 * opens. The tests' back offices serve the production bundles, as the production image does; the
 * components' bundle stays the one global setup built.
 */
for (const asset of Router.assets) {
  const production = asset.src.replace(/\.development\.js$/, '.production.js');
  if (production !== asset.src && existsSync(production)) asset.src = production;
}
