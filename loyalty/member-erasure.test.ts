import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Member, MemberErasure, MemberLink, ProgramSettings, WebhookDelivery } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { activityProgram, personWithActivity, type Person } from '../test/support/member-activity.js';
import { createProgram } from '../test/support/program.js';
import { checkLedger } from './ledger/invariants.js';
import { inTransaction } from './ledger/transaction.js';
import { createCompany } from './company-accounts.js';
import { eraseMember } from './member-erasure.js';
import { memberWithAccount } from './member-identity.js';
import { exportMemberData } from './member-data-export.js';
import { redeemReward } from './redemptions.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let stores: Awaited<ReturnType<typeof activityProgram>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  stores = await activityProgram(db.dataSource, p);
});
afterAll(() => db.drop());

const erase = (memberId: string, requestedBy = 'member', reason = 'asked from their dashboard') =>
  inTransaction(db.dataSource, (manager) => eraseMember(manager, p.ledger, { memberId, requestedBy, reason }));

/** What each funder's lots still hold for the member: what the erasure must forfeit, lot by lot. */
async function remaindersByFunder(memberId: string): Promise<Record<string, number>> {
  const rows: { funder: string | null; points: string }[] = await db.dataSource.query(
    `SELECT l."fundingPartnerId" AS funder, SUM(l.remaining) AS points FROM point_lot l
       JOIN ledger_account a ON a.id = l."memberAccountId" WHERE a."memberId" = $1 AND l.remaining > 0 GROUP BY 1`,
    [memberId],
  );
  return Object.fromEntries(rows.map((r) => [r.funder ?? 'program', Number(r.points)]));
}

async function breakageOfErasure(erasureId: string): Promise<Record<string, number>> {
  const rows: { funder: string | null; points: string }[] = await db.dataSource.query(
    `SELECT l."fundingPartnerId" AS funder, SUM(c.points) AS points
       FROM ledger_transfer t JOIN lot_consumption c ON c."transferId" = t.id JOIN point_lot l ON l.id = c."lotId"
       JOIN ledger_account b ON b.id = t."creditAccountId"
      WHERE t."references"->>'erasure' = $1 AND b.code = 'program:breakage' GROUP BY 1`,
    [erasureId],
  );
  return Object.fromEntries(rows.map((r) => [r.funder ?? 'program', Number(r.points)]));
}

/** Every row of the tables an erasure may touch, to see that a call changed nothing. */
async function snapshot(): Promise<string> {
  const tables = ['member', 'member_link', 'member_event', 'member_session', 'member_code', 'member_erasure', 'care_adjustment'];
  const parts: string[] = [];
  for (const table of [
    ...tables,
    'ledger_account',
    'ledger_transfer',
    'ledger_balance',
    'point_lot',
    'sent_email',
    'sent_sms',
    'webhook_delivery',
    'audit_entry',
  ]) {
    const [row] = await db.dataSource.query(`SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM ${table} t`);
    parts.push(`${table}:${row.h}`);
  }
  return parts.join('\n');
}

describe('erasing a member', () => {
  let ann: Person;
  let bob: Person;
  let bobBefore: Awaited<ReturnType<typeof exportMemberData>>;

  beforeAll(async () => {
    ann = await personWithActivity(db.dataSource, p, stores, 'Ann Archer');
    bob = await personWithActivity(db.dataSource, p, stores, 'Bob Baker');
    bobBefore = await exportMemberData(db.dataSource.manager, bob.memberId);
  });

  it('erases their personal data, forfeits their points to breakage by funder, and keeps the ledger whole', async () => {
    const remainders = await remaindersByFunder(ann.memberId);
    const events = Number((await db.dataSource.query(`SELECT COUNT(*) AS n FROM member_event WHERE "memberId" = $1`, [ann.memberId]))[0].n);
    const { erasure, alreadyErased } = await erase(ann.memberId, 'care@privacy.test', 'Letter received on 2 May');
    expect(alreadyErased).toBe(false);

    const member = await db.dataSource.manager.findOneByOrFail(Member, { id: ann.memberId });
    expect(member).toMatchObject({ email: null, emailVerifiedAt: null, phone: null, phoneVerifiedAt: null, displayName: null });
    expect(member.externalId).toMatch(/^erased-[0-9a-f]{12}$/);
    const [former] = await db.dataSource.query(`SELECT "externalId", email FROM member WHERE "mergedIntoId" = $1`, [ann.memberId]);
    expect(former).toEqual({ externalId: expect.stringMatching(/^erased-/), email: null });

    // The stores no longer know her; her purchases still count, under her pseudonym.
    expect(await db.dataSource.manager.countBy(MemberLink, { memberId: ann.memberId })).toBe(0);
    const eventIds: { customerId: string }[] = await db.dataSource.query(`SELECT "customerId" FROM member_event WHERE "memberId" = $1`, [
      ann.memberId,
    ]);
    expect(eventIds).toHaveLength(events);
    expect(new Set(eventIds.map((e) => e.customerId))).toEqual(new Set([member.externalId]));

    const [sessions] = await db.dataSource.query(
      `SELECT COUNT(*) FILTER (WHERE "revokedAt" IS NULL)::int AS live, COUNT(*)::int AS all FROM member_session WHERE "memberId" = $1`,
      [ann.memberId],
    );
    expect(sessions).toEqual({ live: 0, all: 2 });
    expect(await db.dataSource.query(`SELECT 1 FROM member_code WHERE "memberId" = $1 OR address = $2`, [ann.memberId, ann.email])).toEqual(
      [],
    );

    // Messages are kept (counted), but no longer say to whom or what.
    const emails: { to: string; subject: string; text: string; html: string | null }[] = await db.dataSource.query(
      `SELECT "to", subject, text, html FROM sent_email WHERE "to" = $1`,
      [member.externalId],
    );
    expect(emails).toHaveLength(2);
    expect(emails.map((e) => e.subject).sort()).toEqual(['Your Tessera sign-in code: 123456', '[erased], your points expire soon']);
    for (const email of emails) expect([email.text, email.html]).toEqual(['(erased)', null]);
    expect(await db.dataSource.query(`SELECT "to", text FROM sent_sms WHERE "memberId" = $1`, [ann.memberId])).toEqual([
      { to: member.externalId, text: '(erased)' },
    ]);

    // The stores' webhook payloads name her by her pseudonym.
    const deliveries = await db.dataSource.manager.find(WebhookDelivery);
    const named = deliveries.map((d) => (d.payload as { data: { member: string } }).data.member);
    expect(named.filter((m) => m === member.externalId)).toHaveLength(4);
    for (const c of ann.customerIds) expect(named).not.toContain(c.customerId);

    const [adjustment] = await db.dataSource.query(`SELECT "memberExternalId", reason FROM care_adjustment WHERE "memberExternalId" = $1`, [
      member.externalId,
    ]);
    expect(adjustment.reason).toBe('Goodwill for [erased]: a receipt the till lost');

    // Her points are breakage, attributed lot by lot to whoever funded them.
    expect(await breakageOfErasure(erasure.id)).toEqual(remainders);
    const forfeited = Object.values(remainders).reduce((sum, n) => sum + n, 0);
    expect(forfeited).toBe(120 + 45 + 30 + 25 - 10);
    const [account] = await db.dataSource.query(`SELECT id FROM ledger_account WHERE "memberId" = $1`, [ann.memberId]);
    expect(await p.available(account.id)).toBe(0);
    expect(await db.dataSource.manager.findOneByOrFail(MemberErasure, { id: erasure.id })).toMatchObject({
      memberId: ann.memberId,
      requestedBy: 'care@privacy.test',
      reason: 'Letter received on 2 May',
      pointsForfeited: forfeited,
      forfeitedTo: 'breakage',
      byFunder: expect.arrayContaining([
        { partnerId: stores.shop.id, points: remainders[stores.shop.id] },
        { partnerId: stores.cafe.id, points: remainders[stores.cafe.id] },
        { partnerId: null, points: remainders.program },
      ]),
    });
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);

    // The other member is untouched.
    expect(await exportMemberData(db.dataSource.manager, bob.memberId)).toEqual({ ...bobBefore, exportedAt: expect.any(Date) });
  });

  it('erases a member once: a second request changes nothing and answers the first erasure', async () => {
    const [{ id }] = await db.dataSource.query(`SELECT id FROM member_erasure WHERE "memberId" = $1`, [ann.memberId]);
    const before = await snapshot();
    const again = await erase(ann.memberId);
    expect(again).toMatchObject({ alreadyErased: true, erasure: { id } });
    expect(await snapshot()).toBe(before);
  });
});

it("gives an erased member's points back to the wallets of their funders when the program says so, the program's own to breakage", async () => {
  const dee = await personWithActivity(db.dataSource, p, stores, 'Dee Dunn');
  const remainders = await remaindersByFunder(dee.memberId);
  const wallets = async () => ({ shop: await p.available(stores.shopWallet.id), cafe: await p.available(stores.cafeWallet.id) });
  const before = { wallets: await wallets(), breakage: await p.available(p.program.breakage.id) };
  await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { erasureForfeiture: 'funders' });
  try {
    const { erasure } = await erase(dee.memberId);
    expect(erasure).toMatchObject({ forfeitedTo: 'funders', pointsForfeited: 120 + 45 + 30 + 25 - 10 });
    expect(await wallets()).toEqual({
      shop: before.wallets.shop + remainders[stores.shop.id]!,
      cafe: before.wallets.cafe + remainders[stores.cafe.id]!,
    });
    expect(await p.available(p.program.breakage.id)).toBe(before.breakage + remainders.program!);
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  } finally {
    await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { erasureForfeiture: 'breakage' });
  }
});

it('refuses to erase a member while points are held for a reward being shipped, and writes nothing', async () => {
  const cy = await personWithActivity(db.dataSource, p, stores, 'Cy Carter');
  await inTransaction(db.dataSource, (manager) =>
    redeemReward(manager, p.ledger, {
      memberId: cy.memberId,
      rewardCode: 'mug',
      quantity: 1,
      partnerId: stores.shop.id,
      key: randomUUID(),
    }),
  );
  const before = await snapshot();
  await expect(erase(cy.memberId)).rejects.toMatchObject({
    code: 'erasure_refused',
    kind: 'conflict',
    reason: '20 points are held for a reward being shipped: the data can be erased once it is delivered or cancelled',
  });
  expect(await snapshot()).toBe(before);
});

it("refuses to erase a member while points are pending in a purchase's return window, and writes nothing", async () => {
  const di = await personWithActivity(db.dataSource, p, stores, 'Di Dekker');
  const { account } = await memberWithAccount(db.dataSource.manager, di.memberId);
  await p.ledger.holdCredit({
    source: `partner:${stores.shop.id}`,
    key: randomUUID(),
    until: new Date(Date.now() + 14 * 86_400_000),
    legs: [{ debitAccountId: stores.shopWallet.id, creditAccountId: account.id, amount: 15, kind: 'earn' }],
  });
  const before = await snapshot();
  await expect(erase(di.memberId)).rejects.toMatchObject({
    code: 'erasure_refused',
    kind: 'conflict',
    reason: "15 points are pending in a purchase's return window: the data can be erased once they are confirmed or cancelled",
  });
  expect(await snapshot()).toBe(before);
});

it('refuses a member who does not exist', async () => {
  await expect(erase(randomUUID())).rejects.toMatchObject({ code: 'member_not_found' });
});

it("refuses to erase a company's own account, which is not a person, and writes nothing", async () => {
  const { member: manager } = await p.member(`erasure-manager-${randomUUID().slice(0, 6)}`);
  await db.dataSource.manager.update(Member, { id: manager.id }, { emailVerifiedAt: new Date() });
  const company = await inTransaction(db.dataSource, (m) =>
    createCompany(m, {
      name: `Erasure Co ${randomUUID().slice(0, 6)}`,
      managerEmails: [manager.email!],
      createdBy: 'operator@tessera.test',
    }),
  );
  const before = await snapshot();
  await expect(erase(company.memberId, 'care@tessera.test', 'a letter')).rejects.toMatchObject({
    code: 'erasure_refused',
    reason: expect.stringContaining('a company'),
  });
  expect(await snapshot()).toBe(before);
});
