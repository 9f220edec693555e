import type { DataSource } from 'typeorm';
import { LedgerAccount, Partner } from '../entities/index.js';
import { pointsChartPng } from './points-chart.js';
import { dateRange } from './date-range.js';
import { pointsFlow } from './points-flow.js';

export type ReportPeriod = 'weekly' | 'monthly';

export interface Report {
  to: string;
  subject: string;
  text: string;
  attachments: { filename: string; content: Buffer; contentType: string }[];
}

const number = new Intl.NumberFormat('en');

/**
 * A partner's (or, without partnerId, the program's) report for the last week or month: points
 * issued, redeemed and expired, members earning, the returning-member rate, the top rules, a chart
 * (PNG) and the daily figures (CSV).
 */
export async function buildReport(
  dataSource: DataSource,
  options: { partnerId?: string; period: ReportPeriod; to: string; now?: Date },
): Promise<Report> {
  const days = options.period === 'weekly' ? 7 : 30;
  const range = dateRange({ preset: String(days) }, options.now);
  const wallet = options.partnerId
    ? await dataSource.manager.findOneByOrFail(LedgerAccount, { partnerId: options.partnerId, kind: 'partner_wallet' })
    : null;
  const stats = await pointsFlow(dataSource.manager, {
    partnerId: options.partnerId,
    walletId: wallet?.id,
    since: range.start,
    until: range.end,
    days: range.days,
  });
  const name = options.partnerId
    ? (await dataSource.manager.findOneByOrFail(Partner, { id: options.partnerId })).name
    : 'The coalition program';
  const since = stats.days[0]!;
  const [members] = await dataSource.query(
    `SELECT COUNT(DISTINCT "memberId")::int AS earning,
            COUNT(DISTINCT "memberId") FILTER (WHERE "memberId" IN (
              SELECT "memberId" FROM member_event WHERE "occurredAt" < $1::date AND ($2::uuid IS NULL OR "partnerId" = $2)))::int AS returning
       FROM member_event WHERE "occurredAt" >= $1::date AND ($2::uuid IS NULL OR "partnerId" = $2)`,
    [since, options.partnerId ?? null],
  );
  const rules: { rule: string; points: string }[] = await dataSource.query(
    `SELECT x->>'rule' AS rule, SUM((x->>'points')::bigint) AS points
       FROM member_event e, jsonb_array_elements(e.explanation) x
      WHERE e."occurredAt" >= $1::date AND ($2::uuid IS NULL OR e."partnerId" = $2)
      GROUP BY 1 ORDER BY 2 DESC LIMIT 5`,
    [since, options.partnerId ?? null],
  );
  const total = (values: number[]) => values.reduce((sum, v) => sum + v, 0);
  const returningRate = members.earning > 0 ? Math.round((members.returning / members.earning) * 100) : 0;
  const label = options.period === 'weekly' ? 'weekly' : 'monthly';
  const text = [
    `${name} — ${label} report, ${stats.days[0]} to ${stats.days.at(-1)}`,
    '',
    `Points issued: ${number.format(total(stats.issued))}`,
    `Points redeemed: ${number.format(total(stats.burned))}`,
    `Points expired: ${number.format(total(stats.expired))}`,
    `Members earning: ${members.earning}`,
    `Returning members: ${returningRate}%`,
    '',
    'Top rules:',
    ...rules.map((r) => `  ${r.rule}: ${number.format(Number(r.points))} points`),
  ].join('\n');
  const csv = [
    'day,issued,redeemed,expired',
    ...stats.days.map((d, i) => `${d},${stats.issued[i]},${stats.burned[i]},${stats.expired[i]}`),
  ].join('\n');
  return {
    to: options.to,
    subject: `${name}: your ${label} Tessera report`,
    text,
    attachments: [
      { filename: 'points.png', content: pointsChartPng(stats.days, stats), contentType: 'image/png' },
      { filename: 'points.csv', content: Buffer.from(`${csv}\n`), contentType: 'text/csv' },
    ],
  };
}
