import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { FundingSource } from './funding-source.js';
import { bigintNumber } from './number-columns.js';
import { Applicability } from './earning-rule.js';

export const bonusMoments = ['registration', 'first_purchase', 'tier_upgrade', 'goal', 'reactivation'] as const;
export type BonusMoment = (typeof bonusMoments)[number];

/** N events of a type within a period, e.g. 5 purchases in 30 days. */
export interface BonusGoal {
  eventType: string;
  count: number;
  withinDays: number;
}

/** Points given at a key moment of a member's life in the program. */
@Entity({ name: 'bonus' })
@Check('bonus_points_positive', '"points" > 0')
export class Bonus extends Applicability {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  moment: BonusMoment;

  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;

  /** For tier_upgrade: the tier reached (null: any upgrade). */
  @Column({ type: 'text', nullable: true })
  tierCode: string | null;

  /** For goal bonuses. */
  @Column({ type: 'jsonb', nullable: true })
  goal: BonusGoal | null;

  /** For reactivation bonuses, given by a workflow to members inactive this long. */
  @Column({ type: 'integer', nullable: true })
  inactivityDays: number | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** The budget that pays the bonus; null: the wallet of the partner where the member earns it. */
  @Column({ type: 'uuid', nullable: true })
  fundingSourceId: string | null;

  @ManyToOne(() => FundingSource, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'fundingSourceId' })
  fundingSource?: FundingSource;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
