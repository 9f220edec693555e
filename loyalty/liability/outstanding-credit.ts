import type { EntityManager } from 'typeorm';
import { programFunderName } from './outstanding-liability.js';

/** Store credit members hold in one credit program, funded by one partner (or the program), in minor units of its currency. */
export interface OutstandingCredit {
  creditProgramId: string;
  program: string;
  currency: string;
  funderId: string | null;
  funder: string;
  minor: number;
}

/**
 * What the program owes members in store credit now: money, not points, so apart from the points
 * liability. Like the points, a lot counts its remaining credit and what payments hold of it until
 * they are captured or voided, so the total equals members' posted credit balances.
 */
export async function outstandingCredit(manager: EntityManager): Promise<OutstandingCredit[]> {
  const rows: {
    creditProgramId: string;
    program: string;
    currency: string;
    funderId: string | null;
    funder: string | null;
    minor: string;
  }[] = await manager.query(
    `WITH held AS (
         SELECT c."lotId", SUM(c.points) AS minor
           FROM lot_consumption c JOIN ledger_transfer x ON x.id = c."transferId" AND x.phase = 'pending'
          WHERE NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r."pendingTransferId" = x.id)
          GROUP BY c."lotId")
       SELECT cp.id AS "creditProgramId", cp.name AS program, cp.currency, l."fundingPartnerId" AS "funderId", p.name AS funder,
              SUM(l.remaining + COALESCE(h.minor, 0)) AS minor
         FROM point_lot l
         JOIN ledger_account a ON a.id = l."memberAccountId" AND a."creditProgramId" IS NOT NULL
         JOIN credit_program cp ON cp.id = a."creditProgramId"
         LEFT JOIN held h ON h."lotId" = l.id
         LEFT JOIN partner p ON p.id = l."fundingPartnerId"
        WHERE l.remaining > 0 OR h.minor IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY cp.name, SUM(l.remaining + COALESCE(h.minor, 0)) DESC, p.name`,
  );
  return rows.map((row) => ({ ...row, funder: row.funder ?? programFunderName, minor: Number(row.minor) }));
}
