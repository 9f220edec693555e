import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

/** A partner told that its wallet runs low or is empty; cleared when it is topped up again. */
@Entity({ name: 'funding_alert' })
@Index('funding_alert_open_once', ['partnerId', 'level'], { unique: true, where: '"clearedAt" IS NULL' })
export class FundingAlert extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  partnerId: string;

  @Column({ type: 'text' })
  level: 'low' | 'empty';

  /** The wallet when the alert was sent. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  available: number;

  @CreateDateColumn({ type: 'timestamptz' })
  sentAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  clearedAt: Date | null;
}
