import type { RewardSupplierKind } from '../../entities/index.js';
import type { DeliveryAddress } from '../delivery-address.js';

/** What Tessera sends a supplier to have a reward delivered to a member. */
export interface SupplierOrder {
  /** Tessera's reference of the order: the redemption's id, the same on every retry. */
  reference: string;
  rewardCode: string;
  rewardName: string;
  quantity: number;
  orderedAt: Date;
  /**
   * Who receives it: the name and address the member gave for the parcel, or — redeemed through a
   * store, which gives none — the member's name and email alone.
   */
  recipient: { name: string | null; email: string | null; address: Omit<DeliveryAddress, 'name'> | null };
}

/** An order Tessera placed with the supplier (whose answer, and so its own id, may not have arrived). */
export interface PlacedOrder {
  reference: string;
  supplierOrderId: string | null;
  rewardCode: string;
  orderedAt: Date;
}

/** The supplier took the order, or refused it for good (it cannot supply that reward). */
export type OrderPlacement = { outcome: 'placed'; supplierOrderId: string } | { outcome: 'refused'; reason: string };

/** Where an order stands at the supplier. */
export type SupplierOrderStatus =
  | { status: 'pending' }
  | { status: 'shipped'; carrier: string | null; trackingNumber: string | null }
  | { status: 'failed'; reason: string };

/** What a supplier answers when asked to cancel: stopped, or too late (it shipped). */
export type SupplierCancellation =
  { outcome: 'cancelled' } | { outcome: 'already_shipped'; carrier: string | null; trackingNumber: string | null };

/**
 * What Tessera asks of whoever fulfils its rewards. Each call is idempotent per order; a call that
 * throws (the supplier unreachable) is retried by the caller.
 */
export interface RewardSupplier {
  readonly kind: RewardSupplierKind;
  placeOrder(order: SupplierOrder): Promise<OrderPlacement>;
  cancelOrder(order: PlacedOrder): Promise<SupplierCancellation>;
  /**
   * Where the order stands, for a supplier that is asked. One that reports shipments itself (a
   * callback, the back office's queue) answers `pending`: its reports are recorded, and read first.
   */
  orderStatus(order: PlacedOrder, now: Date): Promise<SupplierOrderStatus>;
}
