import { BaseEntity, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who fulfils rewards: the operator's own staff (the back office's queue), a supplier over HTTP, or the demo's stand-in. */
export const rewardSupplierKinds = ['manual', 'http', 'fake'] as const;
export type RewardSupplierKind = (typeof rewardSupplierKinds)[number];

/**
 * An order is `placing` from the moment Tessera asks the supplier (recorded first, so that an answer
 * lost on the way never loses the order), `open` once the supplier answered, until it reports the
 * order shipped or failed, or Tessera cancels it.
 */
export const fulfilmentOrderStates = ['placing', 'open', 'shipped', 'failed', 'cancelled'] as const;
export type FulfilmentOrderState = (typeof fulfilmentOrderStates)[number];

/** The order placed with a supplier for a redemption to fulfil, and what became of it. */
@Entity({ name: 'fulfilment_order' })
@Index('fulfilment_order_open', ['supplier', 'orderedAt'], { where: `state IN ('placing', 'open')` })
export class FulfilmentOrder extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index({ unique: true })
  @Column({ type: 'uuid' })
  redemptionId: string;

  @Column({ type: 'text' })
  supplier: RewardSupplierKind;

  /** The supplier's reference of the order; null until its answer arrives. */
  @Column({ type: 'text', nullable: true })
  supplierOrderId: string | null;

  @Column({ type: 'text', default: 'open' })
  state: FulfilmentOrderState;

  @Column({ type: 'timestamptz' })
  orderedAt: Date;

  @Column({ type: 'text', nullable: true })
  carrier: string | null;

  @Column({ type: 'text', nullable: true })
  trackingNumber: string | null;

  /** Why the supplier could not deliver. */
  @Column({ type: 'text', nullable: true })
  failureReason: string | null;

  /** When the shipment (or the failure) was reported, and by whom: a staff member's email, or the supplier. */
  @Column({ type: 'timestamptz', nullable: true })
  reportedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  reportedBy: string | null;

  /** When Tessera cancelled the order; a shipment reported after it is reconciled with the member's points. */
  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;
}
