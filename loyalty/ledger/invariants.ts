import type { EntityManager } from 'typeorm';

export interface InvariantViolation {
  invariant: string;
  /** The account (or lot) at fault, by its readable code where it has one. */
  subject: string;
  detail: string;
}

export interface LedgerReport {
  ok: boolean;
  checkedAt: Date;
  accounts: number;
  transfers: number;
  violations: InvariantViolation[];
}

const shardTotalsQuery = `
  WITH transfers AS (
    -- A post or void releases all its hold held, whatever part a post moved.
    SELECT t."debitAccountId", t."debitShard", t."creditAccountId", t."creditShard", t.phase, t.amount,
           CASE t.phase WHEN 'pending' THEN t.amount WHEN 'single' THEN 0 ELSE -COALESCE(h.amount, t.amount) END AS pend
      FROM ledger_transfer t LEFT JOIN ledger_transfer h ON h.id = t."pendingTransferId"
  ), moved AS (
    SELECT "debitAccountId" AS account, "debitShard" AS shard,
           CASE phase WHEN 'single' THEN amount WHEN 'post' THEN amount ELSE 0 END AS dp, 0::bigint AS cp,
           pend AS dpend, 0::bigint AS cpend
      FROM transfers
    UNION ALL
    SELECT "creditAccountId", "creditShard",
           0, CASE phase WHEN 'single' THEN amount WHEN 'post' THEN amount ELSE 0 END,
           0, pend
      FROM transfers
  ), sums AS (
    SELECT account, shard, SUM(dp) dp, SUM(cp) cp, SUM(dpend) dpend, SUM(cpend) cpend FROM moved GROUP BY 1, 2
  )
  SELECT a.code, b.shard,
         b."debitsPosted" AS cached_dp, COALESCE(s.dp, 0) AS dp,
         b."creditsPosted" AS cached_cp, COALESCE(s.cp, 0) AS cp,
         b."debitsPending" AS cached_dpend, COALESCE(s.dpend, 0) AS dpend,
         b."creditsPending" AS cached_cpend, COALESCE(s.cpend, 0) AS cpend
    FROM ledger_balance b
    JOIN ledger_account a ON a.id = b."accountId"
    FULL JOIN sums s ON s.account = b."accountId" AND s.shard = b.shard
   WHERE b."accountId" IS NULL
      OR b."debitsPosted" <> COALESCE(s.dp, 0) OR b."creditsPosted" <> COALESCE(s.cp, 0)
      OR b."debitsPending" <> COALESCE(s.dpend, 0) OR b."creditsPending" <> COALESCE(s.cpend, 0)`;

const memberLotsQuery = `
  SELECT a.code, bal.available, COALESCE(l.remaining, 0) AS lots
    FROM ledger_account a
    JOIN (SELECT "accountId", SUM("creditsPosted" - "debitsPosted" - "debitsPending") AS available
            FROM ledger_balance GROUP BY 1) bal ON bal."accountId" = a.id
    LEFT JOIN (SELECT "memberAccountId", SUM(remaining) AS remaining FROM point_lot GROUP BY 1) l
      ON l."memberAccountId" = a.id
   WHERE a.kind = 'member' AND bal.available <> COALESCE(l.remaining, 0)`;

const lotConsumptionQuery = `
  SELECT l.id, a.code, l.points, l.remaining, COALESCE(SUM(c.points), 0) AS consumed
    FROM point_lot l
    JOIN ledger_account a ON a.id = l."memberAccountId"
    LEFT JOIN lot_consumption c ON c."lotId" = l.id
   GROUP BY l.id, a.code
  HAVING l.remaining <> l.points - COALESCE(SUM(c.points), 0)`;

const zeroSumQuery = `
  SELECT a.unit, SUM(b."creditsPosted" - b."debitsPosted") AS posted, SUM(b."creditsPending" - b."debitsPending") AS pending
    FROM ledger_balance b JOIN ledger_account a ON a.id = b."accountId"
   GROUP BY a.unit
  HAVING SUM(b."creditsPosted" - b."debitsPosted") <> 0 OR SUM(b."creditsPending" - b."debitsPending") <> 0`;

const negativeQuery = `
  SELECT a.code, SUM(b."creditsPosted" - b."debitsPosted" - b."debitsPending") AS available,
         MIN(b."creditsPosted" - b."debitsPosted" - b."debitsPending") AS lowest_shard
    FROM ledger_balance b JOIN ledger_account a ON a.id = b."accountId"
   WHERE NOT a."mayGoNegative"
   GROUP BY a.code
  HAVING MIN(b."creditsPosted" - b."debitsPosted" - b."debitsPending") < 0`;

const resolutionQuery = `
  SELECT r.id, r.phase, r.amount, p.amount AS pending_amount, p.phase AS pending_phase
    FROM ledger_transfer r LEFT JOIN ledger_transfer p ON p.id = r."pendingTransferId"
   WHERE r."pendingTransferId" IS NOT NULL
     AND (p.id IS NULL OR p.phase <> 'pending' OR r.amount > p.amount OR (r.phase = 'void' AND p.amount <> r.amount)
          OR p."debitAccountId" <> r."debitAccountId" OR p."creditAccountId" <> r."creditAccountId")`;

const overReversedQuery = `
  SELECT o.id, o.amount, SUM(r.amount) AS reversed
    FROM ledger_transfer r JOIN ledger_transfer o ON o.id = r."reversesTransferId"
   GROUP BY o.id, o.amount HAVING SUM(r.amount) > o.amount`;

/**
 * Verifies the ledger from first principles, in one repeatable-read snapshot:
 * cached balances equal the sum of transfers; each member's available points equal the sum of
 * their lots' remainders, and each lot's remainder its points minus its consumptions; all
 * accounts of each unit sum to zero; nothing is negative where it must not be; holds are resolved once, by
 * transfers that match them (a post may take less than its hold); nothing is reversed beyond its amount.
 */
export async function checkLedger(manager: EntityManager): Promise<LedgerReport> {
  return manager.transaction('REPEATABLE READ', async (tx) => {
    const violations: InvariantViolation[] = [];
    for (const r of await tx.query(shardTotalsQuery)) {
      violations.push({
        invariant: 'cached balance equals the sum of transfers',
        subject: r.code ?? '(transfers to an account shard that does not exist)',
        detail:
          `shard ${r.shard}: debits posted ${r.cached_dp} (transfers say ${r.dp}), credits posted ${r.cached_cp} (${r.cp}), ` +
          `debits pending ${r.cached_dpend} (${r.dpend}), credits pending ${r.cached_cpend} (${r.cpend})`,
      });
    }
    for (const r of await tx.query(memberLotsQuery)) {
      violations.push({
        invariant: "member balance equals the sum of their lots' remaining points",
        subject: r.code,
        detail: `available ${r.available}, lots hold ${r.lots}`,
      });
    }
    for (const r of await tx.query(lotConsumptionQuery)) {
      violations.push({
        invariant: 'lot remainder equals its points minus its consumptions',
        subject: `${r.code} lot ${r.id}`,
        detail: `points ${r.points}, consumed ${r.consumed}, remaining ${r.remaining}`,
      });
    }
    for (const sum of await tx.query(zeroSumQuery)) {
      violations.push({
        invariant: 'all accounts sum to zero in each unit',
        subject: `ledger (${sum.unit})`,
        detail: `posted balances sum to ${sum.posted}, pending to ${sum.pending}`,
      });
    }
    for (const r of await tx.query(negativeQuery)) {
      violations.push({
        invariant: 'no overdraft where it is not allowed',
        subject: r.code,
        detail: `available ${r.available}, lowest shard ${r.lowest_shard}`,
      });
    }
    for (const r of await tx.query(resolutionQuery)) {
      violations.push({
        invariant: 'a hold is posted or voided once, by a transfer that matches it',
        subject: `transfer ${r.id}`,
        detail: `${r.phase} of ${r.amount} resolves ${r.pending_phase ?? 'nothing'} of ${r.pending_amount ?? 0}`,
      });
    }
    for (const r of await tx.query(overReversedQuery)) {
      violations.push({
        invariant: 'nothing is reversed beyond its amount',
        subject: `transfer ${r.id}`,
        detail: `amount ${r.amount}, reversed ${r.reversed}`,
      });
    }
    const [counts] = await tx.query(
      `SELECT (SELECT COUNT(*) FROM ledger_account)::int AS accounts, (SELECT COUNT(*) FROM ledger_transfer)::int AS transfers`,
    );
    return { ok: violations.length === 0, checkedAt: new Date(), accounts: counts.accounts, transfers: counts.transfers, violations };
  });
}

export function formatReport(report: LedgerReport): string {
  const head = `Ledger check at ${report.checkedAt.toISOString()}: ${report.accounts} accounts, ${report.transfers} transfers`;
  if (report.ok) return `${head}\nAll invariants hold.`;
  const lines = report.violations.map((v) => `  ✗ ${v.subject}: ${v.invariant} — ${v.detail}`);
  return `${head}\n${report.violations.length} violation(s):\n${lines.join('\n')}`;
}
