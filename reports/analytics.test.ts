import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Member, MemberEvent, PointPackage, Redemption, Reward } from '../entities/index.js';
import { purchasePackage } from '../loyalty/funding.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram } from '../test/support/program.js';
import { analytics, figureCsv, figureNamed } from './analytics.js';
import { dateRange } from './date-range.js';

/**
 * The analytics over a small program whose every figure is known: two partners who bought their
 * points at different prices, three customers of known enrolment months and purchase days.
 */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
const now = new Date();
const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
const day = (n: number, hours = 0) => new Date(today + n * 86_400_000 + hours * 3_600_000);
const iso = (date: Date) => date.toISOString().slice(0, 10);
const monthAhead = (n: number, dayOfMonth = 15) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + n, dayOfMonth));
let cafe: Awaited<ReturnType<typeof p.partner>>;
let books: Awaited<ReturnType<typeof p.partner>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  [cafe, books] = [await p.partner(0, 'cafe'), await p.partner(0, 'books')];
  await m.update('partner', { id: cafe.partner.id }, { name: 'Café Noir' });
  await m.update('partner', { id: books.partner.id }, { name: 'BookBarn' });
  await m.insert(PointPackage, [
    { code: 'small', name: 'Small', points: 10_000, priceCents: 7_000, currency: 'EUR' },
    { code: 'medium', name: 'Medium', points: 5_000, priceCents: 4_900, currency: 'EUR' },
    { code: 'large', name: 'Large', points: 20_000, priceCents: 10_000, currency: 'EUR' },
  ]);
  // The café paid 119.00 EUR for 15,000 points (0.79333 cents a point), the bookshop 100.00 for 20,000 (0.5 cents).
  await purchasePackage(db.dataSource, p.ledger, { partnerId: cafe.partner.id, packageCode: 'small', purchaseKey: 'c1' });
  await purchasePackage(db.dataSource, p.ledger, { partnerId: cafe.partner.id, packageCode: 'medium', purchaseKey: 'c2' });
  await purchasePackage(db.dataSource, p.ledger, { partnerId: books.partner.id, packageCode: 'large', purchaseKey: 'b1' });

  const [ann, bob, cy, dee] = [await p.member('ann'), await p.member('bob'), await p.member('cy'), await p.member('dee')];
  const earn = (wallet: string, account: string, amount: number, expiresAt: Date | null, key: string) =>
    p.ledger.transfer({
      source: 'test',
      key,
      legs: [{ debitAccountId: wallet, creditAccountId: account, amount, kind: 'earn', expiresAt }],
    });
  await earn(cafe.wallet.id, ann.account.id, 1_000, monthAhead(1), 'ann-cafe');
  await earn(cafe.wallet.id, bob.account.id, 500, monthAhead(3), 'bob-cafe');
  await earn(books.wallet.id, ann.account.id, 2_000, null, 'ann-books');

  await m.update(Member, { id: ann.member.id }, { enrolledAt: new Date('2025-06-10T12:00:00Z') });
  await m.update(Member, { id: bob.member.id }, { enrolledAt: new Date('2025-07-01T00:00:00Z') });
  await m.update(Member, { id: cy.member.id }, { enrolledAt: new Date('2025-07-31T23:30:00Z') });
  await m.update(Member, { id: dee.member.id }, { enrolledAt: day(-3, 10) });
  const event = (partnerId: string, memberId: string, occurredAt: Date, type = 'purchase') =>
    m.insert(MemberEvent, { partnerId, memberId, customerId: memberId, type, occurredAt, points: 0, amountCents: 1_000, currency: 'EUR' });
  // Ann buys at the café on two days (the first at the very start of the range) and once at the bookshop.
  await event(cafe.partner.id, ann.member.id, day(-9));
  await event(cafe.partner.id, ann.member.id, day(-5, 12));
  await event(books.partner.id, ann.member.id, day(-5, 13));
  // Bob twice at the café on one day, once at the bookshop another day, and once more the day after the range.
  await event(cafe.partner.id, bob.member.id, day(-3, 10));
  await event(cafe.partner.id, bob.member.id, day(-3, 15));
  await event(books.partner.id, bob.member.id, day(-8, 9));
  await event(books.partner.id, bob.member.id, day(0));
  // Cy bought at the café before the range, once in it, and reviewed it (not a purchase).
  await event(cafe.partner.id, cy.member.id, day(-20));
  await event(cafe.partner.id, cy.member.id, day(-2));
  await event(cafe.partner.id, cy.member.id, day(-4), 'review');

  const [coffee, tote] = [randomUUID(), randomUUID()];
  await m.insert(Reward, [
    { id: coffee, code: 'coffee', name: 'Free coffee', pointsPrice: 100 },
    { id: tote, code: 'tote', name: 'Tote bag', pointsPrice: 400 },
  ]);
  const redeemed = (rewardId: string, partnerId: string | null, quantity: number, points: number, createdAt: Date, status = 'completed') =>
    m.insert(Redemption, {
      memberId: ann.member.id,
      rewardId,
      partnerId,
      quantity,
      points,
      status: status as Redemption['status'],
      transferId: randomUUID(),
      createdAt,
    });
  await redeemed(coffee, cafe.partner.id, 2, 200, day(-6));
  await redeemed(coffee, null, 1, 100, day(-4));
  await redeemed(tote, books.partner.id, 1, 400, day(-1, 23));
  await redeemed(tote, cafe.partner.id, 1, 400, day(-1), 'cancelled');
  await redeemed(coffee, cafe.partner.id, 1, 100, day(-30));
});
afterAll(() => db.drop());

const range = () => dateRange({ from: iso(day(-9)), to: iso(day(-1)) }, now);

describe('the analytics of the whole program', () => {
  it('values what members hold at the price each funder paid per point, per currency', async () => {
    const { liability } = await analytics(db.dataSource.manager, { range: range(), now });
    expect(liability).toEqual({
      points: 3_500,
      funders: [
        { funderId: books.partner.id, funder: 'BookBarn', points: 2_000, pricePerPoint: 0.5, money: 1_000, currency: 'EUR' },
        {
          funderId: cafe.partner.id,
          funder: 'Café Noir',
          points: 1_500,
          pricePerPoint: expect.closeTo(11_900 / 15_000, 10),
          money: 1_190,
          currency: 'EUR',
        },
      ],
      money: [{ currency: 'EUR', minor: 2_190 }],
    });
  });

  it('forecasts the points expiring in each of the next twelve months, per funder', async () => {
    const { expiry } = await analytics(db.dataSource.manager, { range: range(), now });
    expect(expiry.months).toHaveLength(12);
    expect(expiry.months[0]).toBe(now.toISOString().slice(0, 7));
    expect(expiry.months[3]).toBe(monthAhead(3).toISOString().slice(0, 7));
    const cafeMonths = Array(12).fill(0);
    cafeMonths[1] = 1_000;
    cafeMonths[3] = 500;
    expect(expiry.funders).toEqual([{ funder: 'Café Noir', points: cafeMonths }]);
    expect(expiry.total).toEqual(cafeMonths);
    expect(expiry.neverExpire).toBe(2_000);
  });

  it('counts returning customers per partner and per enrolment cohort, purchases on two different days in the range', async () => {
    const { repeat } = await analytics(db.dataSource.manager, { range: range(), now });
    expect(repeat.byPartner).toEqual([
      { partner: 'Café Noir', customers: 3, returning: 1, rate: 1 / 3 },
      { partner: 'BookBarn', customers: 2, returning: 0, rate: 0 },
    ]);
    expect(repeat.byCohort).toEqual([
      { cohort: '2025-06', customers: 1, returning: 1, rate: 1 },
      { cohort: '2025-07', customers: 2, returning: 1, rate: 0.5 },
    ]);
    expect(repeat.all).toEqual({ customers: 3, returning: 2, rate: 2 / 3 });
  });

  it('counts redemptions of the range, not cancelled, by reward and by partner', async () => {
    const { redemptions } = await analytics(db.dataSource.manager, { range: range(), now });
    expect(redemptions.byReward).toEqual([
      { reward: 'Tote bag', redemptions: 1, quantity: 1, points: 400 },
      { reward: 'Free coffee', redemptions: 2, quantity: 3, points: 300 },
    ]);
    expect(redemptions.byPartner).toEqual([
      { partner: 'BookBarn', redemptions: 1, quantity: 1, points: 400 },
      { partner: 'Café Noir', redemptions: 1, quantity: 2, points: 200 },
      { partner: 'Member dashboard', redemptions: 1, quantity: 1, points: 100 },
    ]);
  });

  it('grows members per day over short ranges and per week over long ones, with the running total', async () => {
    const { growth } = await analytics(db.dataSource.manager, { range: range(), now });
    expect(growth.bucket).toBe('day');
    expect(growth.starts).toHaveLength(9);
    expect(growth.added).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect(growth.total).toEqual([3, 3, 3, 3, 3, 3, 4, 4, 4]);
    const long = await analytics(db.dataSource.manager, { range: dateRange({ from: iso(day(-99)), to: iso(day(0)) }, now), now });
    expect(long.growth.bucket).toBe('week');
    expect(long.growth.starts).toHaveLength(15);
    expect(long.growth.added.reduce((a, b) => a + b)).toBe(1);
    expect(long.growth.total.at(-1)).toBe(4);
  });

  it('exports each figure as CSV, names safe from spreadsheets', async () => {
    await db.dataSource.manager.update('partner', { id: books.partner.id }, { name: '=HYPERLINK("evil")' });
    const a = await analytics(db.dataSource.manager, { range: range(), now });
    await db.dataSource.manager.update('partner', { id: books.partner.id }, { name: 'BookBarn' });
    const liability = figureCsv('liability', a);
    expect(liability.filename).toBe(`liability_${iso(day(-9))}_${iso(day(-1))}.csv`);
    expect(liability.body).toBe(
      'funder,points held by members,price paid per point,value at that price,currency\r\n' +
        `"'=HYPERLINK(""evil"")",2000,0.005000,10.00,EUR\r\n` +
        'Café Noir,1500,0.007933,11.90,EUR\r\n',
    );
    expect(figureCsv('returning-by-cohort', a).body).toBe(
      'enrolment month,customers,returning customers,repeat-purchase rate (%)\r\n2025-06,1,1,100.0\r\n2025-07,2,1,50.0\r\n',
    );
    expect(figureCsv('member-growth', a).body.split('\r\n')[7]).toBe(`${iso(day(-3))},1,4`);
    expect(() => figureNamed('passwords')).toThrow(/csv: must be one of points-per-day/);
  });
});

describe("a partner's analytics", () => {
  it('hold only what it funded, its own customers and the redemptions made through it', async () => {
    const a = await analytics(db.dataSource.manager, { range: range(), partnerId: cafe.partner.id, now });
    expect(a.liability.funders.map((f) => f.funder)).toEqual(['Café Noir']);
    expect(a.liability.money).toEqual([{ currency: 'EUR', minor: 1_190 }]);
    expect(a.expiry.funders.map((f) => f.funder)).toEqual(['Café Noir']);
    expect(a.expiry.neverExpire).toBe(0);
    expect(a.repeat.byPartner).toEqual([{ partner: 'Café Noir', customers: 3, returning: 1, rate: 1 / 3 }]);
    expect(a.repeat.byCohort).toEqual([
      { cohort: '2025-06', customers: 1, returning: 1, rate: 1 },
      { cohort: '2025-07', customers: 2, returning: 0, rate: 0 },
    ]);
    expect(a.redemptions.byPartner).toEqual([{ partner: 'Café Noir', redemptions: 1, quantity: 2, points: 200 }]);
    expect(a.redemptions.byReward).toEqual([{ reward: 'Free coffee', redemptions: 1, quantity: 2, points: 200 }]);
    // Its new customers: Ann first came on the range's first day, Bob on its seventh; Cy before it.
    expect(a.growth.added).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect(a.growth.total.at(-1)).toBe(3);
    expect(JSON.stringify(a)).not.toContain('BookBarn');
  });
});
