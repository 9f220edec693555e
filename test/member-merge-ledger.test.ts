import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, ProgramSettings, Reward, operatorParty } from '../entities/index.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent, type EventInput } from '../loyalty/earning/record-event.js';
import { refundEvent } from '../loyalty/earning/refund-event.js';
import { expireDueLots } from '../loyalty/expiry.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { mergeMembers } from '../loyalty/member-identity.js';
import { authorizePayment, capturePayment, refundPayment } from '../loyalty/payments/payments.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { settlementFlows } from '../loyalty/settlement/settlement-flows.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/** Review findings on issue 14: points a refund, a care reversal or a checkout refund moves after members were merged. */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;
let cafe: Awaited<ReturnType<typeof p.partner>>;
const now = new Date();
/** Past every expiry the tests give (at most a year after `now`). */
const nextYearsRun = new Date(now.getTime() + 400 * 86_400_000);

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, refundShortfall: 'debt', expiryPolicy: { mode: 'never' } });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  await db.dataSource.manager.insert(Reward, { code: 'sixty', name: 'Sixty points', pointsPrice: 60 });
  shop = await p.partner(100_000);
  cafe = await p.partner(100_000);
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

const ds = () => db.dataSource;
/** Points earned from now on expire after `months`, or never. */
async function expiring(months: number | null) {
  await ds().manager.update(ProgramSettings, { id: 1 }, { expiryPolicy: months === null ? { mode: 'never' } : { mode: 'period', months } });
  forgetProgramConfiguration(ds());
}
const purchase = (at: typeof shop, externalId: string, euros: number): EventInput => ({
  partnerId: at.partner.id,
  member: { externalId },
  type: 'purchase',
  amountCents: euros * 100,
  currency: 'EUR',
  lines: [],
  occurredAt: now,
  receivedAt: now,
});
const record = (input: EventInput) => inTransaction(ds(), (m) => recordEvent(m, p.ledger, input));
const refund = (at: typeof shop, eventId: string) =>
  inTransaction(ds(), (m) => refundEvent(m, p.ledger, { partnerId: at.partner.id, eventId, key: randomUUID() }));
const merge = (fromMemberId: string, intoMemberId: string) =>
  inTransaction(ds(), (m) => mergeMembers(m, p.ledger, { fromMemberId, intoMemberId, cause: 'care', requestedBy: 'care@test' }));
/** What the settlement of the days around `now` counts for a funder so far, by kind (and where its points were redeemed). */
async function settled(funder: typeof shop): Promise<Record<string, number>> {
  const day = 86_400_000;
  const flows = await settlementFlows(ds().manager, {
    period: 'test',
    start: new Date(now.getTime() - day),
    end: new Date(now.getTime() + day),
  });
  const figures: Record<string, number> = {};
  for (const flow of flows.filter((f) => f.funder === funder.partner.id)) {
    const key = flow.kind === 'redeemed' ? `redeemed at ${flow.at}` : flow.kind;
    figures[key] = (figures[key] ?? 0) + flow.points;
  }
  return figures;
}
const ledgerTrue = async () => expect((await checkLedger(ds().manager)).violations).toEqual([]);
/** The points left in an account's lots, by the partner who paid for them. */
async function lotsByFunder(accountId: string): Promise<Record<string, number>> {
  const found: { partner: string; left: string }[] = await ds().query(
    `SELECT COALESCE("fundingPartnerId"::text, 'program') AS partner, SUM(remaining) AS left FROM point_lot
      WHERE "memberAccountId" = $1 AND remaining > 0 GROUP BY 1`,
    [accountId],
  );
  return Object.fromEntries(found.map((r) => [r.partner, Number(r.left)]));
}

it('takes back on a refund after a merge only what is still out of the purchase: what expired in the carried lots stays breakage, what was spent comes from the member’s other points', async () => {
  const [shopBefore, cafeBefore] = [await p.available(shop.wallet.id), await p.available(cafe.wallet.id)];
  await expiring(12);
  const old = await record(purchase(shop, 'ml1-old-card', 100));
  await expiring(null);
  const current = await record(purchase(cafe, 'ml1-current', 200));
  await merge(old.memberId, current.memberId);
  // The carried shop points expire first: 60 of them are spent, the other 40 expire.
  await inTransaction(ds(), (m) =>
    redeemReward(m, p.ledger, { memberId: current.memberId, rewardCode: 'sixty', quantity: 1, partnerId: null, key: 'ml1' }),
  );
  expect(await lotsByFunder(current.memberAccountId)).toEqual({ [shop.partner.id]: 40, [cafe.partner.id]: 200 });
  expect((await expireDueLots(ds(), p.ledger, nextYearsRun)).byPartner).toEqual({ [shop.partner.id]: 40 });

  // The shop refunds the old card's purchase: the 40 expired are the shop's breakage already, the 60 spent come back.
  expect(await refund(shop, old.event.id)).toMatchObject({ pointsReversed: 60, pointsOwed: 0 });
  expect(await p.available(current.memberAccountId)).toBe(140);
  expect(await p.available(old.memberAccountId)).toBe(0);
  expect(await p.available(shop.wallet.id)).toBe(shopBefore - 100 + 60);
  expect(await p.available(cafe.wallet.id)).toBe(cafeBefore - 200);
  expect(await p.available(p.program.breakage.id)).toBe(40);
  await ledgerTrue();
});

it('gives the points of a reversed spend or a refunded checkout payment back to the member a merged one became, with their funder and expiry; the merged account stays at zero', async () => {
  await ds().manager.update(ProgramSettings, { id: 1 }, { paymentMinPoints: 1, paymentMaxSharePercent: 100 });
  await expiring(12);
  const old = await record(purchase(shop, 'ml2-old-card', 200));
  await expiring(null);
  const current = await record(purchase(cafe, 'ml2-current', 100));
  const spent = await inTransaction(ds(), (m) =>
    redeemReward(m, p.ledger, { memberId: old.memberId, rewardCode: 'sixty', quantity: 1, partnerId: null, key: 'ml2' }),
  );
  const { payment } = await inTransaction(ds(), (m) =>
    authorizePayment(m, p.ledger, {
      partnerId: cafe.partner.id,
      memberId: old.memberId,
      tender: 'points',
      basket: { amountMinor: 10_000, currency: 'EUR' },
      points: 90,
      orderReference: 'ml2-order',
      expiresAt: new Date(now.getTime() + 15 * 60_000),
      key: randomUUID(),
    }),
  );
  await inTransaction(ds(), (m) => capturePayment(m, p.ledger, { partnerId: cafe.partner.id, paymentId: payment.id }));
  expect(await p.available(old.memberAccountId)).toBe(50);
  await merge(old.memberId, current.memberId);
  const before = await settled(shop);

  // Care reverses the spend (the back office's Reverse action), the cafe refunds 30 of the order's points.
  const reverseSpend = () =>
    p.ledger.reverse({
      source: 'back-office',
      key: `reverse:${spent.transferId}`,
      transferId: spent.transferId,
      references: { agent: 'care@test' },
    });
  expect((await reverseSpend()).replayed).toBe(false);
  // Clicked twice: the second finds the first reversal and moves nothing.
  expect((await reverseSpend()).replayed).toBe(true);
  await inTransaction(ds(), (m) =>
    refundPayment(m, p.ledger, { partnerId: cafe.partner.id, paymentId: payment.id, points: 30, key: 'ml2-return' }),
  );
  expect(await p.available(old.memberAccountId)).toBe(0);
  expect(await p.posted(old.memberAccountId)).toBe(0);
  expect(await p.available(current.memberAccountId)).toBe(100 + 50 + 60 + 30);
  expect(await lotsByFunder(current.memberAccountId)).toEqual({ [shop.partner.id]: 140, [cafe.partner.id]: 100 });
  // The settlement sees the shop's points redeemed less, not issued again.
  expect(await settled(shop)).toEqual({
    ...before,
    [`redeemed at ${operatorParty}`]: before[`redeemed at ${operatorParty}`]! - 60,
    [`redeemed at ${cafe.partner.id}`]: before[`redeemed at ${cafe.partner.id}`]! - 30,
  });
  // The shop's points came back with their expiry: they expire as the shop's breakage.
  expect((await expireDueLots(ds(), p.ledger, nextYearsRun)).byPartner).toEqual({ [shop.partner.id]: 140 });
  expect(await p.available(current.memberAccountId)).toBe(100);
  // The rest of the payment's refund, replayed too, still comes to the survivor.
  const rest = () =>
    inTransaction(ds(), (m) => refundPayment(m, p.ledger, { partnerId: cafe.partner.id, paymentId: payment.id, key: 'ml2-rest' }));
  expect((await rest()).points).toBe(60);
  expect(await p.available(current.memberAccountId)).toBe(160);
  expect(await p.posted(old.memberAccountId)).toBe(0);
  expect((await expireDueLots(ds(), p.ledger, nextYearsRun)).byPartner).toEqual({ [shop.partner.id]: 60 });
  // Every point of the old card's purchase expired at last, wherever merges and reversals took it: its refund takes nothing back.
  const shopBefore = await p.available(shop.wallet.id);
  expect(await refund(shop, old.event.id)).toMatchObject({ pointsReversed: 0, pointsOwed: 0 });
  expect(await p.available(current.memberAccountId)).toBe(100);
  expect(await p.available(shop.wallet.id)).toBe(shopBefore);
  await ledgerTrue();
});

it('refunds a purchase of a member merged twice (A into B, B into C) from the lots its own funder paid, not another partner’s', async () => {
  // The cafe's points expire before the shop's: a refund that takes "earliest expiry first" would take the cafe's.
  const [shopBefore, cafeBefore] = [await p.available(shop.wallet.id), await p.available(cafe.wallet.id)];
  await expiring(6);
  const c = await record(purchase(cafe, 'ml3-c', 200));
  await expiring(12);
  const a = await record(purchase(shop, 'ml3-a', 100));
  await expiring(null);
  const b = await record(purchase(cafe, 'ml3-b', 50));
  const first = await merge(a.memberId, b.memberId);
  await merge(b.memberId, c.memberId);
  // A merge is not undone by a reversal: the points would go back to a member who is gone.
  await expect(
    p.ledger.reverse({ source: 'back-office', key: `reverse:${first.transferId}`, transferId: first.transferId! }),
  ).rejects.toMatchObject({
    code: 'not_reversible',
  });
  expect(await lotsByFunder(c.memberAccountId)).toEqual({ [shop.partner.id]: 100, [cafe.partner.id]: 250 });

  expect(await refund(shop, a.event.id)).toMatchObject({ pointsReversed: 100, pointsOwed: 0 });
  expect(await lotsByFunder(c.memberAccountId)).toEqual({ [cafe.partner.id]: 250 });
  expect(await p.available(shop.wallet.id)).toBe(shopBefore);
  expect(await p.available(cafe.wallet.id)).toBe(cafeBefore - 250);
  for (const dead of [a, b]) expect(await p.posted(dead.memberAccountId)).toBe(0);
  // Only the cafe's points of C expire: none of the shop's are left to.
  expect((await expireDueLots(ds(), p.ledger, nextYearsRun)).byPartner).toEqual({ [cafe.partner.id]: 200 });
  expect(await p.available(c.memberAccountId)).toBe(50);
  await ledgerTrue();
});
