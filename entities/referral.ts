import { BaseEntity, Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

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
 * Where a referral stands. `joined`: the friend has made no purchase of the program's minimum that
 * stands (yet, or any more: refunded in full); `qualified`: they have; `same_person`: withdrawn,
 * a merge showed the friend and the referrer are one person.
 */
export const referralStatuses = ['joined', 'qualified', 'same_person'] as const;
export type ReferralStatus = (typeof referralStatuses)[number];

/**
 * Who referred a member: recorded when the member joined with a code, one referrer at most. The
 * referral qualifies with the friend's first purchase of at least the program's minimum that
 * stands (`qualifyingEventId`), whether or not a challenge counts it; a full refund of that
 * purchase clears it, and the friend's next such purchase qualifies it again.
 */
@Entity({ name: 'member_referral' })
@Index('member_referral_referrer', ['referrerMemberId'])
@Check('member_referral_status', `"status" IN ('joined', 'qualified', 'same_person')`)
export class MemberReferral extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  referredMemberId: string;

  @Column({ type: 'uuid' })
  referrerMemberId: string;

  /** The store the friend joined at. */
  @Column({ type: 'uuid' })
  partnerId: string;

  @Column({ type: 'text', default: 'joined' })
  status: ReferralStatus;

  @Column({ type: 'uuid', nullable: true })
  qualifyingEventId: string | null;

  /** When the qualifying purchase happened (its `occurredAt`): the period of a challenge it counts in. */
  @Column({ type: 'timestamptz', nullable: true })
  qualifiedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
