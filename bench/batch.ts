import { Ledger } from '../loyalty/ledger/ledger.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { expireDueLots, expiryBatchSize, expiryParallelBatches } from '../loyalty/expiry.js';
import { memberHistory } from '../loyalty/member-history.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { searchMembers } from '../loyalty/member-search.js';
import { Filter } from 'adminjs';
import { ScopedResource } from '../admin/scoped-resource.js';
import { LedgerTransfer, Member, MemberEvent } from '../entities/index.js';
import { adjustmentsOf } from '../loyalty/care-adjustments.js';
import { privacyStatus } from '../loyalty/erasure-requests.js';
import { decodeHistoryCursor } from '../loyalty/history-cursor.js';
import { pendingHoldsOf } from '../loyalty/holds.js';
import { careHistory, careHistoryPartners } from '../loyalty/member-care-history.js';
import { memberWithAccount } from '../loyalty/member-identity.js';
import { storeLinksForCare } from '../loyalty/member-stores.js';
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
const [sample] = await dataSource.query(
  `SELECT id, "externalId", email, phone, "displayName" FROM member ORDER BY "externalId" LIMIT 1 OFFSET $1`,
  [Math.floor(dataset.sizes.members / 2)],
);
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

// --- reads: the back office's lists, the member page and care's search, each through what the page
// calls (the lists through the back office's adapter, as AdminJS's list action: a page, then the count).
const memberPage = async (memberId: string) => {
  await memberWithAccount(manager, memberId);
  await memberSummary(manager, memberId);
  await privacyStatus(manager, memberId);
  await storeLinksForCare(manager, memberId);
  await pendingHoldsOf(manager, memberId);
  await adjustmentsOf(manager, memberId);
  await careHistory(manager, memberId, {}, { page: 1, perPage: 10 });
  await careHistoryPartners(manager, memberId);
};
// The first page a process shows also loads the program's configuration and each connection's catalog caches.
const [other] = await dataSource.query(`SELECT id FROM member ORDER BY "externalId" LIMIT 1`);
await measure('member page, the first one shown since the start', 200, () => memberPage(other.id));
await measure('member page: summary', 200, () => memberSummary(manager, sample.id));
await measure('member page: everything it reads', 200, () => memberPage(sample.id));
const firstPage = await measure('member history, first page', 200, () => memberHistory(manager, sample.id, { limit: 5 }));
if (firstPage.nextCursor) {
  const before = decodeHistoryCursor(firstPage.nextCursor)!;
  await measure('member history, next page by cursor', 200, () => memberHistory(manager, sample.id, { before, limit: 5 }));
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
const [link] = await dataSource.query(`SELECT "customerId" FROM member_link WHERE "memberId" = $1 LIMIT 1`, [sample.id]);
for (const [name, text] of [
  ['member search by email', sample.email],
  ['member search by email, upper case', sample.email.toUpperCase()],
  ['member search by reference, upper case', sample.externalId.toUpperCase()],
  ["member search by a store's customer id", link?.customerId ?? sample.externalId],
  ['member search by part of an email', sample.email.split('@')[0]],
  ['member search by phone, written the local way', sample.phone ? `0${sample.phone.slice(3)}` : '0612345678'],
  ['member search by name', sample.displayName ?? 'Anna Jansen'],
] as const) {
  await measure(name, 200, () => searchMembers(manager, text));
}
const operator = { currentAdmin: { id: 'bench', email: 'bench@bench.test', title: 'bench', role: 'operator_admin', partnerId: null } };
const partnerUser = { ...operator, currentAdmin: { ...operator.currentAdmin, role: 'partner_user', partnerId: partners[0]!.id } };
// Sorted as AdminJS's list action sorts them: the resource's `sort`, else its first list property.
for (const [name, entity, sortBy, direction, context, filters] of [
  ['members list', Member, 'externalId', 'asc', operator, {}],
  ['transfers list', LedgerTransfer, 'seq', 'desc', operator, {}],
  ['events list', MemberEvent, 'occurredAt', 'asc', operator, {}],
  ["events list, a partner user's", MemberEvent, 'occurredAt', 'asc', partnerUser, {}],
  ['events list filtered by a member', MemberEvent, 'occurredAt', 'asc', operator, { memberId: sample.id }],
] as const) {
  const resource = new ScopedResource(entity);
  await measure(`${name}: page`, 200, () =>
    resource.find(new Filter({ ...filters }, resource), { limit: 10, offset: 0, sort: { sortBy, direction } }, context as never),
  );
  await measure(
    `${name}: count`,
    200,
    () => resource.count(new Filter({ ...filters }, resource), context as never),
    (total) => `${total}`,
  );
}
// --- end of reads

await measure(`monthly reports for ${partners.length} partners`, 60_000, async () => {
  for (const partner of partners) await buildReport(dataSource, { partnerId: partner.id, period: 'monthly', to: 'bench@bench.test' });
});

printTable(rows);
await dataSource.destroy();
await cluster.stop();
process.exit(0);
