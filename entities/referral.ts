import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** The code a member gives friends: random, made the first time it is shown, never the member's id. */
@Entity({ name: 'referral_code' })
@Index('referral_code_code', ['code'], { unique: true })
export class ReferralCode extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  /** Upper-case letters and digits without look-alikes (see loyalty/referrals.ts). */
  @Column({ type: 'text' })
  code: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/**
 * Who referred a member: recorded when the member joined with a code, one referrer at most. The
 * referral qualifies with the friend's first purchase (`qualifyingEventId`), as the challenge step
 * counts it; a full refund of that purchase clears it unless a challenge it completed was paid.
 */
@Entity({ name: 'member_referral' })
@Index('member_referral_referrer', ['referrerMemberId'])
export class MemberReferral extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  referredMemberId: string;

  @Column({ type: 'uuid' })
  referrerMemberId: string;

  /** The store the friend joined at. */
  @Column({ type: 'uuid' })
  partnerId: string;

  @Column({ type: 'uuid', nullable: true })
  qualifyingEventId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  qualifiedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
