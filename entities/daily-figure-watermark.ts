import { BaseEntity, Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

/**
 * What `daily_figure` has counted: every transfer numbered up to `transferSeq` except those in
 * `transferGaps` (numbers missing then: a rolled-back write, or one still running, counted when
 * they appear), and likewise the lot consumptions up to `consumptionId` except `consumptionGaps`.
 * One row.
 */
@Entity({ name: 'daily_figure_watermark' })
export class DailyFigureWatermark extends BaseEntity {
  @PrimaryColumn({ type: 'integer', default: 1 })
  id: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  transferSeq: number;

  @Column({ type: 'bigint', array: true, default: () => "'{}'" })
  transferGaps: string[];

  @Column({ type: 'bigint', transformer: bigintNumber })
  consumptionId: number;

  @Column({ type: 'bigint', array: true, default: () => "'{}'" })
  consumptionGaps: string[];

  @UpdateDateColumn({ type: 'timestamptz' })
  refreshedAt: Date;
}
