import type { EntityManager } from 'typeorm';
import { LedgerAccount, Member, pointsUnit } from '../entities/index.js';
import { memberWithAccount } from './member-identity.js';

/** A store's id for a person. */
export interface StoreId {
  partnerId: string;
  customerId: string;
}

/**
 * A person as Tessera holds them: the member standing for them now, the members merged into it
 * (each with its own account, references and addresses), and every id a store knew them by.
 */
export interface PersonRecords {
  member: Member;
  account: LedgerAccount;
  /** The members merged into `member`, oldest first. */
  former: { member: Member; account: LedgerAccount }[];
  /** `member`'s id and the former members'. */
  memberIds: string[];
  accountIds: string[];
  /** From the stores' links, their events and the links the member removed. */
  storeIds: StoreId[];
}

/** The person `memberId` stands for (following merges): a refusal naming the member when there is none. */
export async function personRecords(manager: EntityManager, memberId: string): Promise<PersonRecords> {
  const { member, account } = await memberWithAccount(manager, memberId);
  const formerIds: { id: string }[] = await manager.query(
    `WITH RECURSIVE merged AS (
       SELECT id, "enrolledAt" FROM member WHERE "mergedIntoId" = $1
       UNION SELECT m.id, m."enrolledAt" FROM member m JOIN merged ON m."mergedIntoId" = merged.id
     ) SELECT id FROM merged ORDER BY "enrolledAt", id`,
    [member.id],
  );
  const former = [];
  for (const { id } of formerIds) {
    former.push({
      member: await manager.findOneByOrFail(Member, { id }),
      account: await manager.findOneByOrFail(LedgerAccount, { memberId: id, unit: pointsUnit }),
    });
  }
  const memberIds = [member.id, ...former.map((f) => f.member.id)];
  const storeIds: StoreId[] = await manager.query(
    `SELECT "partnerId", "customerId" FROM member_link WHERE "memberId" = ANY($1::uuid[])
      UNION SELECT "partnerId", "customerId" FROM member_event WHERE "memberId" = ANY($1::uuid[])
      UNION SELECT "partnerId", "customerId" FROM member_link_removal WHERE "memberId" = ANY($1::uuid[])
      ORDER BY 1, 2`,
    [memberIds],
  );
  return { member, account, former, memberIds, accountIds: [account.id, ...former.map((f) => f.account.id)], storeIds };
}

/**
 * SQL that is true of a row of `partnerColumn` whose `documentColumn` (JSON) holds one of the
 * person's store ids as a value: the store's own records about them (webhook payloads, API
 * answers). Store ids are unique per store only, so the store must match too. Parameters
 * `$n` and `$n+1` are the store ids' partners and customer ids (see storeIdParameters).
 */
export function namesStoreId(partnerColumn: string, documentColumn: string, n: number): string {
  return `EXISTS (SELECT 1 FROM unnest($${n}::uuid[], $${n + 1}::text[]) AS ids(partner, customer)
                   WHERE ids.partner = ${partnerColumn} AND strpos(${documentColumn}::text, to_jsonb(ids.customer)::text) > 0)`;
}

export function storeIdParameters(storeIds: StoreId[]): [string[], string[]] {
  return [storeIds.map((s) => s.partnerId), storeIds.map((s) => s.customerId)];
}
