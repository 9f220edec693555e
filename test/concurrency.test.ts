import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDataSource } from '../entities/data-source.js';
import { Bonus, EarningRule, ProgramSettings, Redemption, Reward } from '../entities/index.js';
import { configurationTtlMs, forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent, type EventInput, type RecordedEvent } from '../loyalty/earning/record-event.js';
import { NotReversibleError } from '../loyalty/ledger/errors.js';
import { refundEvent } from '../loyalty/earning/refund-event.js';
import { settleRedemption } from '../loyalty/fulfilment/fulfilment.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { transferBetweenMembers } from '../loyalty/member-transfers.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram, memberIdOf } from './support/program.js';

// Decisions that depend on what a member already has (one-time bonuses, caps, limits) and writes
// that lock several rows (two members, a member and a reward) under real concurrency.
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;

beforeAll(async () => {
  db = await createTestDatabase({ poolSize: 40 });
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'never' }, transferMaxPoints: 1_000, transferMaxPointsPerDay: 1_000_000 });
  await m.insert(EarningRule, [
    { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' }, caps: { perMemberPerDay: 300 } },
  ]);
  await m.insert(Bonus, [{ name: 'first order', moment: 'first_purchase', points: 100 }]);
  await m.insert(Reward, [{ code: 'lamp', name: 'Lamp', pointsPrice: 10, needsFulfilment: true, stock: 1_000 }]);
  forgetProgramConfiguration(db.dataSource);
  shop = await p.partner(10_000_000);
});
afterAll(() => db.drop());

const event = (externalId: string, extra: Partial<EventInput> = {}): EventInput => ({
  partnerId: shop.partner.id,
  member: { externalId },
  type: 'purchase',
  amountCents: 5_000,
  currency: 'EUR',
  occurredAt: new Date(),
  receivedAt: new Date(),
  ...extra,
});

/**
 * Runs `work` on a pool of its own and counts the deadlocks PostgreSQL detected meanwhile (retried
 * or not): the pool is closed first, so that its connections report their statistics.
 */
async function deadlocksDuring(work: (dataSource: DataSource, ledger: Ledger) => Promise<void>): Promise<number> {
  const count = async () =>
    Number((await db.dataSource.query('SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()'))[0].deadlocks);
  const before = await count();
  const dataSource = createDataSource({ url: db.url, poolSize: 40 });
  await dataSource.initialize();
  try {
    await work(dataSource, new Ledger(dataSource));
  } finally {
    await dataSource.destroy();
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  return (await count()) - before;
}

const bonusesOf = async (externalId: string) =>
  Number(
    (
      await db.dataSource.query(
        `SELECT COUNT(*) AS n FROM ledger_transfer t JOIN ledger_account a ON a.id = t."creditAccountId"
          JOIN member m ON m.id = a."memberId" WHERE m."externalId" = $1 AND t.kind = 'bonus'`,
        [externalId],
      )
    )[0].n,
  );

it('pays the first-purchase bonus once when 50 members each make two purchases at the same moment', async () => {
  const members = Array.from({ length: 50 }, (_, i) => `first-${i}`);
  // Known members (a review enrols them) whose first purchases arrive together.
  for (const externalId of members) {
    await inTransaction(db.dataSource, (manager) =>
      recordEvent(manager, p.ledger, event(externalId, { type: 'review', amountCents: undefined })),
    );
  }
  await Promise.all(
    members.flatMap((externalId) =>
      [1, 2].map(() => inTransaction(db.dataSource, (manager) => recordEvent(manager, p.ledger, event(externalId)))),
    ),
  );
  const counts = await Promise.all(members.map(bonusesOf));
  expect(counts).toEqual(members.map(() => 1));
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

it('keeps a cap of 300 points a day under 20 concurrent events', async () => {
  const results = await Promise.all(
    Array.from({ length: 20 }, () => inTransaction(db.dataSource, (manager) => recordEvent(manager, p.ledger, event('capped-cy')))),
  );
  expect(results.reduce((sum, r) => sum + r.points, 0)).toBe(300);
});

it('never deadlocks 200 pairs of opposite transfers between two members', async () => {
  for (const externalId of ['ann-a', 'bob-b']) {
    await inTransaction(db.dataSource, (manager) => recordEvent(manager, p.ledger, event(externalId, { amountCents: 30_000 })));
  }
  const deadlocks = await deadlocksDuring(async (dataSource, ledger) => {
    const transfer = (from: string, to: string) =>
      inTransaction(dataSource, async (manager) =>
        transferBetweenMembers(manager, ledger, {
          fromMemberId: await memberIdOf(manager, from),
          toMemberId: await memberIdOf(manager, to),
          points: 1,
          key: randomUUID(),
        }),
      );
    await Promise.all(Array.from({ length: 200 }, () => [transfer('ann-a', 'bob-b'), transfer('bob-b', 'ann-a')]).flat());
  });
  expect(deadlocks).toBe(0);
  expect((await p.available(await memberAccount('ann-a'))) + (await p.available(await memberAccount('bob-b')))).toBe(800);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

it('never deadlocks redemptions of a reward against cancellations of the same member', async () => {
  await inTransaction(db.dataSource, (manager) =>
    recordEvent(manager, p.ledger, event('dee-d', { type: 'review', amountCents: undefined })),
  );
  await p.ledger.transfer({
    source: 'test',
    key: 'fund-dee',
    legs: [{ debitAccountId: shop.wallet.id, creditAccountId: await memberAccount('dee-d'), amount: 5_000, kind: 'earn' }],
  });
  const redeem = (dataSource: DataSource, ledger: Ledger) =>
    inTransaction(dataSource, async (manager) =>
      redeemReward(manager, ledger, {
        memberId: await memberIdOf(manager, 'dee-d'),
        rewardCode: 'lamp',
        quantity: 1,
        partnerId: null,
        key: randomUUID(),
      }),
    );
  const earlier: Redemption[] = [];
  for (let i = 0; i < 100; i++) earlier.push(await redeem(db.dataSource, p.ledger));
  // A cancellation locks the redemption, then the member (void) and the reward (stock back); a redemption, the member and the reward.
  const deadlocks = await deadlocksDuring(async (dataSource, ledger) => {
    await Promise.all(
      earlier.flatMap((redemption) => [redeem(dataSource, ledger), settleRedemption(dataSource, ledger, redemption.id, 'test')]),
    );
  });
  expect(deadlocks).toBe(0);
  const [{ stock }] = await db.dataSource.query(`SELECT stock FROM reward WHERE code = 'lamp'`);
  expect(stock).toBe(1_000 - 100);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

const memberAccount = async (externalId: string) =>
  (
    await db.dataSource.query(`SELECT a.id FROM ledger_account a JOIN member m ON m.id = a."memberId" WHERE m."externalId" = $1`, [
      externalId,
    ])
  )[0].id as string;

it('pays an unknown member one welcome and one first-purchase bonus when two first purchases arrive together', async () => {
  await db.dataSource.manager.insert(Bonus, { name: 'welcome', moment: 'registration', points: 50 });
  forgetProgramConfiguration(db.dataSource);
  const newcomers = Array.from({ length: 30 }, (_, i) => `newcomer-${i}`);
  const results = await Promise.all(
    newcomers.flatMap((externalId) =>
      [1, 2].map(() => inTransaction(db.dataSource, (manager) => recordEvent(manager, p.ledger, event(externalId)))),
    ),
  );
  expect(results.reduce((sum, r) => sum + r.bonusPoints, 0)).toBe(newcomers.length * 150);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  await db.dataSource.query(`DELETE FROM bonus WHERE moment = 'registration'`);
  forgetProgramConfiguration(db.dataSource);
});

it('keeps answering a burst of writes larger than its pool when the cached configuration expires', async () => {
  // A pool of 10: each write holds a connection for its transaction and must not need a second one.
  const small = createDataSource({ url: db.url, poolSize: 10 });
  await small.initialize();
  try {
    const ledger = new Ledger(small);
    const write = (i: number) => inTransaction(small, (manager) => recordEvent(manager, ledger, event(`burst-${i}`, { amountCents: 100 })));
    for (let i = 0; i < 30; i++) await write(i);
    await new Promise((resolve) => setTimeout(resolve, configurationTtlMs + 200));
    const burst = Promise.all(Array.from({ length: 30 }, (_, i) => write(i))).then(() => 'answered');
    expect(await Promise.race([burst, new Promise((resolve) => setTimeout(() => resolve('hung'), 20_000))])).toBe('answered');
  } finally {
    await small.destroy();
  }
});

it('never deadlocks a back-office reversal of an earn against the refund of its purchase', async () => {
  const orders: RecordedEvent[] = [];
  for (let i = 0; i < 60; i++)
    orders.push(
      await inTransaction(db.dataSource, (manager) => recordEvent(manager, p.ledger, event(`reversed-${i}`, { amountCents: 10_000 }))),
    );
  const deadlocks = await deadlocksDuring(async (dataSource, ledger) => {
    await Promise.all(
      orders.flatMap((order) => [
        inTransaction(dataSource, (manager) =>
          refundEvent(manager, ledger, { partnerId: shop.partner.id, eventId: order.event.id, key: randomUUID() }),
        ),
        ledger
          .reverse({ source: 'back-office', key: `reverse:${order.event.id}`, transferId: order.event.earnTransferId!, amount: 1 })
          // The refund may have taken everything back first: then there is nothing left to reverse.
          .catch((error: unknown) => expect(error).toBeInstanceOf(NotReversibleError)),
      ]),
    );
  });
  expect(deadlocks).toBe(0);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});
