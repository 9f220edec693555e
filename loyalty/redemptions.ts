import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Redemption, Reward } from '../entities/index.js';
import { accountByCode, programAccounts } from './ledger/accounts.js';
import { redemptionHoldDays } from './fulfilment/fulfilment-terms.js';
import { IdempotencyConflictError, refuseShortfall } from './ledger/errors.js';
import { queueProcess } from './outbox.js';
import { queueRewardCode } from './member-messages.js';
import { Refusal } from './refusal.js';
import type { Ledger } from './ledger/ledger.js';
import type { DeliveryAddress } from './delivery-address.js';
import { writtenUnder } from './ledger-replays.js';
import { customerIdOf, lockLiveMembers, type ResolvedMember } from './member-identity.js';
import { queueWebhooks } from './webhooks.js';

export class RedemptionRefusedError extends Refusal {
  constructor(field: string, reason: string) {
    super('redemption_refused', reason, field);
  }
}

export interface RedemptionRequest {
  memberId: string;
  rewardCode: string;
  quantity: number;
  partnerId: string | null;
  /**
   * Makes the redemption idempotent: the same key again (the API's request id, a dashboard form's
   * key) finds the first redemption instead of making another.
   */
  key: string;
  /** Where a reward to ship goes, when the member gave an address (the dashboard asks for one). */
  shipTo?: DeliveryAddress | null;
}

/**
 * A member spends points on a reward, in the caller's transaction. An instant reward (a code) is
 * burned at once; a reward to fulfil only holds the points, for the fulfilment to post or void.
 */
export async function redeemReward(manager: EntityManager, ledger: Ledger, request: RedemptionRequest): Promise<Redemption> {
  return (await redeemRewardOnce(manager, ledger, request)).redemption;
}

/** As `redeemReward`, saying whether this call redeemed, or found what an earlier call with the same key did. */
export async function redeemRewardOnce(
  manager: EntityManager,
  ledger: Ledger,
  request: RedemptionRequest,
): Promise<{ redemption: Redemption; replayed: boolean }> {
  // The member before the reward's stock, as cancellations do (member, then stock back).
  const [{ member, account }] = (await lockLiveMembers(manager, [request.memberId])) as [ResolvedMember];
  const source = `redemption:${member.id}`;
  // Under the member's lock: a twin of this request waits above, then finds the first here, before the stock is taken again.
  const earlier = await writtenUnder(manager, source, request.key);
  if (earlier) {
    const redemption = await manager.findOneByOrFail(Redemption, { transferId: earlier });
    const reward = await manager.findOneByOrFail(Reward, { id: redemption.rewardId });
    if (reward.code !== request.rewardCode || redemption.quantity !== request.quantity)
      throw new IdempotencyConflictError(source, request.key);
    return { redemption, replayed: true };
  }
  const reward = await manager.findOneBy(Reward, { code: request.rewardCode });
  if (!reward || !reward.available) throw new RedemptionRefusedError('reward', `no reward "${request.rewardCode}" is available`);
  if (reward.stock !== null) {
    const taken = await manager.query(`UPDATE reward SET stock = stock - $2 WHERE id = $1 AND stock >= $2 RETURNING stock`, [
      reward.id,
      request.quantity,
    ]);
    if (taken[1] === 0) throw new RedemptionRefusedError('quantity', `only ${reward.stock} left of "${reward.code}"`);
  }
  const redemptionAccount = await accountByCode(manager, programAccounts.redemption);
  const points = reward.pointsPrice * request.quantity;
  const transfer = {
    source,
    key: request.key,
    legs: [
      {
        debitAccountId: account.id,
        creditAccountId: redemptionAccount.id,
        amount: points,
        kind: 'burn' as const,
        references: { reward: reward.code, ...(request.partnerId ? { partner: request.partnerId } : {}) },
        explanation: [{ rule: 'redemption', points: -points, reason: `${request.quantity} × ${reward.name}` }],
      },
    ],
  };
  const heldUntil = new Date(Date.now() + redemptionHoldDays * 86_400_000);
  const written = await refuseShortfall(
    account.id,
    () => (reward.needsFulfilment ? ledger.hold({ ...transfer, until: heldUntil }, manager) : ledger.transfer(transfer, manager)),
    'reward',
    (short) => `costs ${short.requested} points; the member has ${short.available} available`,
  );
  const redemption = manager.create(Redemption, {
    memberId: member.id,
    rewardId: reward.id,
    partnerId: request.partnerId,
    quantity: request.quantity,
    points,
    status: reward.needsFulfilment ? 'awaiting_fulfilment' : 'completed',
    transferId: written.transfers[0]!.id,
    code: reward.needsFulfilment ? null : `${reward.code.toUpperCase()}-${randomBytes(5).toString('hex').toUpperCase()}`,
    ...shippingColumns(reward.needsFulfilment ? request.shipTo : null),
  });
  await manager.insert(Redemption, redemption);
  if (reward.needsFulfilment) {
    // Started once this transaction commits; the hold gives its points back by itself if the fulfilment never settles it.
    await queueProcess(manager, 'reward_fulfilment', redemption.id, { rewardCode: reward.code });
    await queueProcess(manager, 'hold_timeout', redemption.transferId, { expiresAt: heldUntil.toISOString() });
  } else {
    await queueRedemptionCompleted(manager, redemption);
    await queueRewardCode(manager, redemption);
  }
  return { redemption, replayed: false };
}

/** The redemption's columns for where it ships (see `shippingAddressOf`). */
function shippingColumns(address: DeliveryAddress | null | undefined) {
  return {
    shipToName: address?.name ?? null,
    shipToStreet: address?.street ?? null,
    shipToPostalCode: address?.postalCode ?? null,
    shipToCity: address?.city ?? null,
    shipToCountry: address?.country ?? null,
  };
}

/**
 * Queues `redemption.completed` for the partner through whom the member redeemed, in the caller's
 * transaction: when an instant reward is burned, or when a shipped reward's hold is posted.
 */
export async function queueRedemptionCompleted(manager: EntityManager, redemption: Redemption): Promise<string[]> {
  if (!redemption.partnerId || (redemption.status !== 'completed' && redemption.status !== 'fulfilled')) return [];
  // The partner hears of its customer by its own id for them.
  const member = await customerIdOf(manager, redemption.memberId, redemption.partnerId);
  if (member === null) return [];
  const [names]: { reward: string }[] = await manager.query(`SELECT code AS reward FROM reward WHERE id = $1`, [redemption.rewardId]);
  return queueWebhooks(manager, redemption.partnerId, 'redemption.completed', {
    redemption: redemption.id,
    member,
    reward: names!.reward,
    quantity: redemption.quantity,
    points: redemption.points,
    status: redemption.status,
  });
}
