import type { EntityManager } from 'typeorm';
import { isCurrency, minorDigits, typedPrice } from '../loyalty/money.js';
import { Refusal } from '../loyalty/refusal.js';
import { csvDocument, type CsvCell } from './csv.js';
import type { DateRange } from './date-range.js';
import { expiryForecast, type ExpiryForecast } from './expiry-forecast.js';
import { liabilityByFunder, type Liability } from './liability.js';
import { memberGrowth, type MemberGrowth } from './member-growth.js';
import { programStats, type ProgramStats } from './program-stats.js';
import { redemptionStats, type RedemptionStats } from './redemption-stats.js';
import { repeatPurchases, type RepeatPurchases } from './repeat-purchases.js';

/** Every figure of the dashboard, for the program or one partner, over one date range. */
export interface Analytics {
  range: { from: string; to: string; days: number };
  flow: ProgramStats;
  liability: Liability;
  expiry: ExpiryForecast;
  repeat: RepeatPurchases;
  redemptions: RedemptionStats;
  growth: MemberGrowth;
}

export async function analytics(manager: EntityManager, options: { range: DateRange; partnerId?: string; now?: Date }): Promise<Analytics> {
  const { range, partnerId, now = new Date() } = options;
  return {
    range: { from: range.from, to: range.to, days: range.days },
    flow: await programStats(manager, { partnerId, range, now }),
    liability: await liabilityByFunder(manager, { partnerId }),
    expiry: await expiryForecast(manager, { partnerId, now }),
    repeat: await repeatPurchases(manager, { range, partnerId }),
    redemptions: await redemptionStats(manager, { range, partnerId }),
    growth: await memberGrowth(manager, { range, partnerId }),
  };
}

/** The figures one can download, each as a CSV of what its chart or number shows. */
export const figures = [
  'points-per-day',
  'top-partners',
  'liability',
  'expiry-forecast',
  'returning-by-partner',
  'returning-by-cohort',
  'redemptions-by-reward',
  'redemptions-by-partner',
  'member-growth',
] as const;
export type Figure = (typeof figures)[number];

/** What each figure means, as the dashboard shows it on hover: the operator's and the partner's wording. */
export function definitions(scope: 'program' | 'partner'): Record<Figure | 'outstanding' | 'active-members' | 'redemption-rate', string> {
  const whose = scope === 'partner' ? 'funded by this partner' : 'of the whole program';
  return {
    outstanding: `Points members hold today and may still spend (not yet spent or expired), ${whose}: the liability in points. Not affected by the date range.`,
    'active-members': `Members with at least one event (purchase, visit, review…)${scope === 'partner' ? ' at this partner' : ''} between the first and the last day of the range.`,
    'redemption-rate': `Points spent on rewards in the range divided by points issued in the range${scope === 'partner' ? ' (points this partner funded and issued)' : ''}. It can pass 100%: points spent in the range may have been issued before it.`,
    'points-per-day': `Per day (UTC) of the range: points issued to members (earned and bonuses${scope === 'partner' ? ', paid from this partner’s wallet' : ''}), burned (spent on rewards) and expired${scope === 'partner' ? ' from points this partner funded' : ''}.`,
    'top-partners':
      scope === 'partner'
        ? 'Points this partner issued to members in the range (earned and bonuses, paid from its wallet).'
        : 'The five partners who issued the most points in the range (earned and bonuses, paid from their wallets).',
    liability: `Points members hold today, ${whose}, per funder, and their value at the price that funder paid per point: the total of its invoices divided by the points they bought (in the currency of its latest invoice). Points the program gave itself were bought by nobody and have no price. Today's figure: not affected by the date range.`,
    'expiry-forecast': `Points members hold today, ${whose}, that will expire in each of the next 12 months unless spent first, per funder. Points already past their date but not yet removed count in this month. Not affected by the date range.`,
    'returning-by-partner':
      'Customers: members who made at least one purchase at the partner in the range. Returning: those who purchased there on two different days (UTC) or more. Repeat-purchase rate: returning divided by customers.',
    'returning-by-cohort': `Customers who made at least one purchase${scope === 'partner' ? ' at this partner' : ''} in the range, grouped by the month they enrolled in the program; returning: purchased on two different days or more in the range; rate: returning divided by customers.`,
    'redemptions-by-reward': `Redemptions made in the range and not cancelled${scope === 'partner' ? ' through this partner' : ''}, per reward: how many, the rewards handed over and the points spent.`,
    'redemptions-by-partner': `Redemptions made in the range and not cancelled, per partner through whose app or till the member redeemed (or the member dashboard): how many and the points spent.`,
    'member-growth':
      scope === 'partner'
        ? 'New customers: members whose first event at this partner fell on that day (or week, for ranges over 92 days); the line is all its customers to date.'
        : 'New members: members who enrolled on that day (or week, for ranges over 92 days); the line is all members to date (merged records not counted).',
  };
}

const amount = (minor: number | null, currency: string | null): CsvCell =>
  minor === null || !currency ? null : typedPrice(minor, currency);
const perPoint = (minor: number | null, currency: string | null): CsvCell =>
  minor === null || !isCurrency(currency) ? null : (minor / 10 ** minorDigits(currency)).toFixed(minorDigits(currency) + 4);
const rate = (value: number) => (value * 100).toFixed(1);

/** The figure a query's `csv` names, refused when it names none. */
export function figureNamed(value: unknown): Figure {
  const figure = figures.find((f) => f === value);
  if (!figure) throw new Refusal('invalid_range', `must be one of ${figures.join(', ')}`, 'csv');
  return figure;
}

/** One figure as a CSV document, its file named after the figure and the range. */
export function figureCsv(name: Figure, a: Analytics): { filename: string; body: string } {
  const document = (header: string[], rows: CsvCell[][]) => ({
    filename: `${name}_${a.range.from}_${a.range.to}.csv`,
    body: csvDocument(header, rows),
  });
  const { flow, liability, expiry, repeat, redemptions, growth } = a;
  switch (name) {
    case 'points-per-day':
      return document(
        ['day', 'points issued', 'points burned', 'points expired'],
        flow.days.map((day, i) => [day, flow.issued[i]!, flow.burned[i]!, flow.expired[i]!]),
      );
    case 'top-partners':
      return document(
        ['partner', 'points issued'],
        flow.topPartners.map((p) => [p.name, p.points]),
      );
    case 'liability':
      return document(
        ['funder', 'points held by members', 'price paid per point', 'value at that price', 'currency'],
        liability.funders.map((f) => [f.funder, f.points, perPoint(f.pricePerPoint, f.currency), amount(f.money, f.currency), f.currency]),
      );
    case 'expiry-forecast':
      return document(
        ['month', ...expiry.funders.map((f) => `points expiring: ${f.funder}`), 'points expiring: all funders'],
        expiry.months.map((month, i) => [month, ...expiry.funders.map((f) => f.points[i]!), expiry.total[i]!]),
      );
    case 'returning-by-partner':
      return document(
        ['partner', 'customers', 'returning customers', 'repeat-purchase rate (%)'],
        repeat.byPartner.map((p) => [p.partner, p.customers, p.returning, rate(p.rate)]),
      );
    case 'returning-by-cohort':
      return document(
        ['enrolment month', 'customers', 'returning customers', 'repeat-purchase rate (%)'],
        repeat.byCohort.map((c) => [c.cohort, c.customers, c.returning, rate(c.rate)]),
      );
    case 'redemptions-by-reward':
      return document(
        ['reward', 'redemptions', 'rewards handed over', 'points spent'],
        redemptions.byReward.map((r) => [r.reward, r.redemptions, r.quantity, r.points]),
      );
    case 'redemptions-by-partner':
      return document(
        ['redeemed through', 'redemptions', 'rewards handed over', 'points spent'],
        redemptions.byPartner.map((r) => [r.partner, r.redemptions, r.quantity, r.points]),
      );
    case 'member-growth':
      return document(
        [growth.bucket === 'day' ? 'day' : 'week starting', 'new', 'total'],
        growth.starts.map((start, i) => [start, growth.added[i]!, growth.total[i]!]),
      );
  }
}
