import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bonus, Member, MemberMessage, ProgramSettings, type Company } from '../entities/index.js';
import { celebrateBirthdays } from '../loyalty/birthdays.js';
import { approveAdjustment, requestAdjustment } from '../loyalty/care-adjustments.js';
import { createCompany, fundCompany } from '../loyalty/company-accounts.js';
import { addEmployee } from '../loyalty/company-employees.js';
import { givePoints } from '../loyalty/company-distributions.js';
import { settleRedemption } from '../loyalty/fulfilment/fulfilment.js';
import { balanceOf } from '../loyalty/ledger/accounts.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { eraseMember } from '../loyalty/member-erasure.js';
import { memberWithAccount } from '../loyalty/member-identity.js';
import { unlinkStore } from '../loyalty/member-stores.js';
import { reactivateInactiveMembers } from '../loyalty/reactivation.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { giveToMember } from '../loyalty/member-gifts.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { activityProgram, personWithActivity, type Person } from './support/member-activity.js';
import { createProgram } from './support/program.js';

/**
 * Erasure of a member whose life in the program went further than test/member-erasure's: a reward
 * shipped to their home, a birthday celebrated, a company's employee, a store they unlinked. Nothing
 * of them may stay, and nothing may flow into the account of someone who is gone.
 */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let stores: Awaited<ReturnType<typeof activityProgram>>;
let ann: Person;
let bob: Person;
let company: Company;
let birthdayOn: string;
let pendingAdjustment: string;
const street = '12 Rue des Lilas Fleuries';

const tx = <T>(work: (manager: import('typeorm').EntityManager) => Promise<T>) => inTransaction(db.dataSource, work);

/** Every text, JSON and array column of every table, searched for each string (in any case): where each is found. */
async function whereFound(strings: string[]): Promise<string[]> {
  const columns: { table: string; column: string }[] = await db.dataSource.query(
    `SELECT table_name AS table, column_name AS column FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')`,
  );
  const found: string[] = [];
  for (const { table, column } of columns) {
    for (const text of strings) {
      const [row] = await db.dataSource.query(
        `SELECT COUNT(*)::int AS n FROM "${table}" WHERE strpos(lower("${column}"::text), lower($1)) > 0`,
        [text],
      );
      if (row.n > 0) found.push(`${table}.${column} holds "${text}" (${row.n} rows)`);
    }
  }
  return found;
}

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  stores = await activityProgram(db.dataSource, p);
  ann = await personWithActivity(db.dataSource, p, stores, 'Ann Archer');
  bob = await personWithActivity(db.dataSource, p, stores, 'Bob Baker');
  const m = db.dataSource.manager;

  // A mug shipped to Ann's home, then given back: its points are no longer held.
  const mug = await tx((manager) =>
    redeemReward(manager, p.ledger, {
      memberId: ann.memberId,
      rewardCode: 'mug',
      quantity: 1,
      partnerId: null,
      key: randomUUID(),
      shipTo: { name: 'Ann Archer', street, postalCode: '75011', city: 'Paris', country: 'FR' },
    }),
  );
  await settleRedemption(db.dataSource, p.ledger, mug.id, 'the member changed their mind');

  // Ann's birthday is today: celebrated with a bonus.
  const today = new Date();
  birthdayOn = today.toISOString().slice(0, 10);
  await m.update(Member, { id: ann.memberId }, { birthday: `1988-${birthdayOn.slice(5)}`, timeZone: 'UTC' });
  await m.upsert(ProgramSettings, { id: 1, birthdayGreetings: true, birthdayBonusPoints: 15 }, ['id']);
  expect((await celebrateBirthdays(db.dataSource, p.ledger, today)).celebrated).toBe(1);

  // Bob manages a company that employs Ann, and gave her points.
  company = await tx((manager) => createCompany(manager, { name: 'Acme', managerEmails: [bob.email], createdBy: 'ops@tessera.test' }));
  await tx((manager) =>
    fundCompany(manager, p.ledger, {
      companyId: company.id,
      partnerId: stores.shop.id,
      points: 500,
      reason: 'Budget',
      reference: 'budget',
      fundedBy: 'ops@tessera.test',
    }),
  );
  await tx((manager) => addEmployee(manager, { companyId: company.id, managerId: bob.memberId, address: ann.email }));
  await tx((manager) =>
    givePoints(manager, p.ledger, { companyId: company.id, managerId: bob.memberId, address: ann.email, points: 7, key: randomUUID() }),
  );

  // Ann reads French, lives in Paris and turned marketing texts off.
  await m.update(
    Member,
    { id: ann.memberId },
    { language: 'fr', timeZone: 'Europe/Paris', messagePreferences: { marketing: { sms: false } } },
  );

  // Ann unlinked the cafe from her dashboard.
  expect((await tx((manager) => unlinkStore(manager, { memberId: ann.memberId, partnerId: stores.cafe.id }))).removed).toBe(1);

  // A large goodwill gesture for Ann waits for a supervisor.
  pendingAdjustment = (
    await requestAdjustment(db.dataSource, p.ledger, {
      memberExternalId: ann.reference,
      points: 900,
      reason: 'Parcel lost twice',
      requestedBy: 'agent@tessera.test',
    })
  ).id;

  await tx((manager) => eraseMember(manager, p.ledger, { memberId: ann.memberId, requestedBy: 'member', reason: 'asked' }));
}, 120_000);
afterAll(() => db?.drop());

const annAccount = async () => (await memberWithAccount(db.dataSource.manager, ann.memberId)).account;

describe('erasure of a member with a full life in the program', () => {
  it('leaves nothing of their delivery address, employment, unlinked store or birthday', async () => {
    const names = [ann.email, ann.phone, ann.name, ann.reference, ann.formerReference!, ...ann.customerIds.map((c) => c.customerId)];
    expect(await whereFound([...names, street])).toEqual([]);
    const messages = await db.dataSource.manager.findBy(MemberMessage, { memberId: ann.memberId });
    expect(messages.map((message) => message.kind)).toContain('birthday');
    expect(JSON.stringify(messages.map((message) => message.details))).not.toContain(birthdayOn.slice(5));
    const transfers: { words: string }[] = await db.dataSource.query(
      `SELECT concat("references"::text, explanation::text) AS words FROM ledger_transfer WHERE "creditAccountId" = $1`,
      [(await annAccount()).id],
    );
    for (const { words } of transfers) expect(words).not.toContain(birthdayOn);
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  });

  it('leaves their profile as a new member’s: no language, time zone or choices of theirs', async () => {
    const erased = await db.dataSource.manager.findOneByOrFail(Member, { id: ann.memberId });
    expect({ language: erased.language, timeZone: erased.timeZone, messagePreferences: erased.messagePreferences }).toEqual({
      language: 'en',
      timeZone: 'UTC',
      messagePreferences: {},
    });
  });

  it('gives the erased member nothing more: the company no longer reaches them, nor does a reactivation bonus (nor a merged-away account) or care', async () => {
    await expect(
      tx((manager) =>
        givePoints(manager, p.ledger, {
          companyId: company.id,
          managerId: bob.memberId,
          address: ann.email,
          points: 5,
          key: randomUUID(),
        }),
      ),
    ).rejects.toMatchObject({ code: 'transfer_refused', field: 'address' });
    await db.dataSource.manager.insert(Bonus, { name: 'We missed you', moment: 'reactivation', points: 100, inactivityDays: 30 });
    const run = await reactivateInactiveMembers(db.dataSource, p.ledger, new Date(Date.now() + 60 * 86_400_000));
    expect(run.given.map((g) => g.memberId)).not.toContain(ann.memberId);
    // Care's adjustments: a new one is refused, the one waiting is rejected when approved.
    const erased = await db.dataSource.manager.findOneByOrFail(Member, { id: ann.memberId });
    await expect(
      requestAdjustment(db.dataSource, p.ledger, {
        memberExternalId: erased.externalId,
        points: 10,
        reason: 'Goodwill',
        requestedBy: 'agent@tessera.test',
      }),
    ).rejects.toMatchObject({ code: 'adjustment_refused', field: 'memberExternalId' });
    expect(await approveAdjustment(db.dataSource, p.ledger, pendingAdjustment, 'supervisor@tessera.test')).toBe('rejected');
    expect((await balanceOf(db.dataSource.manager, (await annAccount()).id)).available).toBe(0);
    // Bob, once: not the cafe's customer he was before the cafe proved his email (merged into him), whose account nothing reaches.
    expect(run.given.map((g) => g.memberId)).toEqual([bob.memberId]);
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  });
});

describe('erasure racing what was on its way to the member', () => {
  it('sends neither a purchase nor a gift that waited for it into the erased account, and keeps the store’s id out of it', async () => {
    const cleo = await personWithActivity(db.dataSource, p, stores, 'Cleo Carter');
    const [shopId] = cleo.customerIds;
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await eraseMember(runner.manager, p.ledger, { memberId: cleo.memberId, requestedBy: 'member', reason: 'asked' });
      // Both found Cleo before the erasure committed, and wait for her account's lock.
      const purchase = tx((manager) =>
        recordEvent(manager, p.ledger, {
          partnerId: shopId!.partnerId,
          member: { externalId: shopId!.customerId },
          type: 'purchase',
          amountCents: 5_000,
          currency: 'EUR',
          occurredAt: new Date(),
          receivedAt: new Date(),
        }),
      );
      const gift = tx((manager) =>
        giveToMember(manager, p.ledger, { fromMemberId: bob.memberId, to: cleo.email, points: 4, key: randomUUID() }),
      );
      const outcomes = Promise.allSettled([purchase, gift]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await runner.commitTransaction();
      const [earned, given] = await outcomes;
      expect(given).toMatchObject({ status: 'rejected', reason: { code: 'member_not_found' } });
      // The store's customer is someone new to Tessera now: the purchase earns for them.
      expect(earned.status).toBe('fulfilled');
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    const account = (await memberWithAccount(db.dataSource.manager, cleo.memberId)).account;
    expect(await balanceOf(db.dataSource.manager, account.id)).toMatchObject({ posted: 0, available: 0 });
    const events: { customerId: string }[] = await db.dataSource.query(`SELECT "customerId" FROM member_event WHERE "memberId" = $1`, [
      cleo.memberId,
    ]);
    expect(events.map((e) => e.customerId)).not.toContain(shopId!.customerId);
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  });
});
