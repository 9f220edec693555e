import type { EntityManager } from 'typeorm';

/** A funding source's points, from the ledger: where they came from and where they went. */
export interface SourceFigures {
  id: string;
  code: string;
  name: string;
  kind: string;
  ownerPartnerId: string | null;
  /** Allocated to it, less what was taken back. */
  allocated: number;
  /** Given to members (earns, bonuses), less what refunds took back. */
  issued: number;
  /** Of the points it issued: spent by members (burns and holds, less voids and reversed burns). */
  consumed: number;
  /** Of the points it issued: expired (breakage). */
  expired: number;
  /** Of the points it issued: still in members' lots. */
  outstanding: number;
  /** Left in the source to pay with: allocated less issued, less any hold on it. */
  remaining: number;
  lowBalanceThreshold: number;
  low: boolean;
}

/**
 * Each source's figures (a partner's own when `ownerPartnerId` is given). A lot is the source's when
 * the transfer that created it debited the source; its consumptions say whether a burn or an expiry
 * took its points (a reversal counts as what it reversed).
 */
export async function sourceFigures(
  manager: EntityManager,
  options: { ownerPartnerId?: string; sourceId?: string } = {},
): Promise<SourceFigures[]> {
  const rows: Record<string, string | null>[] = await manager.query(
    `WITH src AS (
       SELECT * FROM funding_source s
        WHERE ($1::uuid IS NULL OR s."ownerPartnerId" = $1) AND ($2::uuid IS NULL OR s.id = $2)),
     moved AS (
       SELECT s.id,
              COALESCE(SUM(CASE WHEN t.kind = 'allocation' AND t."creditAccountId" = s."accountId" THEN t.amount
                                WHEN t.kind = 'allocation' THEN -t.amount END), 0) AS allocated,
              COALESCE(SUM(CASE WHEN t.kind <> 'allocation' AND t."debitAccountId" = s."accountId" THEN t.amount
                                WHEN t.kind <> 'allocation' THEN -t.amount END), 0) AS issued
         FROM src s JOIN ledger_transfer t ON (t."debitAccountId" = s."accountId" OR t."creditAccountId" = s."accountId")
                                        AND t.phase IN ('single', 'post')
        GROUP BY s.id),
     used AS (
       SELECT s.id,
              COALESCE(SUM(c.points) FILTER (WHERE COALESCE(r.kind, x.kind) = 'burn'), 0) AS consumed,
              COALESCE(SUM(c.points) FILTER (WHERE COALESCE(r.kind, x.kind) = 'expire'), 0) AS expired
         FROM src s
         JOIN ledger_transfer ct ON ct."debitAccountId" = s."accountId"
         JOIN point_lot l ON l."creditTransferId" = ct.id
         JOIN lot_consumption c ON c."lotId" = l.id
         JOIN ledger_transfer x ON x.id = c."transferId"
         LEFT JOIN ledger_transfer r ON x.kind = 'reversal' AND r.id = x."reversesTransferId"
        GROUP BY s.id),
     held AS (
       SELECT s.id, COALESCE(SUM(l.remaining), 0) AS outstanding
         FROM src s JOIN ledger_transfer ct ON ct."debitAccountId" = s."accountId" JOIN point_lot l ON l."creditTransferId" = ct.id
        GROUP BY s.id),
     left_in AS (
       SELECT s.id, COALESCE(SUM(b."creditsPosted" - b."debitsPosted" - b."debitsPending"), 0) AS remaining
         FROM src s JOIN ledger_balance b ON b."accountId" = s."accountId" GROUP BY s.id)
     SELECT s.id, s.code, s.name, s.kind, s."ownerPartnerId", s."lowBalanceThreshold",
            COALESCE(m.allocated, 0) AS allocated, COALESCE(m.issued, 0) AS issued,
            COALESCE(u.consumed, 0) AS consumed, COALESCE(u.expired, 0) AS expired,
            COALESCE(h.outstanding, 0) AS outstanding, COALESCE(li.remaining, 0) AS remaining
       FROM src s LEFT JOIN moved m ON m.id = s.id LEFT JOIN used u ON u.id = s.id
       LEFT JOIN held h ON h.id = s.id LEFT JOIN left_in li ON li.id = s.id
      ORDER BY s.name, s.code`,
    [options.ownerPartnerId ?? null, options.sourceId ?? null],
  );
  return rows.map((row) => {
    const n = (key: string) => Number(row[key]);
    return {
      id: row.id!,
      code: row.code!,
      name: row.name!,
      kind: row.kind!,
      ownerPartnerId: row.ownerPartnerId ?? null,
      allocated: n('allocated'),
      issued: n('issued'),
      consumed: n('consumed'),
      expired: n('expired'),
      outstanding: n('outstanding'),
      remaining: n('remaining'),
      lowBalanceThreshold: n('lowBalanceThreshold'),
      low: n('remaining') < n('lowBalanceThreshold'),
    };
  });
}
