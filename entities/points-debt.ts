import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

/**
 * Points a refund should have taken back but the member had already spent. The transfer that
 * credited them is reversed further, from the member's next earns, until nothing is owed.
 */
@Entity({ name: 'points_debt' })
@Index('points_debt_open', ['memberAccountId', 'createdAt'], { where: '"points" > 0' })
@Check('points_debt_points_not_negative', '"points" >= 0 AND "points" <= "owed"')
export class PointsDebt extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  memberAccountId: string;

  /** The earn or bonus transfer that recovering reverses. */
  @Column({ type: 'uuid' })
  transferId: string;

  @Column({ type: 'uuid' })
  refundId: string;

  /** What the refund left owed. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  owed: number;

  /** What is still owed. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
