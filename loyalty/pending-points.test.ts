import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { Bonus, Campaign, EarningRule, ProgramSettings, Reward, Tier, WebhookDelivery, WebhookEndpoint } from '../entities/index.js';
import { pointsEarned } from './webhook-events.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram, memberIdOf } from '../test/support/program.js';
import { forgetProgramConfiguration } from './earning/program-configuration.js';
import { recordEvent, type EventInput } from './earning/record-event.js';
import { refundEvent } from './earning/refund-event.js';
import { qualifyingPoints } from './earning/member-standing.js';
import { releaseExpiredHold } from './holds.js';
import { balanceOf } from './ledger/accounts.js';
import { checkLedger } from './ledger/invariants.js';
import { inTransaction } from './ledger/transaction.js';
import { mergeMembers } from './member-identity.js';
import { memberHistory } from './member-history.js';
import { transferBetweenMembers } from './member-transfers.js';
import { pendingPointsInWords, pendingPointsOf, pendingWindowDays } from './pending-points.js';
import { redeemReward } from './redemptions.js';
import { FakeRewardSupplier } from './fulfilment/fake-supplier.js';
import { testSupplierOptions } from '../test/support/temporal.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;
const supplier = new FakeRewardSupplier(testSupplierOptions);
const dayMs = 86_400_000;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, {
    id: 1,
    expiryPolicy: { mode: 'period', months: 12 },
    pendingDays: 14,
    refundShortfall: 'debt',
    eventBackdateDays: 30,
  });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await m.insert(Bonus, { name: 'first order', moment: 'first_purchase', points: 100 });
  await m.insert(Reward, { code: 'anything', name: 'Anything', pointsPrice: 1 });
  await m.insert(Tier, { code: 'silver', name: 'Silver', threshold: 100, multiplier: 1 });
  forgetProgramConfiguration(db.dataSource);
});
afterAll(() => db.drop());
beforeEach(async () => {
  shop = await p.partner(10_000);
});

const purchase = (externalId: string, amountCents = 4_200, occurredAt = new Date()): EventInput => ({
  partnerId: shop.partner.id,
  member: { externalId },
  type: 'purchase',
  amountCents,
  currency: 'EUR',
  lines: [],
  occurredAt,
  receivedAt: new Date(),
});
const record = (input: EventInput) => inTransaction(db.dataSource, (m) => recordEvent(m, p.ledger, input));
const refund = (eventId: string, key = randomUUID()) =>
  inTransaction(db.dataSource, (m) => refundEvent(m, p.ledger, { partnerId: shop.partner.id, eventId, key }));
const balance = (accountId: string) => balanceOf(db.dataSource.manager, accountId);
const release = (transferId: string, asOf: Date) => releaseExpiredHold(db.dataSource, p.ledger, supplier, transferId, asOf);
const pendingOf = async (eventAccount: string) =>
  (await db.dataSource.query(
    `SELECT id, amount, "heldUntil" FROM ledger_transfer WHERE "creditAccountId" = $1 AND phase = 'pending' ORDER BY seq`,
    [eventAccount],
  )) as { id: string; amount: string; heldUntil: Date }[];
const ledgerTrue = async () => expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
const redeem = (externalId: string, quantity: number) =>
  inTransaction(db.dataSource, async (m) =>
    redeemReward(m, p.ledger, {
      memberId: await memberIdOf(m, externalId),
      rewardCode: 'anything',
      quantity,
      partnerId: null,
      key: randomUUID(),
    }),
  );

it('holds a purchase’s points as pending for 14 days: shown, not spendable, and the wallet pays at once', async () => {
  const order = await record(purchase('pp-ann'));
  expect(order).toMatchObject({ points: 42, bonusPoints: 100, pendingPoints: 142 });
  expect(order.availableFrom!.getTime()).toBe(order.event.occurredAt.getTime() + 14 * dayMs);
  expect(await balance(order.memberAccountId)).toMatchObject({ posted: 0, available: 0, incoming: 142 });
  // The partner cannot sell the same points twice: they left its wallet's available balance.
  expect(await p.available(shop.wallet.id)).toBe(10_000 - 142);
  expect(await pendingPointsOf(db.dataSource.manager, order.memberAccountId)).toEqual([
    { points: 142, availableFrom: order.availableFrom },
  ]);

  await expect(redeem('pp-ann', 1)).rejects.toThrow(/0 available/);
  const other = await p.member('pp-ann-friend');
  await expect(
    inTransaction(db.dataSource, async (m) =>
      transferBetweenMembers(m, p.ledger, {
        fromMemberId: await memberIdOf(m, 'pp-ann'),
        toMemberId: other.member.id,
        points: 10,
        key: randomUUID(),
      }),
    ),
  ).rejects.toThrow(/available/);
  expect(await balance(order.memberAccountId)).toMatchObject({ available: 0, incoming: 142 });
  await ledgerTrue();
});

it('confirms the points at the end of the window, not before: spendable, in a lot the partner funded, expiring a policy period after confirmation', async () => {
  const order = await record(purchase('pp-bob'));
  const holds = await pendingOf(order.memberAccountId);
  expect(holds).toHaveLength(2);
  for (const hold of holds) expect(await release(hold.id, new Date(order.availableFrom!.getTime() - 1))).toBe('not_due');
  expect(await balance(order.memberAccountId)).toMatchObject({ available: 0, incoming: 142 });

  for (const hold of holds) expect(await release(hold.id, order.availableFrom!)).toBe('posted');
  // Confirmed once: the timer firing again (a retry, the daily sweep) changes nothing.
  for (const hold of holds) expect(await release(hold.id, order.availableFrom!)).toBe('already_settled');
  expect(await balance(order.memberAccountId)).toMatchObject({ posted: 142, available: 142, incoming: 0 });
  expect(await p.posted(shop.wallet.id)).toBe(10_000 - 142);
  const lots: { points: string; fundingPartnerId: string; expiresAt: Date }[] = await db.dataSource.query(
    `SELECT points, "fundingPartnerId", "expiresAt" FROM point_lot WHERE "memberAccountId" = $1`,
    [order.memberAccountId],
  );
  expect(lots.map((l) => Number(l.points)).sort()).toEqual([100, 42]);
  const confirmed = order.availableFrom!;
  // A year after confirmation, at the end of that day; 29 February confirmed expires on 28 February.
  const [year, monthIndex] = [confirmed.getUTCFullYear() + 1, confirmed.getUTCMonth()];
  const day = Math.min(confirmed.getUTCDate(), new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate());
  const expected = new Date(Date.UTC(year, monthIndex, day) + dayMs);
  for (const lot of lots) {
    expect(lot.fundingPartnerId).toBe(shop.partner.id);
    expect(new Date(lot.expiresAt)).toEqual(expected);
  }
  const history = await memberHistory(db.dataSource.manager, await memberIdOf(db.dataSource.manager, 'pp-bob'), { limit: 10 });
  expect(history.entries.map((e) => [e.status, e.points]).sort()).toEqual([
    ['confirmed', 100],
    ['confirmed', 42],
  ]);
  expect((await redeem('pp-bob', 142)).points).toBe(142);
  await ledgerTrue();
});

it('cancels the pending points of a purchase refunded on day 3: nothing clawed back, the wallet gets them back', async () => {
  const order = await record(purchase('pp-cid', 4_200, new Date(Date.now() - 3 * dayMs)));
  const refunded = await refund(order.event.id);
  expect(refunded).toMatchObject({ pointsReversed: 0, bonusPointsReversed: 0, pointsOwed: 0, pendingPointsCancelled: 142 });
  expect(await balance(order.memberAccountId)).toMatchObject({ posted: 0, available: 0, incoming: 0 });
  expect(await p.available(shop.wallet.id)).toBe(10_000);
  expect(await pendingPointsOf(db.dataSource.manager, order.memberAccountId)).toEqual([]);
  // The timer that fires later finds nothing to confirm.
  for (const hold of await pendingOf(order.memberAccountId)) expect(await release(hold.id, order.availableFrom!)).toBe('already_settled');
  expect(await balance(order.memberAccountId)).toMatchObject({ available: 0, incoming: 0 });
  const debts = await db.dataSource.query(`SELECT 1 FROM points_debt WHERE "memberAccountId" = $1`, [order.memberAccountId]);
  expect(debts).toEqual([]);
  await ledgerTrue();
});

it('makes buy, earn, spend, return impossible: the points cannot be spent before the return window closes', async () => {
  const order = await record(purchase('pp-dan', 50_000));
  expect(order.pendingPoints).toBe(600);
  await expect(redeem('pp-dan', 600)).rejects.toThrow(/0 available/);
  const refunded = await refund(order.event.id);
  expect(refunded).toMatchObject({ pointsOwed: 0, pendingPointsCancelled: 600 });
  expect(await balance(order.memberAccountId)).toMatchObject({ posted: 0, available: 0, incoming: 0 });
  expect(await p.available(shop.wallet.id)).toBe(10_000);
  await ledgerTrue();
});

it('on a partial refund inside the window, cancels its share and keeps the rest pending until the same date', async () => {
  const order = await record({
    ...purchase('pp-eve', 4_000),
    lines: [
      { reference: 'A', quantity: 1, unitPriceCents: 3_000 },
      { reference: 'B', quantity: 1, unitPriceCents: 1_000 },
    ],
  });
  const first = await inTransaction(db.dataSource, (m) =>
    refundEvent(m, p.ledger, {
      partnerId: shop.partner.id,
      eventId: order.event.id,
      lines: [{ reference: 'A', quantity: 1 }],
      key: randomUUID(),
    }),
  );
  expect(first).toMatchObject({ pendingPointsCancelled: 30, pointsReversed: 0 });
  expect(await balance(order.memberAccountId)).toMatchObject({ available: 0, incoming: 110 });
  expect(await pendingPointsOf(db.dataSource.manager, order.memberAccountId)).toEqual([
    { points: 110, availableFrom: order.availableFrom },
  ]);
  expect(await p.available(shop.wallet.id)).toBe(10_000 - 110);

  const live = (await pendingOf(order.memberAccountId)).filter((h) => h.id !== order.event.earnTransferId);
  for (const hold of live) await release(hold.id, order.availableFrom!);
  expect(await balance(order.memberAccountId)).toMatchObject({ available: 110, incoming: 0 });
  // After the window the usual path applies: the confirmed points are taken back.
  const rest = await refund(order.event.id);
  expect(rest).toMatchObject({ pointsReversed: 10, bonusPointsReversed: 100, pendingPointsCancelled: 0 });
  expect(await balance(order.memberAccountId)).toMatchObject({ posted: 0, available: 0, incoming: 0 });
  expect(await p.available(shop.wallet.id)).toBe(10_000);
  await ledgerTrue();
});

it('lets exactly one of a confirmation and a refund racing win: nothing lost, nothing doubled', async () => {
  for (let round = 0; round < 6; round++) {
    const order = await record(purchase(`pp-race-${round}`, 4_200, new Date(Date.now() - 14 * dayMs + 1_000)));
    const holds = await pendingOf(order.memberAccountId);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const outcomes = await Promise.allSettled([refund(order.event.id), ...holds.map((h) => release(h.id, new Date()))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const resolutions: { phase: string }[] = await db.dataSource.query(
      `SELECT phase FROM ledger_transfer WHERE "pendingTransferId" = ANY($1::uuid[])`,
      [holds.map((h) => h.id)],
    );
    expect(resolutions).toHaveLength(2);
    expect(await balance(order.memberAccountId)).toMatchObject({ posted: 0, available: 0, incoming: 0 });
  }
  expect(await p.available(shop.wallet.id)).toBe(10_000);
  await ledgerTrue();
});

it('counts pending points for tiers only once they are confirmed', async () => {
  const order = await record(purchase('pp-fay', 20_000));
  expect(order).toMatchObject({ pendingPoints: 300, upgradedTo: null, tier: null });
  const since = new Date(Date.now() - 365 * dayMs);
  expect(await qualifyingPoints(db.dataSource.manager, order.memberAccountId, since)).toBe(0);
  for (const hold of await pendingOf(order.memberAccountId)) await release(hold.id, order.availableFrom!);
  expect(await qualifyingPoints(db.dataSource.manager, order.memberAccountId, since)).toBe(300);
  const next = await record(purchase('pp-fay', 100));
  expect(next.tier).toBe('silver');
});

it('credits at once a purchase older than its window (a backdated event)', async () => {
  const order = await record(purchase('pp-gus', 4_200, new Date(Date.now() - 20 * dayMs)));
  expect(order).toMatchObject({ pendingPoints: 0, availableFrom: null });
  expect(await balance(order.memberAccountId)).toMatchObject({ available: 142, incoming: 0 });
});

it('takes the longest window of the campaigns that gave points, a campaign without its own the program’s', () => {
  const campaigns = [
    { mechanismId: 'rule-a', pendingDays: 30 },
    { mechanismId: 'rule-b', pendingDays: 0 },
    { mechanismId: 'rule-c', pendingDays: null },
  ] as Pick<Campaign, 'mechanismId' | 'pendingDays'>[];
  expect(pendingWindowDays(14, campaigns, ['rule-b'])).toBe(0);
  expect(pendingWindowDays(14, campaigns, ['rule-b', 'rule-a'])).toBe(30);
  expect(pendingWindowDays(14, campaigns, ['rule-b', 'rule-c'])).toBe(14);
  expect(pendingWindowDays(14, campaigns, ['plain-rule'])).toBe(14);
  expect(pendingWindowDays(0, campaigns, [])).toBe(0);
});

it('says pending points in words for care, each part with the day it becomes spendable', () => {
  expect(pendingPointsInWords([])).toBe('No points pending');
  expect(
    pendingPointsInWords([
      { points: 42, availableFrom: new Date('2026-12-11T09:30:00Z') },
      { points: 1_200, availableFrom: new Date('2026-12-13T18:00:00Z') },
    ]),
  ).toBe(
    '42 points pending, available from 2026-12-11 09:30 UTC unless a refund cancels them\n1,200 points pending, available from 2026-12-13 18:00 UTC unless a refund cancels them',
  );
});

it('refuses to merge a member whose points are still pending, saying so; the points stay theirs', async () => {
  const order = await record(purchase('pp-hal'));
  const other = await p.member('pp-hal-other');
  await expect(
    inTransaction(db.dataSource, async (m) =>
      mergeMembers(m, p.ledger, {
        fromMemberId: await memberIdOf(m, 'pp-hal'),
        intoMemberId: other.member.id,
        cause: 'verified_contact',
        requestedBy: 'test',
      }),
    ),
  ).rejects.toThrow("142 points are pending in a purchase's return window: merge once they are confirmed or cancelled");
  expect(await balance(order.memberAccountId)).toMatchObject({ incoming: 142 });
});

it('never lets a wallet promise more pending points than it has, however many purchases come at once', async () => {
  const small = await p.partner(1_000);
  const results = await Promise.allSettled(
    Array.from({ length: 30 }, (_, i) => record({ ...purchase(`pp-rush-${i}`, 5_000), partnerId: small.partner.id })),
  );
  const earned = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof record>>> => r.status === 'fulfilled');
  const refused = results.filter((r) => r.status === 'rejected');
  // 50 points and a first-order bonus of 100 each: 6 purchases fit in 1,000 points, the others are refused.
  expect(earned).toHaveLength(6);
  for (const r of refused) expect(String((r as PromiseRejectedResult).reason)).toMatch(/buy a point package/);
  expect(earned.reduce((sum, r) => sum + r.value.pendingPoints, 0)).toBe(900);
  expect(await balance(small.wallet.id)).toMatchObject({ posted: 1_000, held: 900, available: 100 });
  await ledgerTrue();
});

it("tells the partner's webhook when the points it earned become spendable", async () => {
  await db.dataSource.manager.insert(WebhookEndpoint, {
    partnerId: shop.partner.id,
    url: 'https://hooks.example.test/tessera',
    events: ['points.earned'],
    secret: 'whsec_pending',
  });
  const order = await record(purchase('pp-ivy'));
  const [delivery] = await db.dataSource.manager.findBy(WebhookDelivery, { event: 'points.earned' });
  const { data } = delivery!.payload as { data: unknown };
  expect(data).toEqual({
    eventId: order.event.id,
    member: 'pp-ivy',
    points: 142,
    explanation: order.explanation,
    availableFrom: order.availableFrom!.toISOString(),
  });
  expect(pointsEarned.safeParse(data).success).toBe(true);
});
