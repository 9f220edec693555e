import { BaseEntity, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The one post or void of a pending transfer. Its primary key is what allows a hold to be resolved
 * once, even by concurrent requests: ledger_transfer, partitioned by month, cannot have a unique
 * index on "pendingTransferId" alone.
 */
@Entity({ name: 'ledger_hold_resolution' })
export class LedgerHoldResolution extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  pendingTransferId: string;

  /** The post or void transfer. */
  @Column({ type: 'uuid' })
  transferId: string;

  /** The resolving transfer's "createdAt", to find it in its partition. */
  @Column({ type: 'timestamptz' })
  createdAt: Date;
}
