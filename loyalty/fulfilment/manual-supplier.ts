import type { RewardSupplier, SupplierOrder } from './reward-supplier.js';

/**
 * The operator's own staff fulfil: an order is a line in the back office's queue (the fulfilment
 * order itself), which staff mark shipped or failed. Nothing leaves Tessera, so placing and
 * cancelling always succeed; cancelling is decided on the order's record, against a shipment
 * marked at the same moment.
 */
export class ManualRewardSupplier implements RewardSupplier {
  readonly kind = 'manual' as const;

  async placeOrder({ reference }: SupplierOrder) {
    return { outcome: 'placed' as const, supplierOrderId: `manual-${reference}` };
  }

  async cancelOrder() {
    return { outcome: 'cancelled' as const };
  }

  async orderStatus() {
    return { status: 'pending' as const };
  }
}
