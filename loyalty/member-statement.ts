import type { EntityManager } from 'typeorm';
import type { RuleExplanation } from '../entities/index.js';
import { memberHistory, type HistoryEntry, type HistoryStatus } from './member-history.js';
import { memberWithAccount } from './member-identity.js';

/** One line of a member's own statement: what happened, where, and why, in words. */
export interface StatementLine {
  id: string;
  at: Date;
  points: number;
  status: HistoryStatus;
  /** Of pending points: when they become spendable. */
  availableFrom?: Date;
  /** What happened: "Purchase at Koffie Corner", "Gift to Ann", "Expired". */
  description: string;
  /** The store (and its point of sale), when one was involved. */
  place: string | null;
  /** Why, rule by rule, when points were earned. */
  reasons: RuleExplanation[];
}

interface Context {
  references: Record<string, string>;
  kind: string;
  partner: string | null;
  pointOfSale: string | null;
  eventType: string | null;
  reward: string | null;
  counterpart: string | null;
  adjustmentReason: string | null;
  bonus: string | null;
}

/**
 * The member's own history, newest first, by cursor: every line with its reason. Unlike what a
 * store sees, nothing is left out — it is all theirs — but other members appear by display name
 * only.
 */
export async function memberStatement(
  manager: EntityManager,
  memberId: string,
  page: { before?: bigint; limit: number },
): Promise<{ lines: StatementLine[]; nextCursor: string | null }> {
  const { account } = await memberWithAccount(manager, memberId);
  const history = await memberHistory(manager, memberId, page);
  const contexts = await contextsOf(
    manager,
    account.id,
    history.entries.map((e) => e.id),
  );
  return {
    lines: history.entries.map((entry) => line(entry, contexts.get(entry.id))),
    nextCursor: history.nextCursor,
  };
}

function line(entry: HistoryEntry, context: Context | undefined): StatementLine {
  const place = context?.partner ? [context.partner, context.pointOfSale].filter(Boolean).join(' · ') : null;
  return {
    id: entry.id,
    at: entry.at,
    points: entry.points,
    status: entry.status,
    ...(entry.availableFrom ? { availableFrom: entry.availableFrom } : {}),
    description: context ? describe(entry, context) : entry.kind,
    place,
    reasons: entry.explanation ?? [],
  };
}

function describe(entry: HistoryEntry, c: Context): string {
  const incoming = entry.points > 0;
  switch (entry.kind) {
    case 'purchase':
    case 'earn':
      return c.eventType && c.eventType !== 'purchase' ? `Points for a ${c.eventType.replaceAll('_', ' ')}` : 'Points for a purchase';
    case 'bonus':
      return c.bonus ? `Bonus: ${c.bonus}` : 'Bonus';
    case 'burn':
      return c.reward ? `Reward: ${c.reward}` : 'Points spent';
    case 'expire':
      return 'Points expired';
    case 'adjust':
      return c.adjustmentReason ? `Customer care: ${c.adjustmentReason}` : 'Customer care adjustment';
    case 'transfer':
      return incoming ? `Gift from ${c.counterpart ?? 'another member'}` : `Gift to ${c.counterpart ?? 'another member'}`;
    case 'reversal':
      return c.references.refundOf ? 'Points taken back for a refund' : 'Correction by customer care';
    case 'merge':
      return 'Points from your other account, now joined to this one';
    case 'rebalance':
    case 'allocation':
      return 'Internal correction';
    case 'cashback':
      return 'Cashback in store credit';
    case 'conversion':
      return incoming ? 'Converted into this balance' : 'Converted into store credit';
  }
}

async function contextsOf(manager: EntityManager, accountId: string, ids: string[]): Promise<Map<string, Context>> {
  if (ids.length === 0) return new Map();
  const rows: (Context & { id: string })[] = await manager.query(
    `SELECT t.id, t.kind, t."references",
            p.name AS partner,
            pos.name AS "pointOfSale",
            e.type AS "eventType",
            r.name AS reward,
            COALESCE(other."displayName", 'another member') AS counterpart,
            ca.reason AS "adjustmentReason",
            b.name AS bonus
       FROM ledger_transfer t
       LEFT JOIN member_event e ON e.id::text = COALESCE(t."references"->>'event', t."references"->>'refundOf')
       LEFT JOIN partner p ON p.id::text = COALESCE(t."references"->>'partner', e."partnerId"::text)
       LEFT JOIN point_of_sale pos ON pos.id = e."pointOfSaleId"
       LEFT JOIN reward r ON r.code = t."references"->>'reward'
       LEFT JOIN ledger_account oa ON oa.id = CASE WHEN t."debitAccountId" = $1 THEN t."creditAccountId" ELSE t."debitAccountId" END
                                  AND t.kind = 'transfer'
       LEFT JOIN member other ON other.id = oa."memberId"
       LEFT JOIN care_adjustment ca ON ca.id::text = t."references"->>'adjustment'
       LEFT JOIN bonus b ON b.id::text = t."references"->>'bonus'
      WHERE t.id = ANY($2::uuid[])`,
    [accountId, ids],
  );
  return new Map(rows.map((row) => [row.id, row]));
}
