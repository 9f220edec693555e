import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

/** Items returned by one refund. */
export interface RefundedLine {
  reference: string;
  quantity: number;
}

/**
 * One refund of a purchase: what was returned and what it took back. The quantities refunded so
 * far, line by line, are the sum over an event's refunds, so no line is refunded beyond what was bought.
 */
@Entity({ name: 'event_refund' })
export class EventRefund extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  eventId: string;

  @Column({ type: 'uuid' })
  partnerId: string;

  @Column({ type: 'jsonb', default: [] })
  lines: RefundedLine[];

  @Column({ type: 'integer' })
  refundedCents: number;

  /** The rules' points taken back now. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  pointsReversed: number;

  /** Bonuses the purchase earned (first purchase, goals, tier upgrades), taken back by a full refund. */
  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  bonusPointsReversed: number;

  /** What the member had already spent: a debt recovered from their next earns. */
  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  pointsOwed: number;

  /** Points still pending (inside the return window) that the refund cancelled: never spendable, so nothing is owed. */
  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  pendingPointsCancelled: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
