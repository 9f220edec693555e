import type { EntityManager } from 'typeorm';
import { LedgerAccount, Member, pointsUnit } from '../entities/index.js';
import { openMemberAccount } from './ledger/accounts.js';

export interface Enrolment {
  externalId: string;
  email?: string | null;
  phone?: string | null;
  displayName?: string | null;
}

/** Enrols a member with their points account; enrolling a known external id returns them as they are. */
export async function enrollMember(
  manager: EntityManager,
  enrolment: Enrolment,
): Promise<{ member: Member; account: LedgerAccount; enrolledNow: boolean }> {
  // Nearly every event is from a known member: one read, and no write.
  const known = await manager.findOne(LedgerAccount, {
    where: { member: { externalId: enrolment.externalId }, unit: pointsUnit },
    relations: { member: true },
  });
  if (known?.member) return { member: known.member, account: known, enrolledNow: false };
  const inserted = await manager
    .createQueryBuilder()
    .insert()
    .into(Member)
    .values({
      externalId: enrolment.externalId,
      email: enrolment.email ?? null,
      phone: enrolment.phone ?? null,
      displayName: enrolment.displayName ?? null,
    })
    .orIgnore()
    .execute();
  const member = await manager.findOneByOrFail(Member, { externalId: enrolment.externalId });
  const account = await openMemberAccount(manager, member);
  return { member, account, enrolledNow: inserted.raw.length > 0 };
}
