import { BaseEntity, Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';
import { LedgerAccount } from './ledger-account.js';

/**
 * One shard of an account's cached balance, kept as TigerBeetle does: posted and pending debits
 * and credits. The account's balance is the sum over its shards. The check constraint is the
 * database's last word on overdrafts; the ledger refuses them before it gets there.
 */
@Entity({ name: 'ledger_balance' })
@Check('ledger_balance_no_overdraft', '"mayGoNegative" OR "creditsPosted" - "debitsPosted" - "debitsPending" >= 0')
@Check(
  'ledger_balance_totals_non_negative',
  '"debitsPosted" >= 0 AND "creditsPosted" >= 0 AND "debitsPending" >= 0 AND "creditsPending" >= 0',
)
export class LedgerBalance extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  accountId: string;

  @PrimaryColumn({ type: 'integer' })
  shard: number;

  @ManyToOne(() => LedgerAccount, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'accountId' })
  account?: LedgerAccount;

  /** Copied from the account so that the check constraint can see it. */
  @Column({ type: 'boolean' })
  mayGoNegative: boolean;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  debitsPosted: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  creditsPosted: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  debitsPending: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  creditsPending: number;
}
