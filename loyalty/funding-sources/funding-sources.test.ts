import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IsNull, type EntityManager } from 'typeorm';
import { Bonus, EarningRule, MemberEvent, PointLot, ProgramSettings } from '../../entities/index.js';
import { createMailer } from '../../reports/mailer.js';
import { campaignDraft } from '../../test/support/campaign-draft.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { testSupplierOptions } from '../../test/support/temporal.js';
import { readInbox, startMailSink, type RunningMailSink } from '../../wiring/embedded/mail-sink.js';
import { createFundingActivities } from '../../workflows/activities/funding-activities.js';
import { createCampaign, endCampaign as endRunningCampaign, scheduleCampaign } from '../campaigns/campaigns.js';
import { forgetProgramConfiguration } from '../earning/program-configuration.js';
import { recordEvent } from '../earning/record-event.js';
import { refundEvent } from '../earning/refund-event.js';
import { expireLot } from '../expiry.js';
import { FakeRewardSupplier } from '../fulfilment/fake-supplier.js';
import { releaseExpiredHold } from '../holds.js';
import { accountByCode, balanceOf, programAccounts } from '../ledger/accounts.js';
import { checkLedger } from '../ledger/invariants.js';
import { inTransaction } from '../ledger/transaction.js';
import { allocateToSource, createFundingSource, type NewFundingSource } from './funding-sources.js';
import { sourceFigures } from './source-figures.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let sink: RunningMailSink;
let serial = 0;
const supplier = new FakeRewardSupplier(testSupplierOptions);

beforeAll(async () => {
  [db, sink] = await Promise.all([createTestDatabase(), startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-')))]);
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
});
afterAll(async () => {
  await db?.drop();
  await sink?.stop();
});

const tx = <T>(work: (m: EntityManager) => Promise<T>) => inTransaction(db.dataSource, work);

async function source(fields: Partial<NewFundingSource> = {}, points = 0) {
  const code = `budget-${++serial}`;
  const made = await tx((m) =>
    createFundingSource(m, {
      code,
      name: `Budget ${serial}`,
      kind: 'brand',
      ownerPartnerId: null,
      lowBalanceThreshold: 0,
      alertEmail: null,
      ...fields,
    }),
  );
  if (points > 0)
    await tx((m) => allocateToSource(m, p.ledger, { sourceId: made.id, points, key: `allocate-${code}`, by: 'ops@tessera.test' }));
  return made;
}

/** A running ×2 campaign on kitchen things, paid by the source. */
async function kitchenCampaign(fundingSourceId: string, ownerPartnerId: string | null = null) {
  const campaign = await tx((m) => createCampaign(m, campaignDraft({ fundingSourceId, ownerPartnerId }), 'manager@tessera.test'));
  await tx((m) => scheduleCampaign(m, campaign.id));
  forgetProgramConfiguration(db.dataSource);
  return campaign;
}

/** €40 of kitchen things and €10 of books: 50 points by the rule, 40 more by a kitchen ×2. */
const buy = (partnerId: string, externalId: string) =>
  tx((m) =>
    recordEvent(m, p.ledger, {
      partnerId,
      member: { externalId },
      type: 'purchase',
      amountCents: 5_000,
      currency: 'EUR',
      lines: [
        { reference: 'pan', category: 'kitchen', quantity: 1, unitPriceCents: 4_000 },
        { reference: 'novel', category: 'books', quantity: 1, unitPriceCents: 1_000 },
      ],
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );

const endCampaign = (id: string) => tx((m) => endRunningCampaign(m, id)).then(() => forgetProgramConfiguration(db.dataSource));

it("pays a campaign's points from the brand budget that funds it, and the rules' points from the earning partner's wallet", async () => {
  const shop = await p.partner(10_000);
  const brand = await source({}, 1_000);
  const campaign = await kitchenCampaign(brand.id);

  const earned = await buy(shop.partner.id, 'fs-ann');
  expect(earned.points).toBe(90);
  expect(await p.available(earned.memberAccountId)).toBe(90);
  expect(await p.available(shop.wallet.id)).toBe(10_000 - 50);
  expect(await p.available(brand.accountId)).toBe(1_000 - 40);
  // The brand's points are the program's (no partner paid them); the wallet's are the shop's.
  const lots = await db.dataSource.manager.findBy(PointLot, { memberAccountId: earned.memberAccountId });
  expect(lots.map((l) => [l.points, l.fundingPartnerId]).sort()).toEqual([
    [40, null],
    [50, shop.partner.id],
  ]);
  await endCampaign(campaign.id);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

it("pays a bonus from a partner's own source, its points counted as funded by that partner", async () => {
  const shop = await p.partner(10_000);
  const owner = await p.partner(5_000);
  const own = await source({ kind: 'partner', ownerPartnerId: owner.partner.id }, 300);
  // Allocated from the owner's wallet, not made out of nothing.
  expect(await p.available(owner.wallet.id)).toBe(4_700);
  const bonus = await db.dataSource.manager.save(Bonus, {
    name: 'first order from the owner',
    moment: 'first_purchase',
    points: 100,
    fundingSourceId: own.id,
  });
  forgetProgramConfiguration(db.dataSource);
  try {
    const earned = await buy(shop.partner.id, 'fs-bonus');
    expect(earned.bonusPoints).toBe(100);
    expect(await p.available(own.accountId)).toBe(200);
    expect(await p.available(shop.wallet.id)).toBe(10_000 - 50);
    const lot = await db.dataSource.manager.findOneByOrFail(PointLot, { memberAccountId: earned.memberAccountId, points: 100 });
    expect(lot.fundingPartnerId).toBe(owner.partner.id);
  } finally {
    await db.dataSource.manager.update(Bonus, { id: bonus.id }, { active: false });
    forgetProgramConfiguration(db.dataSource);
  }
});

it('refuses an event whose funding source cannot pay, naming the source, and writes nothing', async () => {
  const shop = await p.partner(10_000);
  const brand = await source({ name: 'Kitchen brand budget' }, 30);
  const campaign = await kitchenCampaign(brand.id);
  const before = { transfers: await p.transferCount(), events: await db.dataSource.manager.count(MemberEvent) };

  const refused = await buy(shop.partner.id, 'fs-short').catch((error: unknown) => error);
  expect(refused).toMatchObject({
    code: 'funding_source_short',
    kind: 'unprocessable',
    details: { fundingSource: brand.id, available: 30, requested: 40 },
  });
  expect((refused as Error).message).toContain('Kitchen brand budget');
  expect(await p.transferCount()).toBe(before.transfers);
  expect(await db.dataSource.manager.count(MemberEvent)).toBe(before.events);
  expect(await p.available(shop.wallet.id)).toBe(10_000);
  expect(await p.available(brand.accountId)).toBe(30);
  await endCampaign(campaign.id);
});

it("lets a partner's campaign be paid only by the partner's own sources", async () => {
  const mine = await p.partner(1_000);
  const theirs = await p.partner(1_000);
  const theirSource = await source({ kind: 'partner', ownerPartnerId: theirs.partner.id });
  const ownSource = await source({ kind: 'partner', ownerPartnerId: mine.partner.id });
  const draft = { ownerPartnerId: mine.partner.id, places: { partnerIds: [mine.partner.id] } };

  await expect(
    tx((m) => createCampaign(m, campaignDraft({ ...draft, fundingSourceId: theirSource.id }), 'partner@shop.test')),
  ).rejects.toMatchObject({
    code: 'campaign_refused',
    field: 'fundingSourceId',
    details: { problems: { fundingSourceId: 'choose one of your own funding sources' } },
  });
  await expect(
    tx((m) => createCampaign(m, campaignDraft({ ...draft, fundingSourceId: 'not-an-id' }), 'partner@shop.test')),
  ).rejects.toMatchObject({ field: 'fundingSourceId' });
  const made = await tx((m) => createCampaign(m, campaignDraft({ ...draft, fundingSourceId: ownSource.id }), 'partner@shop.test'));
  expect(made.fundingSourceId).toBe(ownSource.id);
  // Its figures list its own sources only.
  expect((await sourceFigures(db.dataSource.manager, { ownerPartnerId: mine.partner.id })).map((s) => s.id)).toEqual([ownSource.id]);
});

it("counts a source's points exactly: allocated, issued, consumed by burns and holds, expired, outstanding and remaining", async () => {
  const shop = await p.partner(10_000);
  const brand = await source({}, 1_000);
  const campaign = await kitchenCampaign(brand.id);
  const ann = await buy(shop.partner.id, 'fig-ann');
  const bob = await buy(shop.partner.id, 'fig-bob');
  await buy(shop.partner.id, 'fig-cy');
  await endCampaign(campaign.id);
  const redemption = await accountByCode(db.dataSource.manager, programAccounts.redemption);

  // Ann spends all her 90 points at the shop: the brand's 40 among them.
  const annLots = await db.dataSource.manager.findBy(PointLot, { memberAccountId: ann.memberAccountId });
  await p.ledger.transfer({
    source: 'test',
    key: 'fig-burn',
    legs: [
      {
        debitAccountId: ann.memberAccountId,
        creditAccountId: redemption.id,
        amount: 90,
        kind: 'burn',
        references: { partner: shop.partner.id },
      },
    ],
  });
  // Bob holds 90 points and the hold is voided: nothing consumed in the end.
  const hold = await p.ledger.hold({
    source: 'test',
    key: 'fig-hold',
    until: new Date(Date.now() + 3_600_000),
    legs: [{ debitAccountId: bob.memberAccountId, creditAccountId: redemption.id, amount: 90, kind: 'burn' }],
  });
  await p.ledger.void({ source: 'test', key: 'fig-void', pendingTransferId: hold.transfers[0]!.id });
  // Bob's brand lot expires.
  const bobBrandLot = await db.dataSource.manager.findOneByOrFail(PointLot, {
    memberAccountId: bob.memberAccountId,
    fundingPartnerId: IsNull(),
  });
  await db.dataSource.manager.update(PointLot, { id: bobBrandLot.id }, { expiresAt: new Date(Date.now() - 1_000) });
  await expireLot(
    db.dataSource,
    p.ledger,
    { id: bobBrandLot.id, memberAccountId: bob.memberAccountId, memberId: bob.memberId, member: 'fig-bob' },
    new Date(),
  );

  expect(annLots).toHaveLength(2);
  const [figures] = await sourceFigures(db.dataSource.manager, { sourceId: brand.id });
  expect(figures).toMatchObject({ allocated: 1_000, issued: 120, consumed: 40, expired: 40, outstanding: 40, remaining: 880, low: false });
  expect((await balanceOf(db.dataSource.manager, brand.accountId)).available).toBe(figures!.remaining);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

it('tells the keeper of a source once when it runs low and once when it is empty, and again after a new allocation', async () => {
  const shop = await p.partner(10_000);
  const brand = await source({ name: 'Spring budget', lowBalanceThreshold: 100, alertEmail: 'brand@budget.test' }, 120);
  const campaign = await kitchenCampaign(brand.id);
  const activities = createFundingActivities({ dataSource: db.dataSource, mailer: createMailer(sink.smtpUrl, 'tessera@tessera.test') });
  const run = async () => {
    for (const alert of await activities.findFundingAlerts()) await activities.sendFundingAlert(alert);
  };
  const subjects = async () =>
    (await readInbox(sink.directory))
      .filter((m) => m.to.includes('brand@budget.test'))
      .map((m) => m.subject)
      .reverse();

  await run();
  await buy(shop.partner.id, 'alert-1');
  await run();
  await run();
  await buy(shop.partner.id, 'alert-2');
  await buy(shop.partner.id, 'alert-3');
  await run();
  await tx((m) => allocateToSource(m, p.ledger, { sourceId: brand.id, points: 100, key: 'alert-top-up', by: 'ops@tessera.test' }));
  await run();
  await buy(shop.partner.id, 'alert-4');
  await run();
  await endCampaign(campaign.id);
  expect(await subjects()).toEqual([
    'Spring budget: 80 points left in the funding source',
    'Spring budget: the funding source is empty, events earning its campaigns are refused',
    'Spring budget: 60 points left in the funding source',
  ]);
});

it('refuses an allocation the owner partner cannot pay, writing nothing', async () => {
  const owner = await p.partner(100);
  const own = await source({ kind: 'partner', ownerPartnerId: owner.partner.id });
  const before = await p.transferCount();
  await expect(
    tx((m) => allocateToSource(m, p.ledger, { sourceId: own.id, points: 500, key: 'too-much', by: 'ops@tessera.test' })),
  ).rejects.toMatchObject({ code: 'insufficient_funds', field: 'points' });
  await expect(
    tx((m) => allocateToSource(m, p.ledger, { sourceId: own.id, points: 0, key: 'zero', by: 'ops@tessera.test' })),
  ).rejects.toMatchObject({
    code: 'funding_source_refused',
    field: 'points',
  });
  expect(await p.transferCount()).toBe(before);
  // A replayed allocation allocates once.
  await tx((m) => allocateToSource(m, p.ledger, { sourceId: own.id, points: 60, key: 'once', by: 'ops@tessera.test' }));
  await tx((m) => allocateToSource(m, p.ledger, { sourceId: own.id, points: 60, key: 'once', by: 'ops@tessera.test' }));
  expect(await p.available(own.accountId)).toBe(60);
  expect(await p.available(owner.wallet.id)).toBe(40);
});

it("gives a refunded purchase's points back to whoever paid them: the wallet its share, the source its own", async () => {
  const shop = await p.partner(10_000);
  const brand = await source({}, 1_000);
  const campaign = await kitchenCampaign(brand.id);
  const earned = await buy(shop.partner.id, 'refund-ann');
  await endCampaign(campaign.id);

  await tx((m) =>
    refundEvent(m, p.ledger, {
      partnerId: shop.partner.id,
      eventId: earned.event.id,
      key: 'half',
      lines: [{ reference: 'novel', quantity: 1 }],
    }),
  );
  await tx((m) => refundEvent(m, p.ledger, { partnerId: shop.partner.id, eventId: earned.event.id, key: 'rest' }));
  expect(await p.available(earned.memberAccountId)).toBe(0);
  expect(await p.available(shop.wallet.id)).toBe(10_000);
  expect(await p.available(brand.accountId)).toBe(1_000);
  const [figures] = await sourceFigures(db.dataSource.manager, { sourceId: brand.id });
  expect(figures).toMatchObject({ issued: 0, outstanding: 0, remaining: 1_000 });
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

/** The member's pending credits (a purchase's points in their return window), unsettled. */
const pendingCredits = async (memberAccountId: string) =>
  (await db.dataSource.query(
    `SELECT p.id FROM ledger_transfer p WHERE p."creditAccountId" = $1 AND p.phase = 'pending'
        AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r."pendingTransferId" = p.id)`,
    [memberAccountId],
  )) as { id: string }[];

for (const confirmed of [false, true]) {
  it(`gives a pending purchase's points back to whoever paid them after two refunds${confirmed ? ', once confirmed' : ', inside the window'}`, async () => {
    const m = db.dataSource.manager;
    await m.update(ProgramSettings, { id: 1 }, { pendingDays: 14 });
    forgetProgramConfiguration(db.dataSource);
    const shop = await p.partner(10_000);
    const brand = await source({}, 1_000);
    const campaign = await kitchenCampaign(brand.id);
    try {
      const earned = await buy(shop.partner.id, `pending-refund-${confirmed}`);
      expect(earned.pendingPoints).toBe(90);
      if (confirmed) {
        for (const { id } of await pendingCredits(earned.memberAccountId)) {
          expect(await releaseExpiredHold(db.dataSource, p.ledger, supplier, id, earned.availableFrom!)).toBe('posted');
        }
        expect(await p.available(earned.memberAccountId)).toBe(90);
      }
      await tx((m) =>
        refundEvent(m, p.ledger, {
          partnerId: shop.partner.id,
          eventId: earned.event.id,
          key: 'half',
          lines: [{ reference: 'novel', quantity: 1 }],
        }),
      );
      await tx((m) => refundEvent(m, p.ledger, { partnerId: shop.partner.id, eventId: earned.event.id, key: 'rest' }));
      // Nothing is left pending to be confirmed later, nor kept: each payer has all its points back.
      expect(await pendingCredits(earned.memberAccountId)).toEqual([]);
      expect(await balanceOf(m, earned.memberAccountId)).toMatchObject({ posted: 0, incoming: 0 });
      expect(await p.available(shop.wallet.id)).toBe(10_000);
      expect(await p.available(brand.accountId)).toBe(1_000);
      expect((await checkLedger(m)).violations).toEqual([]);
    } finally {
      await endCampaign(campaign.id);
      await m.update(ProgramSettings, { id: 1 }, { pendingDays: 0 });
      forgetProgramConfiguration(db.dataSource);
    }
  });
}

it('never overdraws a source when earns race for its last points: each is paid whole or refused whole', async () => {
  const shop = await p.partner(100_000);
  const brand = await source({}, 100);
  const campaign = await kitchenCampaign(brand.id);
  const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => buy(shop.partner.id, `race-${i}`)));
  await endCampaign(campaign.id);
  const paid = outcomes.filter((o) => o.status === 'fulfilled');
  const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  expect(paid).toHaveLength(2);
  expect(refused.map((o) => (o.reason as { code?: string }).code)).toEqual(Array(3).fill('funding_source_short'));
  expect(await p.available(brand.accountId)).toBe(20);
  // The refused events wrote nothing: the wallet paid the rules' 50 points of the two paid ones only.
  expect(await p.available(shop.wallet.id)).toBe(100_000 - 2 * 50);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});
