import type { DataSource, EntityManager } from 'typeorm';
import { Challenge, MemberEvent, Segment } from '../../entities/index.js';
import type { EventLineRecord } from '../../entities/index.js';
import { accountByCode, partnerWallet, programAccounts } from '../ledger/accounts.js';
import type { Ledger } from '../ledger/ledger.js';
import { inTransaction } from '../ledger/transaction.js';
import { customerIdOf, memberWithAccount } from '../member-identity.js';
import { queuedBy } from '../outbox.js';
import { inSegment } from '../segments/segment-query.js';
import { queueWebhooks } from '../webhooks.js';
import { periodKeyAt } from './challenge-periods.js';
import { scoreChallengeProgress } from './leaderboard-scores.js';
import { priceInProgramCurrency } from '../earning/event-currency.js';
import { programSettings } from '../earning/program-settings.js';

/** What became of one challenge when an event was counted. */
export type ChallengeOutcome = 'counted' | 'completed' | 'already_counted' | 'already_completed';

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

/** What one purchase adds to a challenge's metric (distinct partners are counted over the contributions). */
export function contributionOf(
  challenge: Pick<Challenge, 'metric' | 'category'>,
  event: Pick<MemberEvent, 'amountCents' | 'lines'>,
): number {
  switch (challenge.metric) {
    case 'purchase_count':
    case 'distinct_partners':
      return 1;
    case 'spend':
      if (challenge.category === null) return Math.max(0, event.amountCents ?? 0);
      return (event.lines as EventLineRecord[])
        .filter((l) => l.category === challenge.category)
        .reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
  }
}

/** The reward's idempotency: one (challenge, member, period) pays once, whatever tries again. */
export const rewardKey = (challengeId: string, memberId: string, periodKey: string) => ({
  source: 'system:challenges',
  key: `challenge:${challengeId}:${memberId}:${periodKey}`,
});

/**
 * Counts a recorded purchase towards every live challenge it qualifies for, and pays the reward of
 * those it completes, all in one transaction: the event's contribution (keyed by event and
 * challenge, so a replayed or re-delivered event counts once), the member's progress (its row
 * locked, so concurrent purchases count in turn and exactly one of them completes it), the ledger
 * transfer (keyed by challenge, member and period) and the `challenge.completed` webhook.
 * Started from the outbox once the event committed (workflow `challenge-progress-<eventId>`).
 */
export function countChallengeProgress(
  dataSource: DataSource,
  ledger: Ledger,
  eventId: string,
): Promise<{ counted: CountedChallenge[]; queued: string[] }> {
  return inTransaction(dataSource, async (manager) => ({ counted: await countIn(manager, ledger, eventId), queued: queuedBy(manager) }));
}

async function countIn(manager: EntityManager, ledger: Ledger, eventId: string): Promise<CountedChallenge[]> {
  {
    // Shared with other counts, exclusive of a refund (which locks the event first too): a refund
    // either finds this step's contributions committed and withdraws them, or this step finds it.
    const event = await manager.findOne(MemberEvent, { where: { id: eventId }, lock: { mode: 'pessimistic_read' } });
    if (!event || event.type !== 'purchase') return [];
    if (event.refundedCents > 0) return []; // a refunded purchase counts for nothing (see withdrawChallengeContributions)
    const live = (await manager.findBy(Challenge, { status: 'live' })).filter((c) => couldCount(c, event));
    live.sort((a, b) => a.id.localeCompare(b.id)); // progress rows are locked in one order
    const counted: CountedChallenge[] = [];
    if (live.length === 0) return counted;
    const { member, account } = await memberWithAccount(manager, event.memberId);
    // Amounts count in the program's currency, as the rules counted the purchase (the rate it was recorded at).
    const priced = await priceInProgramCurrency(
      manager,
      {
        amountCents: event.amountCents ?? undefined,
        currency: event.currency ?? undefined,
        lines: event.lines,
        occurredAt: event.occurredAt,
      },
      (await programSettings(manager)).currency,
    );
    const inProgramCurrency = { amountCents: priced.amountCents ?? null, lines: priced.lines ?? [] };
    for (const challenge of live) {
      const periodKey = periodKeyAt(challenge, event.occurredAt)!;
      if (challenge.segmentId) {
        const segment = await manager.findOneBy(Segment, { id: challenge.segmentId });
        if (!segment || !(await inSegment(manager, segment.conditions, member.id, event.occurredAt))) continue;
      }
      const amount = contributionOf(challenge, inProgramCurrency);
      if (amount <= 0) continue;
      const inserted = await manager.query(
        `INSERT INTO challenge_contribution ("eventId", "challengeId", "memberId", "periodKey", "partnerId", amount)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING "eventId"`,
        [event.id, challenge.id, member.id, periodKey, event.partnerId, amount],
      );
      const progress = await lockProgress(manager, challenge, member.id, periodKey);
      if (inserted.length === 0) {
        counted.push({ challengeId: challenge.id, periodKey, outcome: 'already_counted', value: progress.value });
        continue;
      }
      if (progress.completedAt) {
        counted.push({ challengeId: challenge.id, periodKey, outcome: 'already_completed', value: progress.value });
        continue;
      }
      const value = await recount(manager, challenge, member.id, periodKey, event.occurredAt);
      if (!Number.isSafeInteger(value)) throw new Error(`challenge ${challenge.id}: progress ${value} is no whole number`);
      if (value < challenge.target) {
        counted.push({ challengeId: challenge.id, periodKey, outcome: 'counted', value });
        continue;
      }
      const payer = challenge.fundingPartnerId
        ? await partnerWallet(manager, challenge.fundingPartnerId)
        : await accountByCode(manager, programAccounts.marketing);
      const written = await ledger.transfer(
        {
          ...rewardKey(challenge.id, member.id, periodKey),
          legs: [
            {
              debitAccountId: payer.id,
              creditAccountId: account.id,
              amount: challenge.rewardPoints,
              kind: 'bonus',
              references: { challenge: challenge.id, period: periodKey, event: event.id },
              explanation: [{ rule: challenge.name, points: challenge.rewardPoints, reason: `challenge completed (${periodKey})` }],
            },
          ],
        },
        manager,
      );
      const completedAt = new Date();
      await manager.query(
        `UPDATE challenge_progress SET "completedAt" = $4, "rewardTransferId" = $5
          WHERE "challengeId" = $1 AND "memberId" = $2 AND "periodKey" = $3`,
        [challenge.id, member.id, periodKey, completedAt, written.transfers[0]?.id ?? null],
      );
      // The owner hears of it; a program challenge is told to the partner whose purchase completed it.
      const partnerId = challenge.partnerId ?? event.partnerId;
      const customerId = (await customerIdOf(manager, member.id, partnerId)) ?? event.customerId;
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
      counted.push({ challengeId: challenge.id, periodKey, outcome: 'completed', value });
    }
    return counted;
  }
}

/** The member's progress row for the period, created if new, locked until the transaction ends. */
async function lockProgress(
  manager: EntityManager,
  challenge: Challenge,
  memberId: string,
  periodKey: string,
): Promise<{ value: number; completedAt: Date | null }> {
  await manager.query(
    `INSERT INTO challenge_progress ("challengeId", "memberId", "periodKey") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [challenge.id, memberId, periodKey],
  );
  const [row] = await manager.query(
    `SELECT value, "completedAt" FROM challenge_progress
      WHERE "challengeId" = $1 AND "memberId" = $2 AND "periodKey" = $3 FOR UPDATE`,
    [challenge.id, memberId, periodKey],
  );
  return { value: Number(row.value), completedAt: row.completedAt };
}

/**
 * The progress from the contributions that stand (under the progress row's lock), written back,
 * and the member's score on the leaderboards that rank this challenge (as of `at`, the event's time).
 */
async function recount(manager: EntityManager, challenge: Challenge, memberId: string, periodKey: string, at: Date): Promise<number> {
  const measure = challenge.metric === 'distinct_partners' ? 'COUNT(DISTINCT "partnerId")' : 'COALESCE(SUM(amount), 0)';
  const [{ value }] = await manager.query(
    `SELECT ${measure}::bigint AS value FROM challenge_contribution
      WHERE "challengeId" = $1 AND "memberId" = $2 AND "periodKey" = $3 AND "withdrawnAt" IS NULL`,
    [challenge.id, memberId, periodKey],
  );
  await manager.query(
    `UPDATE challenge_progress SET value = $4, "updatedAt" = now() WHERE "challengeId" = $1 AND "memberId" = $2 AND "periodKey" = $3`,
    [challenge.id, memberId, periodKey, value],
  );
  await scoreChallengeProgress(manager, challenge.id, memberId, periodKey, Number(value), at);
  return Number(value);
}

/**
 * A refund's effect on challenges, in the refund's transaction. The rule: a refunded purchase
 * (in part or in whole) no longer counts towards a challenge period not yet completed — its
 * contribution is withdrawn and the progress recounted; once a period's reward was paid, nothing
 * is undone (the reward is not taken back, and the progress stays complete). A purchase refunded
 * before its progress step ran is not counted at all (see countChallengeProgress).
 */
export async function withdrawChallengeContributions(
  manager: EntityManager,
  event: Pick<MemberEvent, 'id' | 'occurredAt'>,
): Promise<number> {
  const eventId = event.id;
  const rows: { challengeId: string; memberId: string; periodKey: string }[] = await manager.query(
    `SELECT "challengeId", "memberId", "periodKey" FROM challenge_contribution
      WHERE "eventId" = $1 AND "withdrawnAt" IS NULL ORDER BY "challengeId"`,
    [eventId],
  );
  let withdrawn = 0;
  for (const row of rows) {
    const challenge = await manager.findOneBy(Challenge, { id: row.challengeId });
    if (!challenge) continue;
    const progress = await lockProgress(manager, challenge, row.memberId, row.periodKey);
    if (progress.completedAt) continue;
    await manager.query(`UPDATE challenge_contribution SET "withdrawnAt" = now() WHERE "eventId" = $1 AND "challengeId" = $2`, [
      eventId,
      row.challengeId,
    ]);
    await recount(manager, challenge, row.memberId, row.periodKey, event.occurredAt);
    withdrawn++;
  }
  return withdrawn;
}
