import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { creditPurchasedPoints } from '../../loyalty/funding.js';
import { balanceOf, openProgramAccounts } from '../../loyalty/ledger/accounts.js';
import { Ledger } from '../../loyalty/ledger/ledger.js';
import { enrollMember } from '../../loyalty/members.js';
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

  async function member(externalId = `m-${tag}-${randomUUID().slice(0, 6)}`) {
    return enrollMember(dataSource.manager, { externalId, email: `${externalId}@example.test` });
  }

  const available = async (accountId: string) => (await balanceOf(dataSource.manager, accountId)).available;
  const posted = async (accountId: string) => (await balanceOf(dataSource.manager, accountId)).posted;
  const transferCount = async () => Number((await dataSource.query('SELECT COUNT(*) AS n FROM ledger_transfer'))[0].n);

  return { ledger, program, partner, member, available, posted, transferCount };
}

export const days = (n: number) => new Date(Date.now() + n * 86_400_000);
