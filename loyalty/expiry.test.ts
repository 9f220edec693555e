import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram, days } from '../test/support/program.js';
import { dueExpiryNotices, expireDueLots, recordExpiryNotice } from './expiry.js';
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
  expect(expired).toEqual({ lots: 2, points: 140, byPartner: { [shop.partner.id]: 100, [cafe.partner.id]: 40 } });
  expect(await p.available(account.id)).toBe(600);
  expect(await p.available(p.program.breakage.id)).toBe(140);
  expect(await expireDueLots(db.dataSource, p.ledger, new Date())).toEqual({ lots: 0, points: 0, byPartner: {} });
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
