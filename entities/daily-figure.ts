import { BaseEntity, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

/** What a daily figure counts: points issued (earned and bonuses), burned on rewards, or expired. */
export type DailyFigureKind = 'issued' | 'burned' | 'expired';

/**
 * The points of one kind moved on one day (UTC) for one partner, kept by the daily
 * figures job so that charts and reports add up a few hundred rows instead of a month of transfers.
 * Issued points belong to the partner whose wallet paid; burned and expired ones to the partner who
 * funded the lots they came from. Null: the program's own (points not paid from a partner wallet).
 */
@Entity({ name: 'daily_figure' })
@Index('daily_figure_by_day', ['day', 'kind'])
@Index('daily_figure_by_partner', ['partnerId', 'day'])
export class DailyFigure extends BaseEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  /** YYYY-MM-DD, UTC. */
  @Column({ type: 'date' })
  day: string;

  @Column({ type: 'text' })
  kind: DailyFigureKind;

  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;
}
