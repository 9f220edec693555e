import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const memberCodePurposes = ['sign_in', 'spend'] as const;
/** sign_in: opens a member session (and proves the address). spend: lets one store debit the member once. */
export type MemberCodePurpose = (typeof memberCodePurposes)[number];

export const messageChannels = ['email', 'sms'] as const;
export type MessageChannel = (typeof messageChannels)[number];

/**
 * A one-time code sent to a member's address: six digits, short-lived, single use, a few tries.
 * Only its keyed hash is kept.
 */
@Entity({ name: 'member_code' })
@Index('member_code_waiting', ['memberId', 'purpose', 'createdAt'], { where: '"usedAt" IS NULL' })
@Index('member_code_address', ['address', 'createdAt'])
export class MemberCode extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Null for a sign-in code sent to an address no member has yet (it enrols them). */
  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @Column({ type: 'text' })
  purpose: MemberCodePurpose;

  /** For a spending code: the only store that may use it. */
  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @Column({ type: 'text' })
  channel: MessageChannel;

  /** Where it was sent: a lower-case email or an E.164 number. */
  @Column({ type: 'text' })
  address: string;

  @Column({ type: 'text', select: false })
  codeHash: string;

  /** Tries so far, the right one included: each is counted before it is checked. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
