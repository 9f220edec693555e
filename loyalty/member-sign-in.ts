import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Member, type MessageChannel } from '../entities/index.js';
import { openMemberAccount } from './ledger/accounts.js';
import { normalizeEmail, normalizePhone } from './contact-addresses.js';
import { countCodeTry, issueMemberCode, useMemberCode, type IssuedCode } from './member-codes.js';
import { lockAddress } from './member-identity.js';
import { welcomeWhenReachable } from './member-messages.js';
import { Refusal } from './refusal.js';

/** Sign-in codes one address may be sent in an hour: enough to retry, too few to flood someone's inbox. */
export const signInCodesPerHour = 5;
/** And in a day: with five tries a code, at most 75 guesses a day at one person's codes. */
export const signInCodesPerDay = 15;

/** An address a person types to sign in, read as an email or a phone number in international form. */
export function signInAddress(typed: string): { channel: MessageChannel; address: string } | null {
  const trimmed = typed.trim();
  // No address is longer (RFC 5321) or holds control or invisible formatting characters.
  if (trimmed.length > 254 || /[\p{Cc}\p{Cf}]/u.test(trimmed)) return null;
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed)) return { channel: 'email', address: normalizeEmail(trimmed) };
  const phone = normalizePhone(trimmed);
  return phone ? { channel: 'sms', address: phone } : null;
}

/**
 * A sign-in code for whoever receives mail or texts at `address`: the member who proved it, or
 * nobody yet (signing in then enrols them). The answer is the same either way, so the sign-in
 * page says nothing of who is a member.
 */
export async function requestSignInCode(
  manager: EntityManager,
  destination: { channel: MessageChannel; address: string },
  codeSecret: string,
  /** The store whose widget asks: its code opens a session of that store only, never the dashboard. */
  partnerId: string | null = null,
  now = new Date(),
): Promise<IssuedCode & { memberId: string | null }> {
  const [recent] = await manager.query(
    `SELECT count(*) FILTER (WHERE "createdAt" > $2::timestamptz - interval '1 hour')::int AS hour, count(*)::int AS day
       FROM member_code WHERE purpose = 'sign_in' AND address = $1 AND "createdAt" > $2::timestamptz - interval '1 day'`,
    [destination.address, now],
  );
  if (recent.hour >= signInCodesPerHour) {
    throw new Refusal('too_many_codes', `at most ${signInCodesPerHour} codes an hour to one address; try again later`, 'address');
  }
  if (recent.day >= signInCodesPerDay) {
    throw new Refusal('too_many_codes', `at most ${signInCodesPerDay} codes a day to one address; try again tomorrow`, 'address');
  }
  const owner = await ownerOf(manager, destination);
  const issued = await issueMemberCode(
    manager,
    { purpose: 'sign_in', memberId: owner?.id ?? null, partnerId, ...destination },
    codeSecret,
    now,
  );
  return { ...issued, memberId: owner?.id ?? null };
}

/** Before the sign-in's transaction: counts the try on its own (see countCodeTry), at a code asked where it is typed. */
export function countSignInTry(manager: EntityManager, address: string, partnerId: string | null = null): Promise<string | null> {
  return countCodeTry(manager, { purpose: 'sign_in', address, partnerId });
}

/**
 * Uses a sign-in code: the address is proved, so the member who owns it signs in, or a new member
 * is enrolled with it (a member may join before any purchase).
 */
export async function completeSignIn(
  manager: EntityManager,
  attempt: { address: string; code: string; codeId: string | null },
  codeSecret: string,
): Promise<{ memberId: string; enrolledNow: boolean }> {
  const used = await useMemberCode(manager, { codeId: attempt.codeId, code: attempt.code, field: 'code' }, codeSecret);
  const destination = { channel: used.channel, address: used.address };
  // Whoever else proves or claims this address (a first sign-in, a store's verified claim) waits.
  await lockAddress(manager, destination.channel === 'email' ? 'email' : 'phone', used.address);
  const owner = await ownerOf(manager, destination);
  if (owner) return { memberId: owner.id, enrolledNow: false };
  const now = new Date();
  // A member from before proved addresses (known to several stores by this address) is this person.
  const earlier = await unprovedMember(manager, destination);
  if (earlier) {
    await manager.update(Member, { id: earlier.id }, destination.channel === 'email' ? { emailVerifiedAt: now } : { phoneVerifiedAt: now });
    return { memberId: earlier.id, enrolledNow: false };
  }
  const member = await manager.save(
    manager.create(Member, {
      externalId: `M-${randomBytes(5).toString('hex').toUpperCase()}`,
      email: destination.channel === 'email' ? used.address : null,
      emailVerifiedAt: destination.channel === 'email' ? now : null,
      phone: destination.channel === 'sms' ? used.address : null,
      phoneVerifiedAt: destination.channel === 'sms' ? now : null,
      displayName: null,
      provisionalPartnerId: null,
      mergedIntoId: null,
    }),
  );
  await openMemberAccount(manager, member);
  await welcomeWhenReachable(manager, member.id);
  return { memberId: member.id, enrolledNow: true };
}

/**
 * The one live member of the coalition (not a store's provisional customer) who has this address
 * without having proved it: a member from before addresses were proved. A store's provisional
 * customer is never taken this way: the store typed that address, the member links it themselves.
 */
async function unprovedMember(manager: EntityManager, destination: { channel: MessageChannel; address: string }): Promise<Member | null> {
  const column = destination.channel === 'email' ? 'email' : 'phone';
  const found = await manager
    .createQueryBuilder(Member, 'm')
    .where(`m.${column} = :address AND m."${column}VerifiedAt" IS NULL AND m."mergedIntoId" IS NULL AND m."provisionalPartnerId" IS NULL`, {
      address: destination.address,
    })
    .limit(2)
    .getMany();
  return found.length === 1 ? found[0]! : null;
}

/** The live member who proved the address. */
async function ownerOf(manager: EntityManager, destination: { channel: MessageChannel; address: string }): Promise<Member | null> {
  const column = destination.channel === 'email' ? 'email' : 'phone';
  return manager
    .createQueryBuilder(Member, 'm')
    .where(`m.${column} = :address AND m."${column}VerifiedAt" IS NOT NULL AND m."mergedIntoId" IS NULL`, { address: destination.address })
    .getOne();
}
