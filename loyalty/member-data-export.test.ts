import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { activityProgram, personWithActivity, type Person } from '../test/support/member-activity.js';
import { createProgram } from '../test/support/program.js';
import { inTransaction } from './ledger/transaction.js';
import { exportMemberData } from './member-data-export.js';
import { unlinkStore } from './member-stores.js';
import { redeemReward } from './redemptions.js';
import { memberSummary } from './member-summary.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let stores: Awaited<ReturnType<typeof activityProgram>>;
let ann: Person;
let bob: Person;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  stores = await activityProgram(db.dataSource, p);
  ann = await personWithActivity(db.dataSource, p, stores, 'Ann Archer');
  bob = await personWithActivity(db.dataSource, p, stores, 'Bob Baker');
});
afterAll(() => db.drop());

it('gives a member with activity at two stores all Tessera holds about them, and nothing of another member', async () => {
  const data = await exportMemberData(db.dataSource.manager, ann.memberId);

  expect(data.profile).toMatchObject({ reference: ann.reference, email: ann.email, phone: ann.phone, displayName: ann.name });
  expect(data.formerAccounts).toEqual([expect.objectContaining({ reference: ann.formerReference })]);
  expect(data.stores.map((s) => [s.store, s.customerId]).sort()).toEqual(
    [
      [stores.shop.name, ann.customerIds[0]!.customerId],
      [stores.cafe.name, ann.customerIds[1]!.customerId],
    ].sort(),
  );
  const summary = await memberSummary(db.dataSource.manager, ann.memberId);
  expect(data.balance).toEqual(summary.balance);
  // 120 at the shop, 45 then 30 at the cafe, 25 from care, 10 spent on the voucher.
  expect(data.balance.available).toBe(120 + 45 + 30 + 25 - 10);
  expect(data.lots.reduce((sum, lot) => sum + lot.remaining, 0)).toBe(data.balance.available);
  expect(new Set(data.lots.map((lot) => lot.fundedBy))).toEqual(new Set([stores.shop.name, stores.cafe.name, 'the program']));

  // The full history, each line with its store and the reasons, adding up to the balance.
  expect(data.history.reduce((sum, entry) => sum + entry.points, 0)).toBe(data.balance.available);
  expect(data.history.map((e) => [e.kind, e.points, e.store]).sort()).toEqual(
    [
      ['earn', 120, stores.shop.name],
      ['earn', 30, stores.cafe.name],
      ['merge', 45, null],
      ['adjust', 25, null],
      ['burn', -10, stores.shop.name],
    ].sort(),
  );
  expect(data.history.find((e) => e.kind === 'adjust')!.description).toContain('a receipt the till lost');
  expect(data.history.find((e) => e.kind === 'burn')).toMatchObject({ reward: 'Coffee voucher', status: 'posted' });
  expect(data.formerAccounts[0]!.history.map((e) => [e.kind, e.points, e.store])).toEqual(
    expect.arrayContaining([
      ['earn', 45, stores.cafe.name],
      ['merge', -45, null],
    ]),
  );

  expect(data.events.map((e) => [e.store, e.customerId, e.amountCents, e.points]).sort()).toEqual(
    [
      [stores.shop.name, ann.customerIds[0]!.customerId, 12_000, 120],
      [stores.cafe.name, ann.customerIds[1]!.customerId, 4_500, 45],
      [stores.cafe.name, ann.customerIds[1]!.customerId, 3_000, 30],
    ].sort(),
  );
  expect(data.redemptions).toEqual([
    expect.objectContaining({ reward: 'Coffee voucher', points: 10, status: 'completed', code: expect.stringMatching(/^VOUCHER-/) }),
  ]);
  expect(data.careAdjustments).toEqual([expect.objectContaining({ points: 25, reason: expect.stringContaining('Ann Archer') })]);
  expect(data.merges).toEqual([expect.objectContaining({ from: ann.formerReference, into: ann.reference, points: 45 })]);
  expect(data.sessions).toHaveLength(2);
  expect(data.sessions.map((s) => s.store).sort()).toEqual([null, stores.shop.name].sort());
  expect(data.codes).toEqual([expect.objectContaining({ purpose: 'sign_in', channel: 'email', address: ann.email })]);
  expect(data.emails.map((e) => e.subject).sort()).toEqual(['Ann Archer, your points expire soon', 'Your Tessera sign-in code: 123456']);
  expect(data.textMessages).toEqual([expect.objectContaining({ to: ann.phone, text: '123456 is your Tessera sign-in code.' })]);
  // points.earned three times, redemption.completed once: by each store's own id for her.
  expect(data.webhookDeliveries.map((d) => [d.store, d.event]).sort()).toEqual(
    [
      [stores.shop.name, 'points.earned'],
      [stores.cafe.name, 'points.earned'],
      [stores.cafe.name, 'points.earned'],
      [stores.shop.name, 'redemption.completed'],
    ].sort(),
  );

  const text = JSON.stringify(data);
  for (const hidden of ['tokenHash', 'codeHash', 'secret']) expect(text).not.toContain(hidden);
  for (const other of [bob.email, bob.phone, bob.name, bob.reference, ...bob.customerIds.map((c) => c.customerId)]) {
    expect(text).not.toContain(other);
  }
});

it('answers the same export for a merged-away id, and refuses an unknown member', async () => {
  const [former] = await db.dataSource.query(`SELECT id FROM member WHERE "externalId" = $1`, [ann.formerReference]);
  const data = await exportMemberData(db.dataSource.manager, former.id);
  expect(data.profile.reference).toBe(ann.reference);
  await expect(exportMemberData(db.dataSource.manager, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
    code: 'member_not_found',
  });
});

it('gives where their rewards were shipped and the stores they unlinked', async () => {
  const cleo = await personWithActivity(db.dataSource, p, stores, 'Cleo Carter');
  const shipTo = { name: 'Cleo Carter', street: 'Damrak 1', postalCode: '1012 LG', city: 'Amsterdam', country: 'NL' };
  await inTransaction(db.dataSource, (manager) =>
    redeemReward(manager, p.ledger, {
      memberId: cleo.memberId,
      rewardCode: 'mug',
      quantity: 1,
      partnerId: null,
      key: randomUUID(),
      shipTo,
    }),
  );
  await inTransaction(db.dataSource, (manager) => unlinkStore(manager, { memberId: cleo.memberId, partnerId: stores.cafe.id }));

  const data = await exportMemberData(db.dataSource.manager, cleo.memberId);
  expect(data.redemptions).toContainEqual(expect.objectContaining({ reward: 'Tessera mug', shipTo }));
  expect(data.redemptions).toContainEqual(expect.objectContaining({ reward: 'Coffee voucher', shipTo: null }));
  expect(data.stores.map((s) => s.store)).toEqual([stores.shop.name]);
  expect(data.unlinkedStores).toEqual([
    expect.objectContaining({ store: stores.cafe.name, customerId: cleo.customerIds[1]!.customerId, unlinkedAt: expect.any(Date) }),
  ]);
});
