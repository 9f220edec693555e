import { checkLedger, formatReport } from '../loyalty/ledger/invariants.js';
import { loadConfig } from './config.js';
import { openDataSource, provideDatabase } from './database.js';

// `npm run ledger:check`: exits 1 with a report naming the accounts at fault when an invariant fails.
const config = loadConfig();
const database = await provideDatabase(config);
const dataSource = await openDataSource(database.url);
try {
  const report = await checkLedger(dataSource.manager);
  console.log(formatReport(report));
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await dataSource.destroy();
  await database.embedded?.stop();
}
