import { execFileSync } from 'node:child_process';
import { openDataSource } from '../wiring/database.js';
import { benchDataDirectory, readDataset, recordDataset, removeDataset, startBenchCluster } from './data-cluster.js';
import { generateBenchData, sizesFromEnvironment } from './data-generator.js';

/**
 * `npm run bench:data`: generates the coalition bench:batch works on (BENCH_MEMBERS, default
 * 1,000,000; BENCH_TRANSFERS, default ten per member) into a cluster kept in
 * ~/.cache/tessera/bench-data (BENCH_DATA_DIR). A second run keeps it; `--fresh` rebuilds it.
 */
const existing = readDataset();
if (existing && !process.argv.includes('--fresh')) {
  console.log(
    `The data set exists in ${benchDataDirectory} (${existing.sizes.members} members, ${existing.sizes.transfers} transfers, ` +
      `generated ${existing.generatedAt}, ${(existing.bytes / 1e9).toFixed(1)} GB). npm run bench:data -- --fresh rebuilds it.`,
  );
  process.exit(0);
}
removeDataset();
const sizes = sizesFromEnvironment();
console.log(
  `Generating ${sizes.members} members, ${sizes.partners} partners, ${sizes.transfers} transfers over ${sizes.months} months, ` +
    `${sizes.dueLots} lots due today, into ${benchDataDirectory}`,
);
const began = Date.now();
let mark = began;
const phase = (name: string) => {
  const now = Date.now();
  console.log(`  ${name}: ${((now - mark) / 1000).toFixed(1)} s`);
  mark = now;
};
let cluster = await startBenchCluster('loading');
const dataSource = await openDataSource(cluster.url);
phase('cluster started and migrated');
const today = new Date();
await generateBenchData(dataSource, cluster.url, sizes, phase);
const [{ bytes }] = await dataSource.query(`SELECT pg_database_size(current_database())::bigint AS bytes`);
await dataSource.destroy();
await cluster.stop();
// Back to the WAL level a production server runs with: bench:batch measures under it.
cluster = await startBenchCluster('benchmark');
await cluster.stop();
const seconds = (Date.now() - began) / 1000;
recordDataset({ sizes, generatedAt: new Date().toISOString(), today: today.toISOString(), seconds, bytes: Number(bytes) });
const folder = execFileSync('du', ['-sh', benchDataDirectory], { encoding: 'utf8' }).split('\t')[0];
console.log(`Done in ${seconds.toFixed(0)} s: database ${(Number(bytes) / 1e9).toFixed(2)} GB, folder ${folder} (with WAL).`);
process.exit(0);
