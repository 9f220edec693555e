import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

export const careAdjustmentStatuses = ['requested', 'awaiting_approval', 'applied', 'rejected', 'expired'] as const;
export type CareAdjustmentStatus = (typeof careAdjustmentStatuses)[number];

/**
 * A care agent's correction of a member's balance, with the reason. Above the program's threshold
 * it waits for a supervisor's approval (a Temporal workflow) and is applied only once approved.
 */
@Entity({ name: 'care_adjustment' })
@Check('care_adjustment_points_not_zero', '"points" <> 0')
export class CareAdjustment extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The member's external id, as agents look members up. */
  @Index()
  @Column({ type: 'text' })
  memberExternalId: string;

  /** Positive gives points, negative takes them back. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text', default: 'requested' })
  status: CareAdjustmentStatus;

  @Column({ type: 'text' })
  requestedBy: string;

  @Column({ type: 'text', nullable: true })
  decidedBy: string | null;

  @Column({ type: 'uuid', nullable: true })
  transferId: string | null;

  /** Why it was not applied (refused by the ledger, rejected, expired). */
  @Column({ type: 'text', nullable: true })
  outcome: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
