import type { DataSource } from 'typeorm';
import { hashPassword } from '../admin/passwords.js';
import { Partner, PointPackage, Reward, StaffUser, type StaffRole } from '../entities/index.js';
import { purchasePackage } from '../loyalty/funding.js';
import { openProgramAccounts } from '../loyalty/ledger/accounts.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { enrollMember } from '../loyalty/members.js';
import { onboardPartner } from '../loyalty/partners.js';

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
  { code: 'koffie-corner', name: 'Koffie Corner', kind: 'physical_store' as const, packages: ['scale'] },
  { code: 'bookbarn', name: 'BookBarn Online', kind: 'web_shop' as const, packages: ['growth', 'growth', 'starter'] },
  { code: 'fitapp', name: 'FitApp', kind: 'mobile_app' as const, packages: ['growth'] },
];

const rewards = [
  { code: 'coffee-voucher', name: 'Free coffee voucher', pointsPrice: 150, needsFulfilment: false, stock: null },
  { code: 'discount-10', name: '€10 discount code', pointsPrice: 1_000, needsFulfilment: false, stock: null },
  { code: 'tote-bag', name: 'Tessera tote bag', pointsPrice: 2_500, needsFulfilment: true, stock: 40, supplier: 'fake-supplier' },
  { code: 'headphones', name: 'Wireless headphones', pointsPrice: 18_000, needsFulfilment: true, stock: 5, supplier: 'fake-supplier' },
  { code: 'cinema-pass', name: 'Cinema pass for two', pointsPrice: 3_000, needsFulfilment: true, stock: 25, supplier: 'fake-supplier' },
  { code: 'charity-gift', name: 'Donate 500 points to charity', pointsPrice: 500, needsFulfilment: false, stock: null },
];

const firstNames = ['Ada', 'Ben', 'Chloé', 'Dmitri', 'Eva', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas'];
const lastNames = ['Martin', 'Rossi', 'Novak', 'Silva', 'Jansen'];

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
 * whose wallets are funded by package purchases (with their invoices), 50 members with about four months of earning and burning, and a rewards catalog.
 * Every ledger write goes through the ledger with a stable key, so a re-run changes nothing.
 */
export async function seedDemoProgram(dataSource: DataSource): Promise<void> {
  const manager = dataSource.manager;
  const ledger = new Ledger(dataSource);
  const program = await openProgramAccounts(manager);
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
    wallets.push({ partner, wallet });
  }

  for (const r of rewards) {
    await manager.createQueryBuilder().insert().into(Reward).values({ description: '', supplier: null, ...r }).orIgnore().execute();
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

  const random = sequence(42);
  const now = Date.now();
  const day = 86_400_000;
  const backdates: { key: string; at: Date }[] = [];
  for (let i = 1; i <= 50; i++) {
    const first = firstNames[i % firstNames.length]!;
    const last = lastNames[i % lastNames.length]!;
    const externalId = `demo-${String(i).padStart(3, '0')}`;
    const { account } = await enrollMember(manager, {
      externalId,
      email: `${first}.${last}.${i}@members.demo`.toLowerCase(),
      phone: `+3161000${String(i).padStart(4, '0')}`,
      displayName: `${first} ${last}`,
    });
    const visits = 2 + random(10);
    let balance = 0;
    for (let v = 0; v < visits; v++) {
      const at = new Date(now - (120 - Math.floor((v * 110) / visits) - random(5)) * day);
      const { wallet } = wallets[random(wallets.length)]!;
      const points = 20 + random(400);
      const key = `demo-earn-${externalId}-${v}`;
      await ledger.transfer({
        source: 'demo',
        key,
        legs: [
          {
            debitAccountId: wallet.id,
            creditAccountId: account.id,
            amount: points,
            kind: 'earn',
            expiresAt: new Date(at.getTime() + 365 * day),
            references: { event: `demo-purchase-${externalId}-${v}` },
            explanation: [{ rule: 'demo: 1 point per euro', points, reason: `purchase of €${points}` }],
          },
        ],
      });
      backdates.push({ key, at });
      balance += points;
      if (balance > 600 && random(3) === 0) {
        const burnKey = `demo-burn-${externalId}-${v}`;
        await ledger.transfer({
          source: 'demo',
          key: burnKey,
          legs: [
            {
              debitAccountId: account.id,
              creditAccountId: program.redemption.id,
              amount: 150,
              kind: 'burn',
              references: { reward: 'coffee-voucher' },
            },
          ],
        });
        backdates.push({ key: burnKey, at: new Date(at.getTime() + day) });
        balance -= 150;
      }
    }
  }
  // Demo only: spread the history over the past months. The ledger itself never rewrites time.
  await manager.query(
    `UPDATE ledger_transfer t SET "createdAt" = b.at FROM unnest($1::text[], $2::timestamptz[]) AS b(key, at)
      WHERE t."idempotencySource" = 'demo' AND t."idempotencyKey" = b.key`,
    [backdates.map((b) => b.key), backdates.map((b) => b.at)],
  );
  await manager.query(
    `UPDATE point_lot l SET "createdAt" = t."createdAt" FROM ledger_transfer t
      WHERE l."creditTransferId" = t.id AND t."idempotencySource" = 'demo'`,
  );
}
