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

describe('a run at scale: members in batches, one transaction per batch', () => {
  // Lots the tests above left due are expired first, so that each run here sees only its own.
  beforeAll(() => expireDueLots(db.dataSource, p.ledger, new Date()));

  it('expires every due lot with one transfer per lot, a transaction per batch of members, exactly and once', async () => {
    const shop = await p.partner(100_000);
    const cafe = await p.partner(100_000);
    const members = await Promise.all(Array.from({ length: 12 }, (_, i) => p.member(`batch-${i}`)));
    let lots = 0;
    for (const [i, { account }] of members.entries()) {
      // Every member has a due lot from the shop; every other one a second from the cafe, and a lot still valid.
      const funders = i % 2 === 0 ? [shop, cafe] : [shop];
      for (const [f, funder] of funders.entries()) {
        await p.ledger.transfer({
          source: 'test',
          key: `batch-${i}-${f}`,
          legs: [{ debitAccountId: funder.wallet.id, creditAccountId: account.id, amount: 10 + f, kind: 'earn', expiresAt: days(-1 - f) }],
        });
        lots += 1;
      }
      await p.ledger.transfer({
        source: 'test',
        key: `batch-${i}-valid`,
        legs: [{ debitAccountId: shop.wallet.id, creditAccountId: account.id, amount: 5, kind: 'earn', expiresAt: days(30) }],
      });
    }
    const breakageBefore = await p.available(p.program.breakage.id);
    const accounts = members.map((m) => m.account.id);

    const run = await expireDueLots(db.dataSource, p.ledger, new Date(), undefined, 5);
    expect(run).toEqual({ lots, points: 12 * 10 + 6 * 11, byPartner: { [shop.partner.id]: 120, [cafe.partner.id]: 66 }, failures: [] });
    for (const { account } of members) expect(await p.available(account.id)).toBe(5);
    expect(await p.available(p.program.breakage.id)).toBe(breakageBefore + 186);
    const transfers: { key: string; references: Record<string, string>; amount: string; lot: string; tx: string }[] =
      await db.dataSource.query(
        `SELECT t."idempotencyKey" AS key, t."references", t.amount, c."lotId" AS lot, t.xmin::text AS tx
         FROM ledger_transfer t JOIN lot_consumption c ON c."transferId" = t.id
        WHERE t.kind = 'expire' AND t."debitAccountId" = ANY($1)`,
        [accounts],
      );
    // One transfer per lot, keyed and referenced by its lot and funder, as the one-lot path writes it...
    expect(transfers).toHaveLength(lots);
    for (const t of transfers) {
      expect(t.key).toBe(`lot:${t.lot}:0`);
      expect(t.references.lot).toBe(t.lot);
      expect([shop.partner.id, cafe.partner.id]).toContain(t.references.partner);
    }
    // ...written in three transactions for twelve members in batches of five (the transaction that wrote a row is its xmin:
    // two batches run at once, so their start times can fall in the same millisecond).
    expect(new Set(transfers.map((t) => t.tx)).size).toBe(3);
    expect(await expireDueLots(db.dataSource, p.ledger, new Date(), undefined, 5)).toEqual({
      lots: 0,
      points: 0,
      byPartner: {},
      failures: [],
    });
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  });

  it('a run stopped mid-way writes nothing once it has failed, and the next run expires the rest, each lot once', async () => {
    const shop = await p.partner(100_000);
    const members = await Promise.all(Array.from({ length: 10 }, (_, i) => p.member(`stopped-${i}`)));
    for (const [i, { account }] of members.entries()) {
      await p.ledger.transfer({
        source: 'test',
        key: `stopped-${i}`,
        legs: [{ debitAccountId: shop.wallet.id, creditAccountId: account.id, amount: 10, kind: 'earn', expiresAt: days(-1) }],
      });
    }
    const accounts = members.map((m) => m.account.id);
    const expiries = async () =>
      Number(
        (
          await db.dataSource.query(`SELECT COUNT(*) AS n FROM ledger_transfer WHERE kind = 'expire' AND "debitAccountId" = ANY($1)`, [
            accounts,
          ])
        )[0].n,
      );
    // The worker dies at its third batch (its heartbeat throws, as when the activity is cancelled).
    let batches = 0;
    const dying = () => {
      if (++batches === 3) throw new Error('worker lost');
    };
    await expect(expireDueLots(db.dataSource, p.ledger, new Date(), dying, 2)).rejects.toThrow('worker lost');
    const whenFailed = await expiries();
    expect(whenFailed).toBeGreaterThan(0);
    expect(whenFailed).toBeLessThan(10);
    // Nothing of the failed run goes on writing behind its caller's back.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await expiries()).toBe(whenFailed);

    const rest = await expireDueLots(db.dataSource, p.ledger, new Date(), undefined, 2);
    expect(rest).toMatchObject({ lots: 10 - whenFailed, points: (10 - whenFailed) * 10, failures: [] });
    expect(await expiries()).toBe(10);
    for (const { account } of members) expect(await p.available(account.id)).toBe(0);
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  });

  it('never takes a lot twice when the member spends it while the run expires it', async () => {
    const shop = await p.partner(100_000);
    const members = await Promise.all(Array.from({ length: 20 }, (_, i) => p.member(`race-${i}`)));
    for (const [i, { account }] of members.entries()) {
      await p.ledger.transfer({
        source: 'test',
        key: `race-${i}`,
        legs: [{ debitAccountId: shop.wallet.id, creditAccountId: account.id, amount: 50, kind: 'earn', expiresAt: days(-1) }],
      });
    }
    const spend = (account: string, i: number) =>
      p.ledger
        .transfer({
          source: 'test',
          key: `race-spend-${i}`,
          legs: [{ debitAccountId: account, creditAccountId: p.program.redemption.id, amount: 50, kind: 'burn' }],
        })
        .then(
          () => 50,
          () => 0,
        );
    const [run, ...spent] = await Promise.all([
      expireDueLots(db.dataSource, p.ledger, new Date(), undefined, 4),
      ...members.map((m, i) => spend(m.account.id, i)),
    ]);
    const spentPoints = spent.reduce((sum, points) => sum + points, 0);
    // Each member's 50 points went once: to a reward or to breakage, never both, never neither.
    expect(run.failures).toEqual([]);
    expect(run.points + spentPoints).toBe(20 * 50);
    for (const { account } of members) expect(await p.available(account.id)).toBe(0);
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  });
});
