import type { RewardSupplier, SupplierOrder, PlacedOrder } from './reward-supplier.js';

export interface FakeSupplierOptions {
  /** How long after the order the parcel ships. */
  shipAfterMs: number;
  /** Reward codes the supplier cannot deliver: their orders fail. */
  failingRewards?: string[];
  /** Reward codes on back order: their orders stay pending (never ship). */
  backordered?: string[];
  /** Reward codes whose orders are refused at once (placeOrder throws, as an unreachable supplier). */
  unreachableFor?: string[];
}

/**
 * Stands in for a supplier in `npm start`'s demo and in tests, never in production: ships after a
 * delay, fails the rewards it is told to fail. Stateless (everything it needs is on the order), so
 * it survives restarts.
 */
export class FakeRewardSupplier implements RewardSupplier {
  readonly kind = 'fake' as const;

  constructor(private readonly options: FakeSupplierOptions) {}

  async placeOrder({ reference, rewardCode }: SupplierOrder) {
    if (this.options.unreachableFor?.includes(rewardCode)) throw new Error(`supplier unreachable for ${rewardCode}`);
    return { outcome: 'placed' as const, supplierOrderId: `fake-${reference}` };
  }

  async orderStatus({ rewardCode, orderedAt }: PlacedOrder, now: Date) {
    if (this.options.failingRewards?.includes(rewardCode)) return { status: 'failed' as const, reason: 'out of production' };
    if (this.shipped(rewardCode, orderedAt, now)) return { status: 'shipped' as const, carrier: 'Fake Post', trackingNumber: null };
    return { status: 'pending' as const };
  }

  async cancelOrder({ rewardCode, orderedAt }: PlacedOrder) {
    if (this.options.unreachableFor?.includes(rewardCode)) throw new Error(`supplier unreachable for ${rewardCode}`);
    if (this.shipped(rewardCode, orderedAt, new Date())) {
      return { outcome: 'already_shipped' as const, carrier: 'Fake Post', trackingNumber: null };
    }
    return { outcome: 'cancelled' as const };
  }

  private shipped(rewardCode: string, orderedAt: Date, now: Date): boolean {
    if (this.options.failingRewards?.includes(rewardCode) || this.options.backordered?.includes(rewardCode)) return false;
    return now.getTime() - orderedAt.getTime() >= this.options.shipAfterMs;
  }
}
