import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreditProgram } from './credit-program.js';
import { Member } from './member.js';
import { Partner } from './partner.js';

export const accountKinds = ['member', 'partner_wallet', 'program', 'funding_source'] as const;
export type AccountKind = (typeof accountKinds)[number];

/** What an account counts: points, or minor units of an ISO 4217 currency (store credit). */
export type AccountUnit = 'points' | (string & {});
export const pointsUnit = 'points';

/**
 * A ledger account. Its balance lives in one or more `ledger_balance` rows (shards): an account
 * that every earn touches (a partner wallet, a program account) is split so that concurrent
 * transfers lock different rows instead of queueing on one.
 */
@Entity({ name: 'ledger_account' })
@Check('ledger_account_shards_positive', '"shardCount" >= 1')
@Check('ledger_account_unit_known', `"unit" = 'points' OR "unit" ~ '^[A-Z]{3}$'`)
// A member has one points account, and one store-credit account per credit program.
@Index('ledger_account_member_unit', ['memberId', 'unit'], { unique: true, where: '"memberId" IS NOT NULL AND "creditProgramId" IS NULL' })
// A member's accounts by member, whatever the unit: the two unique indexes above and below are partial on "creditProgramId".
@Index('ledger_account_member', ['memberId'])
@Index('ledger_account_member_credit', ['memberId', 'creditProgramId'], {
  unique: true,
  where: '"memberId" IS NOT NULL AND "creditProgramId" IS NOT NULL',
})
@Check(
  'ledger_account_owner_matches_kind',
  `("kind" = 'member' AND "memberId" IS NOT NULL AND "partnerId" IS NULL)
   OR ("kind" = 'partner_wallet' AND "partnerId" IS NOT NULL AND "memberId" IS NULL)
   OR ("kind" = 'program' AND "memberId" IS NULL AND "partnerId" IS NULL)
   OR ("kind" = 'funding_source' AND "memberId" IS NULL AND "partnerId" IS NULL)`,
)
export class LedgerAccount extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Human-readable and unique: `member:<externalId>`, `partner:<code>`, `program:issuance`. */
  @Column({ type: 'text', unique: true })
  code: string;

  @Column({ type: 'text' })
  kind: AccountKind;

  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne(() => Member, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'memberId' })
  member?: Member;

  @Index({ unique: true, where: '"partnerId" IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @ManyToOne(() => Partner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'partnerId' })
  partner?: Partner;

  /** Members', partners' and funding sources' accounts may never go below zero; program accounts may. */
  @Column({ type: 'boolean' })
  mayGoNegative: boolean;

  @Column({ type: 'integer', default: 1 })
  shardCount: number;

  /** Every account counts in one unit, and a transfer moves between accounts of the same unit only. */
  @Column({ type: 'text', default: 'points' })
  unit: AccountUnit;

  /** The store-credit program whose money the account holds (null: the points program). */
  @Column({ type: 'uuid', nullable: true })
  creditProgramId: string | null;

  // A program whose members hold credit is never deleted from under their accounts.
  @ManyToOne(() => CreditProgram, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'creditProgramId' })
  creditProgram?: CreditProgram;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
