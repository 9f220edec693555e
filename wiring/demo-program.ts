import { adoptMechanismsAsCampaigns } from '../loyalty/campaigns/adopt-mechanisms.js';
import { createSegment } from '../loyalty/segments/segments.js';
import type { DataSource } from 'typeorm';
import { hashPassword } from '../admin/passwords.js';
import {
  Bonus,
  Booster,
  EarningRule,
  Member,
  Partner,
  PointOfSale,
  PointPackage,
  ProgramSettings,
  Reward,
  StaffUser,
  Tier,
  type StaffRole,
} from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { purchasePackage } from '../loyalty/funding.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { openProgramAccounts } from '../loyalty/ledger/accounts.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { Refusal } from '../loyalty/refusal.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { onboardPartner } from '../loyalty/partners.js';
import { seedDemoCompany } from './demo-company.js';

export const demoPassword = 'tessera-demo';

export const demoLogins: { email: string; role: StaffRole; name: string; partnerCode?: string }[] = [
  { email: 'operator@tessera.demo', role: 'operator_admin', name: 'Olivia Operator' },
  { email: 'manager@tessera.demo', role: 'program_manager', name: 'Paul Manager' },
  { email: 'care@tessera.demo', role: 'care_agent', name: 'Carla Care' },
  { email: 'supervisor@tessera.demo', role: 'care_supervisor', name: 'Sam Supervisor' },
  { email: 'analyst@tessera.demo', role: 'analyst', name: 'Ana Analyst' },
  { email: 'partner@tessera.demo', role: 'partner_user', name: 'Pia Partner', partnerCode: 'koffie-corner' },
];

const packages = [
  { code: 'starter', name: 'Starter: 5,000 points', points: 5_000, priceCents: 4_900, currency: 'EUR' },
  { code: 'growth', name: 'Growth: 50,000 points', points: 50_000, priceCents: 39_000, currency: 'EUR' },
  { code: 'scale', name: 'Scale: 200,000 points', points: 200_000, priceCents: 140_000, currency: 'EUR' },
];

const partners = [
  {
    code: 'koffie-corner',
    name: 'Koffie Corner',
    kind: 'physical_store' as const,
    packages: ['scale'],
    apiKey: 'tk_koffiecorner_demo-key-not-for-production',
    pointsOfSale: [
      { code: 'ams-centraal', name: 'Amsterdam Centraal', channel: 'store' as const },
      { code: 'utrecht', name: 'Utrecht Oudegracht', channel: 'store' as const },
    ],
  },
  {
    code: 'bookbarn',
    name: 'BookBarn Online',
    kind: 'web_shop' as const,
    packages: ['growth', 'growth', 'starter'],
    apiKey: 'tk_bookbarn0000_demo-key-not-for-production',
    pointsOfSale: [{ code: 'web', name: 'bookbarn.example', channel: 'web' as const }],
  },
  {
    code: 'fitapp',
    name: 'FitApp',
    kind: 'mobile_app' as const,
    packages: ['growth'],
    apiKey: 'tk_fitapp000000_demo-key-not-for-production',
    pointsOfSale: [{ code: 'app', name: 'FitApp for iOS and Android', channel: 'app' as const }],
  },
];

/** The demo partners' API keys, printed at start and used in the README's examples. */
export const demoApiKeys = partners.map((p) => ({ partner: p.code, key: p.apiKey }));

const rewards = [
  {
    code: 'coffee-voucher',
    name: 'Free coffee voucher',
    category: 'Food and drink',
    pointsPrice: 150,
    needsFulfilment: false,
    stock: null,
  },
  { code: 'discount-10', name: '€10 discount code', category: 'Discounts', pointsPrice: 1_000, needsFulfilment: false, stock: null },
  {
    code: 'tote-bag',
    name: 'Tessera tote bag',
    category: 'Goods',
    pointsPrice: 2_500,
    needsFulfilment: true,
    stock: 40,
    supplier: 'fake-supplier',
  },
  {
    code: 'headphones',
    name: 'Wireless headphones',
    category: 'Goods',
    pointsPrice: 18_000,
    needsFulfilment: true,
    stock: 5,
    supplier: 'fake-supplier',
  },
  {
    code: 'cinema-pass',
    name: 'Cinema pass for two',
    category: 'Outings',
    pointsPrice: 3_000,
    needsFulfilment: true,
    stock: 25,
    supplier: 'fake-supplier',
  },
  {
    code: 'charity-gift',
    name: 'Donate 500 points to charity',
    category: 'Charity',
    pointsPrice: 500,
    needsFulfilment: false,
    stock: null,
  },
];

const firstNames = ['Ada', 'Ben', 'Chloé', 'Dmitri', 'Eva', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas'];
const lastNames = ['Martin', 'Rossi', 'Novak', 'Silva', 'Jansen'];

/** The demo's member number `i`: a name, and the email every store verified for them. */
function demoPerson(i: number) {
  const first = firstNames[i % firstNames.length]!;
  const last = lastNames[i % lastNames.length]!;
  return { first, last, email: `${first}.${last}.${i}@members.demo`.toLowerCase() };
}

/** A member to sign in to the dashboard as (the code arrives in the inbox page). */
export const demoMember = { name: `${demoPerson(1).first} ${demoPerson(1).last}`, email: demoPerson(1).email };

/** Deterministic pseudo-random numbers, so every fresh demo tells the same story. */
function sequence(seed: number) {
  let state = seed;
  return (max: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % max;
  };
}

/** True when the demo program is already there. */
export async function isSeeded(dataSource: DataSource): Promise<boolean> {
  return (await dataSource.manager.countBy(Partner, { code: partners[0]!.code })) > 0;
}

/**
 * Seeds the demo coalition on first start: staff logins for every role, point packages, 3 partners
 * whose wallets are funded by package purchases (with their invoices), API keys and points of
 * sale, the earning rules, and 50 members with about four months of purchases, reviews and
 * vouchers, recorded through the same code as the partner API.
 */
export async function seedDemoProgram(dataSource: DataSource): Promise<void> {
  const manager = dataSource.manager;
  const ledger = new Ledger(dataSource);
  await openProgramAccounts(manager);
  await manager.createQueryBuilder().insert().into(PointPackage).values(packages).orIgnore().execute();
  const wallets = [];
  for (const p of partners) {
    const { partner, wallet } = await onboardPartner(manager, {
      code: p.code,
      name: p.name,
      kind: p.kind,
      contactEmail: `reports@${p.code}.demo`,
    });
    for (const [index, packageCode] of p.packages.entries()) {
      await purchasePackage(dataSource, ledger, { partnerId: partner.id, packageCode, purchaseKey: `demo-${index}` });
    }
    await manager
      .createQueryBuilder()
      .insert()
      .into(PointOfSale)
      .values(p.pointsOfSale.map((pos) => ({ ...pos, partnerId: partner.id })))
      .orIgnore()
      .execute();
    await issueApiKey(manager, partner.id, 'demo key', p.apiKey);
    wallets.push({ partner, wallet });
  }
  await seedDemoRules(dataSource, wallets[0]!.partner.id);

  for (const r of rewards) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(Reward)
      .values({ description: '', supplier: null, ...r })
      .orIgnore()
      .execute();
  }

  const passwordHash = await hashPassword(demoPassword);
  for (const login of demoLogins) {
    const partnerId = login.partnerCode ? wallets.find((w) => w.partner.code === login.partnerCode)!.partner.id : null;
    await manager
      .createQueryBuilder()
      .insert()
      .into(StaffUser)
      .values({ email: login.email, name: login.name, role: login.role, partnerId, passwordHash })
      .orIgnore()
      .execute();
  }

  const backdate: { eventId: string; at: Date }[] = [];
  const vouchers: { transferId: string; at: Date }[] = [];
  const random = sequence(42);
  const now = Date.now();
  const day = 86_400_000;
  const shelf = [
    { reference: 'FLAT-WHITE', category: 'coffee', unitPriceCents: 450 },
    { reference: 'BEANS-1KG', category: 'coffee', unitPriceCents: 2_400 },
    { reference: 'NOVEL-PB', category: 'books', unitPriceCents: 1_299 },
    { reference: 'COOKBOOK', category: 'books', unitPriceCents: 3_450 },
    { reference: 'YOGA-MAT', category: 'fitness', unitPriceCents: 2_999 },
  ];
  for (let i = 1; i <= 50; i++) {
    const { first, last, email } = demoPerson(i);
    const externalId = `demo-${String(i).padStart(3, '0')}`;
    // Every store checked the member's email (say, by a link it sent): they are one person to all of them.
    const member = {
      externalId,
      email,
      emailVerified: true,
      phone: `+3161000${String(i).padStart(4, '0')}`,
    };
    let memberId: string | undefined;
    const visits = 2 + random(10);
    for (let v = 0; v < visits; v++) {
      const occurredAt = new Date(now - (120 - Math.floor((v * 110) / visits) - random(5)) * day);
      const { partner } = wallets[random(wallets.length)]!;
      const lines = Array.from({ length: 1 + random(3) }, () => ({ ...shelf[random(shelf.length)]!, quantity: 1 + random(3) }));
      const recorded = await inTransaction(dataSource, (m) =>
        recordEvent(m, ledger, {
          partnerId: partner.id,
          member,
          type: random(6) === 0 ? 'review' : 'purchase',
          amountCents: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
          currency: 'EUR',
          lines,
          channel: partner.kind === 'physical_store' ? 'store' : partner.kind === 'mobile_app' ? 'app' : 'web',
          occurredAt,
          // The history is told as it happened: each event received when it occurred.
          receivedAt: occurredAt,
        }),
      );
      backdate.push({ eventId: recorded.event.id, at: occurredAt });
      if (!memberId) {
        memberId = recorded.memberId;
        await manager.update(Member, { id: memberId }, { displayName: `${first} ${last}` });
      }
      if (random(4) === 0) {
        const voucher = await inTransaction(dataSource, (m) =>
          redeemReward(m, ledger, {
            memberId: recorded.memberId,
            rewardCode: 'coffee-voucher',
            quantity: 1,
            partnerId: null,
            key: `demo-${externalId}-${v}`,
          }),
        ).catch((error: unknown) => {
          // Not every member has the points for a voucher yet: that is part of the story.
          if (error instanceof Refusal && error.code === 'insufficient_funds') return undefined;
          throw error;
        });
        if (voucher) vouchers.push({ transferId: voucher.transferId, at: new Date(occurredAt.getTime() + 3_600_000) });
      }
    }
  }
  // Demo only: the ledger writes at the time of the call; spread the story over the past months.
  await manager.query(
    `UPDATE ledger_transfer t SET "createdAt" = b.at FROM unnest($1::text[], $2::timestamptz[]) AS b(event, at)
      WHERE t."references"->>'event' = b.event`,
    [backdate.map((b) => b.eventId), backdate.map((b) => b.at)],
  );
  await manager.query(
    `UPDATE ledger_transfer t SET "createdAt" = b.at FROM unnest($1::uuid[], $2::timestamptz[]) AS b(id, at) WHERE t.id = b.id`,
    [vouchers.map((v) => v.transferId), vouchers.map((v) => v.at)],
  );
  await manager.query(
    `UPDATE redemption r SET "createdAt" = b.at FROM unnest($1::uuid[], $2::timestamptz[]) AS b(id, at) WHERE r."transferId" = b.id`,
    [vouchers.map((v) => v.transferId), vouchers.map((v) => v.at)],
  );
  await manager.query(`UPDATE point_lot l SET "createdAt" = t."createdAt" FROM ledger_transfer t WHERE l."creditTransferId" = t.id`);
  // A replay finds its transfers by id and time (their partition): the keys' claims move with them.
  await manager.query(
    `UPDATE ledger_idempotency i SET "createdAt" = t."createdAt" FROM ledger_transfer t
      WHERE t.id = i."transferId" AND t."createdAt" <> i."createdAt"`,
  );
  await seedDemoCompany(dataSource, ledger);
  // The demo's rules, boosters and bonuses are the program's campaigns, as a program set up before campaigns has them.
  await inTransaction(dataSource, (m) => adoptMechanismsAsCampaigns(m, 'demo'));
  await seedDemoSegments(dataSource);
  // The story happened months ago: its welcomes, codes and notices went out then, not on this start.
  await manager.query(`UPDATE member_message SET "notSentReason" = 'sent before the demo began' WHERE "sentAt" IS NULL`);
  await manager.query(`UPDATE outbox_entry SET "dispatchedAt" = now() WHERE process = 'member_message' AND "dispatchedAt" IS NULL`);
}

/** Audiences a program manager would save: the best members, and coffee buyers gone quiet who take emails. */
async function seedDemoSegments(dataSource: DataSource): Promise<void> {
  const [koffie] = await dataSource.query(`SELECT id FROM partner WHERE code = 'koffie-corner'`);
  await inTransaction(dataSource, async (m) => {
    await createSegment(m, { name: 'Gold members', description: 'Our best members', tierCodes: ['gold'] }, 'demo');
    await createSegment(
      m,
      {
        name: 'Coffee buyers gone quiet',
        description: 'Bought at Koffie Corner, nothing for 60 days, take offers by email',
        visitedPartnerIds: [koffie.id],
        activity: 'inactive',
        activityDays: '60',
        emailOptIn: true,
      },
      'demo',
    );
  });
}

/** The demo program's rules: what the business seeds ask a program to express. */
async function seedDemoRules(dataSource: DataSource, koffieCornerId: string): Promise<void> {
  const manager = dataSource.manager;
  await manager.upsert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 }, tierWindowDays: 365 }, ['id']);
  await manager.insert(EarningRule, [
    { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' }, priority: 10 },
    {
      name: 'Coffee beans: 20 points a bag',
      formula: { kind: 'per_product', reference: 'BEANS-1KG', pointsPerItem: 20 },
      partnerIds: [koffieCornerId],
    },
    {
      name: 'Books: 2 points per euro',
      formula: { kind: 'per_category', category: 'books', pointsPerUnit: 2, rounding: 'down' },
      stacking: 'best_only',
    },
    { name: 'Visit in store', formula: { kind: 'per_visit', points: 5 }, channels: ['store'], caps: { perMemberPerDay: 5 } },
    { name: 'Product review', formula: { kind: 'per_action', actionType: 'review', points: 25 }, caps: { perMemberPerMonth: 100 } },
    { name: 'Referral', formula: { kind: 'per_action', actionType: 'referral', points: 200 } },
    { name: 'Workout streak', formula: { kind: 'per_action', actionType: 'workout_completed', points: 10 }, caps: { perMemberPerDay: 10 } },
  ]);
  await manager.insert(Booster, {
    name: 'Double points on coffee beans',
    coefficient: 2,
    target: { reference: 'BEANS-1KG' },
    validFrom: new Date(),
    validTo: new Date(Date.now() + 30 * 86_400_000),
  });
  await manager.insert(Tier, [
    { code: 'silver', name: 'Silver', threshold: 1_000, multiplier: 1.1, benefits: ['Birthday bonus'] },
    { code: 'gold', name: 'Gold', threshold: 5_000, multiplier: 1.25, benefits: ['Free delivery', 'Early access to sales'] },
  ]);
  await manager.insert(Bonus, [
    { name: 'Welcome bonus', moment: 'registration', points: 50 },
    { name: 'First purchase', moment: 'first_purchase', points: 100 },
    { name: 'Welcome to Gold', moment: 'tier_upgrade', points: 500, tierCode: 'gold' },
    { name: 'Five visits in a month', moment: 'goal', points: 150, goal: { eventType: 'purchase', count: 5, withinDays: 30 } },
    { name: 'We missed you', moment: 'reactivation', points: 100, inactivityDays: 90 },
  ]);
}
