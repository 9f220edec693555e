import type { DataSource, EntityManager } from 'typeorm';
import { ExpiryAlert, pointsUnit, type Member } from '../entities/index.js';
import { accountByCode, programAccounts } from './ledger/accounts.js';
import type { Ledger } from './ledger/ledger.js';
import { lockMemberAccounts } from './ledger/member-locks.js';
import { requestHash } from './ledger/request.js';
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

/** The lots to expire as of a date, oldest expiry first; of the given member accounts only, when given. */
export async function dueLots(dataSource: DataSource, asOf: Date, memberAccountIds?: string[]): Promise<DueLot[]> {
  return dataSource.query(
    `SELECT l.id, l."memberAccountId", a."memberId", m."externalId" AS member
       FROM point_lot l
       JOIN ledger_account a ON a.id = l."memberAccountId"
       LEFT JOIN member m ON m.id = a."memberId"
      WHERE l.remaining > 0 AND l."expiresAt" IS NOT NULL AND l."expiresAt" <= $1
        AND ($2::uuid[] IS NULL OR l."memberAccountId" = ANY($2::uuid[]))
      ORDER BY l."expiresAt", l.id`,
    [asOf, memberAccountIds ?? null],
  );
}

/** The ledger request that expires what is left of a lot; its key counts the lot's earlier expiries. */
function expiryRequest(
  lot: { id: string; memberAccountId: string; fundingPartnerId: string | null; expiredBefore: number },
  points: number,
  breakageId: string,
) {
  return {
    source: 'system:expiry',
    key: `lot:${lot.id}:${lot.expiredBefore}`,
    legs: [
      {
        debitAccountId: lot.memberAccountId,
        creditAccountId: breakageId,
        amount: points,
        kind: 'expire' as const,
        fromLotIds: [lot.id],
        references: { lot: lot.id, ...(lot.fundingPartnerId ? { partner: lot.fundingPartnerId } : {}) },
        explanation: [{ rule: 'expiry', points: -points, reason: 'points expired' }],
      },
    ],
  };
}

/** The funder hears of its breakage (points.expired) exactly when the points leave the member. */
async function announceExpiry(
  manager: EntityManager,
  lot: { id: string; fundingPartnerId: string | null; memberId: string | null; expiresAt: Date },
  points: number,
): Promise<void> {
  if (!lot.fundingPartnerId) return;
  await queueWebhooks(manager, lot.fundingPartnerId, 'points.expired', {
    // By the funder's own id for the member; null when the points came to a member it does not know (a gift).
    member: lot.memberId ? await customerIdOf(manager, lot.memberId, lot.fundingPartnerId) : null,
    points,
    lot: lot.id,
    expiredAt: new Date(lot.expiresAt).toISOString(),
  });
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
      `SELECT l.remaining, l."fundingPartnerId", l."expiresAt", ${expiredBefore} AS "expiredBefore" FROM point_lot l WHERE l.id = $1`,
      [due.id],
    );
    const points = Number(lot?.remaining ?? 0);
    if (!lot || points === 0 || new Date(lot.expiresAt) > asOf) return { points: 0, fundingPartnerId: null };
    const breakage = await accountByCode(manager, programAccounts.breakage);
    const expired = await ledger.transfer(expiryRequest({ ...due, ...lot }, points, breakage.id), manager);
    if (!expired.replayed) await announceExpiry(manager, { ...due, ...lot }, points);
    return expired.replayed ? { points: 0, fundingPartnerId: null } : { points, fundingPartnerId: lot.fundingPartnerId };
  });
}

/**
 * How many times the lot `l` expired before: the expiry's idempotency key counts them. A lot that
 * never expired has no key `lot:<id>:0`, found in the idempotency index; only the others are
 * counted through their consumptions.
 */
const expiredBefore = `CASE WHEN NOT EXISTS (SELECT 1 FROM ledger_idempotency k WHERE k.source = 'system:expiry'
                                             AND k.key = 'lot:' || l.id || ':0' AND k.leg = 0) THEN 0
                        ELSE (SELECT COUNT(*)::int FROM lot_consumption c JOIN ledger_transfer t ON t.id = c."transferId"
                               WHERE c."lotId" = l.id AND t.kind = 'expire') END`;

/** Members whose due lots one transaction expires. */
export const expiryBatchSize = 10_000;
/**
 * Batches written at once, each its own transaction on its own members: one batch keeps a single
 * database core busy, two use both cores of the machine the figures were measured on.
 */
export const expiryParallelBatches = 2;

interface LockedLot {
  id: string;
  memberAccountId: string;
  memberId: string | null;
  member: string | null;
  remaining: string;
  fundingPartnerId: string | null;
  expiresAt: Date;
  expiredBefore: number;
  /** The lot's "createdAt" as PostgreSQL prints it (to the microsecond, which a Date would lose): with its id, it names one month's partition. */
  created: string;
  /** Points the member's account can pay, over all its shards. */
  available: string;
  /** Whether the set-based write fits the account: points, one shard. */
  plain: boolean;
}

interface BatchOutcome {
  expired: { points: number; fundingPartnerId: string | null }[];
  /** Lots left to the one-lot path, which refuses or expires them as the ledger decides. */
  aside: DueLot[];
}

/**
 * Expires the due lots of a set of members in one transaction, one transfer per lot as
 * `expireLot` writes it (same key, same request fingerprint), in one statement: the transfers,
 * the lots' remainders, their consumptions, each member's balance once and one shard of the
 * breakage account once. The members are locked first, in the ledger's order, so a member's
 * concurrent spending waits or goes first, and the remainders are read after the lock. A lot its
 * member cannot pay, or on an account this write does not cover (another unit, several shards),
 * is set aside for the one-lot path.
 */
async function expireBatch(dataSource: DataSource, accounts: string[], asOf: Date, announcers: Set<string>): Promise<BatchOutcome> {
  return inTransaction(dataSource, async (manager) => {
    await lockMemberAccounts(manager, accounts);
    const lots: LockedLot[] = await manager.query(
      `SELECT l.id, l."memberAccountId", a."memberId", NULL AS member, l.remaining, l."fundingPartnerId", l."expiresAt",
              ${expiredBefore} AS "expiredBefore", l."createdAt"::text AS created, b.available, (a.unit = $3 AND a."shardCount" = 1) AS plain
         -- Account by account through the open lots' index: a plan joining the whole table read it all each batch.
         FROM unnest($1::uuid[]) AS x(account)
         CROSS JOIN LATERAL (SELECT * FROM point_lot l WHERE l."memberAccountId" = x.account AND l.remaining > 0 AND l."expiresAt" <= $2) l
         JOIN ledger_account a ON a.id = x.account
         CROSS JOIN LATERAL (SELECT SUM("creditsPosted" - "debitsPosted" - "debitsPending") AS available
                               FROM ledger_balance WHERE "accountId" = x.account) b
        ORDER BY l."memberAccountId", l."expiresAt", l.id`,
      [accounts, asOf, pointsUnit],
    );
    const aside: DueLot[] = [];
    const taking: LockedLot[] = [];
    const left = new Map<string, number>();
    for (const lot of lots) {
      const available = left.get(lot.memberAccountId) ?? Number(lot.available);
      const points = Number(lot.remaining);
      if (!lot.plain || points > available) {
        aside.push(lot);
        continue;
      }
      left.set(lot.memberAccountId, available - points);
      taking.push(lot);
    }
    // Only the lots set aside can fail and be reported by their member's reference: read it for them alone.
    if (aside.length > 0) {
      const references: { id: string; externalId: string }[] = await manager.query(
        `SELECT id, "externalId" FROM member WHERE id = ANY($1::uuid[])`,
        [aside.map((lot) => lot.memberId)],
      );
      const byId = new Map(references.map((r) => [r.id, r.externalId]));
      for (const lot of aside) lot.member = lot.memberId ? (byId.get(lot.memberId) ?? null) : null;
    }
    if (taking.length === 0) return { expired: [], aside };
    const breakage = await accountByCode(manager, programAccounts.breakage);
    const requests = taking.map((lot) => expiryRequest(lot, Number(lot.remaining), breakage.id));
    const written: { lotId: string }[] = await manager.query(
      `WITH shard AS (
         -- Any breakage shard nobody holds; shard 0, waiting for it, when all are taken.
         SELECT COALESCE((SELECT shard FROM ledger_balance WHERE "accountId" = $1 ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED), 0) AS shard
       ), due AS (
         SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::bigint[], $5::text[], $6::text[], $7::jsonb[], $8::jsonb[], $11::timestamptz[])
           AS u(lot, account, amount, key, hash, refs, explanation, created)
       ), claimed AS (
         -- A lot whose key another run claimed first is left to it.
         INSERT INTO ledger_idempotency (source, key, leg, "transferId", "requestHash", "createdAt")
         SELECT $9, due.key, 0, gen_random_uuid(), due.hash, now() FROM due
         ON CONFLICT DO NOTHING
         RETURNING key, "transferId"
       ), written AS (
         INSERT INTO ledger_transfer (id, "debitAccountId", "debitShard", "creditAccountId", "creditShard", amount, kind, phase,
                                      "idempotencySource", "idempotencyKey", leg, "requestHash", "references", explanation, "createdAt")
         SELECT claimed."transferId", due.account, 0, $1, shard.shard, due.amount, 'expire', 'single', $9, due.key, 0, due.hash,
                due.refs, due.explanation, now()
           FROM due JOIN claimed ON claimed.key = due.key CROSS JOIN shard
         RETURNING id, "debitAccountId", "creditShard", amount, ("references"->>'lot')::uuid AS lot
       ), lots AS (
         -- By id and month: point_lot is partitioned by "createdAt", and an id alone is looked for in every month.
         UPDATE point_lot l SET remaining = l.remaining - w.amount
           FROM written w JOIN due ON due.lot = w.lot
          WHERE l.id = w.lot AND l."createdAt" = due.created
       ), consumed AS (
         INSERT INTO lot_consumption ("lotId", "transferId", points) SELECT lot, id, amount FROM written
       ), members AS (
         UPDATE ledger_balance b SET "debitsPosted" = b."debitsPosted" + s.total
           FROM (SELECT "debitAccountId", SUM(amount) AS total FROM written GROUP BY 1) s
          -- The batch's members by the key: joined by a hash, the whole table was read at each batch.
          WHERE b."accountId" = ANY($10::uuid[]) AND b."accountId" = s."debitAccountId" AND b.shard = 0
       ), breakage AS (
         UPDATE ledger_balance b SET "creditsPosted" = b."creditsPosted" + s.total
           FROM (SELECT "creditShard", SUM(amount) AS total FROM written GROUP BY 1) s
          WHERE b."accountId" = $1 AND b.shard = s."creditShard"
       )
       SELECT lot AS "lotId" FROM written`,
      [
        breakage.id,
        taking.map((lot) => lot.id),
        taking.map((lot) => lot.memberAccountId),
        taking.map((lot) => lot.remaining),
        requests.map((r) => r.key),
        requests.map((r) => requestHash('transfer', r)),
        requests.map((r) => JSON.stringify(r.legs[0]!.references)),
        requests.map((r) => JSON.stringify(r.legs[0]!.explanation)),
        'system:expiry',
        accounts,
        taking.map((lot) => lot.created),
      ],
    );
    const done = new Set(written.map((w) => w.lotId));
    const expired: BatchOutcome['expired'] = [];
    for (const lot of taking.filter((l) => done.has(l.id))) {
      if (lot.fundingPartnerId && announcers.has(lot.fundingPartnerId)) await announceExpiry(manager, lot, Number(lot.remaining));
      expired.push({ points: Number(lot.remaining), fundingPartnerId: lot.fundingPartnerId });
    }
    return { expired, aside };
  });
}

/**
 * Expires every lot whose expiry has passed, members in batches of `batchSize` (one transaction
 * each), walking the members in id order so that a run visits each once. A lot that cannot expire
 * (the ledger refuses it) is reported and the run goes on: one bad lot never stops the program's
 * expiry. A re-run, or a run after a crash, writes nothing twice: each lot's transfer has its key.
 */
export async function expireDueLots(
  dataSource: DataSource,
  ledger: Ledger,
  asOf: Date,
  progress: () => void = () => undefined,
  batchSize = expiryBatchSize,
): Promise<ExpiredLots> {
  const result: ExpiredLots = { lots: 0, points: 0, byPartner: {}, failures: [] };
  const count = ({ points, fundingPartnerId }: { points: number; fundingPartnerId: string | null }) => {
    if (points === 0) return;
    result.lots += 1;
    result.points += points;
    const partner = fundingPartnerId ?? 'program';
    result.byPartner[partner] = (result.byPartner[partner] ?? 0) + points;
  };
  const oneByOne = async (lots: DueLot[]) => {
    for (const due of lots) {
      progress();
      try {
        count(await expireLot(dataSource, ledger, due, asOf));
      } catch (error) {
        result.failures.push({ lotId: due.id, member: due.member, reason: error instanceof Error ? error.message : String(error) });
      }
    }
  };
  // Partners with a webhook endpoint: only their lots need a points.expired delivery each.
  const announcers = new Set<string>(
    (await dataSource.query(`SELECT DISTINCT "partnerId" FROM webhook_endpoint WHERE active`)).map(
      (r: { partnerId: string }) => r.partnerId,
    ),
  );
  let after: string | null = null;
  let stopped = false;
  // Batches are handed out one after the other, in member id order: no two share a member.
  let handedOut: Promise<string[]> = Promise.resolve([]);
  const nextBatch = () =>
    (handedOut = handedOut.then(async () => {
      if (stopped) return [];
      const accounts: string[] = (
        await dataSource.query(
          `SELECT DISTINCT "memberAccountId" AS id FROM point_lot
            WHERE remaining > 0 AND "expiresAt" <= $1 AND ($2::uuid IS NULL OR "memberAccountId" > $2)
            ORDER BY 1 LIMIT $3`,
          [asOf, after, batchSize],
        )
      ).map((r: { id: string }) => r.id);
      if (accounts.length > 0) after = accounts.at(-1)!;
      return accounts;
    }));
  const worker = async () => {
    try {
      for (let accounts = await nextBatch(); accounts.length > 0 && !stopped; accounts = await nextBatch()) {
        progress();
        let outcome: BatchOutcome;
        try {
          outcome = await expireBatch(dataSource, accounts, asOf, announcers);
        } catch {
          // Whatever stopped the batch stops one lot at most on the one-lot path, which reports it.
          outcome = { expired: [], aside: await dueLots(dataSource, asOf, accounts) };
        }
        outcome.expired.forEach(count);
        await oneByOne(outcome.aside);
      }
    } catch (error) {
      stopped = true;
      throw error;
    }
  };
  // A failed worker stops the others after their batch, and the run fails only once none writes any more.
  const workers = await Promise.allSettled(Array.from({ length: expiryParallelBatches }, worker));
  const failed = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
  if (failed) throw failed.reason;
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
