import type { EntityManager } from 'typeorm';
import { pointsUnit, type TransferKind } from '../../entities/index.js';
import { pointValue, valueOf, type PointValue } from './point-value.js';

/** A line of the statement: the posted points of one kind of transfer that entered (+) or left (−) members' accounts. */
export interface MovementLine {
  kind: TransferKind;
  direction: 'in' | 'out';
  label: string;
  /** Signed: positive adds to what the program owes. */
  points: number;
  valueMinor: number;
  transfers: number;
}

export interface MovementStatement extends PointValue {
  from: Date;
  /** Exclusive. */
  to: Date;
  opening: { points: number; valueMinor: number };
  lines: MovementLine[];
  closing: { points: number; valueMinor: number };
}

const labels: Partial<Record<`${TransferKind}:${'in' | 'out'}`, string>> = {
  'earn:in': 'Issued: earned',
  'bonus:in': 'Issued: bonuses',
  'burn:out': 'Redeemed',
  'expire:out': 'Expired',
  'reversal:out': 'Reversed: refunds taking points back',
  'reversal:in': 'Reversed: spent points given back',
  'adjust:in': 'Adjusted: care credits',
  'adjust:out': 'Adjusted: care debits',
};
const order = ['earn:in', 'bonus:in', 'burn:out', 'expire:out', 'reversal:out', 'reversal:in', 'adjust:in', 'adjust:out'];

/**
 * Opening liability + issued − redeemed − expired ± reversals and adjustments = closing, for
 * [from, to), in points and in money at the program's point value. Every posted transfer between a
 * member's account and any other account counts once, on the day it was posted (a hold when it was
 * posted); transfers between members change nothing owed and are left out, and so is store credit (money, not points). The closing figure is
 * members' posted balances at `to`.
 */
export async function movementStatement(manager: EntityManager, from: Date, to: Date): Promise<MovementStatement> {
  const value = await pointValue(manager);
  const rows: { kind: TransferKind; direction: 'in' | 'out'; before: string; during: string; count: string }[] = await manager.query(
    `WITH moves AS (
       SELECT t.kind, t."createdAt",
              CASE WHEN c.kind = 'member' THEN 'in' ELSE 'out' END AS direction,
              CASE WHEN c.kind = 'member' THEN t.amount ELSE -t.amount END AS points
         FROM ledger_transfer t
         JOIN ledger_account d ON d.id = t."debitAccountId"
         JOIN ledger_account c ON c.id = t."creditAccountId"
        WHERE t.phase IN ('single', 'post') AND d.unit = '${pointsUnit}' AND (d.kind = 'member') <> (c.kind = 'member') AND t."createdAt" < $2)
     SELECT kind, direction,
            COALESCE(SUM(points) FILTER (WHERE "createdAt" < $1), 0) AS before,
            COALESCE(SUM(points) FILTER (WHERE "createdAt" >= $1), 0) AS during,
            COUNT(*) FILTER (WHERE "createdAt" >= $1) AS count
       FROM moves GROUP BY kind, direction`,
    [from, to],
  );
  const openingPoints = rows.reduce((sum, r) => sum + Number(r.before), 0);
  const lines = rows
    .filter((r) => Number(r.count) > 0)
    .map((r): MovementLine => ({
      kind: r.kind,
      direction: r.direction,
      label: labels[`${r.kind}:${r.direction}`] ?? `Other: ${r.kind} ${r.direction === 'in' ? 'to' : 'from'} members`,
      points: Number(r.during),
      valueMinor: valueOf(Number(r.during), value),
      transfers: Number(r.count),
    }))
    .sort((a, b) => rank(a) - rank(b) || a.label.localeCompare(b.label));
  const closingPoints = openingPoints + lines.reduce((sum, l) => sum + l.points, 0);
  const opening = { points: openingPoints, valueMinor: valueOf(openingPoints, value) };
  // Money lines are each rounded: the closing money is the opening's plus the lines', so the statement adds up as shown.
  const closing = { points: closingPoints, valueMinor: opening.valueMinor + lines.reduce((sum, l) => sum + l.valueMinor, 0) };
  return { ...value, from, to, opening, lines, closing };
}

function rank(line: MovementLine): number {
  const at = order.indexOf(`${line.kind}:${line.direction}`);
  return at === -1 ? order.length : at;
}
