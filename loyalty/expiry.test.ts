import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram, days } from '../test/support/program.js';
import { dueExpiryNotices, dueLots, expireDueLots, expireLot, recordExpiryNotice } from './expiry.js';
import { checkLedger } from './ledger/invariants.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
});
afterAll(() => db.drop());

it('expires due lots into breakage attributed to their funders, once, and warns once per horizon', async () => {
  const shop = await p.partner(1_000);
  const cafe = await p.partner(1_000);
  const { member, account } = await p.member('expiry-ann');
  const earn = (wallet: string, amount: number, expiresAt: Date, key: string) =>
    p.ledger.transfer({
      source: 'test',
      key,
      legs: [{ debitAccountId: wallet, creditAccountId: account.id, amount, kind: 'earn', expiresAt }],
    });
  await earn(shop.wallet.id, 100, days(-1), 'old-shop');
  await earn(cafe.wallet.id, 40, days(-2), 'old-cafe');
  await earn(shop.wallet.id, 70, days(20), 'soon');
  await earn(cafe.wallet.id, 30, days(5), 'very-soon');
  await earn(shop.wallet.id, 500, days(200), 'later');

  const expired = await expireDueLots(db.dataSource, p.ledger, new Date());
  expect(expired).toEqual({ lots: 2, points: 140, byPartner: { [shop.partner.id]: 100, [cafe.partner.id]: 40 }, failures: [] });
  expect(await p.available(account.id)).toBe(600);
  expect(await p.available(p.program.breakage.id)).toBe(140);
  expect(await expireDueLots(db.dataSource, p.ledger, new Date())).toEqual({ lots: 0, points: 0, byPartner: {}, failures: [] });
  expect(await p.available(account.id)).toBe(600);

  const month = await dueExpiryNotices(db.dataSource, new Date(), 30);
  expect(month).toHaveLength(1);
  expect(month[0]).toMatchObject({ memberId: member.id, email: 'expiry-ann@example.test', points: 100, daysAhead: 30 });
  await recordExpiryNotice(db.dataSource, month[0]!);
  expect(await dueExpiryNotices(db.dataSource, new Date(), 30)).toEqual([]);
  const week = await dueExpiryNotices(db.dataSource, new Date(), 7);
  expect(week.map((n) => n.points)).toEqual([30]);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

describe('points that come back, points spent meanwhile, a lot that cannot expire', () => {
  async function memberWithLots(name: string) {
    const shop = await p.partner(10_000);
    const { account } = await p.member(name);
    const earn = async (amount: number, expiresAt: Date) => {
      const written = await p.ledger.transfer({
        source: 'test',
        key: `${name}-${amount}-${expiresAt.getTime()}`,
        legs: [{ debitAccountId: shop.wallet.id, creditAccountId: account.id, amount, kind: 'earn', expiresAt }],
      });
      const [lot] = await db.dataSource.query(`SELECT id FROM point_lot WHERE "creditTransferId" = $1`, [written.transfers[0]!.id]);
      return lot.id as string;
    };
    return {
      account,
      earn,
      remaining: async (lotId: string) =>
        Number((await db.dataSource.query(`SELECT remaining FROM point_lot WHERE id = $1`, [lotId]))[0].remaining),
    };
  }
  const hold = (account: string, amount: number, key: string) =>
    p.ledger.hold({
      source: 'test',
      key,
      until: days(30),
      legs: [{ debitAccountId: account, creditAccountId: p.program.redemption.id, amount, kind: 'burn' }],
    });

  it('expires points restored into an expired lot at the next run, from that lot only, and never halts', async () => {
    const { account, earn, remaining } = await memberWithLots('expiry-back');
    const due = await earn(100, days(-1));
    const valid = await earn(100, days(300));
    const held = await hold(account.id, 30, 'back-hold');
    expect(await remaining(due)).toBe(70);

    expect((await expireDueLots(db.dataSource, p.ledger, new Date())).points).toBeGreaterThanOrEqual(70);
    expect(await p.available(account.id)).toBe(100);
    // The hold is voided after the lot expired: its 30 points go back to the expired lot...
    await p.ledger.void({ source: 'test', key: 'back-void', pendingTransferId: held.transfers[0]!.id });
    expect(await remaining(due)).toBe(30);
    // ...and the next run expires exactly those, without a conflict, leaving the valid lot alone.
    const next = await expireDueLots(db.dataSource, p.ledger, new Date());
    expect(next.failures).toEqual([]);
    expect(await remaining(due)).toBe(0);
    expect(await remaining(valid)).toBe(100);
    expect(await p.available(account.id)).toBe(100);
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  });

  it('expires what is left of a lot when the member spent part of it after the run listed it', async () => {
    const { account, earn, remaining } = await memberWithLots('expiry-spent');
    const due = await earn(100, days(-1));
    const valid = await earn(100, days(300));
    const listed = (await dueLots(db.dataSource, new Date())).filter((lot) => lot.id === due);
    expect(listed).toHaveLength(1);
    await p.ledger.transfer({
      source: 'test',
      key: 'spent-meanwhile',
      legs: [{ debitAccountId: account.id, creditAccountId: p.program.redemption.id, amount: 40, kind: 'burn' }],
    });
    expect(await expireLot(db.dataSource, p.ledger, listed[0]!, new Date())).toMatchObject({ points: 60 });
    expect(await remaining(due)).toBe(0);
    expect(await remaining(valid)).toBe(100);
    expect(await p.available(account.id)).toBe(100);
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  });

  it('goes on past a lot that cannot expire, and reports it', async () => {
    const { account, earn, remaining } = await memberWithLots('expiry-broken');
    const broken = await earn(100, days(-1));
    await p.ledger.transfer({
      source: 'test',
      key: 'broken-spend',
      legs: [{ debitAccountId: account.id, creditAccountId: p.program.redemption.id, amount: 40, kind: 'burn' }],
    });
    // A lot that claims more than the member has (a corrupted row): the ledger refuses to expire it.
    await db.dataSource.query(`UPDATE point_lot SET remaining = 100 WHERE id = $1`, [broken]);
    const { earn: earnOther } = await memberWithLots('expiry-healthy');
    const healthy = await earnOther(25, days(-1));
    const run = await expireDueLots(db.dataSource, p.ledger, new Date());
    expect(run.failures).toEqual([{ lotId: broken, member: 'expiry-broken', reason: expect.any(String) }]);
    expect(await remaining(healthy)).toBe(0);
    await db.dataSource.query(`UPDATE point_lot SET remaining = 60 WHERE id = $1`, [broken]);
  });
});
