import { IsNull, type DataSource } from 'typeorm';
import { FundingAlert } from '../entities/index.js';

export interface FundingAlertDue {
  partnerId: string;
  partnerName: string;
  contactEmail: string | null;
  level: 'low' | 'empty';
  available: number;
  threshold: number;
}

const wallets = `
  SELECT p.id AS "partnerId", p.name AS "partnerName", p."contactEmail", p."lowBalanceThreshold" AS threshold,
         SUM(b."creditsPosted" - b."debitsPosted" - b."debitsPending") AS available
    FROM partner p JOIN ledger_account a ON a."partnerId" = p.id AND a.kind = 'partner_wallet'
    JOIN ledger_balance b ON b."accountId" = a.id
   GROUP BY p.id`;

/**
 * Clears the alerts of wallets topped up since (so the next crossing alerts again), then lists the
 * partners to tell now: under their threshold, or empty (the earn widget is paused), once per crossing.
 */
export async function dueFundingAlerts(dataSource: DataSource): Promise<FundingAlertDue[]> {
  await dataSource.query(
    `UPDATE funding_alert f SET "clearedAt" = now() FROM (${wallets}) w
      WHERE f."partnerId" = w."partnerId" AND f."clearedAt" IS NULL
        AND ((f.level = 'low' AND w.available >= w.threshold) OR (f.level = 'empty' AND w.available > 0))`,
  );
  const rows: (Omit<FundingAlertDue, 'available' | 'threshold'> & { available: string; threshold: string })[] = await dataSource.query(
    `SELECT w.*, CASE WHEN w.available <= 0 THEN 'empty' ELSE 'low' END AS level
       FROM (${wallets}) w
      WHERE w.available < w.threshold
        AND NOT EXISTS (SELECT 1 FROM funding_alert f WHERE f."partnerId" = w."partnerId" AND f."clearedAt" IS NULL
                          AND f.level = CASE WHEN w.available <= 0 THEN 'empty' ELSE 'low' END)`,
  );
  return rows.map((row) => ({ ...row, available: Number(row.available), threshold: Number(row.threshold) }));
}

/** Whether this crossing was already told (an open alert of that level for the partner). */
export async function fundingAlertRecorded(dataSource: DataSource, alert: FundingAlertDue): Promise<boolean> {
  return dataSource.manager.existsBy(FundingAlert, { partnerId: alert.partnerId, level: alert.level, clearedAt: IsNull() });
}

/** Records an alert as sent; false when another run recorded it first. */
export async function recordFundingAlert(dataSource: DataSource, alert: FundingAlertDue): Promise<boolean> {
  const result = await dataSource
    .createQueryBuilder()
    .insert()
    .into(FundingAlert)
    .values({ partnerId: alert.partnerId, level: alert.level, available: alert.available })
    .orIgnore()
    .execute();
  return result.raw.length > 0;
}
