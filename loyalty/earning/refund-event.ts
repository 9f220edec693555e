import type { EntityManager } from 'typeorm';
import { withdrawChallengeContributions, type ChallengeRewardLost } from '../engagement/challenge-progress.js';
import { typedPrice } from '../money.js';
import { withdrawLeaderboardPoints } from '../engagement/leaderboard-scores.js';
import { revokeLapsedBadges } from '../engagement/badge-revocation.js';
import { EventRefund, LedgerAccount, MemberEvent, PointsDebt, pointsUnit, type RefundedLine } from '../../entities/index.js';
import { balanceOf } from '../ledger/accounts.js';
import type { Ledger } from '../ledger/ledger.js';
import { lockMemberAccounts } from '../ledger/member-locks.js';
import { lotLineage } from '../ledger/lot-lineage.js';
import { earnShares } from '../funding-sources/earn-shares.js';
import { Refusal } from '../refusal.js';
import { programConfiguration } from './program-configuration.js';
import { EventRefusedError } from './event-refused.js';
import { cancelPendingPoints, creditState, type LivePendingCredit } from '../pending-points.js';
import { takeBackCashback } from '../store-credit/cashback-refund.js';
import { refundedSoFar } from './refunded-lines.js';

export interface RefundRequest {
  partnerId: string;
  eventId: string;
  /** Absent: refund all that is left. Otherwise the items returned. */
  lines?: RefundedLine[];
  /** Makes the ledger writes idempotent (the API passes its request id). */
  key: string;
}

export interface Refund {
  id: string;
  refundedCents: number;
  /** The rules' points taken back. */
  pointsReversed: number;
  /** Bonuses the purchase earned, taken back by the refund that completes it, and rewards of challenges it no longer completes. */
  bonusPointsReversed: number;
  /** Points the member had already spent: recovered from their next earns. */
  pointsOwed: number;
  /** Points still pending (inside the return window) that the refund cancelled instead of taking back. */
  pendingPointsCancelled: number;
  /** What is left of the purchase after this refund. */
  remainingCents: number;
  /** Store credit the purchase earned as cashback, taken back in proportion (minor units of its program's currency). */
  cashbackReversedMinor: number;
}

export class EventNotFoundError extends Refusal {
  constructor(eventId: string) {
    super('event_not_found', `no event ${eventId} of this partner`, 'eventId');
  }
}

/** What a refund returns, checked line by line against what was bought and refunded before. */
function returnedLines(event: MemberEvent, asked: RefundedLine[] | undefined, refunded: Map<string, number>): RefundedLine[] {
  const bought = new Map<string, number>();
  for (const line of event.lines) bought.set(line.reference, (bought.get(line.reference) ?? 0) + line.quantity);
  if (!asked) {
    return [...bought]
      .map(([reference, quantity]) => ({ reference, quantity: quantity - (refunded.get(reference) ?? 0) }))
      .filter((l) => l.quantity > 0);
  }
  const returning = new Map<string, number>();
  asked.forEach((line, index) => {
    const total = bought.get(line.reference);
    if (total === undefined) throw new EventRefusedError(`lines[${index}].reference`, `"${line.reference}" is not in this purchase`);
    const left = total - (refunded.get(line.reference) ?? 0);
    const now = (returning.get(line.reference) ?? 0) + line.quantity;
    if (now > left) {
      const extra = now === line.quantity ? '' : `, ${now} asked`;
      throw new Refusal(
        'refund_refused',
        `${left} of the ${total} × ${line.reference} bought are left to refund${extra}`,
        `lines[${index}].quantity`,
      );
    }
    returning.set(line.reference, now);
  });
  return [...returning].map(([reference, quantity]) => ({ reference, quantity }));
}

/** `points` × `part` / `whole`, rounded down, exact however large (BIGINT points, cents). */
function proportion(points: number, part: number, whole: number): number {
  return Number((BigInt(points) * BigInt(part)) / BigInt(whole));
}

/**
 * What a transfer to the member still has out: its amount, less what was reversed (refunds, care),
 * what refunds left owed on it, and what expired from its lots, wherever merges carried them.
 */
async function stillOut(manager: EntityManager, transferId: string): Promise<number> {
  const [row]: { out: string }[] = await manager.query(
    `SELECT t.amount
            - COALESCE((SELECT SUM(r.amount) FROM ledger_transfer r WHERE r."reversesTransferId" = t.id), 0)
            - COALESCE((SELECT SUM(d.points) FROM points_debt d WHERE d."transferId" = t.id), 0) AS out
       FROM ledger_transfer t WHERE t.id = $1`,
    [transferId],
  );
  const expired = (await lotLineage(manager, transferId)).reduce((sum, lot) => sum + lot.expired, 0);
  return Math.max(0, Number(row?.out ?? 0) - expired);
}

/**
 * The bonuses a purchase earned that its full refund takes back (not the welcome bonus: that is for
 * joining), and the instant-win prizes it won: a purchase refunded unless it won would farm them.
 * The campaign's budget stays spent: the prize was drawn.
 */
async function purchaseBonuses(manager: EntityManager, event: MemberEvent): Promise<{ id: string; amount: number }[]> {
  const rows: { id: string; amount: string }[] = await manager.query(
    `SELECT t.id, t.amount FROM ledger_transfer t LEFT JOIN bonus b ON b.id::text = t."references"->>'bonus'
      WHERE t."idempotencySource" = $1 AND t."idempotencyKey" = $2 AND t.kind = 'bonus' AND b.moment IS DISTINCT FROM 'registration'
      ORDER BY t.leg`,
    [`partner:${event.partnerId}`, `event:${event.id}`],
  );
  const prizes: { id: string; amount: string }[] = await manager.query(
    `SELECT "transferId" AS id, "prizePoints" AS amount FROM instant_win_draw
      WHERE "eventId" = $1 AND "transferId" IS NOT NULL ORDER BY "campaignId"`,
    [event.id],
  );
  return [...rows, ...prizes].map((r) => ({ id: r.id, amount: Number(r.amount) }));
}

/**
 * Takes back from referrers the rewards of referral challenges the refunded purchase no longer
 * completes (their accounts locked by the caller): what they have, and the rest owed from their next
 * earns whatever the program's shortfall policy. The friend's store must be able to refund the
 * friend: another member having spent points is no reason to refuse it.
 */
async function takeBackReferralRewards(
  manager: EntityManager,
  ledger: Ledger,
  rewards: ChallengeRewardLost[],
  refund: { event: MemberEvent; key: string; words: string },
): Promise<{ accountId: string; transferId: string; points: number }[]> {
  const owed: { accountId: string; transferId: string; points: number }[] = [];
  for (const reward of rewards) {
    const points = Math.min(reward.points, await stillOut(manager, reward.transferId));
    const now = Math.min(points, (await balanceOf(manager, reward.accountId)).available);
    if (now > 0) {
      await ledger.reverse(
        {
          source: `partner:${refund.event.partnerId}`,
          key: `refund:${refund.key}:${reward.transferId}`,
          transferId: reward.transferId,
          amount: now,
          references: { refundOf: refund.event.id },
          explanation: [{ rule: 'refund', points: -now, reason: `${refund.words} by the friend whose purchase qualified the referral` }],
        },
        manager,
      );
    }
    if (points > now) owed.push({ accountId: reward.accountId, transferId: reward.transferId, points: points - now });
  }
  return owed;
}

/**
 * Refunds a purchase in full or by line items, in the caller's transaction: each line at most as
 * often as it was bought, the rules' points taken back in proportion, and the bonuses the purchase
 * earned with the refund that completes it, as the reward of a challenge the refund leaves short of its target, and the badges
 * they earned. Points the member already spent follow the program's
 * policy: the refund is refused, or what is left is taken and the rest recovered from the next earns.
 */
export async function refundEvent(manager: EntityManager, ledger: Ledger, request: RefundRequest): Promise<Refund> {
  const event = await manager.findOne(MemberEvent, {
    where: { id: request.eventId, partnerId: request.partnerId },
    lock: { mode: 'pessimistic_write' },
  });
  if (!event) throw new EventNotFoundError(request.eventId);
  if (!event.amountCents) throw new EventRefusedError('eventId', 'only purchases with an amount can be refunded');
  const remaining = event.amountCents - event.refundedCents;
  if (remaining <= 0) throw new EventRefusedError('eventId', 'this purchase was already refunded in full');
  const member = await manager.findOneByOrFail(LedgerAccount, { memberId: event.memberId, unit: pointsUnit });
  // The buyer's account and those of the members the purchase counted for in challenges (a
  // referrer), in one call, before any challenge progress row: counting locks in that order too.
  const counted: { id: string }[] = await manager.query(
    `SELECT DISTINCT a.id FROM challenge_contribution c JOIN ledger_account a ON a."memberId" = c."memberId" AND a.unit = $2
      WHERE c."eventId" = $1 AND c."withdrawnAt" IS NULL`,
    [event.id, pointsUnit],
  );
  await lockMemberAccounts(manager, [member.id, ...counted.map((a) => a.id)]);

  const before = await refundedSoFar(manager, event.id);
  const lines = returnedLines(event, request.lines, before);
  const unitPrice = (reference: string) => event.lines.find((l) => l.reference === reference)!.unitPriceCents;
  const cents = request.lines ? lines.reduce((sum, l) => sum + l.quantity * unitPrice(l.reference), 0) : remaining;
  if (cents > remaining) throw new EventRefusedError('lines', `refunds ${cents} cents but only ${remaining} are left to refund`);
  const completes = cents === remaining;
  const after = new Map(before);
  for (const line of lines) after.set(line.reference, (after.get(line.reference) ?? 0) + line.quantity);
  // Challenges no longer reached give their rewards back, as the purchase's own bonuses.
  const challengeRewards = await withdrawChallengeContributions(manager, event, { cents: event.refundedCents + cents, lines: after });

  // The rules' points in proportion to what was refunded so far, and all of them with the last refund.
  const target = completes ? event.points : proportion(event.points, event.refundedCents + cents, event.amountCents);
  const earnBack = event.earnTransferId ? target - proportion(event.points, event.refundedCents, event.amountCents) : 0;
  const wanted = [
    // A purchase some of whose points a funding source paid gives each payer back its own share.
    ...(earnBack > 0
      ? (await earnShares(manager, { ...event, earnTransferId: event.earnTransferId! }, earnBack)).map((share) => ({
          ...share,
          bonus: false,
        }))
      : []),
    ...(completes ? (await purchaseBonuses(manager, event)).map((b) => ({ transferId: b.id, points: b.amount, bonus: true })) : []),
    ...challengeRewards.filter((r) => r.accountId === member.id).map((r) => ({ ...r, bonus: true })),
  ];
  const referrerRewards = challengeRewards.filter((r) => r.accountId !== member.id);
  // What expired is gone (breakage, attributed to its funder), and what care reversed or a debt
  // already claims is not taken twice: a refund takes back at most what its transfer still has out.
  // Points still pending (the return window) are cancelled instead: they were never spendable.
  const takeBack: typeof wanted = [];
  const cancel: { hold: LivePendingCredit; points: number }[] = [];
  for (const want of wanted) {
    const credit = await creditState(manager, want.transferId);
    if (credit.state === 'pending') cancel.push({ hold: credit.hold, points: Math.min(want.points, credit.hold.amount) });
    if (credit.state !== 'posted') continue;
    const points = Math.min(want.points, await stillOut(manager, credit.transferId));
    if (points > 0) takeBack.push({ ...want, transferId: credit.transferId, points });
  }
  const needed = takeBack.reduce((sum, t) => sum + t.points, 0);
  let available = (await balanceOf(manager, member.id)).available;
  const { refundShortfall, currency } = (await programConfiguration(manager)).settings;
  if (needed > available && refundShortfall === 'refuse') {
    throw new Refusal(
      'refund_refused',
      `the member has already spent ${needed - available} of the ${needed} points this refund takes back`,
    );
  }
  // Leaderboards ranking points earned keep only the points the purchase still earns.
  await withdrawLeaderboardPoints(manager, event.id, event.points - target);

  const refund = manager.create(EventRefund, { eventId: event.id, partnerId: event.partnerId, lines, refundedCents: cents });
  const refundWords = `refund of ${typedPrice(cents, event.currency ?? currency)}`;
  for (const { hold, points } of cancel) {
    await cancelPendingPoints(manager, ledger, {
      source: `partner:${event.partnerId}`,
      key: `refund:${request.key}:${hold.id}`,
      hold,
      points,
      explanation: { rule: 'refund', points: -points, reason: `${refundWords}, before the points were confirmed` },
    });
  }
  const pendingPointsCancelled = cancel.reduce((sum, c) => sum + c.points, 0);
  const debts: { transferId: string; points: number }[] = [];
  let pointsReversed = 0;
  let bonusPointsReversed = 0;
  for (const { transferId, points, bonus } of takeBack) {
    const now = Math.min(points, available);
    if (now > 0) {
      await ledger.reverse(
        {
          source: `partner:${event.partnerId}`,
          key: `refund:${request.key}:${transferId}`,
          transferId,
          amount: now,
          references: { refundOf: event.id },
          explanation: [{ rule: 'refund', points: -now, reason: refundWords }],
        },
        manager,
      );
    }
    available -= now;
    if (bonus) bonusPointsReversed += now;
    else pointsReversed += now;
    if (points > now) debts.push({ transferId, points: points - now });
  }
  const cashbackReversedMinor = await takeBackCashback(manager, ledger, event, {
    before: event.refundedCents,
    now: cents,
    key: request.key,
    shortfall: refundShortfall,
  });
  const pointsOwed = debts.reduce((sum, d) => sum + d.points, 0);
  Object.assign(refund, { pointsReversed, bonusPointsReversed, pointsOwed, pendingPointsCancelled });
  await manager.insert(EventRefund, refund);
  const owedByReferrers = await takeBackReferralRewards(manager, ledger, referrerRewards, { event, key: request.key, words: refundWords });
  const owed = [...debts.map((d) => ({ ...d, accountId: member.id })), ...owedByReferrers];
  if (owed.length > 0) {
    await manager.insert(
      PointsDebt,
      owed.map((d) => ({ memberAccountId: d.accountId, transferId: d.transferId, refundId: refund.id, owed: d.points, points: d.points })),
    );
  }
  await manager.update(MemberEvent, { id: event.id }, { refundedCents: event.refundedCents + cents });
  // A purchase that no longer stands, or a challenge no longer completed, may have earned a badge.
  if (completes || challengeRewards.length > 0) await revokeLapsedBadges(manager, event);
  return {
    id: refund.id,
    refundedCents: cents,
    pointsReversed,
    bonusPointsReversed,
    pointsOwed,
    pendingPointsCancelled,
    remainingCents: remaining - cents,
    cashbackReversedMinor,
  };
}
