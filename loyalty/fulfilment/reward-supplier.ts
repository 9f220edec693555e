/** What Tessera asks of a reward supplier; a real supplier's adapter implements this. */
export interface RewardSupplier {
  /** Places the order once per redemption (a repeated call returns the same order). */
  placeOrder(order: { redemptionId: string; rewardCode: string; quantity: number; orderedAt: Date }): Promise<{ orderId: string }>;
  /** Where the order stands now. */
  orderStatus(order: { orderId: string; rewardCode: string; orderedAt: Date }, now: Date): Promise<'pending' | 'shipped' | 'failed'>;
}

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
 * Stands in for the suppliers that do not exist here: ships after a delay, fails the rewards it
 * is told to fail. Stateless (everything it needs is on the redemption), so it survives restarts.
 */
export class FakeRewardSupplier implements RewardSupplier {
  constructor(private readonly options: FakeSupplierOptions) {}

  async placeOrder({ redemptionId, rewardCode }: { redemptionId: string; rewardCode: string }) {
    if (this.options.unreachableFor?.includes(rewardCode)) throw new Error(`supplier unreachable for ${rewardCode}`);
    return { orderId: `fake-${redemptionId}` };
  }

  async orderStatus({ rewardCode, orderedAt }: { rewardCode: string; orderedAt: Date }, now: Date) {
    if (this.options.failingRewards?.includes(rewardCode)) return 'failed' as const;
    if (this.options.backordered?.includes(rewardCode)) return 'pending' as const;
    return now.getTime() - orderedAt.getTime() >= this.options.shipAfterMs ? ('shipped' as const) : ('pending' as const);
  }
}
