import { afterAll, beforeAll, expect, it } from 'vitest';
import { ProgramSettings, Segment } from '../entities/index.js';
import { zonedLocal } from '../loyalty/campaigns/zoned-time.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { refundEvent } from '../loyalty/earning/refund-event.js';
import { ChallengeRefusedError, saveChallenge } from '../loyalty/engagement/challenge-form.js';
import { countChallengeProgress } from '../loyalty/engagement/challenge-progress.js';
import { memberChallenge } from '../loyalty/engagement/member-challenges.js';
import { accountByCode, programAccounts } from '../loyalty/ledger/accounts.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/** Follow-ups of the challenges review (issue 14 item 1): who pays, whose segments, challenges of a few hours. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, eventBackdateDays: 62 });
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

const form = {
  name: 'First purchase',
  metric: 'purchase_count',
  target: '1',
  period: 'once',
  startsAt: new Date(Date.now() - 86_400_000).toISOString(),
  endsAt: new Date(Date.now() + 86_400_000).toISOString(),
  rewardPoints: '100',
  status: 'live',
};

it("pays an operator's partner challenge left without a payer from that partner's wallet, as the field's help says", async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner(10_000);
  const marketing = await accountByCode(ds.manager, programAccounts.marketing);
  const marketingBefore = await p.posted(marketing.id);
  const saved = await inTransaction(ds, (m) => saveChallenge(m, p.ledger, { ...form, partnerId: shop.partner.id }, { kind: 'operator' }));
  expect(saved.fundingPartnerId).toBe(shop.partner.id);
  forgetProgramConfiguration(ds);
  const now = new Date();
  const recorded = await inTransaction(ds, (m) =>
    recordEvent(m, p.ledger, {
      member: { externalId: 'paid-by-the-shop' },
      partnerId: shop.partner.id,
      type: 'purchase',
      amountCents: 1_000,
      occurredAt: now,
      receivedAt: now,
    }),
  );
  await countChallengeProgress(ds, p.ledger, recorded.event.id);
  expect(await p.available(recorded.memberAccountId)).toBe(100);
  expect(await p.available(shop.wallet.id)).toBe(10_000 - 100);
  expect(await p.posted(marketing.id)).toBe(marketingBefore);
  expect((await checkLedger(ds.manager)).violations).toEqual([]);
});

it("refuses a partner user's challenge that names a segment (segments are the program's), under the field", async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner();
  const segment = await ds.manager.save(
    ds.manager.create(Segment, { name: 'Big spenders', conditions: { balanceMin: 1_000 }, createdBy: 'operator' }),
  );
  const refused = await inTransaction(ds, (m) =>
    saveChallenge(m, p.ledger, { ...form, segmentId: segment.id }, { kind: 'partner', partnerId: shop.partner.id }),
  ).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ChallengeRefusedError);
  expect((refused as ChallengeRefusedError).problems).toEqual({ segmentId: expect.stringContaining("segments are the program's") });
  // The operator may aim the program's challenge at it.
  const program = await inTransaction(ds, (m) => saveChallenge(m, p.ledger, { ...form, segmentId: segment.id }, { kind: 'operator' }));
  expect(program.segmentId).toBe(segment.id);
});

it('runs a one-off challenge of a few hours, set on its own clock, and pays it as any period', async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner(10_000);
  const timeZone = 'Asia/Kolkata'; // +05:30: a clock a UTC reading would get wrong by hours
  const now = Date.now();
  // "14:00 to 18:00" as the shop's staff type it, on the challenge's clock (minutes, no offset).
  const startsAt = zonedLocal(new Date(now - 2 * 3_600_000), timeZone);
  const endsAt = zonedLocal(new Date(now + 2 * 3_600_000), timeZone);
  const happyHour = { ...form, name: 'Happy hours', timeZone, startsAt, endsAt };
  const editor = { kind: 'partner', partnerId: shop.partner.id } as const;
  const saved = await inTransaction(ds, (m) => saveChallenge(m, p.ledger, happyHour, editor));
  expect(saved.startsAt.getTime()).toBe(Math.floor((now - 2 * 3_600_000) / 60_000) * 60_000);
  expect(saved.endsAt!.getTime()).toBe(Math.floor((now + 2 * 3_600_000) / 60_000) * 60_000);
  forgetProgramConfiguration(ds);

  const buy = async (externalId: string, occurredAt: Date) => {
    const recorded = await inTransaction(ds, (m) =>
      recordEvent(m, p.ledger, {
        member: { externalId },
        partnerId: shop.partner.id,
        type: 'purchase',
        amountCents: 1_000,
        occurredAt,
        receivedAt: new Date(),
      }),
    );
    await countChallengeProgress(ds, p.ledger, recorded.event.id);
    return recorded;
  };
  const inTime = await buy('in-the-hours', new Date());
  const early = await buy('before-the-hours', new Date(now - 3 * 3_600_000));
  expect(await p.available(inTime.memberAccountId)).toBe(100);
  expect(await p.available(early.memberAccountId)).toBe(0);
  const seen = await memberChallenge(ds.manager, inTime.memberId, saved.id, { partnerId: shop.partner.id });
  expect(seen).toMatchObject({ periodKey: 'once', completed: true, periodEndsAt: saved.endsAt, timeZone });

  // Under an hour is no challenge anyone can take part in: refused under its end.
  const tooShort = await inTransaction(ds, (m) =>
    saveChallenge(m, p.ledger, { ...happyHour, endsAt: zonedLocal(new Date(now - 90 * 60_000), timeZone) }, editor),
  ).catch((e: unknown) => e);
  expect((tooShort as ChallengeRefusedError).problems).toEqual({ endsAt: 'a one-off challenge lasts at least an hour' });
  expect((await checkLedger(ds.manager)).violations).toEqual([]);
});

it('a refund that takes back a challenge reward the member already spent leaves the rest owed, as for a bonus', async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner(10_000);
  const saved = await inTransaction(ds, (m) =>
    saveChallenge(m, p.ledger, { ...form, name: 'First purchase, spent at once' }, { kind: 'partner', partnerId: shop.partner.id }),
  );
  forgetProgramConfiguration(ds);
  const now = new Date();
  const recorded = await inTransaction(ds, (m) =>
    recordEvent(m, p.ledger, {
      member: { externalId: 'spends-it-all' },
      partnerId: shop.partner.id,
      type: 'purchase',
      amountCents: 1_000,
      occurredAt: now,
      receivedAt: now,
    }),
  );
  await countChallengeProgress(ds, p.ledger, recorded.event.id);
  // The other tests' program challenges are not this member's concern: only this reward counts here.
  const reward = await p.available(recorded.memberAccountId);
  expect(reward).toBeGreaterThanOrEqual(100);
  await p.ledger.transfer({
    source: 'test',
    key: `spend-${recorded.memberId}`,
    legs: [{ debitAccountId: recorded.memberAccountId, creditAccountId: p.program.redemption.id, amount: reward - 30, kind: 'burn' }],
  });
  const refund = await inTransaction(ds, (m) =>
    refundEvent(m, p.ledger, { partnerId: shop.partner.id, eventId: recorded.event.id, key: 'all-back' }),
  );
  expect(await p.available(recorded.memberAccountId)).toBe(0);
  expect(refund.bonusPointsReversed + refund.pointsOwed).toBe(reward);
  expect(refund.pointsOwed).toBe(reward - 30);
  const progress = await memberChallenge(ds.manager, recorded.memberId, saved.id, { partnerId: shop.partner.id });
  expect(progress).toMatchObject({ progress: 0, completed: false });
  expect((await checkLedger(ds.manager)).violations).toEqual([]);
});
