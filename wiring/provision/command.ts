import { loadConfig } from '../config.js';
import { provisionChromium } from './chromium.js';
import { provisionPgbouncer } from './pgbouncer.js';
import { provisionTemporalCli } from './temporal-cli.js';
import { provisionTemporalTestServer } from './temporal-test-server.js';
import { provisionVersitygw } from './versitygw.js';
import { provisionWrk } from './wrk.js';

// `npm run provision`: builds or finds the Temporal servers, the tests' browser, PgBouncer, the S3 gateway and the benchmark's wrk ahead of time.
const config = loadConfig();
const log = (line: string) => console.log(line);
const cli = provisionTemporalCli({ cacheDir: config.cacheDir, explicitPath: config.temporalCli, log });
const testServer = provisionTemporalTestServer({
  cacheDir: config.cacheDir,
  explicitPath: config.temporalTestServer,
  log,
});
console.log(`Temporal CLI:         ${cli ?? 'not provisioned here; the SDK will download it'}`);
console.log(`Temporal test server: ${testServer ?? 'not provisioned here; the SDK will download it'}`);
console.log(`Chromium (tests):     ${provisionChromium({ explicitPath: process.env.CHROMIUM_PATH, log })}`);
console.log(`PgBouncer (tests):    ${provisionPgbouncer({ explicitPath: process.env.PGBOUNCER_PATH, log })}`);
console.log(`wrk (bench:api):      ${provisionWrk({ explicitPath: process.env.WRK_PATH, log })}`);
console.log(
  `S3 gateway (tests):   ${provisionVersitygw({ cacheDir: config.cacheDir, explicitPath: process.env.VERSITYGW_PATH, build: true, log }) ?? 'not provisioned here: Go is needed to build it'}`,
);
