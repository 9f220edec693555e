import { randomInt, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Member, MemberEvent, MemberReferral, ReferralCode } from '../entities/index.js';
import { EventRefusedError } from './earning/event-refused.js';
import { currentMember } from './member-identity.js';

/** No 0/O, 1/I/L: a code read aloud or typed from a screen is typed right. */
const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** 31^8 ≈ 8.5 × 10^11 codes: a guess finds nobody, and a code says nothing of its member. */
const codeLength = 8;

const newCode = () => Array.from({ length: codeLength }, () => alphabet[randomInt(alphabet.length)]).join('');

/** A code as typed (`abcd-2345`, ` ABCD 2345 `) in its stored form, or null when it cannot be one. */
export function normalizeReferralCode(typed: string): string | null {
  const code = typed.replace(/[\s-]/g, '').toUpperCase();
  return code.length === codeLength && [...code].every((c) => alphabet.includes(c)) ? code : null;
}

/** The member's referral code, made the first time it is asked for (members enrolled before referrals have none yet). */
export async function referralCodeOf(manager: EntityManager, memberId: string): Promise<string> {
  for (;;) {
    const existing = await manager.findOneBy(ReferralCode, { memberId });
    if (existing) return existing.code;
    // Two first views at once make one code (the member's row), a clash with another member's code a new try.
    await manager.query(`INSERT INTO referral_code ("memberId", code) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [memberId, newCode()]);
  }
}

/** Where the referral code came in the request (the partner API's event: `member.referralCode`). */
const field = 'member.referralCode';

/**
 * Records that `referred`, enrolled by this very request, was referred by the owner of `typed`, in
 * the enrolment's transaction: refused (naming the field, nothing written) for a code nobody has, a
 * member who existed before this request or was referred by someone else, and a member referring
 * themselves, even as whom a merge made them. The code of the member's own referrer is accepted.
 */
export async function recordReferral(
  manager: EntityManager,
  referral: { referredMemberId: string; enrolledNow: boolean; partnerId: string; typed: string },
): Promise<MemberReferral> {
  const code = normalizeReferralCode(referral.typed);
  const owner = code ? await manager.findOneBy(ReferralCode, { code }) : null;
  if (!owner) throw new EventRefusedError(field, 'no member has this referral code: check it with the friend who gave it');
  const referrer = await currentMember(manager, owner.memberId);
  if (!referrer || (await erased(manager, referrer.id))) throw new EventRefusedError(field, 'this referral code is no longer valid');
  if (referrer.id === referral.referredMemberId) throw new EventRefusedError(field, 'a member cannot use their own referral code');
  // The same code again (a retry under a new key, the purchase sent with the registration) must not
  // cost the member that event: it is accepted and records nothing more.
  const recorded = await manager.findOneBy(MemberReferral, { referredMemberId: referral.referredMemberId });
  if (recorded && (await currentMember(manager, recorded.referrerMemberId))?.id === referrer.id) return recorded;
  if (!referral.enrolledNow) throw new EventRefusedError(field, 'only a new member can be referred: this customer is a member already');
  const inserted: unknown[] = await manager.query(
    `INSERT INTO member_referral ("referredMemberId", "referrerMemberId", "partnerId") VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING RETURNING "referredMemberId"`,
    [referral.referredMemberId, referrer.id, referral.partnerId],
  );
  if (inserted.length === 0) throw new EventRefusedError(field, 'this member was referred already');
  return manager.findOneByOrFail(MemberReferral, { referredMemberId: referral.referredMemberId });
}

/** An erased member refers nobody any more: nothing is written for them. */
async function erased(manager: EntityManager, memberId: string): Promise<boolean> {
  return (await manager.query(`SELECT 1 FROM member_erasure WHERE "memberId" = $1`, [memberId])).length > 0;
}

/**
 * Qualifies the buyer's referral with this purchase, in the purchase's own transaction (the buyer
 * locked), whether or not a challenge counts referrals: the friend's first purchase of at least
 * the program's minimum (in its currency) while the referral waits for one. Its moment is the
 * purchase's, so a challenge counts it in the period it happened in.
 */
export async function qualifyReferral(
  manager: EntityManager,
  purchase: Pick<MemberEvent, 'id' | 'memberId' | 'type' | 'occurredAt'> & { programAmountCents: number | null },
  minimumCents: number,
): Promise<void> {
  if (purchase.type !== 'purchase' || (purchase.programAmountCents ?? 0) < minimumCents) return;
  await manager.query(
    `UPDATE member_referral SET status = 'qualified', "qualifyingEventId" = $2, "qualifiedAt" = $3
      WHERE "referredMemberId" = $1 AND status = 'joined'`,
    [purchase.memberId, purchase.id, purchase.occurredAt],
  );
}

/**
 * The referrer whose referral this purchase qualified, or null. A referrer merged into another is
 * that other; an erased one refers nobody.
 */
export async function qualifyingReferrer(
  manager: EntityManager,
  event: Pick<MemberEvent, 'id' | 'memberId' | 'type'>,
): Promise<Member | null> {
  if (event.type !== 'purchase') return null;
  const [referral]: Pick<MemberReferral, 'referrerMemberId'>[] = await manager.query(
    `SELECT "referrerMemberId" FROM member_referral WHERE "qualifyingEventId" = $1 AND status = 'qualified'`,
    [event.id],
  );
  if (!referral) return null;
  const referrer = await currentMember(manager, referral.referrerMemberId);
  if (!referrer || referrer.id === event.memberId || (await erased(manager, referrer.id))) return null;
  return referrer;
}

/**
 * A full refund of the qualifying purchase un-qualifies its referral (the refund's transaction; the
 * event locked): the friend's next purchase of the minimum that stands qualifies it again. Found by
 * the event, which stays the same whoever the friend was merged into since.
 */
export async function unqualifyReferral(manager: EntityManager, event: Pick<MemberEvent, 'id'>): Promise<void> {
  await manager.query(
    `UPDATE member_referral SET status = 'joined', "qualifyingEventId" = NULL, "qualifiedAt" = NULL
      WHERE "qualifyingEventId" = $1 AND status = 'qualified'`,
    [event.id],
  );
}

/**
 * A merge's effect on referrals (the merge's transaction, after withdrawSamePersonReferral): what `from`
 * referred is the survivor's, and so is `from`'s own referral unless the survivor has one: the person
 * then qualifies it with their next purchase, and a later merge with its referrer finds it. When both
 * were referred, one person is one friend, referred once: the survivor keeps its own, unless only
 * `from`'s qualified (that referrer brought a buyer; the two swap places). The one left on `from`
 * stays as it stands (a refund of its qualifying purchase still un-qualifies it) and qualifies no more.
 */
export async function mergeReferrals(manager: EntityManager, fromMemberId: string, intoMemberId: string): Promise<void> {
  await manager.query(`UPDATE member_referral SET "referrerMemberId" = $2 WHERE "referrerMemberId" = $1 AND status <> 'same_person'`, [
    fromMemberId,
    intoMemberId,
  ]);
  const [swap] = await manager.query(
    `SELECT 1 FROM member_referral f JOIN member_referral i ON i."referredMemberId" = $2
      WHERE f."referredMemberId" = $1 AND f.status = 'qualified' AND i.status = 'joined'`,
    [fromMemberId, intoMemberId],
  );
  if (swap) {
    // The key is unique row by row: the survivor's referral steps aside under a placeholder first.
    const aside = randomUUID();
    await manager.query(`UPDATE member_referral SET "referredMemberId" = $2 WHERE "referredMemberId" = $1`, [intoMemberId, aside]);
    await manager.query(`UPDATE member_referral SET "referredMemberId" = $2 WHERE "referredMemberId" = $1`, [fromMemberId, intoMemberId]);
    await manager.query(`UPDATE member_referral SET "referredMemberId" = $2 WHERE "referredMemberId" = $1`, [aside, fromMemberId]);
    return;
  }
  await manager.query(
    `UPDATE member_referral SET "referredMemberId" = $2
      WHERE "referredMemberId" = $1 AND status <> 'same_person'
        AND NOT EXISTS (SELECT 1 FROM member_referral s WHERE s."referredMemberId" = $2)`,
    [fromMemberId, intoMemberId],
  );
}
