import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { Bonus, Booster, EarningRule, PointOfSale, ProgramSettings, Tier } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { checkLedger } from '../ledger/invariants.js';
import { recordEvent, type EventInput } from './record-event.js';
import { refundEvent } from './refund-event.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;
const at = new Date('2026-06-15T12:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 }, tierWindowDays: 365 });
  await m.insert(EarningRule, [
    { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' }, caps: { perMemberPerDay: 300 } },
    { name: 'reviews', formula: { kind: 'per_action', actionType: 'review', points: 25 } },
  ]);
  await m.insert(Booster, { name: 'double mugs', coefficient: 2, target: { category: 'kitchen' }, validTo: new Date('2026-01-01') });
  await m.insert(Tier, [{ code: 'silver', name: 'Silver', threshold: 500, multiplier: 1.5 }]);
  await m.insert(Bonus, [
    { name: 'welcome', moment: 'registration', points: 50 },
    { name: 'first order', moment: 'first_purchase', points: 100 },
    { name: 'silver reached', moment: 'tier_upgrade', points: 200, tierCode: 'silver' },
    { name: 'three reviews', moment: 'goal', points: 30, goal: { eventType: 'review', count: 3, withinDays: 30 } },
  ]);
});
afterAll(() => db.drop());
beforeEach(async () => {
  shop = await p.partner(100_000);
});

const record = (input: Partial<EventInput> & { externalId: string }) =>
  db.dataSource.transaction((manager) =>
    recordEvent(manager, p.ledger, {
      partnerId: shop.partner.id,
      member: { externalId: input.externalId, email: `${input.externalId}@example.test` },
      type: 'purchase',
      amountCents: 4_250,
      currency: 'EUR',
      occurredAt: at,
      ...input,
      receivedAt: input.occurredAt ?? at,
    }),
  );

it('enrols an unknown member with the welcome bonus and pays the first purchase, explained', async () => {
  const result = await record({ externalId: 'ev-ann' });
  expect(result).toMatchObject({ enrolledNow: true, points: 42, bonusPoints: 150, tier: null });
  expect(result.explanation.map((e) => `${e.rule}: ${e.points}`)).toEqual(['1 point per euro: 42', 'welcome: 50', 'first order: 100']);
  expect(await p.available(result.memberAccountId)).toBe(192);
  expect(result.expiresAt?.toISOString()).toBe('2027-06-16T00:00:00.000Z');

  const again = await record({ externalId: 'ev-ann', amountCents: 1_000 });
  expect(again).toMatchObject({ enrolledNow: false, points: 10, bonusPoints: 0 });
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

it('refuses an event the partner wallet cannot pay, writing nothing, not even the enrolment', async () => {
  const poor = await p.partner(20);
  const attempt = db.dataSource.transaction((manager) =>
    recordEvent(manager, p.ledger, {
      partnerId: poor.partner.id,
      member: { externalId: 'ev-poor' },
      type: 'purchase',
      amountCents: 4_250,
      occurredAt: at,
      receivedAt: at,
    }),
  );
  await expect(attempt).rejects.toMatchObject({ code: 'insufficient_funds', message: expect.stringMatching(/^your wallet has 20 points/) });
  expect(await db.dataSource.query(`SELECT 1 FROM member WHERE "externalId" = 'ev-poor'`)).toEqual([]);
  expect(await p.available(poor.wallet.id)).toBe(20);
});

it('caps a rule per member per day across events', async () => {
  await record({ externalId: 'ev-big', amountCents: 25_000 });
  const second = await record({ externalId: 'ev-big', amountCents: 25_000 });
  expect(second.points).toBe(50);
  expect(second.explanation.at(-1)?.reason).toBe('capped at 300 per day (250 already today)');
});

it('upgrades the tier at once with its bonus, and then multiplies earns', async () => {
  await record({ externalId: 'ev-cleo', amountCents: 20_000 });
  const upgrade = await record({ externalId: 'ev-cleo', amountCents: 20_000, occurredAt: new Date('2026-06-16T12:00:00Z') });
  expect(upgrade).toMatchObject({ upgradedTo: 'silver', tier: 'silver', bonusPoints: 200 });
  const multiplied = await record({ externalId: 'ev-cleo', amountCents: 2_000, occurredAt: new Date('2026-06-17T12:00:00Z') });
  expect(multiplied.points).toBe(30);
  expect(multiplied.explanation.at(-1)).toMatchObject({ rule: 'tier silver', points: 10 });
});

it('gives the goal bonus when the third review in 30 days comes in, once', async () => {
  const reviews = [];
  for (let i = 0; i < 4; i++) {
    reviews.push(
      await record({ externalId: 'ev-dora', type: 'review', amountCents: undefined, occurredAt: new Date(at.getTime() + i * 86_400_000) }),
    );
  }
  expect(reviews.map((r) => r.points + r.bonusPoints)).toEqual([75, 25, 55, 25]);
});

it('limits a rule to a point of sale and refuses one the partner does not have', async () => {
  const [pos] = await db.dataSource.manager.save(PointOfSale, [
    { partnerId: shop.partner.id, code: 'ams-1', name: 'Amsterdam', channel: 'store' as const },
  ]);
  const result = await record({ externalId: 'ev-eli', pointOfSaleCode: 'ams-1', channel: 'store' });
  expect(result.event.pointOfSaleId).toBe(pos!.id);
  await expect(record({ externalId: 'ev-eli', pointOfSaleCode: 'nowhere' })).rejects.toThrow(
    'pointOfSale: no point of sale "nowhere" is registered for this partner',
  );
});

it('takes back points in proportion to a partial refund, then the rest on a full one', async () => {
  const result = await record({
    externalId: 'ev-finn',
    amountCents: 4_250,
    lines: [
      { reference: 'SKU-MUG', category: 'kitchen', quantity: 2, unitPriceCents: 1_000 },
      { reference: 'SKU-BOOK', category: 'books', quantity: 1, unitPriceCents: 2_250 },
    ],
  });
  const refund = (lines?: { reference: string; quantity: number }[]) =>
    db.dataSource.transaction((m) =>
      refundEvent(m, p.ledger, { partnerId: shop.partner.id, eventId: result.event.id, lines, key: randomUUID() }),
    );
  expect(await p.available(result.memberAccountId)).toBe(192);
  expect(await refund([{ reference: 'SKU-MUG', quantity: 1 }])).toMatchObject({
    refundedCents: 1_000,
    pointsReversed: 9,
    remainingCents: 3_250,
  });
  await expect(refund([{ reference: 'SKU-MUG', quantity: 3 }])).rejects.toThrow(
    'lines[0].quantity: 1 of the 2 × SKU-MUG bought are left to refund',
  );
  await expect(refund([{ reference: 'SKU-HAT', quantity: 1 }])).rejects.toThrow('lines[0].reference: "SKU-HAT" is not in this purchase');
  expect(await refund()).toMatchObject({ refundedCents: 3_250, pointsReversed: 33, bonusPointsReversed: 100, remainingCents: 0 });
  expect(await p.available(result.memberAccountId)).toBe(50);
  await expect(refund()).rejects.toThrow('already refunded in full');
  const other = await p.partner(10);
  await expect(
    db.dataSource.transaction((m) =>
      refundEvent(m, p.ledger, { partnerId: other.partner.id, eventId: result.event.id, key: randomUUID() }),
    ),
  ).rejects.toThrow(`no event ${result.event.id} of this partner`);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

it('refuses an event dated in the future or longer ago than the program takes, naming occurredAt, and writes nothing', async () => {
  const dated = (occurredAt: Date) =>
    db.dataSource.transaction((manager) =>
      recordEvent(manager, p.ledger, {
        partnerId: shop.partner.id,
        member: { externalId: 'ev-time' },
        type: 'purchase',
        amountCents: 1_000,
        occurredAt,
        receivedAt: at,
      }),
    );
  const hour = 3_600_000;
  await expect(dated(new Date(at.getTime() + hour))).rejects.toMatchObject({ code: 'event_refused', field: 'occurredAt' });
  await expect(dated(new Date(at.getTime() - 31 * 24 * hour))).rejects.toThrow(
    'occurredAt: is more than 30 days ago: the program takes events from 2026-05-16T12:00:00.000Z on',
  );
  await expect(dated(new Date('0001-01-01T00:00:00Z'))).rejects.toMatchObject({ field: 'occurredAt' });
  expect(await db.dataSource.query(`SELECT 1 FROM member WHERE "externalId" = 'ev-time'`)).toEqual([]);
  expect((await dated(new Date(at.getTime() + 4 * 60_000))).points).toBe(10);
  expect((await dated(new Date(at.getTime() - 29 * 24 * hour))).points).toBe(10);
});

it('caps a backdated event by its own day only, not by the days after it', async () => {
  const today = await record({ externalId: 'ev-backdated', amountCents: 30_000 });
  expect(today.points).toBe(300);
  const dayBefore = new Date(at.getTime() - 86_400_000);
  const yesterday = await record({ externalId: 'ev-backdated', amountCents: 10_000, occurredAt: dayBefore });
  expect(yesterday.points).toBe(100);
});
