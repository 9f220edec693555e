import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreditProgram, EarningRule, ProgramSettings } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { expiryForecast } from '../../reports/expiry-forecast.js';
import { liabilityByFunder } from '../../reports/liability.js';
import { liabilityCsv } from '../../reports/liability-csv.js';
import { programStats } from '../../reports/program-stats.js';
import { recordEvent } from '../earning/record-event.js';
import { movementStatement } from '../liability/movement-statement.js';
import { outstandingCredit } from '../liability/outstanding-credit.js';
import { outstandingLiability } from '../liability/outstanding-liability.js';
import { recordNames } from '../record-names.js';
import { settlementFlows } from '../settlement/settlement-flows.js';
import { creditPurseOf } from './credit-purse.js';

// Store credit counts cents, not points: a cent of cashback is no point issued, owed or settled.
let db: TestDatabase;
let shopId: string;
let otherShopId: string;
const from = new Date(Date.now() - 60_000);

beforeAll(async () => {
  db = await createTestDatabase();
  const p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, currency: 'EUR', pointValueMinor: 1 });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  const shop = await p.partner(100_000);
  const otherShop = await p.partner(100_000);
  shopId = shop.partner.id;
  otherShopId = otherShop.partner.id;
  await m.insert(CreditProgram, { name: 'Cashback club', currency: 'EUR', partnerIds: [shopId, otherShopId], cashbackPercent: 5 });

  // €40 at the shop: 40 points and €2.00 (200 cents) of cashback; €1.50 of that credit spent at the other shop.
  const { memberId } = await db.dataSource.transaction((manager) =>
    recordEvent(manager, p.ledger, {
      partnerId: shopId,
      member: { externalId: 'credit-figures-ann' },
      type: 'purchase',
      amountCents: 4_000,
      currency: 'EUR',
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );
  const purse = await creditPurseOf(m, memberId, otherShopId);
  const hold = await p.ledger.hold({
    source: `payment:${otherShopId}`,
    key: randomUUID(),
    until: new Date(Date.now() + 3_600_000),
    legs: [
      {
        debitAccountId: purse.memberAccountId,
        creditAccountId: purse.redemptionAccountId,
        amount: 150,
        kind: 'burn',
        references: { partner: otherShopId, payment: 'order-credit' },
      },
    ],
  });
  await p.ledger.post({ source: `payment:${otherShopId}`, key: randomUUID(), pendingTransferId: hold.transfers[0]!.id });
});
afterAll(() => db.drop());

const to = () => new Date(Date.now() + 60_000);

it('settlement counts the points issued, and no cashback as points issued or credit spent as points redeemed', async () => {
  const flows = await settlementFlows(db.dataSource.manager, { period: 'now', start: from, end: to() });
  expect(flows.map((f) => [f.kind, f.funder, f.points])).toEqual([['issued', shopId, 40]]);
});

it('the liability and its movement statement count the 40 points members hold, not the 50 cents of credit', async () => {
  const liability = await outstandingLiability(db.dataSource.manager);
  expect(liability.points).toBe(40);
  expect(liability.funders.map((f) => [f.funderId, f.points])).toEqual([[shopId, 40]]);
  const movements = await movementStatement(db.dataSource.manager, from, to());
  expect(movements.lines.map((l) => [l.label, l.points])).toEqual([['Issued: earned', 40]]);
  expect(movements.closing.points).toBe(40);
  expect((await liabilityByFunder(db.dataSource.manager)).points).toBe(40);
});

it("the dashboards' outstanding, burned and never-expiring points leave credit out", async () => {
  const stats = await programStats(db.dataSource.manager, { partnerId: shopId });
  expect(stats.outstanding).toBe(40);
  expect(stats.burned.reduce((a, b) => a + b, 0)).toBe(0);
  expect((await programStats(db.dataSource.manager)).outstanding).toBe(40);
  const forecast = await expiryForecast(db.dataSource.manager, { partnerId: shopId });
  // The 40 points expire (past the forecast's year); only the credit, which never does, could count as never expiring.
  expect(forecast.neverExpire).toBe(0);
});

it('the liability shows the credit members hold apart, in money, by program and funder, and in its CSV', async () => {
  const credit = await outstandingCredit(db.dataSource.manager);
  expect(credit.map((c) => [c.program, c.currency, c.funderId, c.minor])).toEqual([['Cashback club', 'EUR', shopId, 50]]);
  const manager = db.dataSource.manager;
  const csv = liabilityCsv(await movementStatement(manager, from, to()), await outstandingLiability(manager), credit, 2);
  expect(csv).toMatch(/outstanding credit,Cashback club: €0\.50 of store credit funded by Shop [^,]+,,,0\.50/);
});

it('the back office names a cashback transfer and its lot in money, not points', async () => {
  const manager = db.dataSource.manager;
  const [cashback]: { id: string; lot: string }[] = await manager.query(
    `SELECT t.id, l.id AS lot FROM ledger_transfer t JOIN point_lot l ON l."creditTransferId" = t.id WHERE t.kind = 'cashback'`,
  );
  const transfer = (await recordNames(manager, 'LedgerTransfer', [cashback!.id])).get(cashback!.id)!.name;
  expect(transfer).toMatch(/^#\d+: cashback, €2\.00$/);
  const lot = (await recordNames(manager, 'PointLot', [cashback!.lot])).get(cashback!.lot)!.name;
  expect(lot).toMatch(/^lot of €2\.00 store credit from \d{4}-\d\d-\d\d funded by Shop /);
});
