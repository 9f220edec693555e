import { BaseEntity, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { MessageChannel } from './member-code.js';
import { Member } from './member.js';
import { bigintNumber } from './number-columns.js';
import { Partner } from './partner.js';

/**
 * A company of the coalition (B2B). Its points are in the account of a member of its own — a
 * member's account, so that points it gives keep their funder and expiry, as between members —
 * which nobody signs in as: its managers give the points to its employees from their dashboard.
 */
@Entity({ name: 'company' })
export class Company extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  name: string;

  /** The company's own member record (its display name is the company's name), whose account holds its points. */
  @Index({ unique: true })
  @Column({ type: 'uuid' })
  memberId: string;

  @ManyToOne(() => Member, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'memberId' })
  member?: Member;

  /** The staff member who set it up. */
  @Column({ type: 'text' })
  createdBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** A member who gives the company's points, named by operator staff. */
@Entity({ name: 'company_manager' })
@Unique('company_manager_once', ['companyId', 'memberId'])
export class CompanyManager extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  companyId: string;

  @ManyToOne(() => Company, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'companyId' })
  company?: Company;

  @Index()
  @Column({ type: 'uuid' })
  memberId: string;

  @ManyToOne(() => Member, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'memberId' })
  member?: Member;

  /** The staff member who named them. */
  @Column({ type: 'text' })
  namedBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  namedAt: Date;
}

/**
 * Someone a company's managers give points to, added by the address they are reached at: the
 * member who proved that address, or, until somebody does (signing in with it joins them), an
 * invitation.
 */
@Entity({ name: 'company_employee' })
@Unique('company_employee_address', ['companyId', 'address'])
export class CompanyEmployee extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  companyId: string;

  @ManyToOne(() => Company, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'companyId' })
  company?: Company;

  /** An email in lower case or a phone number in E.164, as the manager gave it. */
  @Column({ type: 'text' })
  address: string;

  @Column({ type: 'text' })
  channel: MessageChannel;

  /** The member who proved the address, once one has: they stay the employee if their address changes. */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne(() => Member, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'memberId' })
  member?: Member;

  /** The manager (a member) who added them. */
  @Column({ type: 'uuid' })
  addedBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  addedAt: Date;

  /** Set when a manager removed them: they receive nothing more, and what they received stays in the reports. */
  @Column({ type: 'timestamptz', nullable: true })
  removedAt: Date | null;
}

/** Points put into a company's account by operator staff: from a partner's wallet, or the program's marketing account. */
@Entity({ name: 'company_funding' })
@Unique('company_funding_reference', ['companyId', 'reference'])
export class CompanyFunding extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  companyId: string;

  @ManyToOne(() => Company, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'companyId' })
  company?: Company;

  /** The partner whose wallet paid; null: the program's marketing account. */
  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @ManyToOne(() => Partner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'partnerId' })
  partner?: Partner;

  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;

  @Column({ type: 'text' })
  reason: string;

  /** The operator's reference (an order, a contract): funding twice with one reference funds once. */
  @Column({ type: 'text' })
  reference: string;

  /** The ledger transfer that moved the points. */
  @Column({ type: 'uuid' })
  transferId: string;

  /** The staff member who funded it. */
  @Column({ type: 'text' })
  fundedBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  fundedAt: Date;
}
