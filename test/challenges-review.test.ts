import { afterAll, beforeAll, expect, it } from 'vitest';
import { Challenge, ChallengeProgress, ExchangeRate, ProgramSettings } from '../entities/index.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent, type EventInput } from '../loyalty/earning/record-event.js';
import { refundEvent } from '../loyalty/earning/refund-event.js';
import { ChallengeRefusedError, saveChallenge } from '../loyalty/engagement/challenge-form.js';
import { countChallengeProgress } from '../loyalty/engagement/challenge-progress.js';
import { memberChallenge } from '../loyalty/engagement/member-challenges.js';
import { mergeMembers } from '../loyalty/member-identity.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/** Review of the challenges change: each test states what should hold, and fails where it does not. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, eventBackdateDays: 62 });
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

const yesterday = () => new Date(Date.now() - 86_400_000);
const nextYear = () => new Date(Date.now() + 365 * 86_400_000);

async function liveChallenge(fields: Partial<Challenge>): Promise<Challenge> {
  const m = db.dataSource.manager;
  const saved = await m.save(
    m.create(Challenge, {
      name: 'A challenge',
      partnerId: null,
      fundingPartnerId: null,
      metric: 'purchase_count',
      category: null,
      target: 1,
      period: 'once',
      startsAt: yesterday(),
      endsAt: nextYear(),
      rewardPoints: 100,
      status: 'live',
      ...fields,
    }),
  );
  forgetProgramConfiguration(db.dataSource);
  return saved;
}

async function purchase(
  p: Awaited<ReturnType<typeof createProgram>>,
  input: Partial<EventInput> & { partnerId: string; externalId: string },
) {
  const now = new Date();
  const { externalId, ...rest } = input;
  return inTransaction(db.dataSource, (m) =>
    recordEvent(m, p.ledger, { member: { externalId }, type: 'purchase', occurredAt: now, receivedAt: now, ...rest }),
  );
}

it('counts a purchase in another currency towards a spend challenge in the program currency, not in the foreign units', async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner(100_000);
  // 1 USD = 0.5 EUR: 100.00 USD is 50.00 EUR, half of the 100.00 EUR the challenge asks.
  await ds.manager.insert(ExchangeRate, { fromCurrency: 'USD', toCurrency: 'EUR', rate: 0.5, validFrom: new Date('2020-01-01T00:00:00Z') });
  const spend = await liveChallenge({ name: 'Spend 100 EUR', metric: 'spend', target: 10_000, fundingPartnerId: shop.partner.id });
  const recorded = await purchase(p, { partnerId: shop.partner.id, externalId: 'usd-buyer', amountCents: 10_000, currency: 'USD' });
  await countChallengeProgress(ds, p.ledger, recorded.event.id);
  const progress = await ds.manager.findOneByOrFail(ChallengeProgress, { challengeId: spend.id, memberId: recorded.memberId });
  expect(progress.value).toBe(5_000);
  expect(progress.completedAt).toBeNull();
});

it("pays a completed challenge even when another challenge the same purchase completes waits for its payer's wallet", async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner(0); // its own challenge, nothing in its wallet to pay it
  const sponsor = await p.partner(100_000);
  const own = await liveChallenge({ name: "The shop's first purchase", partnerId: shop.partner.id, fundingPartnerId: shop.partner.id });
  const program = await liveChallenge({ name: "The program's first purchase", fundingPartnerId: sponsor.partner.id });
  const recorded = await purchase(p, { partnerId: shop.partner.id, externalId: 'caught-between', amountCents: 1_000 });
  // The shop's challenge may wait for its top-up; the program's, which its sponsor can pay, should not.
  await countChallengeProgress(ds, p.ledger, recorded.event.id).catch(() => undefined);
  const programProgress = await ds.manager.findOneBy(ChallengeProgress, { challengeId: program.id, memberId: recorded.memberId });
  expect(programProgress?.completedAt ?? null).not.toBeNull();
  expect(await p.available(sponsor.wallet.id)).toBe(100_000 - 100);
  expect(own.id).toBeTruthy();
});

it('a partial refund of a line outside the category keeps the rest of the spend on the category', async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner(100_000);
  const shoes = await liveChallenge({
    name: 'Spend 100 on shoes',
    metric: 'spend',
    category: 'shoes',
    target: 20_000,
    partnerId: shop.partner.id,
    fundingPartnerId: shop.partner.id,
  });
  const recorded = await purchase(p, {
    partnerId: shop.partner.id,
    externalId: 'sock-returner',
    amountCents: 10_100,
    lines: [
      { reference: 'SHOE', category: 'shoes', quantity: 1, unitPriceCents: 10_000 },
      { reference: 'SOCK', category: 'socks', quantity: 1, unitPriceCents: 100 },
    ],
  });
  await countChallengeProgress(ds, p.ledger, recorded.event.id);
  const progress = () => ds.manager.findOneByOrFail(ChallengeProgress, { challengeId: shoes.id, memberId: recorded.memberId });
  expect((await progress()).value).toBe(10_000);
  // The socks go back; the shoes are kept.
  await inTransaction(ds, (m) =>
    refundEvent(m, p.ledger, {
      partnerId: shop.partner.id,
      eventId: recorded.event.id,
      lines: [{ reference: 'SOCK', quantity: 1 }],
      key: 'sock-back',
    }),
  );
  expect((await progress()).value).toBe(10_000);
});

it('a completed one-off challenge still reads as completed, with its progress, once it has ended', async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner(100_000);
  const once = await liveChallenge({ name: 'First purchase', partnerId: shop.partner.id, fundingPartnerId: shop.partner.id });
  const recorded = await purchase(p, { partnerId: shop.partner.id, externalId: 'early-bird', amountCents: 1_000 });
  await countChallengeProgress(ds, p.ledger, recorded.event.id);
  const before = await memberChallenge(ds.manager, recorded.memberId, once.id, { partnerId: shop.partner.id });
  expect(before).toMatchObject({ completed: true, progress: 1 });
  // The operator ends it (or its end date passes): the member did complete it, and was paid.
  await ds.manager.update(Challenge, { id: once.id }, { status: 'ended' });
  const after = await memberChallenge(ds.manager, recorded.memberId, once.id, { partnerId: shop.partner.id });
  expect(after).toMatchObject({ completed: true, progress: 1 });
  const afterEnd = await memberChallenge(ds.manager, recorded.memberId, once.id, { partnerId: shop.partner.id }, nextYear());
  expect(afterEnd).toMatchObject({ completed: true, progress: 1 });
});

it("refuses a partner's own 'different partners' challenge that can never be reached (it counts only that partner's purchases)", async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner();
  const refused = await inTransaction(ds, (m) =>
    saveChallenge(
      m,
      p.ledger,
      {
        name: 'Visit 3 different stores',
        metric: 'distinct_partners',
        target: '3',
        period: 'monthly',
        startsAt: '2026-01-01T00:00:00Z',
        rewardPoints: '100',
        status: 'live',
      },
      { kind: 'partner', partnerId: shop.partner.id },
    ),
  ).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ChallengeRefusedError);
});

it('refuses nonsense in a challenge form by field, never with a database error', async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const form = {
    name: 'Nonsense',
    metric: 'purchase_count',
    target: '3',
    period: 'weekly',
    startsAt: '2026-01-01T00:00:00Z',
    rewardPoints: '10',
  };
  const answers: [string, unknown][] = [];
  const expected: [string, unknown][] = [];
  for (const [fields, field] of [
    [{ name: 'Nul\u0000byte' }, 'name'],
    [{ description: 'Nul\u0000byte' }, 'description'],
    [{ metric: 'spend', category: 'sh\u0000oes' }, 'category'],
    [{ startsAt: '-010000-01-01T00:00:00Z' }, 'startsAt'],
    [{ endsAt: '-010000-01-01T00:00:00Z', startsAt: '-020000-01-01T00:00:00Z' }, 'startsAt'],
  ] as [Record<string, string>, string][]) {
    const error = await inTransaction(ds, (m) => saveChallenge(m, p.ledger, { ...form, ...fields }, { kind: 'operator' })).catch(
      (e: unknown) => e,
    );
    const refused = error instanceof ChallengeRefusedError ? Object.keys(error.problems) : String(error);
    answers.push([JSON.stringify(fields), Array.isArray(refused) && refused.includes(field) ? `refused: ${field}` : refused]);
    expected.push([JSON.stringify(fields), `refused: ${field}`]);
  }
  expect(answers).toEqual(expected);
});

async function mergeFixture() {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner(100_000);
  const twice = await liveChallenge({
    name: 'Buy three times this month',
    target: 3,
    period: 'monthly',
    endsAt: null,
    partnerId: shop.partner.id,
    fundingPartnerId: shop.partner.id,
  });
  const buy = async (externalId: string) => {
    const recorded = await purchase(p, { partnerId: shop.partner.id, externalId, amountCents: 1_000 });
    await countChallengeProgress(ds, p.ledger, recorded.event.id);
    return recorded;
  };
  const merge = (fromMemberId: string, intoMemberId: string) =>
    inTransaction(ds, (m) => mergeMembers(m, p.ledger, { fromMemberId, intoMemberId, cause: 'care', requestedBy: 'review' }));
  const rewards = async () =>
    Number((await ds.query(`SELECT COUNT(*) AS n FROM ledger_transfer WHERE "references"->>'challenge' = $1`, [twice.id]))[0].n);

  return { buy, merge, rewards };
}

it('a merge carries challenge progress: the merged person completes on their combined purchases', async () => {
  const { buy, merge, rewards } = await mergeFixture();
  // Two purchases on one card, one on another, merged: a fourth purchase makes four, and the challenge asks three.
  const card1 = await buy('card-1');
  await buy('card-1');
  const card2 = await buy('card-2');
  await merge(card1.memberId, card2.memberId);
  expect(await rewards()).toBe(0);
  await buy('card-2');
  expect(await rewards()).toBe(1);
});

it('a merge carries a completion: the merged person is paid once per period, not once per card', async () => {
  const { buy, merge, rewards } = await mergeFixture();
  // A card that completed it this month, merged into one that had two purchases: a third purchase pays nothing more.
  const done = await buy('done-1');
  await buy('done-1');
  await buy('done-1');
  const other = await buy('other-1');
  await buy('other-1');
  expect(await rewards()).toBe(1);
  await merge(done.memberId, other.memberId);
  await buy('other-1');
  expect(await rewards()).toBe(1);
});

it('refunding every purchase that completed a challenge takes its reward back, as a refund takes back the purchase bonuses', async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner(100_000);
  // Alone: the program's challenges of the tests above would count these purchases too.
  await ds.manager.update(Challenge, { status: 'live' }, { status: 'ended' });
  const thrice = await liveChallenge({
    name: 'Buy three times',
    target: 3,
    rewardPoints: 1_000,
    partnerId: shop.partner.id,
    fundingPartnerId: shop.partner.id,
  });
  const events = [];
  for (let i = 0; i < 3; i++) {
    const recorded = await purchase(p, { partnerId: shop.partner.id, externalId: 'serial-returner', amountCents: 1_000 });
    await countChallengeProgress(ds, p.ledger, recorded.event.id);
    events.push(recorded);
  }
  const member = events[0]!;
  expect(
    (await ds.manager.findOneByOrFail(ChallengeProgress, { challengeId: thrice.id, memberId: member.memberId })).completedAt,
  ).not.toBeNull();
  expect(await p.available(member.memberAccountId)).toBe(1_000);
  // Everything goes back to the shop: nothing was bought, and the reward for buying three times should not stay.
  for (const e of events) {
    await inTransaction(ds, (m) =>
      refundEvent(m, p.ledger, { partnerId: shop.partner.id, eventId: e.event.id, key: `back-${e.event.id}` }),
    );
  }
  expect(await p.available(member.memberAccountId)).toBe(0);
  expect((await checkLedger(ds.manager)).violations).toEqual([]);
});

it('lowering the target of a live challenge completes (and pays) the members who already reach it', async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner(100_000);
  const form = {
    name: 'Buy three times',
    metric: 'purchase_count',
    target: '3',
    period: 'once',
    startsAt: yesterday().toISOString(),
    endsAt: nextYear().toISOString(),
    rewardPoints: '100',
    status: 'live',
  };
  const editor = { kind: 'partner', partnerId: shop.partner.id } as const;
  const challenge = await inTransaction(ds, (m) => saveChallenge(m, p.ledger, form, editor));
  forgetProgramConfiguration(ds);
  let last;
  for (let i = 0; i < 2; i++) {
    last = await purchase(p, { partnerId: shop.partner.id, externalId: 'two-so-far', amountCents: 1_000 });
    await countChallengeProgress(ds, p.ledger, last.event.id);
  }
  // The shop makes it easier: two purchases are enough now.
  await inTransaction(ds, (m) => saveChallenge(m, p.ledger, { ...form, target: '2' }, editor, challenge.id));
  const seen = await memberChallenge(ds.manager, last!.memberId, challenge.id, { partnerId: shop.partner.id });
  expect(seen).toMatchObject({ target: 2, progress: 2, completed: true });
  expect(await p.available(last!.memberAccountId)).toBe(100);
  // Saved again, it pays no one twice.
  await inTransaction(ds, (m) => saveChallenge(m, p.ledger, { ...form, target: '2', name: 'Buy twice' }, editor, challenge.id));
  expect(await p.available(last!.memberAccountId)).toBe(100);
  expect((await checkLedger(ds.manager)).violations).toEqual([]);
});
