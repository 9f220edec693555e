import { randomInt } from 'node:crypto';
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

/** A purchase refunded in full counts for nothing, as in countChallengeProgress. */
const refundedInFull = (e: Pick<MemberEvent, 'amountCents' | 'refundedCents'>) =>
  e.refundedCents > 0 && e.refundedCents >= (e.amountCents ?? 0);

/**
 * The referrer this purchase earns a qualified referral for, or null: only the friend's first
 * purchase that stands (not refunded in full) qualifies, and only once. The caller has the event
 * locked; the referral row is locked here, so concurrent purchases of the friend decide in turn and
 * exactly one qualifies. A referrer merged into another is that other; a friend who became the
 * referrer (merged into them) earns nobody anything.
 */
export async function qualifyingReferrer(manager: EntityManager, event: MemberEvent): Promise<Member | null> {
  if (event.type !== 'purchase' || refundedInFull(event)) return null;
  const [referral]: MemberReferral[] = await manager.query(`SELECT * FROM member_referral WHERE "referredMemberId" = $1 FOR UPDATE`, [
    event.memberId,
  ]);
  if (!referral) return null;
  if (referral.qualifyingEventId !== null && referral.qualifyingEventId !== event.id) return null;
  if (referral.qualifyingEventId === null) {
    const [earlier] = await manager.query(
      `SELECT 1 FROM member_event
        WHERE "memberId" = $1 AND type = 'purchase' AND id <> $2 AND ("recordedAt", id) < ($3, $2)
          AND NOT ("refundedCents" > 0 AND "refundedCents" >= COALESCE("amountCents", 0))
        LIMIT 1`,
      [event.memberId, event.id, event.recordedAt],
    );
    if (earlier) return null;
    await manager.query(`UPDATE member_referral SET "qualifyingEventId" = $2, "qualifiedAt" = now() WHERE "referredMemberId" = $1`, [
      event.memberId,
      event.id,
    ]);
  }
  const referrer = await currentMember(manager, referral.referrerMemberId);
  if (!referrer || referrer.id === event.memberId || (await erased(manager, referrer.id))) return null;
  return referrer;
}

/** A full refund of the qualifying purchase un-qualifies its referral (the refund's transaction; the event locked). */
export async function unqualifyReferral(manager: EntityManager, eventId: string): Promise<void> {
  await manager.query(`UPDATE member_referral SET "qualifyingEventId" = NULL, "qualifiedAt" = NULL WHERE "qualifyingEventId" = $1`, [
    eventId,
  ]);
}

/**
 * A merge's effect on referrals (the merge's transaction): what `from` referred is the survivor's,
 * and a referral between the two is none (one person cannot refer themselves).
 */
export async function mergeReferrals(manager: EntityManager, fromMemberId: string, intoMemberId: string): Promise<void> {
  await manager.query(
    `DELETE FROM member_referral WHERE ("referredMemberId" = $1 AND "referrerMemberId" = $2) OR ("referredMemberId" = $2 AND "referrerMemberId" = $1)`,
    [fromMemberId, intoMemberId],
  );
  await manager.query(`UPDATE member_referral SET "referrerMemberId" = $2 WHERE "referrerMemberId" = $1`, [fromMemberId, intoMemberId]);
}
