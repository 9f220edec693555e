import { BaseEntity, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A ledger request's claim on its idempotency key, one row per transfer (leg) it wrote. It lives
 * apart from ledger_transfer because a partitioned table's unique indexes must hold its partition
 * column: here (source, key, leg) is unique on its own, and the write functions claim it with
 * INSERT … ON CONFLICT before writing a transfer.
 */
@Entity({ name: 'ledger_idempotency' })
export class LedgerIdempotency extends BaseEntity {
  /** Who sent the request (`partner:<id>`, `care`, `system`): keys are unique per source. */
  @PrimaryColumn({ type: 'text' })
  source: string;

  @PrimaryColumn({ type: 'text' })
  key: string;

  @PrimaryColumn({ type: 'integer' })
  leg: number;

  @Column({ type: 'uuid' })
  transferId: string;

  /** Hash of the whole request, so that a reused key with a different request is a conflict. */
  @Column({ type: 'text' })
  requestHash: string;

  /** The transfer's "createdAt": with transferId, it finds the transfer in its month's partition only. */
  @Column({ type: 'timestamptz' })
  createdAt: Date;
}
