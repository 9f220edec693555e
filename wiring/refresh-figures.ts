import { refreshDailyFigures } from '../reports/daily-figures.js';
import { loadConfig } from './config.js';
import { openDataSource, provideDatabase } from './database.js';

// `npm run figures:refresh`: counts into the daily figures what the ledger wrote since the last run
// (the schedule does it every 15 minutes); `-- --rebuild` computes every day afresh from the ledger.
const config = loadConfig();
const database = await provideDatabase(config);
const dataSource = await openDataSource(database.url);
const began = performance.now();
const result = await refreshDailyFigures(dataSource, { rebuild: process.argv.includes('--rebuild') }).finally(async () => {
  await dataSource.destroy();
  await database.embedded?.stop();
});
console.log(
  `Daily figures ${result.rebuilt ? 'rebuilt' : 'brought up to date'}: ${result.rows} rows written in ${((performance.now() - began) / 1000).toFixed(1)} s`,
);
process.exit(0);
