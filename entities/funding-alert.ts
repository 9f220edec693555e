import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

/**
 * A partner told that its wallet runs low or is empty, or a funding source's keeper told that the
 * source does; cleared when it is topped up again.
 */
@Entity({ name: 'funding_alert' })
@Index('funding_alert_open_once', ['partnerId', 'level'], { unique: true, where: '"clearedAt" IS NULL AND "fundingSourceId" IS NULL' })
@Index('funding_alert_source_open_once', ['fundingSourceId', 'level'], { unique: true, where: '"clearedAt" IS NULL' })
@Check('funding_alert_one_subject', '("partnerId" IS NULL) <> ("fundingSourceId" IS NULL)')
export class FundingAlert extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The partner whose wallet it is about; null for a funding source's alert. */
  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @Column({ type: 'uuid', nullable: true })
  fundingSourceId: string | null;

  @Column({ type: 'text' })
  level: 'low' | 'empty';

  /** The wallet's (or source's) available points when the alert was sent. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  available: number;

  @CreateDateColumn({ type: 'timestamptz' })
  sentAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  clearedAt: Date | null;
}
