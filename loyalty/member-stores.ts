import { In, type EntityManager } from 'typeorm';
import { Member, MemberLink, MemberLinkRemoval, MemberMerge, Partner, type MemberLinkCause } from '../entities/index.js';
import { balanceOf } from './ledger/accounts.js';
import type { Ledger } from './ledger/ledger.js';
import { lockMemberAccounts } from './ledger/member-locks.js';
import { memberWithAccount, mergeMembers } from './member-identity.js';
import { Refusal } from './refusal.js';

/** A store that knows the member: it addresses them by its own customer id. */
export interface LinkedStore {
  partnerId: string;
  name: string;
  /** When the store first knew them. */
  since: Date;
}

/**
 * A store's provisional customer who may be the member: the store has, for them, an address the
 * member proved. Only what the member may see of it: the store, and the points that would join theirs.
 */
export interface StoreCandidate {
  customerMemberId: string;
  partnerId: string;
  store: string;
  since: Date;
  points: number;
  /** When the first of those points expire; null when none do. */
  firstExpiry: Date | null;
  /** Which of the member's own addresses the store has. */
  matchedBy: 'email' | 'phone';
}

export class StoreLinkRefusedError extends Refusal {
  constructor() {
    super('merge_refused', 'no customer of a store has an address you proved by this reference', 'customer');
  }
}

/** How a store came to know a member, as care reads it. */
const linkCauseWords: Record<MemberLinkCause, string> = {
  store: 'the store enrolled them',
  verified_contact: 'the store said it verified their address',
  member: 'the member linked it',
  merge: 'from an account merged into theirs',
  migration: 'known to the store before links',
};

/**
 * What care sees of the stores that know a member: each store, the id it knows them by (what a store
 * calling care names), how and when the link was made.
 */
export async function storeLinksForCare(manager: EntityManager, memberId: string): Promise<string[]> {
  const { member } = await memberWithAccount(manager, memberId);
  const links: { name: string; customerId: string; cause: MemberLinkCause; linkedAt: Date }[] = await manager.query(
    `SELECT p.name, l."customerId", l.cause, l."linkedAt" FROM member_link l JOIN partner p ON p.id = l."partnerId"
      WHERE l."memberId" = $1 ORDER BY p.name, l."customerId"`,
    [member.id],
  );
  return links.map(
    (l) => `${l.name} knows them as ${l.customerId} (${linkCauseWords[l.cause]}, ${new Date(l.linkedAt).toISOString().slice(0, 10)})`,
  );
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The stores that know the member, and the provisional customers of stores who may be them. */
export async function memberStores(
  manager: EntityManager,
  memberId: string,
): Promise<{ linked: LinkedStore[]; candidates: StoreCandidate[] }> {
  const { member } = await memberWithAccount(manager, memberId);
  const linked: { partnerId: string; name: string; since: Date }[] = await manager.query(
    `SELECT l."partnerId", p.name, MIN(l."linkedAt") AS since
       FROM member_link l JOIN partner p ON p.id = l."partnerId"
      WHERE l."memberId" = $1
      GROUP BY l."partnerId", p.name
      ORDER BY p.name`,
    [member.id],
  );
  return {
    linked: linked.map((row) => ({ partnerId: row.partnerId, name: row.name, since: new Date(row.since) })),
    candidates: await candidatesOf(manager, member),
  };
}

/**
 * The provisional customers (of one store, not merged) whose email or phone is one the member
 * proved: what the member may link. `only` narrows it to one customer.
 */
async function candidatesOf(manager: EntityManager, member: Member, only?: string): Promise<StoreCandidate[]> {
  const email = member.emailVerifiedAt ? member.email : null;
  const phone = member.phoneVerifiedAt ? member.phone : null;
  if (!email && !phone) return [];
  const rows: {
    customerMemberId: string;
    partnerId: string;
    store: string;
    since: Date;
    matchedBy: 'email' | 'phone';
    accountId: string;
  }[] = await manager.query(
    `SELECT c.id AS "customerMemberId", c."provisionalPartnerId" AS "partnerId", p.name AS store, c."enrolledAt" AS since,
              CASE WHEN c.email = $2 THEN 'email' ELSE 'phone' END AS "matchedBy", a.id AS "accountId"
         FROM member c
         JOIN partner p ON p.id = c."provisionalPartnerId"
         JOIN ledger_account a ON a."memberId" = c.id AND a.unit = 'points'
        WHERE c."provisionalPartnerId" IS NOT NULL AND c."mergedIntoId" IS NULL AND c.id <> $1
          AND (c.email = $2 OR c.phone = $3)
          AND ($4::uuid IS NULL OR c.id = $4)
        ORDER BY p.name, c."enrolledAt"`,
    [member.id, email, phone, only ?? null],
  );
  return Promise.all(
    rows.map(async ({ accountId, ...row }) => {
      const [lots]: { first: Date | null }[] = await manager.query(
        `SELECT MIN("expiresAt") AS first FROM point_lot WHERE "memberAccountId" = $1 AND remaining > 0`,
        [accountId],
      );
      return {
        ...row,
        since: new Date(row.since),
        points: (await balanceOf(manager, accountId)).available,
        firstExpiry: lots?.first ? new Date(lots.first) : null,
      };
    }),
  );
}

/**
 * The member links a store from their dashboard: the store's provisional customer with an address
 * the member proved becomes them (mergeMembers: the points move with their funder and expiry, the
 * store's ids follow, audited as the member's doing). Anyone else's customer is refused. Linking
 * one already linked answers as the first time did.
 */
export async function linkStoreCustomer(
  manager: EntityManager,
  ledger: Ledger,
  request: { memberId: string; customerMemberId: string },
): Promise<{ partnerId: string; store: string; points: number }> {
  if (!uuid.test(request.customerMemberId)) throw new StoreLinkRefusedError();
  const { member, account } = await memberWithAccount(manager, request.memberId);
  const done = await manager.findOneBy(MemberMerge, { fromMemberId: request.customerMemberId, intoMemberId: member.id });
  if (done) return { ...(await storeOf(manager, request.customerMemberId)), points: done.points };
  if ((await candidatesOf(manager, member, request.customerMemberId)).length === 0) throw new StoreLinkRefusedError();

  const { account: customerAccount } = await memberWithAccount(manager, request.customerMemberId);
  await lockMemberAccounts(manager, [account.id, customerAccount.id]);
  // Read again under the locks: a twin request may have linked it meanwhile.
  const linkedMeanwhile = await manager.findOneBy(MemberMerge, { fromMemberId: request.customerMemberId, intoMemberId: member.id });
  if (linkedMeanwhile) return { ...(await storeOf(manager, request.customerMemberId)), points: linkedMeanwhile.points };
  if ((await candidatesOf(manager, member, request.customerMemberId)).length === 0) throw new StoreLinkRefusedError();

  const links = await manager.findBy(MemberLink, { memberId: request.customerMemberId });
  const merge = await mergeMembers(manager, ledger, {
    fromMemberId: request.customerMemberId,
    intoMemberId: member.id,
    cause: 'member',
    requestedBy: 'member',
  });
  if (links.length > 0) await manager.update(MemberLink, { id: In(links.map((l) => l.id)) }, { cause: 'member' });
  return { ...(await storeOf(manager, request.customerMemberId)), points: merge.points };
}

/** The store whose provisional customer this is (or was, before being linked). */
async function storeOf(manager: EntityManager, customerMemberId: string): Promise<{ partnerId: string; store: string }> {
  const customer = await manager.findOneByOrFail(Member, { id: customerMemberId });
  const partner = await manager.findOneByOrFail(Partner, { id: customer.provisionalPartnerId! });
  return { partnerId: partner.id, store: partner.name };
}

/** A store's name (stores are public: any member may read their names); null for no such store. */
export async function storeName(manager: EntityManager, partnerId: string): Promise<string | null> {
  if (!uuid.test(partnerId)) return null;
  return (await manager.findOneBy(Partner, { id: partnerId }))?.name ?? null;
}

/**
 * The member unlinks a store: its customer ids for them are removed (each removal audited), so the
 * store no longer reads, earns to or spends from them by those ids, and its widget sessions for
 * them end. The points stay the member's. A store's next event under a removed id starts a
 * provisional customer, whom the member may link again.
 */
export async function unlinkStore(
  manager: EntityManager,
  request: { memberId: string; partnerId: string },
): Promise<{ partnerId: string; store: string; removed: number }> {
  const partner = uuid.test(request.partnerId) ? await manager.findOneBy(Partner, { id: request.partnerId }) : null;
  if (!partner) throw new Refusal('partner_not_found', 'no such store', 'store');
  const { member } = await memberWithAccount(manager, request.memberId);
  const links = await manager.find(MemberLink, {
    where: { memberId: member.id, partnerId: partner.id },
    lock: { mode: 'pessimistic_write' },
  });
  if (links.length > 0) {
    await manager.insert(
      MemberLinkRemoval,
      links.map((link) => ({
        memberId: member.id,
        partnerId: partner.id,
        customerId: link.customerId,
        linkCause: link.cause,
        linkedAt: link.linkedAt,
        requestedBy: 'member',
      })),
    );
    await manager.delete(MemberLink, { id: In(links.map((l) => l.id)) });
    await manager.query(
      `UPDATE member_session SET "revokedAt" = now() WHERE "memberId" = $1 AND "partnerId" = $2 AND "revokedAt" IS NULL`,
      [member.id, partner.id],
    );
  }
  return { partnerId: partner.id, store: partner.name, removed: links.length };
}
