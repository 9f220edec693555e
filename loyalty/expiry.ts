import type { DataSource } from 'typeorm';
import { ExpiryAlert, type Member } from '../entities/index.js';
import { accountByCode, programAccounts } from './ledger/accounts.js';
import type { Ledger } from './ledger/ledger.js';
import { lockMemberAccounts } from './ledger/member-locks.js';
import { inTransaction } from './ledger/transaction.js';
import { customerIdOf } from './member-identity.js';
import { mayMessage } from './member-preferences.js';
import { queueWebhooks } from './webhooks.js';

export interface ExpiryFailure {
  lotId: string;
  member: string | null;
  reason: string;
}

export interface ExpiredLots {
  lots: number;
  points: number;
  /** Breakage per funding partner (null: funded by the program). */
  byPartner: Record<string, number>;
  /** Lots that could not expire: the run went on without them, the operator hears of them. */
  failures: ExpiryFailure[];
}

/** A lot whose expiry date has passed with points left, as the run lists it (its remainder is read again under lock). */
export interface DueLot {
  id: string;
  memberAccountId: string;
  memberId: string | null;
  /** The member's back-office reference, for the operator's report. */
  member: string | null;
}

/** The lots to expire as of a date, oldest expiry first. */
export async function dueLots(dataSource: DataSource, asOf: Date): Promise<DueLot[]> {
  return dataSource.query(
    `SELECT l.id, l."memberAccountId", a."memberId", m."externalId" AS member
       FROM point_lot l
       JOIN ledger_account a ON a.id = l."memberAccountId"
       LEFT JOIN member m ON m.id = a."memberId"
      WHERE l.remaining > 0 AND l."expiresAt" IS NOT NULL AND l."expiresAt" <= $1 ORDER BY l."expiresAt", l.id`,
    [asOf],
  );
}

/**
 * Expires what is left of one lot, from that lot only, into breakage attributed to its funder.
 * The remainder is read under the member's lock, so points spent since the lot was listed are not
 * taken twice. The ledger key is the lot and how many times it expired before: points that come
 * back to an expired lot (a voided hold, a reversed burn) expire again at the next run, and a
 * replay of the same run changes nothing.
 */
export async function expireLot(
  dataSource: DataSource,
  ledger: Ledger,
  due: DueLot,
  asOf: Date,
): Promise<{ points: number; fundingPartnerId: string | null }> {
  return inTransaction(dataSource, async (manager) => {
    await lockMemberAccounts(manager, [due.memberAccountId]);
    const [lot]: { remaining: string; fundingPartnerId: string | null; expiresAt: Date; expiredBefore: number }[] = await manager.query(
      `SELECT l.remaining, l."fundingPartnerId", l."expiresAt",
              (SELECT COUNT(*)::int FROM lot_consumption c JOIN ledger_transfer t ON t.id = c."transferId"
                WHERE c."lotId" = l.id AND t.kind = 'expire') AS "expiredBefore"
         FROM point_lot l WHERE l.id = $1`,
      [due.id],
    );
    const points = Number(lot?.remaining ?? 0);
    if (!lot || points === 0 || new Date(lot.expiresAt) > asOf) return { points: 0, fundingPartnerId: null };
    const breakage = await accountByCode(manager, programAccounts.breakage);
    const expired = await ledger.transfer(
      {
        source: 'system:expiry',
        key: `lot:${due.id}:${lot.expiredBefore}`,
        legs: [
          {
            debitAccountId: due.memberAccountId,
            creditAccountId: breakage.id,
            amount: points,
            kind: 'expire',
            fromLotIds: [due.id],
            references: { lot: due.id, ...(lot.fundingPartnerId ? { partner: lot.fundingPartnerId } : {}) },
            explanation: [{ rule: 'expiry', points: -points, reason: 'points expired' }],
          },
        ],
      },
      manager,
    );
    // The funder hears of its breakage (points.expired) exactly when the points leave the member.
    if (!expired.replayed && lot.fundingPartnerId) {
      await queueWebhooks(manager, lot.fundingPartnerId, 'points.expired', {
        // By the funder's own id for the member; null when the points came to a member it does not know (a gift).
        member: due.memberId ? await customerIdOf(manager, due.memberId, lot.fundingPartnerId) : null,
        points,
        lot: due.id,
        expiredAt: new Date(lot.expiresAt).toISOString(),
      });
    }
    return expired.replayed ? { points: 0, fundingPartnerId: null } : { points, fundingPartnerId: lot.fundingPartnerId };
  });
}

/**
 * Expires every lot whose expiry has passed. A lot that cannot expire (the ledger refuses it) is
 * reported and the run goes on: one bad lot never stops the program's expiry.
 */
export async function expireDueLots(
  dataSource: DataSource,
  ledger: Ledger,
  asOf: Date,
  progress: () => void = () => undefined,
): Promise<ExpiredLots> {
  const result: ExpiredLots = { lots: 0, points: 0, byPartner: {}, failures: [] };
  for (const due of await dueLots(dataSource, asOf)) {
    progress();
    try {
      const { points, fundingPartnerId } = await expireLot(dataSource, ledger, due, asOf);
      if (points === 0) continue;
      result.lots += 1;
      result.points += points;
      const partner = fundingPartnerId ?? 'program';
      result.byPartner[partner] = (result.byPartner[partner] ?? 0) + points;
    } catch (error) {
      result.failures.push({ lotId: due.id, member: due.member, reason: error instanceof Error ? error.message : String(error) });
    }
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
 * out lots they were already told about at that horizon. Members who cannot get the reminder by
 * email (none, or turned off) are left out.
 */
export async function dueExpiryNotices(dataSource: DataSource, asOf: Date, daysAhead: number): Promise<ExpiryNotice[]> {
  const rows: (Pick<Member, 'phone' | 'mergedIntoId' | 'messagePreferences'> & {
    memberId: string;
    email: string;
    displayName: string | null;
    points: string;
    expiresOn: Date;
    lotIds: string[];
  })[] = await dataSource.query(
    `SELECT m.id AS "memberId", m.email, m.phone, m."mergedIntoId", m."messagePreferences", m."displayName",
            SUM(l.remaining) AS points, MIN(l."expiresAt") AS "expiresOn", array_agg(l.id) AS "lotIds"
       FROM point_lot l
       JOIN ledger_account a ON a.id = l."memberAccountId"
       JOIN member m ON m.id = a."memberId"
      WHERE l.remaining > 0 AND l."expiresAt" > $1 AND l."expiresAt" <= $1::timestamptz + make_interval(days => $2)
        AND m.email IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM expiry_alert x WHERE x."lotId" = l.id AND x."daysAhead" = $2)
      GROUP BY m.id`,
    [asOf, daysAhead],
  );
  return rows
    .filter((r) => mayMessage(r, 'expiry', 'email'))
    .map((r) => ({
      memberId: r.memberId,
      email: r.email,
      displayName: r.displayName,
      points: Number(r.points),
      expiresOn: r.expiresOn,
      lotIds: r.lotIds,
      daysAhead,
    }));
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
