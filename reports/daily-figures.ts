import type { DataSource, EntityManager } from 'typeorm';
import { pointsUnit, type DailyFigureKind } from '../entities/index.js';
import { notCountedBy, numberingMark } from '../loyalty/ledger/numbering-mark.js';
import { holdingsChangeSelect, holdingsSelect } from './holdings.js';

export interface DailyFiguresRefresh {
  /** Rows of `daily_figure` written or added to. */
  rows: number;
  rebuilt: boolean;
}

/** Transfers and lot consumptions `daily_figure` has counted: up to `seq`/`id`, except the gaps. */
export interface FiguresMark {
  transferSeq: string;
  transferGaps: string[];
  consumptionId: string;
  consumptionGaps: string[];
}

/** Without figures, nothing is counted: every row is new. */
const nothingCounted: FiguresMark = { transferSeq: '0', transferGaps: [], consumptionId: '0', consumptionGaps: [] };

const day = `(t."createdAt" AT TIME ZONE 'UTC')::date`;
const issuedKinds = `t.kind IN ('earn', 'bonus')`;
const consumedKinds = `t.kind IN ('burn', 'expire')`;

/** SQL true for a transfer `t` (numbered `seq`) or a consumption `c` (numbered `id`) not counted by the mark at `$n`, `$n+1`. */
export const newTransfer = (n: number) => notCountedBy('t.seq', `$${n}`, `$${n + 1}`);
export const newConsumption = (n: number) => notCountedBy('c.id', `$${n}`, `$${n + 1}`);

/** The figures of the transfers and consumptions that `where` keeps, per day, kind and partner. */
function figuresSelect(where: { transfers: string; consumptions: string }): string {
  return `SELECT ${day} AS day, 'issued' AS kind, a."partnerId", SUM(t.amount) AS points
      FROM ledger_transfer t LEFT JOIN ledger_account a ON a.id = t."debitAccountId" AND a.kind = 'partner_wallet'
     WHERE ${issuedKinds} AND ${where.transfers} GROUP BY 1, 2, 3
    UNION ALL
    SELECT ${day}, CASE t.kind WHEN 'burn' THEN 'burned' ELSE 'expired' END, l."fundingPartnerId", SUM(c.points)
      FROM lot_consumption c JOIN ledger_transfer t ON t.id = c."transferId" JOIN point_lot l ON l.id = c."lotId"
      JOIN ledger_account m ON m.id = l."memberAccountId" AND m.unit = '${pointsUnit}'
     WHERE ${consumedKinds} AND ${where.consumptions} GROUP BY 1, 2, 3`;
}

/** What the daily figures have counted so far. */
export async function figuresMark(manager: EntityManager): Promise<FiguresMark> {
  const [mark]: FiguresMark[] = await manager.query(
    `SELECT "transferSeq", "transferGaps", "consumptionId", "consumptionGaps" FROM daily_figure_watermark WHERE id = 1`,
  );
  return mark ?? nothingCounted;
}

/**
 * Brings `daily_figure` up to date. Transfers and lot consumptions are only ever inserted, so the
 * figures grow by the rows not counted yet: numbered above the last run's highest, or missing
 * then (a write still running, or one that commits late for a past day). The holdings per funder,
 * unit and expiry month (`holding_figure`) move by the same rows. One transaction, which also moves
 * the watermark: a run that fails or runs twice counts nothing twice. With `rebuild` (and on the
 * first run), every day and the holdings are computed afresh from the ledger.
 */
export async function refreshDailyFigures(dataSource: DataSource, options: { rebuild?: boolean } = {}): Promise<DailyFiguresRefresh> {
  return dataSource.transaction('REPEATABLE READ', async (tx) => {
    // A second refresh waits for this one, then sees its work done.
    await tx.query(`LOCK TABLE daily_figure_watermark IN EXCLUSIVE MODE`);
    const [counted] = await tx.query(`SELECT 1 FROM daily_figure_watermark WHERE id = 1`);
    const rebuilt = options.rebuild === true || !counted;
    const transfers = await numberingMark(tx, 'ledger_transfer', 'seq');
    const consumptions = await numberingMark(tx, 'lot_consumption', 'id');
    let rows: number;
    if (rebuilt) {
      await tx.query(`DELETE FROM daily_figure`);
      [{ rows }] = await tx.query(
        `WITH written AS (INSERT INTO daily_figure (day, kind, "partnerId", points) ${figuresSelect({ transfers: 'true', consumptions: 'true' })} RETURNING 1)
         SELECT COUNT(*)::int AS rows FROM written`,
      );
      await tx.query(`DELETE FROM holding_figure`);
      await tx.query(`INSERT INTO holding_figure ("fundingPartnerId", unit, "expiryMonth", points) ${holdingsSelect}`);
    } else {
      const mark = await figuresMark(tx);
      [{ rows }] = await tx.query(
        `WITH delta AS (${figuresSelect({ transfers: newTransfer(1), consumptions: newConsumption(3) })}),
         added AS (
           UPDATE daily_figure f SET points = f.points + d.points FROM delta d
            WHERE f.day = d.day AND f.kind = d.kind AND f."partnerId" IS NOT DISTINCT FROM d."partnerId"
           RETURNING f.day, f.kind, f."partnerId"),
         created AS (
           INSERT INTO daily_figure (day, kind, "partnerId", points)
           SELECT d.day, d.kind, d."partnerId", d.points FROM delta d
            WHERE NOT EXISTS (SELECT 1 FROM added a WHERE a.day = d.day AND a.kind = d.kind AND a."partnerId" IS NOT DISTINCT FROM d."partnerId")
           RETURNING 1)
         SELECT (SELECT COUNT(*) FROM added)::int + (SELECT COUNT(*) FROM created)::int AS rows`,
        [mark.transferSeq, mark.transferGaps, mark.consumptionId, mark.consumptionGaps],
      );
      await tx.query(
        `WITH delta AS (
           SELECT "fundingPartnerId", unit, "expiryMonth", SUM(points) AS points FROM (${holdingsChangeSelect(1)}) c
            GROUP BY 1, 2, 3 HAVING SUM(points) <> 0),
         added AS (
           UPDATE holding_figure h SET points = h.points + d.points FROM delta d
            WHERE h."fundingPartnerId" IS NOT DISTINCT FROM d."fundingPartnerId" AND h.unit = d.unit
              AND h."expiryMonth" IS NOT DISTINCT FROM d."expiryMonth"
           RETURNING h."fundingPartnerId", h.unit, h."expiryMonth")
         INSERT INTO holding_figure ("fundingPartnerId", unit, "expiryMonth", points)
         SELECT d."fundingPartnerId", d.unit, d."expiryMonth", d.points FROM delta d
          WHERE NOT EXISTS (
            SELECT 1 FROM added a WHERE a."fundingPartnerId" IS NOT DISTINCT FROM d."fundingPartnerId" AND a.unit = d.unit
               AND a."expiryMonth" IS NOT DISTINCT FROM d."expiryMonth")`,
        [mark.transferSeq, mark.transferGaps, mark.consumptionId, mark.consumptionGaps],
      );
    }
    await tx.query(
      `INSERT INTO daily_figure_watermark (id, "transferSeq", "transferGaps", "consumptionId", "consumptionGaps", "refreshedAt")
       VALUES (1, $1, $2, $3, $4, now())
       ON CONFLICT (id) DO UPDATE SET "transferSeq" = $1, "transferGaps" = $2, "consumptionId" = $3, "consumptionGaps" = $4, "refreshedAt" = now()`,
      [transfers.top, transfers.gaps, consumptions.top, consumptions.gaps],
    );
    return { rows, rebuilt };
  });
}

export interface CountedFigure {
  day: string;
  kind: DailyFigureKind;
  partnerId: string | null;
  points: number;
}

/**
 * The daily figures of the days from `sinceDay` up to (not including) `untilDay`, per kind and
 * partner, and the mark of what they count: read in one statement, so that a refresh committing
 * meanwhile neither hides rows from nor adds them twice to the caller's count of what is newer.
 */
export async function countedFigures(
  manager: EntityManager,
  range: { sinceDay: string; untilDay: string },
): Promise<{ mark: FiguresMark; figures: CountedFigure[] }> {
  const rows: (Partial<FiguresMark> & { day: string | null; kind: DailyFigureKind; partnerId: string | null; points: string })[] =
    await manager.query(
      `SELECT w."transferSeq", w."transferGaps", w."consumptionId", w."consumptionGaps", f.day, f.kind, f."partnerId", f.points
         FROM (SELECT 1) one
         LEFT JOIN daily_figure_watermark w ON w.id = 1
         LEFT JOIN LATERAL (
           SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, "partnerId", SUM(points) AS points FROM daily_figure
            WHERE day >= $1::date AND day < $2::date GROUP BY 1, 2, 3) f ON true`,
      [range.sinceDay, range.untilDay],
    );
  const [first] = rows;
  const mark = first?.transferSeq ? (first as FiguresMark) : nothingCounted;
  return {
    mark: {
      transferSeq: mark.transferSeq,
      transferGaps: mark.transferGaps,
      consumptionId: mark.consumptionId,
      consumptionGaps: mark.consumptionGaps,
    },
    figures: rows
      .filter((r) => r.day !== null)
      .map((r) => ({ day: r.day!, kind: r.kind, partnerId: r.partnerId, points: Number(r.points) })),
  };
}
