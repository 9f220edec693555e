import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

/**
 * A ledger check that found every invariant true: what it covered, so that the next check can
 * look only at what was written since. Transfers and lot consumptions are numbered in the order
 * they took their number, not the order they committed: the numbers below the highest seen that
 * were missing then (a rolled-back write, or one still running) are kept, and counted as new.
 */
@Entity({ name: 'ledger_checkpoint' })
export class LedgerCheckpoint extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @CreateDateColumn({ type: 'timestamptz' })
  checkedAt: Date;

  /** A full check (every transfer from the first) or an incremental one (since the previous checkpoint). */
  @Column({ type: 'boolean' })
  full: boolean;

  @Column({ type: 'bigint', transformer: bigintNumber })
  transferSeq: number;

  @Column({ type: 'bigint', array: true, default: () => "'{}'" })
  transferGaps: string[];

  @Column({ type: 'bigint', transformer: bigintNumber })
  consumptionId: number;

  @Column({ type: 'bigint', array: true, default: () => "'{}'" })
  consumptionGaps: string[];
}

/** The cached balances as the latest checkpoint found them true: the base the next incremental check adds to. */
@Entity({ name: 'ledger_checkpoint_balance' })
export class LedgerCheckpointBalance extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  accountId: string;

  @PrimaryColumn({ type: 'integer' })
  shard: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  debitsPosted: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  creditsPosted: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  debitsPending: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  creditsPending: number;
}
