import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { MemberLink } from '../../entities/index.js';
import { creditPurchasedPoints } from '../../loyalty/funding.js';
import { balanceOf, openProgramAccounts } from '../../loyalty/ledger/accounts.js';
import { Ledger } from '../../loyalty/ledger/ledger.js';
import { enrollMember } from '../../loyalty/members.js';
import { findMember } from '../../loyalty/member-identity.js';
import { onboardPartner } from '../../loyalty/partners.js';

/** A small program on a test database: program accounts, funded partners, members. */
export async function createProgram(dataSource: DataSource) {
  const ledger = new Ledger(dataSource);
  const program = await openProgramAccounts(dataSource.manager);
  const tag = randomUUID().slice(0, 8);

  async function partner(points = 0, code = `shop-${tag}-${randomUUID().slice(0, 6)}`) {
    const { partner, wallet } = await onboardPartner(dataSource.manager, { code, name: `Shop ${code}` });
    if (points > 0) {
      await creditPurchasedPoints(dataSource.manager, ledger, { walletAccountId: wallet.id, points, key: `fund-${wallet.id}` });
    }
    return { partner, wallet };
  }

  /** A member of the coalition; known to the store `linkedTo` by `externalId` too, when given. */
  async function member(externalId = `m-${tag}-${randomUUID().slice(0, 6)}`, linkedTo?: string) {
    const enrolled = await enrollMember(dataSource.manager, { externalId, email: `${externalId}@example.test` });
    if (linkedTo) {
      await dataSource.manager.insert(MemberLink, {
        partnerId: linkedTo,
        customerId: externalId,
        memberId: enrolled.member.id,
        cause: 'store',
      });
    }
    return enrolled;
  }

  const available = async (accountId: string) => (await balanceOf(dataSource.manager, accountId)).available;
  const posted = async (accountId: string) => (await balanceOf(dataSource.manager, accountId)).posted;
  const transferCount = async () => Number((await dataSource.query('SELECT COUNT(*) AS n FROM ledger_transfer'))[0].n);

  return { ledger, program, partner, member, available, posted, transferCount };
}

export const days = (n: number) => new Date(Date.now() + n * 86_400_000);

/** A member's id from their back-office reference (the first store's id for them, in these tests). */
export async function memberIdOf(manager: EntityManager, reference: string): Promise<string> {
  return (await findMember(manager, reference)).member.id;
}
