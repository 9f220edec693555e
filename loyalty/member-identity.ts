import { lockMergedEvents, lockMergedProgress, mergeChallengeProgress } from './engagement/challenge-merge.js';
import { mergeReferrals } from './referrals.js';
import { withdrawSamePersonReferral } from './engagement/referral-merge.js';
import { mergeBadges } from './engagement/badge-merge.js';
import { mergeLeaderboardScores } from './engagement/leaderboard-scores.js';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { LedgerAccount, Member, MemberLink, MemberMerge, Partner, type MemberMergeCause, pointsUnit } from '../entities/index.js';
import { balanceOf, openMemberAccount } from './ledger/accounts.js';
import { mergeStoreCredit } from './store-credit/credit-merge.js';
import type { Ledger } from './ledger/ledger.js';
import { lockMemberAccounts } from './ledger/member-locks.js';
import { normalizeEmail, normalizePhone } from './contact-addresses.js';
import { noticeStoreLink, welcomeWhenReachable } from './member-messages.js';
import { Refusal } from './refusal.js';

/** A store's customer, named as the store names them. */
export interface StoreCustomer {
  partnerId: string;
  /** The id in the store's systems. */
  customerId: string;
}

/** What a store tells about its customer; `verified` only when the store itself checked the address. */
export interface CustomerContact {
  email?: string | null;
  emailVerified?: boolean;
  phone?: string | null;
  phoneVerified?: boolean;
}

export interface ResolvedMember {
  member: Member;
  account: LedgerAccount;
}

export class MemberNotFoundError extends Refusal {
  /** `field`: where the caller named the member (the path's externalId, a transfer's `to`). */
  constructor(name: string, field = 'externalId') {
    super('member_not_found', `no member "${name}"`, field, { externalId: name });
  }
}

export class MergeRefusedError extends Refusal {
  constructor(reason: string) {
    super('merge_refused', reason);
  }
}

/**
 * The member a store means by its customer id (following merges), or a refusal naming `field`,
 * where the store put the id. A store sees only the members linked to it.
 */
export async function resolveCustomer(manager: EntityManager, customer: StoreCustomer, field = 'externalId'): Promise<ResolvedMember> {
  const found = await linkedMember(manager, customer);
  if (!found) throw new MemberNotFoundError(customer.customerId, field);
  return found;
}

/** One read on the hot path. Links always name a live member: a merge moves them. */
async function linkedMember(manager: EntityManager, customer: StoreCustomer): Promise<ResolvedMember | null> {
  const account = await manager
    .createQueryBuilder(LedgerAccount, 'a')
    .innerJoinAndSelect('a.member', 'm')
    .innerJoin(MemberLink, 'l', 'l."memberId" = m.id')
    .where('l."partnerId" = :partnerId AND l."customerId" = :customerId AND a.unit = :unit', { ...customer, unit: pointsUnit })
    .getOne();
  return account?.member ? { member: account.member, account } : null;
}

/** A member by their back-office reference (what staff see and type), following merges. */
export async function findMember(manager: EntityManager, reference: string, field?: string): Promise<ResolvedMember> {
  const member = await manager.findOneBy(Member, { externalId: reference });
  if (!member) throw new MemberNotFoundError(reference, field);
  return memberWithAccount(manager, member.id);
}

/** The member now standing for `memberId`: itself, or whom it was merged into. */
export async function currentMember(manager: EntityManager, memberId: string): Promise<Member | null> {
  let member = await manager.findOneBy(Member, { id: memberId });
  // Merges are never undone and each target was live when merged into: the chain ends.
  while (member?.mergedIntoId) member = await manager.findOneBy(Member, { id: member.mergedIntoId });
  return member;
}

export async function memberWithAccount(manager: EntityManager, memberId: string): Promise<ResolvedMember> {
  const member = await currentMember(manager, memberId);
  if (!member) throw new MemberNotFoundError(memberId);
  const account = await manager.findOneByOrFail(LedgerAccount, { memberId: member.id, unit: pointsUnit });
  return { member, account };
}

/** A member erased while a write for them waited: nothing reaches their account any more. */
export class MemberErasedError extends Refusal {
  constructor() {
    super('member_not_found', 'this member was erased: nothing more can be written for them');
  }
}

/**
 * Locks the members' accounts (see lockMemberAccounts) and answers the members as they are once
 * locked: one merged away while this waited is replaced by whom they became, and one erased
 * meanwhile is refused (MemberErasedError), so that no write lands on an account nothing reaches
 * any more.
 */
export async function lockLiveMembers(manager: EntityManager, memberIds: string[]): Promise<ResolvedMember[]> {
  let ids = memberIds;
  for (;;) {
    const resolved: ResolvedMember[] = [];
    for (const id of ids) resolved.push(await memberWithAccount(manager, id));
    await lockMemberAccounts(
      manager,
      resolved.map((r) => r.account.id),
    );
    const merged = await manager.query(`SELECT 1 FROM member WHERE id = ANY($1::uuid[]) AND "mergedIntoId" IS NOT NULL`, [
      resolved.map((r) => r.member.id),
    ]);
    if (merged.length === 0) {
      const erased = await manager.query(`SELECT 1 FROM member_erasure WHERE "memberId" = ANY($1::uuid[])`, [
        resolved.map((r) => r.member.id),
      ]);
      if (erased.length > 0) throw new MemberErasedError();
      return resolved;
    }
    ids = resolved.map((r) => r.member.id);
  }
}

/** The id a store knows a member by, if the store knows them. */
export async function customerIdOf(manager: EntityManager, memberId: string, partnerId: string): Promise<string | null> {
  const [link] = await manager.query(`SELECT "customerId" FROM member_link WHERE "memberId" = $1 AND "partnerId" = $2 LIMIT 1`, [
    memberId,
    partnerId,
  ]);
  return link?.customerId ?? null;
}

/**
 * The member a store's customer is, enrolling them at the store's first event: linked to the
 * coalition member who owns an address the store verified, or else a new member — provisional
 * (that store's alone) unless the store verified an address. A provisional customer the store later
 * shows to own a member's verified address is merged into that member. Unverified addresses are
 * kept as contact details and prove nothing.
 */
export async function enrolCustomer(
  manager: EntityManager,
  ledger: Ledger,
  customer: StoreCustomer & CustomerContact,
): Promise<ResolvedMember & { enrolledNow: boolean }> {
  const verified = verifiedAddresses(customer);
  // Nearly every event is from a known customer with nothing new to prove (no address, or the ones
  // the member proved already): one read, no write.
  const known = await linkedMember(manager, customer);
  if (known && provesNothingNew(known.member, verified)) return { ...known, enrolledNow: false };

  // Whoever else enrols this customer or claims these addresses waits here until this commits.
  await lockIdentities(manager, [
    `customer:${customer.partnerId}:${customer.customerId}`,
    `reference:${customer.customerId}`,
    ...(verified.email ? [`email:${verified.email}`] : []),
    ...(verified.phone ? [`phone:${verified.phone}`] : []),
  ]);
  const owner = await memberOwning(manager, verified);
  const link = await manager.findOneBy(MemberLink, { partnerId: customer.partnerId, customerId: customer.customerId });
  if (link) {
    const current = await memberWithAccount(manager, link.memberId);
    if (owner && owner.id !== current.member.id && current.member.provisionalPartnerId === customer.partnerId) {
      const merged = await mergeIfFree(manager, ledger, current.member, owner, `store ${await partnerCode(manager, customer.partnerId)}`);
      if (merged) {
        await noticeStoreLink(manager, { id: link.id, memberId: owner.id, partnerId: customer.partnerId });
        return { ...(await memberWithAccount(manager, owner.id)), enrolledNow: false };
      }
    }
    // Only the store's own provisional customer takes the addresses it vouches for: a store never
    // rewrites what a member of the coalition proved (it would then receive their codes).
    if (!owner && current.member.provisionalPartnerId === customer.partnerId) await proveAddresses(manager, current.member, verified);
    return { ...(await memberWithAccount(manager, current.member.id)), enrolledNow: false };
  }
  if (owner) {
    const made = await manager.save(
      manager.create(MemberLink, {
        partnerId: customer.partnerId,
        customerId: customer.customerId,
        memberId: owner.id,
        cause: 'verified_contact',
      }),
    );
    await noticeStoreLink(manager, { id: made.id, memberId: owner.id, partnerId: customer.partnerId });
    return { ...(await memberWithAccount(manager, owner.id)), enrolledNow: false };
  }
  const member = await manager.save(
    manager.create(Member, {
      externalId: await freeReference(manager, customer),
      email: verified.email ?? (customer.email ? normalizeEmail(customer.email) : null),
      emailVerifiedAt: verified.email ? new Date() : null,
      phone: verified.phone ?? (customer.phone ? normalizePhone(customer.phone) : null),
      phoneVerifiedAt: verified.phone ? new Date() : null,
      displayName: null,
      provisionalPartnerId: verified.email || verified.phone ? null : customer.partnerId,
      mergedIntoId: null,
    }),
  );
  await manager.insert(MemberLink, { partnerId: customer.partnerId, customerId: customer.customerId, memberId: member.id, cause: 'store' });
  const account = await openMemberAccount(manager, member);
  await welcomeWhenReachable(manager, member.id);
  return { member, account, enrolledNow: true };
}

/**
 * Makes `from` part of `into`: their points move in one transfer whose lots keep their funder and
 * expiry, their events, redemptions and store links follow, and `from` resolves to `into` from then
 * on. Refused while `from` has points held or owed, which belong to its own account until settled.
 */
export async function mergeMembers(
  manager: EntityManager,
  ledger: Ledger,
  request: { fromMemberId: string; intoMemberId: string; cause: MemberMergeCause; requestedBy: string },
): Promise<MemberMerge> {
  const from = await memberWithAccount(manager, request.fromMemberId);
  const into = await memberWithAccount(manager, request.intoMemberId);
  if (from.member.id === into.member.id) throw new MergeRefusedError('a member cannot be merged into themselves');
  // In the order counting a purchase and a refund take them: events, accounts, then challenge progress.
  await lockMergedEvents(manager, from.member.id);
  await lockMemberAccounts(manager, [from.account.id, into.account.id]);
  await lockMergedProgress(manager, from.member.id, into.member.id);
  const before = await balanceOf(manager, from.account.id);
  if (before.held > 0) {
    throw new MergeRefusedError(`${before.held} points are held for a redemption or a payment: merge once it settles`);
  }
  if (before.incoming > 0) {
    throw new MergeRefusedError(
      `${before.incoming} points are pending in a purchase's return window: merge once they are confirmed or cancelled`,
    );
  }
  const [debt] = await manager.query(`SELECT COALESCE(SUM(points), 0) AS owed FROM points_debt WHERE "memberAccountId" = $1`, [
    from.account.id,
  ]);
  if (Number(debt.owed) > 0)
    throw new MergeRefusedError(`the member owes ${Number(debt.owed)} points from refunds: merge once they are recovered`);
  // A reward for referring oneself is taken back before the points move: it was paid to the referrer's own account.
  await withdrawSamePersonReferral(manager, ledger, { fromMemberId: from.member.id, intoMemberId: into.member.id });
  const balance = await balanceOf(manager, from.account.id);

  const moved =
    balance.posted > 0
      ? await ledger.transfer(
          {
            source: 'system:merge',
            key: `${from.member.id}:${into.member.id}`,
            legs: [
              {
                debitAccountId: from.account.id,
                creditAccountId: into.account.id,
                amount: balance.posted,
                kind: 'merge',
                references: { from: from.member.externalId, to: into.member.externalId },
              },
            ],
          },
          manager,
        )
      : null;
  await mergeStoreCredit(manager, ledger, from.member, into.member);
  await manager.query(`UPDATE member_link SET "memberId" = $2 WHERE "memberId" = $1`, [from.member.id, into.member.id]);
  await manager.query(`UPDATE member_event SET "memberId" = $2 WHERE "memberId" = $1`, [from.member.id, into.member.id]);
  await manager.query(`UPDATE redemption SET "memberId" = $2 WHERE "memberId" = $1`, [from.member.id, into.member.id]);
  await mergeChallengeProgress(manager, from.member.id, into.member.id);
  await mergeReferrals(manager, from.member.id, into.member.id);
  await mergeLeaderboardScores(manager, from.member.id, into.member.id);
  await mergeBadges(manager, from.member.id, into.member.id);
  // Signed in as either, the person is signed in as both: signing out everywhere ends them all.
  await manager.query(`UPDATE member_session SET "memberId" = $2 WHERE "memberId" = $1`, [from.member.id, into.member.id]);
  await manager.update(Member, { id: from.member.id }, { mergedIntoId: into.member.id });
  if (into.member.provisionalPartnerId && into.member.provisionalPartnerId !== from.member.provisionalPartnerId) {
    // Known to two stores now: a person of the coalition.
    await manager.update(Member, { id: into.member.id }, { provisionalPartnerId: null });
  }
  return manager.save(
    manager.create(MemberMerge, {
      fromMemberId: from.member.id,
      intoMemberId: into.member.id,
      points: balance.posted,
      transferId: moved?.transfers[0]?.id ?? null,
      cause: request.cause,
      requestedBy: request.requestedBy,
    }),
  );
}

function provesNothingNew(member: Member, verified: { email?: string; phone?: string }): boolean {
  return (
    (!verified.email || (member.email === verified.email && member.emailVerifiedAt !== null)) &&
    (!verified.phone || (member.phone === verified.phone && member.phoneVerifiedAt !== null))
  );
}

function verifiedAddresses(contact: CustomerContact): { email?: string; phone?: string } {
  const phone = contact.phoneVerified && contact.phone ? normalizePhone(contact.phone) : null;
  return {
    ...(contact.emailVerified && contact.email ? { email: normalizeEmail(contact.email) } : {}),
    ...(phone ? { phone } : {}),
  };
}

/** The live member who proved one of these addresses, the email's first. */
async function memberOwning(manager: EntityManager, addresses: { email?: string; phone?: string }): Promise<Member | null> {
  if (addresses.email) {
    const owner = await manager
      .createQueryBuilder(Member, 'm')
      .where('m.email = :email AND m."emailVerifiedAt" IS NOT NULL AND m."mergedIntoId" IS NULL', { email: addresses.email })
      .getOne();
    if (owner) return owner;
  }
  if (addresses.phone) {
    return manager
      .createQueryBuilder(Member, 'm')
      .where('m.phone = :phone AND m."phoneVerifiedAt" IS NOT NULL AND m."mergedIntoId" IS NULL', { phone: addresses.phone })
      .getOne();
  }
  return null;
}

/**
 * Records addresses a store verified for its customer: the member becomes reachable, so the
 * coalition's, and is welcomed when they were not reachable before.
 */
async function proveAddresses(manager: EntityManager, member: Member, verified: { email?: string; phone?: string }): Promise<void> {
  const reachableBefore = member.emailVerifiedAt !== null || member.phoneVerifiedAt !== null;
  const now = new Date();
  await manager.update(
    Member,
    { id: member.id },
    {
      ...(verified.email ? { email: verified.email, emailVerifiedAt: now } : {}),
      ...(verified.phone ? { phone: verified.phone, phoneVerifiedAt: now } : {}),
      provisionalPartnerId: null,
    },
  );
  if (!reachableBefore) await welcomeWhenReachable(manager, member.id);
}

/** Merges a store's provisional customer into the member they proved to be, unless points are still held or owed. */
async function mergeIfFree(manager: EntityManager, ledger: Ledger, from: Member, into: Member, requestedBy: string): Promise<boolean> {
  try {
    // A refusal comes before anything is written.
    await mergeMembers(manager, ledger, { fromMemberId: from.id, intoMemberId: into.id, cause: 'verified_contact', requestedBy });
    return true;
  } catch (error) {
    // The customer stays the store's provisional member; their next event tries again.
    if (error instanceof MergeRefusedError) return false;
    throw error;
  }
}

/** Serialises whoever claims an address (a store's verified claim, a sign-in proving it) until the caller commits. */
export function lockAddress(manager: EntityManager, kind: 'email' | 'phone', address: string): Promise<void> {
  return lockIdentities(manager, [`${kind}:${address}`]);
}

/**
 * Holds identities (`email:<address>`, `phone:<number>`, `customer:<partner>:<id>`) until the
 * transaction ends: whoever enrols, links or erases the same person waits for it.
 */
export async function lockIdentities(manager: EntityManager, names: string[]): Promise<void> {
  // Sorted, so that two requests claiming the same names never wait on each other crosswise.
  for (const name of [...names].sort()) {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`member-identity:${name}`]);
  }
}

async function partnerCode(manager: EntityManager, partnerId: string): Promise<string> {
  return (await manager.findOneByOrFail(Partner, { id: partnerId })).code;
}

/** The customer id when no member has it as a reference yet, else with the store's code (and, rarely, a suffix). */
async function freeReference(manager: EntityManager, customer: StoreCustomer): Promise<string> {
  const candidates = [customer.customerId, `${customer.customerId}@${await partnerCode(manager, customer.partnerId)}`];
  for (const candidate of candidates) {
    if (!(await manager.existsBy(Member, { externalId: candidate }))) return candidate;
  }
  return `${candidates[1]}~${randomBytes(4).toString('hex')}`;
}

/** What became of a store's customer id when its member proved who they are at the store. */
/** merge_later: the store's customer has points held or owed; the next sign-in at the store tries again. */
export type StoreLinkOutcome = 'linked' | 'merged' | 'merge_later' | 'already_linked' | 'someone_else';

/**
 * A member signed in at a store (its widget) while the store knew them as `customerId`: the store's
 * id now reaches the member. A provisional customer of that store is merged into the member; an id
 * that already names another member of the coalition stays theirs (the member signed in on someone
 * else's store account, or the store mixed up two people): nothing moves.
 */
export async function linkStoreCustomer(
  manager: EntityManager,
  ledger: Ledger,
  request: StoreCustomer & { memberId: string },
): Promise<StoreLinkOutcome> {
  await lockIdentities(manager, [`customer:${request.partnerId}:${request.customerId}`]);
  const member = await memberWithAccount(manager, request.memberId);
  const known = await manager.findOneBy(MemberLink, { partnerId: request.partnerId, customerId: request.customerId });
  if (!known) {
    await manager.insert(MemberLink, {
      partnerId: request.partnerId,
      customerId: request.customerId,
      memberId: member.member.id,
      cause: 'member',
    });
    return 'linked';
  }
  if (known.memberId === member.member.id) return 'already_linked';
  const current = await memberWithAccount(manager, known.memberId);
  if (current.member.provisionalPartnerId !== request.partnerId) return 'someone_else';
  try {
    // A refusal comes before anything is written.
    await mergeMembers(manager, ledger, {
      fromMemberId: current.member.id,
      intoMemberId: member.member.id,
      cause: 'member',
      requestedBy: 'the member, signed in at the store',
    });
    return 'merged';
  } catch (error) {
    if (error instanceof MergeRefusedError) return 'merge_later';
    throw error;
  }
}
