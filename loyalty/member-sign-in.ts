import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Member, type MessageChannel } from '../entities/index.js';
import { openMemberAccount } from './ledger/accounts.js';
import { normalizeEmail, normalizePhone } from './contact-addresses.js';
import { countCodeTry, issueMemberCode, useMemberCode, type IssuedCode } from './member-codes.js';
import { Refusal } from './refusal.js';

/** Sign-in codes one address may be sent in an hour: enough to retry, too few to flood someone's inbox. */
export const signInCodesPerHour = 5;

/** An address a person types to sign in, read as an email or a phone number in international form. */
export function signInAddress(typed: string): { channel: MessageChannel; address: string } | null {
  const trimmed = typed.trim();
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
  now = new Date(),
): Promise<IssuedCode & { memberId: string | null }> {
  const [recent] = await manager.query(
    `SELECT count(*)::int AS n FROM member_code WHERE purpose = 'sign_in' AND address = $1 AND "createdAt" > $2::timestamptz - interval '1 hour'`,
    [destination.address, now],
  );
  if (recent.n >= signInCodesPerHour) {
    throw new Refusal('too_many_codes', `at most ${signInCodesPerHour} codes an hour to one address; try again later`, 'address');
  }
  const owner = await ownerOf(manager, destination);
  const issued = await issueMemberCode(
    manager,
    { purpose: 'sign_in', memberId: owner?.id ?? null, partnerId: null, ...destination },
    codeSecret,
    now,
  );
  return { ...issued, memberId: owner?.id ?? null };
}

/** Before the sign-in's transaction: counts the try on its own (see countCodeTry). */
export function countSignInTry(manager: EntityManager, address: string): Promise<string | null> {
  return countCodeTry(manager, { purpose: 'sign_in', address });
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
  // Two first sign-ins with one address at once enrol one member.
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`member-identity:${destination.channel}:${used.address}`]);
  const owner = await ownerOf(manager, destination);
  if (owner) return { memberId: owner.id, enrolledNow: false };
  const now = new Date();
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
  return { memberId: member.id, enrolledNow: true };
}

/** The live member who proved the address. */
async function ownerOf(manager: EntityManager, destination: { channel: MessageChannel; address: string }): Promise<Member | null> {
  const column = destination.channel === 'email' ? 'email' : 'phone';
  return manager
    .createQueryBuilder(Member, 'm')
    .where(`m.${column} = :address AND m."${column}VerifiedAt" IS NOT NULL AND m."mergedIntoId" IS NULL`, { address: destination.address })
    .getOne();
}
