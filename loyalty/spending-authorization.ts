import type { EntityManager } from 'typeorm';
import { Member, type MessageChannel } from '../entities/index.js';
import { countCodeTry, issueMemberCode, MemberCodeRefusedError, useMemberCode, type IssuedCode } from './member-codes.js';
import { memberSession } from './member-sessions.js';
import { Refusal } from './refusal.js';

/** What a store shows for the member when it spends their points. */
export type MemberAuthorization = { kind: 'code'; code: string } | { kind: 'session'; token: string };

export class MemberAuthorizationRequiredError extends Refusal {
  constructor(field: string) {
    super(
      'member_authorization_required',
      "spending a member's points needs the member: send a one-time code they received (ask for one with POST /members/{externalId}/spending-codes) or their session token",
      field,
    );
  }
}

/** A try counted before the write (see countCodeTry); null for a session, which has no tries to count. */
export type SpendingTry = { codeId: string | null } | null;

/** Before the write's transaction: counts a code's try on its own, so that a wrong code still uses one up. */
export async function countSpendingTry(
  manager: EntityManager,
  request: { memberId: string; partnerId: string; authorization: MemberAuthorization },
): Promise<SpendingTry> {
  if (request.authorization.kind !== 'code') return null;
  return { codeId: await countCodeTry(manager, { purpose: 'spend', memberId: request.memberId, partnerId: request.partnerId }) };
}

/**
 * In the write's transaction: the member allows this store this debit. A code is used up with the
 * write (a refused write leaves it usable); a session must be the member's own, and a store
 * widget's session only spends at that store.
 */
export async function authorizeSpending(
  manager: EntityManager,
  request: { memberId: string; partnerId: string; authorization: MemberAuthorization; tried: SpendingTry; field: string },
  codeSecret: string,
): Promise<void> {
  if (request.authorization.kind === 'code') {
    await useMemberCode(
      manager,
      { codeId: request.tried?.codeId ?? null, code: request.authorization.code, field: request.field },
      codeSecret,
    );
    return;
  }
  const session = await memberSession(manager, request.authorization.token);
  if (!session || session.memberId !== request.memberId || (session.partnerId !== null && session.partnerId !== request.partnerId)) {
    throw new MemberCodeRefusedError(
      'is not a live session of this member: the member signs in again, or gives a one-time code',
      request.field,
    );
  }
}

/** Spending codes a store may ask for one member in an hour: enough for a checkout that went wrong, too few to pester. */
export const spendingCodesPerHour = 5;
/** And in a day: with five tries a code, at most 50 guesses a day at one member's codes from one store. */
export const spendingCodesPerDay = 10;

export class MemberUnreachableError extends Refusal {
  constructor(field: string, reason: string) {
    super('member_unreachable', reason, field);
  }
}

/**
 * A spending code for one store, to send to the member's verified address on `channel` (their
 * email first when not said). Addresses the member never proved are never used: whoever typed them
 * could be the one asking.
 */
export async function issueSpendingCode(
  manager: EntityManager,
  request: { memberId: string; partnerId: string; channel?: MessageChannel },
  codeSecret: string,
  now = new Date(),
): Promise<IssuedCode & { channel: MessageChannel; address: string }> {
  const member = await manager.findOneByOrFail(Member, { id: request.memberId });
  const reachable: Partial<Record<MessageChannel, string>> = {
    ...(member.email && member.emailVerifiedAt ? { email: member.email } : {}),
    ...(member.phone && member.phoneVerifiedAt ? { sms: member.phone } : {}),
  };
  const channel = request.channel ?? (reachable.email ? 'email' : 'sms');
  const address = reachable[channel];
  if (!address) {
    throw new MemberUnreachableError(
      'channel',
      channel === 'email'
        ? 'the member has no verified email: they add one by signing in at /member'
        : 'the member has no verified phone: they add one by signing in at /member',
    );
  }
  const [recent] = await manager.query(
    `SELECT count(*) FILTER (WHERE "createdAt" > $3::timestamptz - interval '1 hour')::int AS hour, count(*)::int AS day
       FROM member_code
      WHERE purpose = 'spend' AND "memberId" = $1 AND "partnerId" = $2 AND "createdAt" > $3::timestamptz - interval '1 day'`,
    [member.id, request.partnerId, now],
  );
  if (recent.hour >= spendingCodesPerHour) {
    throw new Refusal('too_many_codes', `at most ${spendingCodesPerHour} codes an hour for one member at one store; try again later`);
  }
  if (recent.day >= spendingCodesPerDay) {
    throw new Refusal('too_many_codes', `at most ${spendingCodesPerDay} codes a day for one member at one store; try again tomorrow`);
  }
  const issued = await issueMemberCode(
    manager,
    { purpose: 'spend', memberId: member.id, partnerId: request.partnerId, channel, address },
    codeSecret,
    now,
  );
  return { ...issued, channel, address };
}

/** An address as shown back to a store: enough for the member to recognise it, not enough to learn it. */
export function maskedAddress(address: string): string {
  if (address.includes('@')) {
    const [local, domain] = address.split('@') as [string, string];
    return `${local.slice(0, 1)}•••@${domain}`;
  }
  return `${address.slice(0, 3)}•••${address.slice(-2)}`;
}
