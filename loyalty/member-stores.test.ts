import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  EarningRule,
  LedgerAccount,
  Member,
  MemberLink,
  MemberLinkRemoval,
  MemberMerge,
  Partner,
  PointLot,
  ProgramSettings,
} from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram } from '../test/support/program.js';
import { recordEvent } from './earning/record-event.js';
import { checkLedger } from './ledger/invariants.js';
import { inTransaction } from './ledger/transaction.js';
import { resolveCustomer } from './member-identity.js';
import { linkStoreCustomer, memberStores, unlinkStore } from './member-stores.js';
import { memberSummary } from './member-summary.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let koffie: string;
let bookBarn: string;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 6 } });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  koffie = (await p.partner(100_000)).partner.id;
  bookBarn = (await p.partner(100_000)).partner.id;
  await m.update(Partner, { id: koffie }, { name: 'Koffie Corner' });
  await m.update(Partner, { id: bookBarn }, { name: 'BookBarn' });
});
afterAll(() => db.drop());

/** A purchase of `points` euros a store reports for its customer, with what it knows of their email. */
const purchase = (partnerId: string, customerId: string, points: number, email: string, emailVerified: boolean) =>
  inTransaction(db.dataSource, (m) =>
    recordEvent(m, p.ledger, {
      partnerId,
      member: { externalId: customerId, email, emailVerified },
      type: 'purchase',
      amountCents: points * 100,
      currency: 'EUR',
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );

/** A member who proved `email` at Koffie Corner, and a BookBarn customer the shop knows by that email only (unchecked). */
async function annAndHerBookBarnAccount() {
  const tag = randomUUID().slice(0, 8);
  const email = `ann-${tag}@example.test`;
  const ann = await purchase(koffie, `k-${tag}`, 100, email, true);
  const provisional = await purchase(bookBarn, `bb-${tag}`, 40, email, false);
  return { tag, annId: ann.memberId, customerId: `k-${tag}`, provisionalId: provisional.memberId, bookBarnCustomer: `bb-${tag}` };
}

const available = async (memberId: string) => (await memberSummary(db.dataSource.manager, memberId)).balance.available;
const link = (memberId: string, customerMemberId: string) =>
  inTransaction(db.dataSource, (m) => linkStoreCustomer(m, p.ledger, { memberId, customerMemberId }));

it('shows the stores that know the member, and as candidates only the provisional customers with an address the member proved', async () => {
  const { annId, provisionalId } = await annAndHerBookBarnAccount();
  // Someone else at BookBarn, and a customer whose address the store gave but the member never proved.
  await purchase(bookBarn, `bb-eve-${randomUUID().slice(0, 6)}`, 70, `eve-${randomUUID().slice(0, 6)}@example.test`, false);
  const stores = await memberStores(db.dataSource.manager, annId);
  expect(stores.linked).toEqual([{ partnerId: koffie, name: 'Koffie Corner', since: expect.any(Date) }]);
  const lot = await db.dataSource.manager.findOneByOrFail(PointLot, {
    memberAccountId: (await db.dataSource.manager.findOneByOrFail(LedgerAccount, { memberId: provisionalId })).id,
  });
  expect(stores.candidates).toEqual([
    {
      customerMemberId: provisionalId,
      partnerId: bookBarn,
      store: 'BookBarn',
      since: expect.any(Date),
      points: 40,
      firstExpiry: lot.expiresAt,
      matchedBy: 'email',
    },
  ]);
});

it('links a provisional customer: the points move with their funder and expiry, the store reaches the member, and the merge is audited as asked by the member', async () => {
  const { annId, provisionalId, bookBarnCustomer } = await annAndHerBookBarnAccount();
  const manager = db.dataSource.manager;
  const [before] = await manager.find(PointLot, {
    where: { memberAccountId: (await manager.findOneByOrFail(LedgerAccount, { memberId: provisionalId })).id },
  });
  expect(await link(annId, provisionalId)).toEqual({ partnerId: bookBarn, store: 'BookBarn', points: 40 });
  expect(await available(annId)).toBe(140);
  const annAccount = await manager.findOneByOrFail(LedgerAccount, { memberId: annId });
  const lots = await manager.findBy(PointLot, { memberAccountId: annAccount.id, fundingPartnerId: bookBarn });
  expect(lots.map((l) => [l.remaining, l.expiresAt])).toEqual([[40, before!.expiresAt]]);
  expect(await manager.findOneByOrFail(MemberMerge, { fromMemberId: provisionalId })).toMatchObject({
    intoMemberId: annId,
    points: 40,
    cause: 'member',
    requestedBy: 'member',
  });
  expect((await resolveCustomer(manager, { partnerId: bookBarn, customerId: bookBarnCustomer })).member.id).toBe(annId);
  expect(await manager.findOneByOrFail(MemberLink, { partnerId: bookBarn, customerId: bookBarnCustomer })).toMatchObject({
    cause: 'member',
  });
  const stores = await memberStores(manager, annId);
  expect(stores.linked.map((s) => s.name).sort()).toEqual(['BookBarn', 'Koffie Corner']);
  expect(stores.candidates).toEqual([]);

  // Pressed twice: the second finds it done.
  expect(await link(annId, provisionalId)).toEqual({ partnerId: bookBarn, store: 'BookBarn', points: 40 });
  expect(await available(annId)).toBe(140);
  expect((await checkLedger(manager)).violations).toEqual([]);
});

it("refuses to link someone else's provisional customer, or a member, and changes nothing", async () => {
  const { annId } = await annAndHerBookBarnAccount();
  const eve = await purchase(bookBarn, `bb-eve-${randomUUID().slice(0, 6)}`, 70, `eve-${randomUUID().slice(0, 6)}@example.test`, false);
  const bo = await purchase(bookBarn, `bb-bo-${randomUUID().slice(0, 6)}`, 30, `bo-${randomUUID().slice(0, 6)}@example.test`, true);
  for (const someoneElse of [eve.memberId, bo.memberId, randomUUID()]) {
    await expect(link(annId, someoneElse)).rejects.toThrow('customer: no customer of a store has an address you proved by this reference');
  }
  expect(await available(annId)).toBe(100);
  expect(await available(eve.memberId)).toBe(70);
  expect(await db.dataSource.manager.findOneByOrFail(Member, { id: eve.memberId })).toMatchObject({ mergedIntoId: null });
});

it("unlinks a store: it no longer reaches the member by its id, the points stay, the removal is audited, and the store's next purchase makes a candidate again", async () => {
  const { tag, annId, customerId, provisionalId } = await annAndHerBookBarnAccount();
  const manager = db.dataSource.manager;
  expect(await inTransaction(db.dataSource, (m) => unlinkStore(m, { memberId: annId, partnerId: koffie }))).toEqual({
    partnerId: koffie,
    store: 'Koffie Corner',
    removed: 1,
  });
  await expect(resolveCustomer(manager, { partnerId: koffie, customerId })).rejects.toThrow(`no member "${customerId}"`);
  expect(await available(annId)).toBe(100);
  expect(await manager.findOneByOrFail(MemberLinkRemoval, { memberId: annId })).toMatchObject({
    partnerId: koffie,
    customerId,
    linkCause: 'store',
    requestedBy: 'member',
  });
  expect((await memberStores(manager, annId)).linked).toEqual([]);
  // Again: nothing left to remove.
  expect(await inTransaction(db.dataSource, (m) => unlinkStore(m, { memberId: annId, partnerId: koffie }))).toEqual({
    partnerId: koffie,
    store: 'Koffie Corner',
    removed: 0,
  });

  // The store's next purchase under that id, with the address unchecked, makes a provisional customer the member may link again.
  const again = await purchase(koffie, customerId, 5, `ann-${tag}@example.test`, false);
  expect(again.memberId).not.toBe(annId);
  expect((await memberStores(manager, annId)).candidates.map((c) => c.customerMemberId)).toEqual([provisionalId, again.memberId]);
});
