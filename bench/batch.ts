import { Ledger } from '../loyalty/ledger/ledger.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { expireDueLots, expiryBatchSize, expiryParallelBatches } from '../loyalty/expiry.js';
import { memberHistory } from '../loyalty/member-history.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { searchMembers } from '../loyalty/member-search.js';
import { analytics } from '../reports/analytics.js';
import { refreshDailyFigures } from '../reports/daily-figures.js';
import { expiryForecast } from '../reports/expiry-forecast.js';
import { liabilityByFunder } from '../reports/liability.js';
import { memberGrowth } from '../reports/member-growth.js';
import { programStats } from '../reports/program-stats.js';
import { redemptionStats } from '../reports/redemption-stats.js';
import { repeatPurchases } from '../reports/repeat-purchases.js';
import { dateRange } from '../reports/date-range.js';
import { buildReport } from '../reports/partner-report.js';
import { openDataSource } from '../wiring/database.js';
import { benchDataDirectory, readDataset, startBenchCluster } from './data-cluster.js';
import { printTable } from './load.js';

/**
 * `npm run bench:batch`: the batch jobs and the back office's heaviest reads on the data set
 * `npm run bench:data` generated, each next to its goal. The expiry spends the set's due lots:
 * a second run finds none (`npm run bench:data -- --fresh` makes a new set).
 */
const dataset = readDataset();
if (!dataset) {
  console.error(`No data set in ${benchDataDirectory}: run npm run bench:data first.`);
  process.exit(2);
}
const cluster = await startBenchCluster('benchmark');
const dataSource = await openDataSource(cluster.url, { poolSize: 4 });
const manager = dataSource.manager;
const ledger = new Ledger(dataSource);
const rows: string[][] = [['measure', 'time', 'goal', 'verdict']];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function measure<T>(name: string, goalMs: number, work: () => Promise<T>, describe?: (result: T) => string): Promise<T> {
  const began = performance.now();
  const result = await work();
  const took = performance.now() - began;
  const label = describe ? `${name} (${describe(result)})` : name;
  rows.push([
    label,
    took >= 1000 ? seconds(took) : `${took.toFixed(0)} ms`,
    goalMs >= 1000 ? seconds(goalMs) : `${goalMs} ms`,
    took <= goalMs ? 'ok' : 'SLOWER',
  ]);
  console.log(`  ${label}: ${took.toFixed(0)} ms`);
  return result;
}

console.log(
  `Batch benchmark on ${dataset.sizes.members} members, ${dataset.sizes.partners} partners, ${dataset.sizes.transfers} transfers ` +
    `(generated ${dataset.generatedAt}, ${(dataset.bytes / 1e9).toFixed(1)} GB)`,
);
const partners: { id: string }[] = await dataSource.query(`SELECT id FROM partner ORDER BY code`);
const [sample] = await dataSource.query(`SELECT id, "externalId", email FROM member ORDER BY "externalId" LIMIT 1 OFFSET $1`, [
  Math.floor(dataset.sizes.members / 2),
]);
const range = dateRange({ preset: '30' });

// `-- --reads` measures the reads and reports only, leaving the due lots and the checkpoints alone.
if (!process.argv.includes('--reads')) {
  await measure(
    'ledger:check --full',
    120_000,
    () => checkLedger(manager, { mode: 'full', record: true }),
    (r) => (r.ok ? `${r.transfers} transfers, all invariants hold` : `${r.violations.length} violations`),
  );
  let expiryBegan = 0;
  const expired = await measure(
    `expiry of the due lots (${expiryParallelBatches} batches of ${expiryBatchSize} members at once)`,
    120_000,
    () => {
      expiryBegan = performance.now();
      return expireDueLots(dataSource, ledger, new Date());
    },
    // The rate, for a set with fewer due lots than the goal's million.
    (r) =>
      `${r.lots} lots, ${Math.round(r.lots / ((performance.now() - expiryBegan) / 1000))} lots/s, ${r.points} points, ${r.failures.length} failures`,
  );
  if (expired.lots === 0) console.log('  No lot was due: an earlier run expired them (npm run bench:data -- --fresh makes a new set).');
  await measure(
    'ledger:check incremental (after the expiry)',
    120_000,
    () => checkLedger(manager, { mode: 'incremental', record: true }),
    (r) => (r.ok ? `${r.transfers} new transfers, all invariants hold` : `${r.violations.length} violations`),
  );
  await measure(
    'ledger:check incremental (nightly, nothing new)',
    120_000,
    () => checkLedger(manager, { mode: 'incremental', record: true }),
    (r) => (r.ok ? `${r.transfers} new transfers, all invariants hold` : `${r.violations.length} violations`),
  );
}

// The back office's reads: the same functions the pages call, on a member and a partner of the set.
await measure('member page: summary', 200, () => memberSummary(manager, sample.id));
await measure('member page: history, first page', 200, () => memberHistory(manager, sample.id, { limit: 20 }));
await measure('member search by email', 200, () => searchMembers(manager, sample.email));
for (const [name, sql] of [
  ['members list page', `SELECT * FROM member ORDER BY "enrolledAt" DESC LIMIT 10`],
  ['members list count', `SELECT COUNT(*) FROM member`],
  ['transfers list page', `SELECT * FROM ledger_transfer ORDER BY seq DESC LIMIT 10`],
  ['transfers list count', `SELECT COUNT(*) FROM ledger_transfer`],
  ['events list page', `SELECT * FROM member_event ORDER BY "recordedAt" DESC LIMIT 10`],
  ['events list count', `SELECT COUNT(*) FROM member_event`],
] as const) {
  await measure(name, 200, () => dataSource.query(sql));
}
// Reports and dashboards: the daily figures brought up to date (all of them on the set's first run), then each chart.
await measure(
  'daily figures refresh',
  60_000,
  () => refreshDailyFigures(dataSource),
  (r) => `${r.rebuilt ? 'first run, every day computed' : 'since the last run'}: ${r.rows} rows`,
);
for (const [scope, partnerId] of [
  ['program', undefined],
  ['one partner', partners[0]!.id],
] as const) {
  await measure(`chart ${scope}: points flow, 30 days`, 200, () => programStats(manager, { partnerId, range }));
  await measure(`chart ${scope}: liability`, 200, () => liabilityByFunder(manager, { partnerId }));
  await measure(`chart ${scope}: expiry forecast`, 200, () => expiryForecast(manager, { partnerId }));
  await measure(`chart ${scope}: repeat purchases`, 200, () => repeatPurchases(manager, { range, partnerId }));
  await measure(`chart ${scope}: redemptions`, 200, () => redemptionStats(manager, { range, partnerId }));
  await measure(`chart ${scope}: member growth`, 200, () => memberGrowth(manager, { range, partnerId }));
  await measure(`dashboard ${scope}, 30 days`, 200, () => analytics(manager, { range, partnerId }));
}
await measure(`monthly reports for ${partners.length} partners`, 60_000, async () => {
  for (const partner of partners) await buildReport(dataSource, { partnerId: partner.id, period: 'monthly', to: 'bench@bench.test' });
});

printTable(rows);
await dataSource.destroy();
await cluster.stop();
process.exit(0);
