import { IsNull, type DataSource } from 'typeorm';
import { FundingAlert } from '../entities/index.js';

export interface FundingAlertDue {
  /** The partner whose wallet runs low; for a funding source, the partner who owns it (null: a brand's or the operator's). */
  partnerId: string | null;
  partnerName: string | null;
  /** Set when the alert is about a funding source rather than a wallet. */
  fundingSourceId?: string;
  sourceName?: string;
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

/** Funding sources are told to their own address, or to their owner partner's contact. */
const sources = `
  SELECT s.id AS "fundingSourceId", s.name AS "sourceName", s."ownerPartnerId" AS "partnerId", p.name AS "partnerName",
         COALESCE(s."alertEmail", p."contactEmail") AS "contactEmail", s."lowBalanceThreshold" AS threshold,
         SUM(b."creditsPosted" - b."debitsPosted" - b."debitsPending") AS available
    FROM funding_source s LEFT JOIN partner p ON p.id = s."ownerPartnerId"
    JOIN ledger_balance b ON b."accountId" = s."accountId"
   GROUP BY s.id, p.id`;

type Row = Omit<FundingAlertDue, 'available' | 'threshold'> & { available: string; threshold: string };
const levelOf = `CASE WHEN w.available <= 0 THEN 'empty' ELSE 'low' END`;

/**
 * Clears the alerts of wallets and funding sources topped up since (so the next crossing alerts
 * again), then lists those to tell now: under their threshold, or empty, once per crossing.
 */
export async function dueFundingAlerts(dataSource: DataSource): Promise<FundingAlertDue[]> {
  await dataSource.query(
    `UPDATE funding_alert f SET "clearedAt" = now() FROM (${wallets}) w
      WHERE f."partnerId" = w."partnerId" AND f."fundingSourceId" IS NULL AND f."clearedAt" IS NULL
        AND ((f.level = 'low' AND w.available >= w.threshold) OR (f.level = 'empty' AND w.available > 0))`,
  );
  await dataSource.query(
    `UPDATE funding_alert f SET "clearedAt" = now() FROM (${sources}) w
      WHERE f."fundingSourceId" = w."fundingSourceId" AND f."clearedAt" IS NULL
        AND ((f.level = 'low' AND w.available >= w.threshold) OR (f.level = 'empty' AND w.available > 0))`,
  );
  const walletRows: Row[] = await dataSource.query(
    `SELECT w.*, ${levelOf} AS level
       FROM (${wallets}) w
      WHERE w.available < w.threshold
        AND NOT EXISTS (SELECT 1 FROM funding_alert f WHERE f."partnerId" = w."partnerId" AND f."fundingSourceId" IS NULL
                          AND f."clearedAt" IS NULL AND f.level = ${levelOf})`,
  );
  const sourceRows: Row[] = await dataSource.query(
    `SELECT w.*, ${levelOf} AS level
       FROM (${sources}) w
      WHERE w.available < w.threshold
        AND NOT EXISTS (SELECT 1 FROM funding_alert f WHERE f."fundingSourceId" = w."fundingSourceId"
                          AND f."clearedAt" IS NULL AND f.level = ${levelOf})`,
  );
  return [...walletRows, ...sourceRows].map((row) => ({ ...row, available: Number(row.available), threshold: Number(row.threshold) }));
}

const openAlertOf = (alert: FundingAlertDue) =>
  alert.fundingSourceId
    ? { fundingSourceId: alert.fundingSourceId, level: alert.level, clearedAt: IsNull() }
    : { partnerId: alert.partnerId!, fundingSourceId: IsNull(), level: alert.level, clearedAt: IsNull() };

/** Whether this crossing was already told (an open alert of that level for the wallet or source). */
export async function fundingAlertRecorded(dataSource: DataSource, alert: FundingAlertDue): Promise<boolean> {
  return dataSource.manager.existsBy(FundingAlert, openAlertOf(alert));
}

/** Records an alert as sent; false when another run recorded it first. */
export async function recordFundingAlert(dataSource: DataSource, alert: FundingAlertDue): Promise<boolean> {
  const result = await dataSource
    .createQueryBuilder()
    .insert()
    .into(FundingAlert)
    .values(
      alert.fundingSourceId
        ? { partnerId: null, fundingSourceId: alert.fundingSourceId, level: alert.level, available: alert.available }
        : { partnerId: alert.partnerId, level: alert.level, available: alert.available },
    )
    .orIgnore()
    .execute();
  return result.raw.length > 0;
}
