import { In, type EntityManager } from 'typeorm';
import { Invoice, LedgerAccount, Partner } from '../entities/index.js';
import { balanceOf } from '../loyalty/ledger/accounts.js';
import { countedFigures, newTransfer } from './daily-figures.js';
import { heldPoints } from './holdings.js';
import { pointsFlow } from './points-flow.js';
import { dateRange, type DateRange } from './date-range.js';

export interface ProgramStats {
  /** The days charted, oldest first (YYYY-MM-DD, UTC). */
  days: string[];
  issued: number[];
  burned: number[];
  expired: number[];
  /** Points members hold that may still be spent: the program's (or the partner's) liability. */
  outstanding: number;
  activeMembers: number;
  /** Points burned over points issued in the period. */
  redemptionRate: number;
  topPartners: { name: string; points: number }[];
  /** For a partner's view. */
  wallet?: { available: number };
  invoices?: { number: string; points: number; amountCents: number; currency: string; createdAt: Date }[];
}

/**
 * The dashboard's numbers over the days of `range` (the last 30 without one), for the whole
 * program or, with `partnerId`, for one partner: points it issued, and burned or expired points it funded.
 */
export async function programStats(
  manager: EntityManager,
  options: { partnerId?: string; range?: DateRange; now?: Date } = {},
): Promise<ProgramStats> {
  const { partnerId, now = new Date() } = options;
  const { start: since, end: until, days } = options.range ?? dateRange({}, now);
  const wallet = partnerId ? await manager.findOneByOrFail(LedgerAccount, { partnerId, kind: 'partner_wallet' }) : null;
  const flow = await pointsFlow(manager, { partnerId, walletId: wallet?.id, since, until, days });
  const held = await heldPoints(manager, { partnerId, partner: '$1', n: 2 });
  const [{ outstanding }] = await manager.query(`SELECT COALESCE(SUM(points), 0)::bigint AS outstanding FROM (${held.sql}) h`, [
    partnerId ?? null,
    ...held.parameters,
  ]);
  const [{ active }] = await manager.query(
    `SELECT COUNT(DISTINCT "memberId")::int AS active FROM member_event WHERE "occurredAt" >= $1 AND "occurredAt" < $3 AND ($2::uuid IS NULL OR "partnerId" = $2)`,
    [since, partnerId ?? null, until],
  );
  const total = (values: number[]) => values.reduce((sum, v) => sum + v, 0);
  const stats: ProgramStats = {
    ...flow,
    outstanding: Number(outstanding),
    activeMembers: active,
    redemptionRate: 0,
    topPartners: [],
  };
  stats.redemptionRate = total(stats.issued) > 0 ? total(stats.burned) / total(stats.issued) : 0;
  if (!partnerId) {
    const { mark, figures } = await countedFigures(manager, { sinceDay: flow.days[0]!, untilDay: until.toISOString().slice(0, 10) });
    const recent: { partnerId: string; points: string }[] = await manager.query(
      `SELECT a."partnerId", SUM(t.amount) AS points FROM ledger_transfer t
         JOIN ledger_account a ON a.id = t."debitAccountId" AND a.kind = 'partner_wallet'
        WHERE t.kind IN ('earn', 'bonus') AND ${newTransfer(3)} AND t."createdAt" >= $1 AND t."createdAt" < $2
        GROUP BY 1`,
      [since, until, mark.transferSeq, mark.transferGaps],
    );
    const byPartner = new Map<string, number>();
    for (const { partnerId: id, points } of [...recent, ...figures.filter((f) => f.kind === 'issued' && f.partnerId)])
      byPartner.set(id!, (byPartner.get(id!) ?? 0) + Number(points));
    const names = await manager.find(Partner, { where: { id: In([...byPartner.keys()]) }, select: { id: true, name: true } });
    const byName = new Map<string, number>();
    for (const p of names) byName.set(p.name, (byName.get(p.name) ?? 0) + byPartner.get(p.id)!);
    stats.topPartners = [...byName]
      .map(([name, points]) => ({ name, points }))
      .sort((a, b) => b.points - a.points || a.name.localeCompare(b.name))
      .slice(0, 5);
  } else {
    stats.wallet = { available: (await balanceOf(manager, wallet!.id)).available };
    const invoices = await manager.find(Invoice, { where: { partnerId }, order: { serial: 'DESC' }, take: 5 });
    stats.invoices = invoices.map((i) => ({
      number: i.number,
      points: i.points,
      amountCents: i.amountCents,
      currency: i.currency,
      createdAt: i.createdAt,
    }));
    const partner = await manager.findOneByOrFail(Partner, { id: partnerId });
    stats.topPartners = [{ name: partner.name, points: total(stats.issued) }];
  }
  return stats;
}
