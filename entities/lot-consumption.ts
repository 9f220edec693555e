import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

/**
 * How many points of one lot a debit took (positive) or a void/reversal gave back (negative).
 * A lot's remaining points always equal its points minus the sum of its consumptions.
 */
@Entity({ name: 'lot_consumption' })
@Check('lot_consumption_not_zero', '"points" <> 0')
export class LotConsumption extends BaseEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  // No foreign key: point_lot is partitioned (its key is the lot's id and month); ledger:check
  // reports a consumption whose lot does not exist.
  @Index()
  @Column({ type: 'uuid' })
  lotId: string;

  /** No foreign key: ledger_transfer is partitioned by month; ledger:check reports a consumption whose transfer is missing. */
  @Index()
  @Column({ type: 'uuid' })
  transferId: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
