import type { EntityManager } from 'typeorm';

/**
 * Transfers (`seq`) and lot consumptions (`id`) take their number when they are written and appear
 * when they commit, so "everything up to N" is not yet true of a write still running. A reader that
 * continues from where it stopped (the incremental ledger check, the daily figures) keeps the
 * highest number it saw and the numbers missing this far below it, and counts those as new when
 * they appear.
 */
export const gapWindow = 100_000;

export interface NumberingMark {
  top: string;
  gaps: string[];
}

/** The highest number of `column` in `table` and those missing just below it (rolled back, or not yet committed). */
export async function numberingMark(tx: EntityManager, table: string, column: string): Promise<NumberingMark> {
  const [row] = await tx.query(`SELECT COALESCE(MAX(${column}), 0) AS top FROM ${table}`);
  const top = String(row.top);
  const gaps: { n: string }[] = await tx.query(
    `SELECT n FROM generate_series(GREATEST($1::bigint - $2, 0) + 1, $1::bigint) n
     EXCEPT SELECT ${column} FROM ${table} WHERE ${column} > $1::bigint - $2`,
    [top, gapWindow],
  );
  return { top, gaps: gaps.map((g) => g.n) };
}

/** SQL true for a row whose `column` a mark (`after`, `gaps`: SQL expressions) did not count. */
export const notCountedBy = (column: string, after: string, gaps: string) => `(${column} > ${after} OR ${column} = ANY(${gaps}::bigint[]))`;
