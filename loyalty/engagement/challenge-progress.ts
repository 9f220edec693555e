import type { DataSource, EntityManager } from 'typeorm';
import { Challenge, MemberEvent, Segment } from '../../entities/index.js';
import { InsufficientFundsError } from '../ledger/errors.js';
import type { EventLineRecord } from '../../entities/index.js';
import { accountByCode, partnerWallet, programAccounts } from '../ledger/accounts.js';
import { survivingAccount, type Ledger } from '../ledger/ledger.js';
import { inTransaction } from '../ledger/transaction.js';
import { lockMemberAccounts } from '../ledger/member-locks.js';
import { customerIdOf, memberWithAccount } from '../member-identity.js';
import { queuedBy } from '../outbox.js';
import { inSegment } from '../segments/segment-query.js';
import { queueWebhooks } from '../webhooks.js';
import { periodKeyAt } from './challenge-periods.js';
import { scoreChallengeProgress } from './leaderboard-scores.js';
import { awardBadge } from './badge-awards.js';
import { priceRecordedEvent } from '../earning/event-currency.js';
import { programSettings } from '../earning/program-settings.js';
import { refundedSoFar } from '../earning/refunded-lines.js';
import { qualifyingReferrer, unqualifyReferral } from '../referrals.js';

/**
 * What became of one challenge when an event was counted. `awaiting_payer`: reached, but its
 * payer's wallet is short; paid when the step is tried again or the next purchase counts.
 */
export type ChallengeOutcome = 'counted' | 'completed' | 'awaiting_payer' | 'already_counted' | 'already_completed';

export interface CountedChallenge {
  challengeId: string;
  periodKey: string;
  outcome: ChallengeOutcome;
  value: number;
}

type Countable = Pick<MemberEvent, 'type' | 'partnerId' | 'occurredAt'>;

/** Whether a live challenge could count this event: cheap, from the cached configuration, so the event's write queues its step only then. */
export function challengesCouldCount(challenges: Challenge[], event: Countable): boolean {
  return event.type === 'purchase' && challenges.some((c) => couldCount(c, event));
}

function couldCount(challenge: Challenge, event: Countable): boolean {
  return (
    challenge.status === 'live' &&
    (challenge.partnerId === null || challenge.partnerId === event.partnerId) &&
    periodKeyAt(challenge, event.occurredAt) !== null
  );
}

/** What one purchase adds to a challenge's metric (distinct partners are counted over the contributions; a friend's first purchase is one referral). */
export function contributionOf(
  challenge: Pick<Challenge, 'metric' | 'category'>,
  event: Pick<MemberEvent, 'amountCents' | 'lines'>,
): number {
  switch (challenge.metric) {
    case 'purchase_count':
    case 'distinct_partners':
    case 'referrals':
      return 1;
    case 'spend':
      if (challenge.category === null) return Math.max(0, event.amountCents ?? 0);
      return (event.lines as EventLineRecord[])
        .filter((l) => l.category === challenge.category)
        .reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
  }
}

/**
 * The reward's idempotency: one (challenge, member, period) pays once, whatever tries again. A
 * reward a refund took back leaves its transfer on the progress row: completing again is a new
 * payment, keyed after the one taken back.
 */
export const rewardKey = (challengeId: string, memberId: string, periodKey: string, takenBackTransferId: string | null = null) => ({
  source: 'system:challenges',
  key: `challenge:${challengeId}:${memberId}:${periodKey}${takenBackTransferId ? `:after:${takenBackTransferId}` : ''}`,
});

/** What is left of a purchase after its refunds: the amount and the lines not returned. */
function remainingOf(
  event: Pick<MemberEvent, 'amountCents' | 'refundedCents' | 'lines'>,
  refunded: { cents: number; lines: Map<string, number> },
): Pick<MemberEvent, 'amountCents' | 'lines'> {
  const returned = new Map(refunded.lines);
  const lines = (event.lines as EventLineRecord[]).map((line) => {
    const back = Math.min(line.quantity, returned.get(line.reference) ?? 0);
    returned.set(line.reference, (returned.get(line.reference) ?? 0) - back);
    return { ...line, quantity: line.quantity - back };
  });
  return {
    amountCents: event.amountCents === null ? null : event.amountCents - refunded.cents,
    lines: lines.filter((l) => l.quantity > 0),
  };
}

/** The purchase (what is left of it) in the program's currency, at the rate it was recorded at. */
async function inProgramCurrency(
  manager: EntityManager,
  event: Pick<MemberEvent, 'currency' | 'occurredAt'>,
  left: Pick<MemberEvent, 'amountCents' | 'lines'>,
): Promise<Pick<MemberEvent, 'amountCents' | 'lines'>> {
  const priced = await priceRecordedEvent(manager, { ...event, ...left }, (await programSettings(manager)).currency);
  return { amountCents: priced.amountCents ?? null, lines: priced.lines ?? [] };
}

/**
 * Counts a recorded purchase towards every live challenge it qualifies for, and pays the reward of
 * those it completes, all in one transaction: the event's contribution (keyed by event and
 * challenge, so a replayed or re-delivered event counts once), the member's progress (its row
 * locked, so concurrent purchases count in turn and exactly one of them completes it), the ledger
 * transfer (keyed by challenge, member and period) and the `challenge.completed` webhook. A reward
 * whose payer is short waits on its own (`awaiting_payer`): the others are paid, and the caller
 * tries the step again. Started from the outbox once the event committed (workflow
 * `challenge-progress-<eventId>`).
 */
export function countChallengeProgress(
  dataSource: DataSource,
  ledger: Ledger,
  eventId: string,
): Promise<{ counted: CountedChallenge[]; queued: string[] }> {
  return inTransaction(dataSource, async (manager) => ({ counted: await countIn(manager, ledger, eventId), queued: queuedBy(manager) }));
}

async function countIn(manager: EntityManager, ledger: Ledger, eventId: string): Promise<CountedChallenge[]> {
  // Shared with other counts, exclusive of a refund (which locks the event first too): a refund
  // either finds this step's contributions committed and withdraws them, or this step finds it.
  const event = await manager.findOne(MemberEvent, { where: { id: eventId }, lock: { mode: 'pessimistic_read' } });
  if (!event || event.type !== 'purchase') return [];
  // A purchase refunded in full counts for nothing; one refunded in part counts what is left (see withdrawChallengeContributions).
  if (event.refundedCents > 0 && event.refundedCents >= (event.amountCents ?? 0)) return [];
  const live = (await manager.findBy(Challenge, { status: 'live' })).filter((c) => couldCount(c, event));
  live.sort((a, b) => a.id.localeCompare(b.id)); // progress rows are locked in one order
  const counted: CountedChallenge[] = [];
  if (live.length === 0) return counted;
  const buyer = await memberWithAccount(manager, event.memberId);
  // The purchase that qualified a friend's referral (when it was recorded) counts for whoever referred them.
  const countsReferrals = live.some((c) => c.metric === 'referrals');
  const referredBy = countsReferrals ? await qualifyingReferrer(manager, event) : null;
  const referrerAccount = referredBy ? await memberWithAccount(manager, referredBy.id) : null;
  // Lock order, shared with refunds, merges and earns: the member accounts first (by id, see
  // lockMemberAccounts), then progress rows (by challenge), then the payer's wallet (the ledger).
  // A refund must lock the member before reading what it takes back, so counting comes after it
  // rather than locking a progress row and then waiting for the account a refund holds.
  await lockMemberAccounts(manager, [buyer.account.id, ...(referrerAccount ? [referrerAccount.account.id] : [])]);
  // A merge that committed while this waited may have withdrawn the referral (one person): read it again under the lock.
  const referrer = referredBy && (await qualifyingReferrer(manager, event))?.id === referredBy.id ? referredBy : null;
  const left =
    event.refundedCents > 0
      ? remainingOf(event, { cents: event.refundedCents, lines: await refundedSoFar(manager, event.id) })
      : { amountCents: event.amountCents, lines: event.lines };
  // Amounts count in the program's currency, as the rules counted the purchase (the rate it was recorded at).
  const priced = await inProgramCurrency(manager, event, left);
  for (const challenge of live) {
    const { member, account } =
      challenge.metric === 'referrals' ? ((referrer && referrerAccount) ?? { member: null, account: null }) : buyer;
    if (!member) continue;
    const periodKey = periodKeyAt(challenge, event.occurredAt)!;
    if (challenge.segmentId) {
      const segment = await manager.findOneBy(Segment, { id: challenge.segmentId });
      if (!segment || !(await inSegment(manager, segment.conditions, member.id, event.occurredAt))) continue;
    }
    const amount = contributionOf(challenge, priced);
    if (amount <= 0) continue;
    const inserted = await manager.query(
      `INSERT INTO challenge_contribution ("eventId", "challengeId", "memberId", "periodKey", "partnerId", amount)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING "eventId"`,
      [event.id, challenge.id, member.id, periodKey, event.partnerId, amount],
    );
    const progress = await lockProgress(manager, challenge, member.id, periodKey);
    // Counted before: nothing to add, unless its reward still waits for its payer.
    if (inserted.length === 0 && (progress.completedAt || progress.value < challenge.target)) {
      counted.push({ challengeId: challenge.id, periodKey, outcome: 'already_counted', value: progress.value });
      continue;
    }
    if (progress.completedAt) {
      // Paid once, but the metric goes on past the target: leaderboards ranking the challenge tell apart who did more.
      const value = await recount(manager, challenge, member.id, periodKey, event.occurredAt, event.recordedAt);
      counted.push({ challengeId: challenge.id, periodKey, outcome: 'already_completed', value });
      continue;
    }
    const value =
      inserted.length === 0 ? progress.value : await recount(manager, challenge, member.id, periodKey, event.occurredAt, event.recordedAt);
    if (value < challenge.target) {
      counted.push({ challengeId: challenge.id, periodKey, outcome: 'counted', value });
      continue;
    }
    const outcome = await payReward(manager, ledger, challenge, {
      memberId: member.id,
      accountId: account.id,
      periodKey,
      takenBackTransferId: progress.rewardTransferId,
      event,
    });
    counted.push({ challengeId: challenge.id, periodKey, outcome, value });
  }
  return counted;
}

/**
 * Pays a reached period's reward and marks it completed (the progress row locked by the caller),
 * or leaves it reached and unpaid when the payer's wallet is short: nothing of the reward is
 * written then, and the rest of the transaction stands.
 */
export async function payReward(
  manager: EntityManager,
  ledger: Ledger,
  challenge: Challenge,
  reached: {
    memberId: string;
    accountId: string;
    periodKey: string;
    takenBackTransferId: string | null;
    /** The purchase that completed it (a referred friend's, for a referral challenge). */
    event: Pick<MemberEvent, 'id' | 'partnerId' | 'customerId' | 'memberId'>;
  },
): Promise<'completed' | 'awaiting_payer'> {
  const { memberId, periodKey, event } = reached;
  // A partner's challenge saved before it named its payer is paid by that partner, never by marketing.
  const funder = challenge.fundingPartnerId ?? challenge.partnerId;
  const payer = funder ? await partnerWallet(manager, funder) : await accountByCode(manager, programAccounts.marketing);
  let written;
  try {
    written = await ledger.transfer(
      {
        ...rewardKey(challenge.id, memberId, periodKey, reached.takenBackTransferId),
        legs: [
          {
            debitAccountId: payer.id,
            creditAccountId: reached.accountId,
            amount: challenge.rewardPoints,
            kind: 'bonus',
            references: { challenge: challenge.id, period: periodKey, event: event.id },
            explanation: [{ rule: challenge.name, points: challenge.rewardPoints, reason: `challenge completed (${periodKey})` }],
          },
        ],
      },
      manager,
    );
  } catch (error) {
    // The ledger refuses before it writes: the transaction goes on without this reward.
    if (error instanceof InsufficientFundsError) return 'awaiting_payer';
    throw error;
  }
  const completedAt = new Date();
  await manager.query(
    `UPDATE challenge_progress SET "completedAt" = $4, "rewardTransferId" = $5
      WHERE "challengeId" = $1 AND "memberId" = $2 AND "periodKey" = $3`,
    [challenge.id, memberId, periodKey, completedAt, written.transfers[0]?.id ?? null],
  );
  // The owner hears of it; a program challenge is told to the partner whose purchase completed it.
  const partnerId = challenge.partnerId ?? event.partnerId;
  // A referrer the store does not know is not told to it: the store would learn of another store's customer.
  const customerId = (await customerIdOf(manager, memberId, partnerId)) ?? (event.memberId === memberId ? event.customerId : null);
  if (customerId !== null)
    await queueWebhooks(manager, partnerId, 'challenge.completed', {
      challenge: challenge.id,
      name: challenge.name,
      member: customerId,
      period: periodKey,
      target: challenge.target,
      points: challenge.rewardPoints,
      completedAt: completedAt.toISOString(),
      eventId: event.id,
    });
  // Its badge, if it awards one, in the completion's transaction (once per member, whatever the period).
  if (challenge.badgeId) await awardBadge(manager, { badgeId: challenge.badgeId, memberId, event, challengeId: challenge.id });
  return 'completed';
}

/**
 * Pays the members who reach a live challenge's target in its current period without having been
 * paid (its target was lowered): each completed by its latest purchase that counts. Returns how
 * many wait for the payer.
 */
export async function payReachedPeriods(manager: EntityManager, ledger: Ledger, challenge: Challenge, now = new Date()): Promise<number> {
  const periodKey = challenge.status === 'live' ? periodKeyAt(challenge, now) : null;
  if (periodKey === null) return 0;
  const reached: { memberId: string }[] = await manager.query(
    `SELECT "memberId" FROM challenge_progress
      WHERE "challengeId" = $1 AND "periodKey" = $2 AND value >= $3 AND "completedAt" IS NULL ORDER BY "memberId"`,
    [challenge.id, periodKey, challenge.target],
  );
  // Every member's account before any progress row, as counting and refunds lock them.
  const accounts = new Map<string, string>();
  for (const { memberId } of reached) accounts.set(memberId, (await memberWithAccount(manager, memberId)).account.id);
  await lockMemberAccounts(manager, [...accounts.values()]);
  let waiting = 0;
  for (const { memberId } of reached) {
    const progress = await lockProgress(manager, challenge, memberId, periodKey);
    if (progress.completedAt || progress.value < challenge.target) continue;
    const [event] = await manager.query(
      `SELECT e.id, e."partnerId", e."customerId", e."memberId" FROM challenge_contribution c JOIN member_event e ON e.id = c."eventId"
        WHERE c."challengeId" = $1 AND c."memberId" = $2 AND c."periodKey" = $3 AND c."withdrawnAt" IS NULL
        ORDER BY c."createdAt" DESC LIMIT 1`,
      [challenge.id, memberId, periodKey],
    );
    if (!event) continue;
    const outcome = await payReward(manager, ledger, challenge, {
      memberId,
      accountId: accounts.get(memberId)!,
      periodKey,
      takenBackTransferId: progress.rewardTransferId,
      event,
    });
    if (outcome === 'awaiting_payer') waiting++;
  }
  return waiting;
}

/** The member's progress row for the period, created if new, locked until the transaction ends. */
export async function lockProgress(
  manager: EntityManager,
  challenge: Pick<Challenge, 'id'>,
  memberId: string,
  periodKey: string,
): Promise<{ value: number; completedAt: Date | null; rewardTransferId: string | null }> {
  await manager.query(
    `INSERT INTO challenge_progress ("challengeId", "memberId", "periodKey") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [challenge.id, memberId, periodKey],
  );
  const [row] = await manager.query(
    `SELECT value, "completedAt", "rewardTransferId" FROM challenge_progress
      WHERE "challengeId" = $1 AND "memberId" = $2 AND "periodKey" = $3 FOR UPDATE`,
    [challenge.id, memberId, periodKey],
  );
  return { value: Number(row.value), completedAt: row.completedAt, rewardTransferId: row.rewardTransferId };
}

/**
 * The progress from the contributions that stand (under the progress row's lock), written back,
 * and the member's score on the leaderboards that rank this challenge (as of `at`; `arrivedAt`
 * when a new purchase is counted, see scoreChallengeProgress).
 */
export async function recount(
  manager: EntityManager,
  challenge: Pick<Challenge, 'id' | 'metric'>,
  memberId: string,
  periodKey: string,
  at: Date,
  arrivedAt?: Date,
): Promise<number> {
  const measure = challenge.metric === 'distinct_partners' ? 'COUNT(DISTINCT "partnerId")' : 'COALESCE(SUM(amount), 0)';
  const [{ value }] = await manager.query(
    `SELECT ${measure}::bigint AS value FROM challenge_contribution
      WHERE "challengeId" = $1 AND "memberId" = $2 AND "periodKey" = $3 AND "withdrawnAt" IS NULL`,
    [challenge.id, memberId, periodKey],
  );
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new Error(`challenge ${challenge.id}: progress ${value} is no whole number`);
  await manager.query(
    `UPDATE challenge_progress SET value = $4, "updatedAt" = now() WHERE "challengeId" = $1 AND "memberId" = $2 AND "periodKey" = $3`,
    [challenge.id, memberId, periodKey, number],
  );
  await scoreChallengeProgress(manager, challenge.id, memberId, periodKey, number, at, arrivedAt);
  return number;
}

/** A challenge reward a refund or a merge takes back, as a refund takes back the purchase's own bonuses. */
export interface ChallengeRewardLost {
  transferId: string;
  points: number;
  /** The account it was paid to, or that of whom its owner was merged into since: the buyer's, or their referrer's for a referral challenge. */
  accountId: string;
}

interface Contribution {
  challengeId: string;
  memberId: string;
  periodKey: string;
  amount: string;
}

/**
 * A refund's effect on challenges, in the refund's transaction (the event and the accounts of the
 * members it counted for locked): each contribution of the purchase is cut to what is left of it —
 * a spend to the part of the refunded lines that counted, a purchase, a partner or a referral only
 * once it is refunded in full — and the progress recounted. A period completed that no longer
 * reaches its target is completed no more: its reward is returned for the refund to take back
 * (from the referrer, for a referral), and a later completion pays it again. A referral whose
 * qualifying purchase is refunded in full is un-qualified.
 */
export async function withdrawChallengeContributions(
  manager: EntityManager,
  event: MemberEvent,
  refunded: { cents: number; lines: Map<string, number> },
): Promise<ChallengeRewardLost[]> {
  const rows: Contribution[] = await manager.query(
    `SELECT "challengeId", "memberId", "periodKey", amount FROM challenge_contribution
      WHERE "eventId" = $1 AND "withdrawnAt" IS NULL ORDER BY "challengeId"`,
    [event.id],
  );
  const whole = event.amountCents === null || refunded.cents >= event.amountCents;
  const priced = whole || rows.length === 0 ? null : await inProgramCurrency(manager, event, remainingOf(event, refunded));
  const lost: ChallengeRewardLost[] = [];
  for (const row of rows) {
    const challenge = await manager.findOneBy(Challenge, { id: row.challengeId });
    if (!challenge) continue;
    const amount = priced === null ? 0 : challenge.metric === 'spend' ? contributionOf(challenge, priced) : Number(row.amount);
    const taken = await cutContribution(manager, challenge, event, row, amount);
    if (taken) lost.push(taken);
  }
  if (whole) await unqualifyReferral(manager, event);
  return lost;
}

/**
 * Withdraws what a purchase counted towards referral challenges (a merge showed the friend and the
 * referrer are one person), as a refund in full would: the caller has the referrer's account locked.
 */
export async function withdrawReferralContributions(
  manager: EntityManager,
  event: Pick<MemberEvent, 'id' | 'occurredAt'>,
): Promise<ChallengeRewardLost[]> {
  const rows: Contribution[] = await manager.query(
    `SELECT c."challengeId", c."memberId", c."periodKey", c.amount FROM challenge_contribution c JOIN challenge ch ON ch.id = c."challengeId"
      WHERE c."eventId" = $1 AND c."withdrawnAt" IS NULL AND ch.metric = 'referrals' ORDER BY c."challengeId"`,
    [event.id],
  );
  const lost: ChallengeRewardLost[] = [];
  for (const row of rows) {
    const taken = await cutContribution(manager, await manager.findOneByOrFail(Challenge, { id: row.challengeId }), event, row, 0);
    if (taken) lost.push(taken);
  }
  return lost;
}

/** One contribution cut to `amount` (0: withdrawn), its progress recounted: the reward it no longer earns, if it was paid. */
async function cutContribution(
  manager: EntityManager,
  challenge: Challenge,
  event: Pick<MemberEvent, 'id' | 'occurredAt'>,
  row: Contribution,
  amount: number,
): Promise<ChallengeRewardLost | null> {
  if (amount === Number(row.amount)) return null;
  const progress = await lockProgress(manager, challenge, row.memberId, row.periodKey);
  await manager.query(
    `UPDATE challenge_contribution SET amount = $3::bigint, "withdrawnAt" = CASE WHEN $3::bigint = 0 THEN now() END
      WHERE "eventId" = $1 AND "challengeId" = $2`,
    [event.id, row.challengeId, amount],
  );
  const value = await recount(manager, challenge, row.memberId, row.periodKey, event.occurredAt);
  if (!progress.completedAt || value >= challenge.target) return null;
  await manager.query(
    `UPDATE challenge_progress SET "completedAt" = NULL WHERE "challengeId" = $1 AND "memberId" = $2 AND "periodKey" = $3`,
    [row.challengeId, row.memberId, row.periodKey],
  );
  if (!progress.rewardTransferId) return null;
  // What was paid, not the reward as it reads now: the operator may have changed it since.
  const [paid]: { amount: string; creditAccountId: string }[] = await manager.query(
    `SELECT amount, "creditAccountId" FROM ledger_transfer WHERE id = $1`,
    [progress.rewardTransferId],
  );
  if (!paid) return null;
  // Paid to a member merged since: the points, and so the take-back, are the survivor's.
  return {
    transferId: progress.rewardTransferId,
    points: Number(paid.amount),
    accountId: await survivingAccount(manager, paid.creditAccountId),
  };
}
