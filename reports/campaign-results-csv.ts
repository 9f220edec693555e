import type { CampaignResults } from '../loyalty/campaigns/campaign-results.js';
import { csvDocument, type CsvCell } from './csv.js';

/** The results as a spreadsheet: the figures (with their comparison and definition), then the daily series. */
export function campaignResultsCsv(results: CampaignResults): string {
  const c = results.comparison;
  const d = results.definitions;
  const amount = (cents: number) => Math.round(cents) / 100;
  const round = (n: number) => Math.round(n * 100) / 100;
  const rows: CsvCell[][] = [
    ['Window', `${results.window.from.toISOString()} → ${results.window.to.toISOString()}`, null, null, d.window!],
    ['Points issued', results.pointsIssued, null, null, d.pointsIssued!],
    ['Members reached', results.membersReached, null, null, d.membersReached!],
    ['Redemptions that followed', results.redemptions.count, null, null, d.redemptions!],
    ['Points redeemed by them', results.redemptions.points, null, null, d.redemptions!],
  ];
  if (c) {
    rows.push(
      ['Comparison', c.description, null, null, c.kind === 'holdout' ? d.holdout! : d.previousPeriod!],
      ['Members in the group', c.treated.members, c.baseline.members, null, d.audience!],
      ['Visits per member', round(c.treated.visitsPerMember), round(c.baseline.visitsPerMember), c.lifts.visits, d.visitsPerMember!],
      [
        'Purchases per member',
        round(c.treated.purchasesPerMember),
        round(c.baseline.purchasesPerMember),
        c.lifts.purchases,
        d.purchasesPerMember!,
      ],
      [
        `Spend per member (${results.currency})`,
        amount(c.treated.spendPerMemberCents),
        amount(c.baseline.spendPerMemberCents),
        c.lifts.spend,
        d.spendPerMember!,
      ],
      ['Repeat rate (%)', round(c.treated.repeatRate * 100), round(c.baseline.repeatRate * 100), c.lifts.repeatRate, d.repeatRate!],
    );
  }
  const figures = csvDocument(['Figure', c?.treated.label ?? 'Campaign', c?.baseline.label ?? 'Comparison', 'Lift', 'Definition'], rows);
  const daily = csvDocument(
    [
      'Day',
      'Points issued',
      'Members reached that day',
      'Visits per member (got it)',
      'Visits per member (comparison)',
      `Spend per member (got it, ${results.currency})`,
      `Spend per member (comparison, ${results.currency})`,
    ],
    results.daily.map((day) => [
      day.day,
      day.pointsIssued,
      day.newlyReached,
      round(day.treatedVisitsPerMember),
      round(day.baselineVisitsPerMember),
      amount(day.treatedSpendPerMemberCents),
      amount(day.baselineSpendPerMemberCents),
    ]),
  );
  return `${figures}\r\n${daily}`;
}
