import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreditProgram, EarningRule, ExchangeRate, ProgramSettings } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { recordEvent, type EventInput } from '../earning/record-event.js';
import { refundEvent } from '../earning/refund-event.js';
import { balanceOf } from '../ledger/accounts.js';
import { InsufficientFundsError } from '../ledger/errors.js';
import { checkLedger } from '../ledger/invariants.js';
import { FakeRewardSupplier } from '../fulfilment/fake-supplier.js';
import { forgetProgramConfiguration } from '../earning/program-configuration.js';
import { releaseExpiredHold } from '../holds.js';
import { testSupplierOptions } from '../../test/support/temporal.js';
import { mergeMembers } from '../member-identity.js';
import { eraseMember } from '../member-erasure.js';
import { recordNames } from '../record-names.js';
import { creditBalancesOf } from './credit-balances.js';
import { creditPurseOf } from './credit-purse.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;
let otherShop: Awaited<ReturnType<typeof p.partner>>;
let plainShop: Awaited<ReturnType<typeof p.partner>>;
const at = new Date('2026-11-20T12:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, currency: 'EUR' });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  shop = await p.partner(100_000);
  otherShop = await p.partner(100_000);
  plainShop = await p.partner(100_000);
  await m.insert(CreditProgram, {
    name: 'Coalition cashback',
    currency: 'EUR',
    partnerIds: [shop.partner.id, otherShop.partner.id],
    cashbackPercent: 5,
  });
  await m.insert(ExchangeRate, [
    { fromCurrency: 'USD', toCurrency: 'EUR', rate: 0.8, validFrom: new Date('2026-10-01T00:00:00Z') },
    { fromCurrency: 'USD', toCurrency: 'EUR', rate: 0.9, validFrom: new Date('2026-11-01T00:00:00Z') },
    { fromCurrency: 'USD', toCurrency: 'EUR', rate: 1.5, validFrom: new Date('2026-12-01T00:00:00Z') },
  ]);
});
afterAll(() => db.drop());

const record = (input: Partial<EventInput> & { externalId: string }) =>
  db.dataSource.transaction((manager) =>
    recordEvent(manager, p.ledger, {
      partnerId: shop.partner.id,
      member: { externalId: input.externalId },
      type: 'purchase',
      amountCents: 4_000,
      currency: 'EUR',
      occurredAt: at,
      ...input,
      receivedAt: input.occurredAt ?? at,
    }),
  );
const creditOf = async (memberId: string) => {
  const purse = await creditPurseOf(db.dataSource.manager, memberId, shop.partner.id);
  return (await balanceOf(db.dataSource.manager, purse.memberAccountId)).available;
};
const expectLedgerTrue = async () => expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);

it('a purchase at a store of a credit program earns 5% cashback in cents, explained, funded by that partner', async () => {
  const result = await record({ externalId: 'sc-ann' });
  expect(result.points).toBe(40);
  expect(result.cashback).toMatchObject({ currency: 'EUR', amountMinor: 200, reason: '5% cashback on €40.00 = €2.00' });
  expect(await creditOf(result.memberId)).toBe(200);
  // The points balance is untouched by the credit: two units, two accounts.
  expect(await p.available(result.memberAccountId)).toBe(40);
  const [lot] = await db.dataSource.query(`SELECT points, "fundingPartnerId" FROM point_lot WHERE "creditTransferId" = $1`, [
    result.cashback!.transferId,
  ]);
  expect(lot).toEqual({ points: '200', fundingPartnerId: shop.partner.id });
  // Staff read the accounts as whose credit, in which program.
  const purse = await creditPurseOf(db.dataSource.manager, result.memberId, shop.partner.id);
  const names = await recordNames(db.dataSource.manager, 'LedgerAccount', [purse.memberAccountId, purse.redemptionAccountId]);
  expect([...names.values()].map((n) => n.name)).toEqual(['sc-ann (store credit, Coalition cashback)', 'Coalition cashback: credit spent']);

  // A store outside every credit program gives points only.
  const plain = await record({ externalId: 'sc-ann', partnerId: plainShop.partner.id });
  expect(plain.cashback).toBeNull();
  expect(await creditOf(result.memberId)).toBe(200);
  await expectLedgerTrue();
});

it('a member pays part of an order with their credit: held, then posted, through creditPurseOf', async () => {
  const { memberId } = await record({ externalId: 'sc-bob', amountCents: 10_000 });
  // The credit is spent at another store of the same program.
  const purse = await creditPurseOf(db.dataSource.manager, memberId, otherShop.partner.id);
  expect(purse).toMatchObject({ unit: 'EUR', valueMinorPerUnit: 1 });
  expect(await p.available(purse.memberAccountId)).toBe(500);

  const hold = await p.ledger.hold({
    source: `partner:${otherShop.partner.id}`,
    key: randomUUID(),
    until: new Date(Date.now() + 3_600_000),
    legs: [
      {
        debitAccountId: purse.memberAccountId,
        creditAccountId: purse.redemptionAccountId,
        amount: 350,
        kind: 'burn',
        references: { partner: otherShop.partner.id, payment: 'order-1' },
      },
    ],
  });
  expect(await p.available(purse.memberAccountId)).toBe(150);
  // What is held cannot be spent twice.
  await expect(
    p.ledger.hold({
      source: `partner:${otherShop.partner.id}`,
      key: randomUUID(),
      until: new Date(Date.now() + 3_600_000),
      legs: [{ debitAccountId: purse.memberAccountId, creditAccountId: purse.redemptionAccountId, amount: 151, kind: 'burn' }],
    }),
  ).rejects.toBeInstanceOf(InsufficientFundsError);
  await p.ledger.post({ source: `partner:${otherShop.partner.id}`, key: randomUUID(), pendingTransferId: hold.transfers[0]!.id });
  expect(await balanceOf(db.dataSource.manager, purse.memberAccountId)).toMatchObject({ posted: 150, held: 0, available: 150 });
  expect(await p.available(purse.redemptionAccountId)).toBeGreaterThanOrEqual(350);

  // A store in no credit program has no purse for them.
  await expect(creditPurseOf(db.dataSource.manager, memberId, plainShop.partner.id)).rejects.toMatchObject({
    code: 'credit_refused',
    field: 'tender',
  });
  await expectLedgerTrue();
});

it('a full refund takes all the cashback back', async () => {
  const bought = await record({ externalId: 'sc-cat', amountCents: 3_000 });
  expect(await creditOf(bought.memberId)).toBe(150);
  const done = await db.dataSource.transaction((manager) =>
    refundEvent(manager, p.ledger, { partnerId: shop.partner.id, eventId: bought.event.id, key: 'r-1' }),
  );
  expect(done.cashbackReversedMinor).toBe(150);
  expect(await creditOf(bought.memberId)).toBe(0);
  await expectLedgerTrue();
});

it('a line refund takes back its share of the cashback, the refund that completes the purchase the rest', async () => {
  const bought = await record({
    externalId: 'sc-dan',
    amountCents: 4_000,
    lines: [
      { reference: 'mug', quantity: 1, unitPriceCents: 1_000 },
      { reference: 'pot', quantity: 1, unitPriceCents: 3_000 },
    ],
  });
  expect(await creditOf(bought.memberId)).toBe(200);
  const partial = await db.dataSource.transaction((manager) =>
    refundEvent(manager, p.ledger, {
      partnerId: shop.partner.id,
      eventId: bought.event.id,
      key: 'r-mug',
      lines: [{ reference: 'mug', quantity: 1 }],
    }),
  );
  expect(partial.cashbackReversedMinor).toBe(50);
  expect(await creditOf(bought.memberId)).toBe(150);
  const rest = await db.dataSource.transaction((manager) =>
    refundEvent(manager, p.ledger, { partnerId: shop.partner.id, eventId: bought.event.id, key: 'r-rest' }),
  );
  expect(rest.cashbackReversedMinor).toBe(150);
  expect(await creditOf(bought.memberId)).toBe(0);
  await expectLedgerTrue();
});

it('an event in USD earns points and cashback at the rate valid when it happened, the rate in the explanation', async () => {
  const result = await record({ externalId: 'sc-eve', amountCents: 5_000, currency: 'USD' });
  // $50.00 at 0.9 (the rate of 1 Nov, not October's nor December's) = €45.00: 45 points, €2.25 cashback.
  expect(result.points).toBe(45);
  expect(result.explanation[0]).toEqual({
    rule: 'exchange rate',
    points: 0,
    reason: '$50.00 at 0.9 EUR per USD (rate of 2026-11-01) = €45.00',
  });
  expect(result.cashback).toMatchObject({ amountMinor: 225 });
  expect(result.cashback!.reason).toContain('(rate of 2026-11-01)');
  // The event keeps what the store sent.
  expect(result.event).toMatchObject({ amountCents: 5_000, currency: 'USD' });
});

it('an event in a currency without a rate is refused, naming currency, and nothing is written', async () => {
  const transfers = await p.transferCount();
  const attempt = record({ externalId: 'sc-fay', amountCents: 5_000, currency: 'GBP' });
  await expect(attempt).rejects.toMatchObject({ code: 'exchange_rate_missing', kind: 'unprocessable', field: 'currency' });
  // Nor before the first USD rate: never a silent 1:1.
  await expect(record({ externalId: 'sc-fay', currency: 'USD', occurredAt: new Date('2026-09-30T00:00:00Z') })).rejects.toMatchObject({
    code: 'exchange_rate_missing',
    field: 'currency',
  });
  expect(await p.transferCount()).toBe(transfers);
  expect(await db.dataSource.query(`SELECT 1 FROM member WHERE "externalId" = 'sc-fay'`)).toEqual([]);
});

it('merging a member moves their store credit to whom they became, keeping its funder', async () => {
  const from = await record({ externalId: 'sc-gus', amountCents: 2_000 });
  const into = await record({ externalId: 'sc-hal', amountCents: 1_000 });
  await db.dataSource.transaction((manager) =>
    mergeMembers(manager, p.ledger, { fromMemberId: from.memberId, intoMemberId: into.memberId, cause: 'care', requestedBy: 'care@test' }),
  );
  expect(await creditOf(into.memberId)).toBe(100 + 50);
  const [funders] = await db.dataSource.query(
    `SELECT array_agg(DISTINCT l."fundingPartnerId") AS funders FROM point_lot l JOIN ledger_account a ON a.id = l."memberAccountId"
      WHERE a."memberId" = $1 AND a."creditProgramId" IS NOT NULL AND l.remaining > 0`,
    [into.memberId],
  );
  expect(funders.funders).toEqual([shop.partner.id]);
  await expectLedgerTrue();
});

it('concurrent purchases of one member each pay their cashback once, exactly', async () => {
  const purchases = Array.from({ length: 12 }, (_, i) => record({ externalId: 'sc-ivy', amountCents: 1_000 + i * 100 }));
  const results = await Promise.all(purchases);
  const expected = results.reduce((sum, r) => sum + r.cashback!.amountMinor, 0);
  expect(expected).toBe(Array.from({ length: 12 }, (_, i) => Math.floor((1_000 + i * 100) * 0.05)).reduce((a, b) => a + b, 0));
  expect(await creditOf(results[0]!.memberId)).toBe(expected);
  await expectLedgerTrue();
});

it('erasing a member with store credit pseudonymises their credit account too, and the ledger stays whole', async () => {
  const bought = await record({ externalId: 'sc-jan', amountCents: 2_000 });
  await db.dataSource.transaction((manager) =>
    eraseMember(manager, p.ledger, { memberId: bought.memberId, requestedBy: 'care@test', reason: 'Letter of 2 May' }),
  );
  const codes: { code: string }[] = await db.dataSource.query(`SELECT code FROM ledger_account WHERE "memberId" = $1 ORDER BY code`, [
    bought.memberId,
  ]);
  expect(codes).toHaveLength(2);
  expect(codes.map((c) => c.code).join(' ')).not.toContain('sc-jan');
  await expectLedgerTrue();
});

it('keeps cashback pending with the return window: not spendable, cancelled by a refund inside it, confirmed (never expiring) after it', async () => {
  const m = db.dataSource.manager;
  await m.update(ProgramSettings, { id: 1 }, { pendingDays: 14 });
  forgetProgramConfiguration(db.dataSource);
  try {
    const supplier = new FakeRewardSupplier(testSupplierOptions);
    const returned = await record({ externalId: 'window-ann' });
    expect(returned.cashback).toMatchObject({ amountMinor: 200 });
    const purse = await creditPurseOf(m, returned.memberId, shop.partner.id);
    // Buy, earn, spend, return: the credit cannot be spent before the window ends.
    expect(await balanceOf(m, purse.memberAccountId)).toMatchObject({ available: 0, incoming: 200 });
    // The member and the partner see it as pending, in money.
    expect(await creditBalancesOf(m, returned.memberId)).toEqual([
      expect.objectContaining({ availableMinor: 0, pendingMinor: 200, pending: '€2.00' }),
    ]);
    const refund = await db.dataSource.transaction((manager) =>
      refundEvent(manager, p.ledger, { partnerId: shop.partner.id, eventId: returned.event.id, key: randomUUID() }),
    );
    expect(refund.cashbackReversedMinor).toBe(200);
    expect(await balanceOf(m, purse.memberAccountId)).toMatchObject({ posted: 0, available: 0, incoming: 0 });

    const kept = await record({ externalId: 'window-bob' });
    const bobPurse = await creditPurseOf(m, kept.memberId, shop.partner.id);
    const [hold] = await m.query(`SELECT id, "heldUntil" FROM ledger_transfer WHERE "creditAccountId" = $1 AND phase = 'pending'`, [
      bobPurse.memberAccountId,
    ]);
    expect(await releaseExpiredHold(db.dataSource, p.ledger, supplier, hold.id, new Date(hold.heldUntil))).toBe('posted');
    expect(await balanceOf(m, bobPurse.memberAccountId)).toMatchObject({ available: 200, incoming: 0 });
    const lots = await m.query(`SELECT "expiresAt" FROM point_lot WHERE "memberAccountId" = $1`, [bobPurse.memberAccountId]);
    expect(lots).toEqual([{ expiresAt: null }]);
    // Returned after the window, the confirmed cashback is taken back from its lot.
    const late = await db.dataSource.transaction((manager) =>
      refundEvent(manager, p.ledger, { partnerId: shop.partner.id, eventId: kept.event.id, key: randomUUID() }),
    );
    expect(late.cashbackReversedMinor).toBe(200);
    expect(await balanceOf(m, bobPurse.memberAccountId)).toMatchObject({ posted: 0, incoming: 0 });
    await expectLedgerTrue();
  } finally {
    await m.update(ProgramSettings, { id: 1 }, { pendingDays: 0 });
    forgetProgramConfiguration(db.dataSource);
  }
});

it('refuses to merge a member whose cashback is pending in a return window, in those words, and leaves it theirs', async () => {
  const m = db.dataSource.manager;
  await m.update(ProgramSettings, { id: 1 }, { pendingDays: 14 });
  forgetProgramConfiguration(db.dataSource);
  try {
    // 90 cents earn no point (1 a euro, rounded down) but 4 cents of cashback, pending.
    const from = await record({ externalId: 'window-kim', amountCents: 90 });
    expect(from.points).toBe(0);
    const into = await record({ externalId: 'window-lou', amountCents: 1_000, occurredAt: new Date(at.getTime() - 30 * 86_400_000) });
    await expect(
      db.dataSource.transaction((manager) =>
        mergeMembers(manager, p.ledger, {
          fromMemberId: from.memberId,
          intoMemberId: into.memberId,
          cause: 'care',
          requestedBy: 'care@test',
        }),
      ),
    ).rejects.toMatchObject({ code: 'merge_refused', message: expect.stringMatching(/pending in a purchase's return window/) });
    const purse = await creditPurseOf(m, from.memberId, shop.partner.id);
    expect(await balanceOf(m, purse.memberAccountId)).toMatchObject({ incoming: 4 });
    await expectLedgerTrue();
  } finally {
    await m.update(ProgramSettings, { id: 1 }, { pendingDays: 0 });
    forgetProgramConfiguration(db.dataSource);
  }
});
