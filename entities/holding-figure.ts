import { BaseEntity, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

/**
 * Points members hold, per funder, unit and month of expiry, as of the daily figures' watermark:
 * kept by the daily figures job so that the liability, the expiry forecast and the outstanding
 * points add up a few hundred rows plus what the ledger wrote since, instead of every open lot.
 * A lot adds its points when its credit transfer is counted; each lot consumption (a debit, or a
 * void giving points back as a negative one) takes its points off.
 */
@Entity({ name: 'holding_figure' })
export class HoldingFigure extends BaseEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  /** The partner who funded the lots; null for the program's own points. */
  @Column({ type: 'uuid', nullable: true })
  fundingPartnerId: string | null;

  /** The unit of the members' accounts holding the lots (points, or a credit program's). */
  @Column({ type: 'text' })
  unit: string;

  /** The first day (UTC) of the month the lots expire in; null for lots that never expire. */
  @Column({ type: 'date', nullable: true })
  expiryMonth: string | null;

  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;
}
