import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PointPackage } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram } from '../test/support/program.js';
import { purchasePackage, walletStatus } from './funding.js';
import { checkLedger } from './ledger/invariants.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(PointPackage, [
    { code: 'starter', name: 'Starter', points: 5_000, priceCents: 4_900, currency: 'EUR' },
    { code: 'growth', name: 'Growth', points: 50_000, priceCents: 39_000, currency: 'EUR' },
    { code: 'retired', name: 'Retired', points: 1, priceCents: 1, currency: 'EUR', active: false },
  ]);
});
afterAll(() => db.drop());

it('sells a package: a numbered invoice and the points in the wallet, once per purchase key', async () => {
  const { partner, wallet } = await p.partner();
  expect(await walletStatus(db.dataSource.manager, partner.id)).toMatchObject({ available: 0, enabled: false });

  const first = await purchasePackage(db.dataSource, p.ledger, { partnerId: partner.id, packageCode: 'starter', purchaseKey: 'order-1' });
  expect(first.replayed).toBe(false);
  expect(first.invoice).toMatchObject({ points: 5_000, amountCents: 4_900, currency: 'EUR' });
  expect(first.invoice.number).toMatch(/^TES-\d{4}-\d{6}$/);
  expect(await p.available(wallet.id)).toBe(5_000);
  expect(await walletStatus(db.dataSource.manager, partner.id)).toMatchObject({ available: 5_000, enabled: true });

  const replay = await purchasePackage(db.dataSource, p.ledger, { partnerId: partner.id, packageCode: 'starter', purchaseKey: 'order-1' });
  expect(replay).toMatchObject({ replayed: true, invoice: { number: first.invoice.number } });
  expect(await p.available(wallet.id)).toBe(5_000);

  await expect(
    purchasePackage(db.dataSource, p.ledger, { partnerId: partner.id, packageCode: 'growth', purchaseKey: 'order-1' }),
  ).rejects.toThrow(/already used for another package/);
  await expect(
    purchasePackage(db.dataSource, p.ledger, { partnerId: partner.id, packageCode: 'retired', purchaseKey: 'order-2' }),
  ).rejects.toThrow('packageCode: no package "retired" is on sale');
  expect(await p.available(wallet.id)).toBe(5_000);
});

it('numbers invoices without gaps, even when purchases race and some fail', async () => {
  const { partner } = await p.partner();
  const orders = Array.from({ length: 12 }, (_, i) => ({
    partnerId: partner.id,
    packageCode: i % 4 === 3 ? 'no-such-package' : 'starter',
    purchaseKey: randomUUID(),
  }));
  const outcomes = await Promise.allSettled(orders.map((order) => purchasePackage(db.dataSource, p.ledger, order)));
  expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(3);
  const serials: number[] = (await db.dataSource.query('SELECT serial FROM invoice ORDER BY serial')).map(
    (r: { serial: number }) => r.serial,
  );
  expect(serials).toEqual(Array.from({ length: serials.length }, (_, i) => i + 1));
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});
