import type { DataSource } from 'typeorm';
import { ExpiryAlert } from '../entities/index.js';
import { accountByCode, programAccounts } from './ledger/accounts.js';
import type { Ledger } from './ledger/ledger.js';
import { inTransaction } from './ledger/transaction.js';
import { queueWebhooks } from './webhooks.js';

export interface ExpiredLots {
  lots: number;
  points: number;
  /** Breakage per funding partner (null: funded by the program). */
  byPartner: Record<string, number>;
}

/**
 * Expires every lot whose expiry has passed: its remaining points go to the breakage account,
 * one transfer per lot keyed by the lot, so a second run the same day (or any day) changes
 * nothing. The lot records its funder, so breakage stays attributed to the partner who paid.
 */
export async function expireDueLots(dataSource: DataSource, ledger: Ledger, asOf: Date): Promise<ExpiredLots> {
  const breakage = await accountByCode(dataSource.manager, programAccounts.breakage);
  const due: {
    id: string;
    memberAccountId: string;
    remaining: number;
    fundingPartnerId: string | null;
    expiresAt: Date;
    member: string | null;
  }[] = await dataSource.query(
    `SELECT l.id, l."memberAccountId", l.remaining, l."fundingPartnerId", l."expiresAt", m."externalId" AS member
         FROM point_lot l
         JOIN ledger_account a ON a.id = l."memberAccountId"
         LEFT JOIN member m ON m.id = a."memberId"
        WHERE l.remaining > 0 AND l."expiresAt" IS NOT NULL AND l."expiresAt" <= $1 ORDER BY l."expiresAt", l.id`,
    [asOf],
  );
  const result: ExpiredLots = { lots: 0, points: 0, byPartner: {} };
  for (const lot of due) {
    // The funder hears of its breakage (points.expired) exactly when the points leave the member.
    const written = await inTransaction(dataSource, async (manager) => {
      const expired = await ledger.transfer(
        {
          source: 'system:expiry',
          key: `lot:${lot.id}`,
          legs: [
            {
              debitAccountId: lot.memberAccountId,
              creditAccountId: breakage.id,
              amount: lot.remaining,
              kind: 'expire',
              fromLotIds: [lot.id],
              references: { lot: lot.id, ...(lot.fundingPartnerId ? { partner: lot.fundingPartnerId } : {}) },
              explanation: [{ rule: 'expiry', points: -lot.remaining, reason: 'points expired' }],
            },
          ],
        },
        manager,
      );
      if (!expired.replayed && lot.fundingPartnerId) {
        await queueWebhooks(manager, lot.fundingPartnerId, 'points.expired', {
          member: lot.member,
          points: lot.remaining,
          lot: lot.id,
          expiredAt: new Date(lot.expiresAt).toISOString(),
        });
      }
      return expired;
    });
    if (written.replayed) continue;
    result.lots += 1;
    result.points += lot.remaining;
    const partner = lot.fundingPartnerId ?? 'program';
    result.byPartner[partner] = (result.byPartner[partner] ?? 0) + lot.remaining;
  }
  return result;
}

export interface ExpiryNotice {
  memberId: string;
  email: string;
  displayName: string | null;
  daysAhead: number;
  points: number;
  /** The first of the expiry dates concerned. */
  expiresOn: Date;
  lotIds: string[];
}

/**
 * The members to tell that points expire within `daysAhead` days, one notice per member, leaving
 * out lots they were already told about at that horizon. Members without an email are skipped.
 */
export async function dueExpiryNotices(dataSource: DataSource, asOf: Date, daysAhead: number): Promise<ExpiryNotice[]> {
  const rows: { memberId: string; email: string; displayName: string | null; points: string; expiresOn: Date; lotIds: string[] }[] =
    await dataSource.query(
      `SELECT m.id AS "memberId", m.email, m."displayName", SUM(l.remaining) AS points, MIN(l."expiresAt") AS "expiresOn",
            array_agg(l.id) AS "lotIds"
       FROM point_lot l
       JOIN ledger_account a ON a.id = l."memberAccountId"
       JOIN member m ON m.id = a."memberId"
      WHERE l.remaining > 0 AND l."expiresAt" > $1 AND l."expiresAt" <= $1::timestamptz + make_interval(days => $2)
        AND m.email IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM expiry_alert x WHERE x."lotId" = l.id AND x."daysAhead" = $2)
      GROUP BY m.id, m.email, m."displayName"`,
      [asOf, daysAhead],
    );
  return rows.map((r) => ({ ...r, points: Number(r.points), daysAhead }));
}

/** Records that a notice went out, so its lots are not announced again at that horizon. */
export async function recordExpiryNotice(dataSource: DataSource, notice: ExpiryNotice): Promise<void> {
  await dataSource
    .createQueryBuilder()
    .insert()
    .into(ExpiryAlert)
    .values(notice.lotIds.map((lotId) => ({ lotId, daysAhead: notice.daysAhead, memberId: notice.memberId })))
    .orIgnore()
    .execute();
}
