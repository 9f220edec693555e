import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDataSource } from '../entities/data-source.js';
import { Challenge, EarningRule, InstantWinCampaign, Leaderboard, LeaderboardRound, ProgramSettings, Reward } from '../entities/index.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent, type EventInput } from '../loyalty/earning/record-event.js';
import { refundEvent, type RefundRequest } from '../loyalty/earning/refund-event.js';
import { ChallengeRefusedError, saveChallenge } from '../loyalty/engagement/challenge-form.js';
import { countChallengeProgress } from '../loyalty/engagement/challenge-progress.js';
import { freezeLeaderboardRound, payLeaderboardPrizes } from '../loyalty/engagement/leaderboard-close.js';
import { saveLeaderboard } from '../loyalty/engagement/leaderboard-form.js';
import { leaderboardRanking } from '../loyalty/engagement/leaderboard-ranking.js';
import { scoreLeaderboards } from '../loyalty/engagement/leaderboard-scores.js';
import { accountByCode, programAccounts } from '../loyalty/ledger/accounts.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { mergeMembers } from '../loyalty/member-identity.js';
import { referralCodeOf } from '../loyalty/referrals.js';
import { redeemReward } from '../loyalty/redemptions.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/** Review findings on issue 14: what a refund or a merge leaves on leaderboards, instant wins and challenges. */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, eventBackdateDays: 62, refundShortfall: 'debt' });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  await db.dataSource.manager.insert(Reward, { code: 'one-point', name: 'One point', pointsPrice: 1 });
  shop = await p.partner(1_000_000);
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

const ds = () => db.dataSource;
/** A purchase of `items` × 100 euros (lines of one reference, so that one item may be refunded). */
const purchase = (externalId: string, items: number): EventInput => ({
  partnerId: shop.partner.id,
  member: { externalId },
  type: 'purchase',
  amountCents: items * 10_000,
  currency: 'EUR',
  lines: [{ reference: 'ITEM', quantity: items, unitPriceCents: 10_000 }],
  occurredAt: new Date(),
  receivedAt: new Date(),
});
const record = (input: EventInput) => inTransaction(ds(), (m) => recordEvent(m, p.ledger, input));
const refund = (eventId: string, lines?: RefundRequest['lines']) =>
  inTransaction(ds(), (m) => refundEvent(m, p.ledger, { partnerId: shop.partner.id, eventId, lines, key: randomUUID() }));
const ledgerTrue = async () => expect((await checkLedger(ds().manager)).violations).toEqual([]);

async function liveBoard(name: string, period: 'weekly' | 'monthly') {
  const board = await inTransaction(ds(), (m) =>
    saveLeaderboard(
      m,
      {
        name,
        metric: 'points_earned',
        period,
        startsAt: new Date(Date.now() - 86_400_000).toISOString(),
        prizes: '1: 1000',
        fundingPartnerId: shop.partner.id,
        status: 'live',
      },
      { kind: 'operator' },
    ),
  );
  forgetProgramConfiguration(ds());
  return board;
}
const ranking = async (board: Leaderboard) => (await leaderboardRanking(ds().manager, board, {})).top.map((r) => r.score);
const roundOf = async (board: Leaderboard) => ds().manager.findOneByOrFail(LeaderboardRound, { leaderboardId: board.id });
const endBoards = (...boards: Leaderboard[]) =>
  ds().manager.update(
    Leaderboard,
    boards.map((b) => b.id),
    { status: 'ended' },
  );

it('takes a refunded purchase off "points earned" leaderboards whose period is open, so the refunder wins no prize; a frozen period stays', async () => {
  const weekly = await liveBoard('Top earners of the week', 'weekly');
  const monthly = await liveBoard('Top earners of the month', 'monthly');
  const big = await record(purchase('lb-big-spender', 5));
  const honest = await record(purchase('lb-honest', 1));
  const partial = await record(purchase('lb-partial', 3));
  for (const e of [big, honest, partial]) await scoreLeaderboards(ds(), e.event.id);
  expect(await ranking(weekly)).toEqual([500, 300, 100]);
  // The month's period is over and frozen before the refunds: its final ranking stays as it was.
  await freezeLeaderboardRound(ds(), (await roundOf(monthly)).id, new Date(Date.now() + 400 * 86_400_000));

  await refund(big.event.id);
  await refund(partial.event.id, [{ reference: 'ITEM', quantity: 1 }]);
  expect(await ranking(weekly)).toEqual([200, 100]);
  expect(await ranking(monthly)).toEqual([500, 300, 100]);
  // A purchase refunded before its scoring step ran counts what is left of it.
  const late = await record(purchase('lb-late', 4));
  await refund(late.event.id, [{ reference: 'ITEM', quantity: 2 }]);
  const early = await record(purchase('lb-early', 9));
  await refund(early.event.id);
  for (const e of [late, early]) await scoreLeaderboards(ds(), e.event.id);
  expect(await ranking(weekly)).toEqual([200, 200, 100]);

  // The week closes: its prize goes to who earned the most and kept it, not to the refunder.
  const round = await roundOf(weekly);
  await freezeLeaderboardRound(ds(), round.id, new Date(Date.now() + 400 * 86_400_000));
  await payLeaderboardPrizes(ds(), p.ledger, round.id);
  expect(await p.available(big.memberAccountId)).toBe(0);
  expect(await p.available(partial.memberAccountId)).toBe(200 + 1000);
  await endBoards(weekly, monthly);
  await ledgerTrue();
});

it('takes an instant-win prize back with the full refund of the purchase that won it; the budget stays spent', async () => {
  const campaign = await ds().manager.save(
    ds().manager.create(InstantWinCampaign, {
      name: 'Everyone wins',
      startsAt: new Date(Date.now() - 86_400_000),
      endsAt: new Date(Date.now() + 86_400_000),
      mode: 'probability',
      winChancePpm: 1_000_000,
      prizePoints: 500,
      prizeBudget: 10,
      fundingPartnerId: shop.partner.id,
      seed: 'ab'.repeat(32),
      seedCommitment: 'cd'.repeat(32),
      status: 'live',
    }),
  );
  forgetProgramConfiguration(ds());
  const walletBefore = await p.available(shop.wallet.id);
  const won = await record(purchase('iw-farmer', 1));
  expect(won.instantWins).toMatchObject([{ won: true, prizePoints: 500 }]);
  expect(await p.available(won.memberAccountId)).toBe(100 + 500);
  // A partial refund keeps the prize: the purchase still stands.
  const kept = await record(purchase('iw-keeper', 2));
  await refund(kept.event.id, [{ reference: 'ITEM', quantity: 1 }]);
  expect(await p.available(kept.memberAccountId)).toBe(100 + 500);

  const refunded = await refund(won.event.id);
  expect(refunded).toMatchObject({ pointsReversed: 100, bonusPointsReversed: 500, pointsOwed: 0 });
  expect(await p.available(won.memberAccountId)).toBe(0);
  expect(await p.available(shop.wallet.id)).toBe(walletBefore - 100 - 200 - 2 * 500 + 100 + 100 + 500);
  expect(await ds().manager.findOneByOrFail(InstantWinCampaign, { id: campaign.id })).toMatchObject({ prizesWon: 2, pointsWon: 1000 });

  // Spent before the refund: what is left is taken back and the rest owed, as for any bonus.
  const spender = await record(purchase('iw-spender', 1));
  await ds().manager.update(InstantWinCampaign, { id: campaign.id }, { status: 'ended' });
  forgetProgramConfiguration(ds());
  await inTransaction(ds(), (m) =>
    redeemReward(m, p.ledger, {
      memberId: spender.event.memberId,
      rewardCode: 'one-point',
      quantity: 550,
      partnerId: null,
      key: randomUUID(),
    }),
  );
  expect(await refund(spender.event.id)).toMatchObject({ pointsReversed: 50, bonusPointsReversed: 0, pointsOwed: 550 });
  await ledgerTrue();
});

const challengeForm = {
  name: 'Two purchases a week',
  metric: 'purchase_count',
  target: '2',
  period: 'weekly',
  timeZone: 'Europe/Amsterdam',
  startsAt: new Date(Date.now() - 86_400_000).toISOString(),
  rewardPoints: '30',
  status: 'live',
};

it('refuses changing what a live challenge counts once members have progress, under each field; the target and the name may change', async () => {
  const challenge = await inTransaction(ds(), (m) => saveChallenge(m, p.ledger, challengeForm, { kind: 'operator' }));
  // Without progress, anything may change.
  await inTransaction(ds(), (m) => saveChallenge(m, p.ledger, { ...challengeForm, period: 'monthly' }, { kind: 'operator' }, challenge.id));
  const monthly = { ...challengeForm, period: 'monthly' };
  forgetProgramConfiguration(ds());
  const bought = await record(purchase('ch-on-the-way', 1));
  await countChallengeProgress(ds(), p.ledger, bought.event.id);
  const changes: Record<string, string>[] = [
    { metric: 'spend' },
    { metric: 'spend', category: 'coffee' },
    { period: 'weekly' },
    { startsAt: new Date(Date.now() - 2 * 86_400_000).toISOString() },
    { timeZone: 'UTC' },
  ];
  for (const change of changes) {
    const refused = await inTransaction(ds(), (m) =>
      saveChallenge(m, p.ledger, { ...monthly, ...change }, { kind: 'operator' }, challenge.id),
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChallengeRefusedError);
    const onTheirWay = Object.fromEntries(Object.keys(change).map((field) => [field, expect.stringContaining('already on their way')]));
    expect((refused as ChallengeRefusedError).problems).toMatchObject(onTheirWay);
  }
  const renamed = await inTransaction(ds(), (m) =>
    saveChallenge(m, p.ledger, { ...monthly, name: 'Three purchases a month', target: '3' }, { kind: 'operator' }, challenge.id),
  );
  expect(renamed).toMatchObject({ name: 'Three purchases a month', target: 3, period: 'monthly' });
  await inTransaction(ds(), (m) => saveChallenge(m, p.ledger, { ...monthly, status: 'ended' }, { kind: 'operator' }, challenge.id));
});

it("pays a partner's challenge saved before it named a payer from that partner's wallet, not from marketing", async () => {
  const other = await p.partner(10_000);
  const challenge = await inTransaction(ds(), (m) =>
    saveChallenge(m, p.ledger, { ...challengeForm, target: '1', partnerId: other.partner.id }, { kind: 'operator' }),
  );
  await ds().manager.query(`UPDATE challenge SET "fundingPartnerId" = NULL WHERE id = $1`, [challenge.id]);
  forgetProgramConfiguration(ds());
  const marketing = await accountByCode(ds().manager, programAccounts.marketing);
  const marketingBefore = await p.posted(marketing.id);
  const now = new Date();
  const bought = await record({
    partnerId: other.partner.id,
    member: { externalId: 'ch-old-partner-challenge' },
    type: 'purchase',
    amountCents: 1_000,
    occurredAt: now,
    receivedAt: now,
  });
  await countChallengeProgress(ds(), p.ledger, bought.event.id);
  expect(await p.available(bought.memberAccountId)).toBe(10 + 30);
  expect(await p.available(other.wallet.id)).toBe(10_000 - 10 - 30);
  expect(await p.posted(marketing.id)).toBe(marketingBefore);
  await ds().manager.query(`UPDATE challenge SET status = 'ended' WHERE id = $1`, [challenge.id]);
  await ledgerTrue();
});

it("moves a merged member's leaderboard scores into the surviving member's: one person ranks once, with both scores", async () => {
  const weekly = await liveBoard('Merged week', 'weekly');
  const old = await record(purchase('mg-old-card', 3));
  const rival = await record(purchase('mg-rival', 4));
  const current = await record(purchase('mg-new-card', 2));
  for (const e of [old, rival, current]) await scoreLeaderboards(ds(), e.event.id);
  expect(await ranking(weekly)).toEqual([400, 300, 200]);
  await inTransaction(ds(), (m) =>
    mergeMembers(m, p.ledger, {
      fromMemberId: old.event.memberId,
      intoMemberId: current.event.memberId,
      cause: 'care',
      requestedBy: 'test',
    }),
  );
  expect(await ranking(weekly)).toEqual([500, 400]);
  expect((await leaderboardRanking(ds().manager, weekly, { memberId: current.event.memberId })).member).toEqual({ rank: 1, score: 500 });
  // A replayed scoring step of the merged member's purchase adds nothing.
  await scoreLeaderboards(ds(), old.event.id);
  expect(await ranking(weekly)).toEqual([500, 400]);
  await endBoards(weekly);
  await ledgerTrue();
});

it("merges two members while both members' purchases score on a challenge's leaderboard, without a deadlock, losing nothing", async () => {
  const counting = await inTransaction(ds(), (m) =>
    saveChallenge(m, p.ledger, { ...challengeForm, name: 'Many purchases a month', target: '3', period: 'monthly' }, { kind: 'operator' }),
  );
  const board = await inTransaction(ds(), (m) =>
    saveLeaderboard(
      m,
      {
        name: 'Most purchases, merged',
        metric: 'challenge',
        challengeId: counting.id,
        period: 'monthly',
        timeZone: 'Europe/Amsterdam',
        startsAt: new Date(Date.now() - 86_400_000).toISOString(),
        status: 'live',
      },
      { kind: 'operator' },
    ),
  );
  forgetProgramConfiguration(ds());
  const deadlocks = async () =>
    Number((await ds().query(`SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`))[0].deadlocks);
  const before = await deadlocks();
  const bought = async (externalId: string) => {
    const recorded = await record(purchase(externalId, 1));
    return recorded.event;
  };
  // The merged-away member has 2 purchases, the survivor 3; a third member goes from 2 to 3 meanwhile:
  // their score buckets (2, 3, 5) are the ones the merge changes.
  const counted = async (externalId: string, purchases: number) => {
    for (let n = 0; n < purchases; n++) await countChallengeProgress(ds(), p.ledger, (await bought(externalId)).id);
  };
  const pairs = 12;
  for (let i = 0; i < pairs; i++) {
    await counted(`dl-from-${i}`, 2);
    await counted(`dl-into-${i}`, 3);
    await counted(`dl-third-${i}`, 2);
  }
  const racing = createDataSource({ url: db.url, poolSize: 8 });
  await racing.initialize();
  const ledger = new Ledger(racing);
  for (let i = 0; i < pairs; i++) {
    const [from, into, third] = [await bought(`dl-from-${i}`), await bought(`dl-into-${i}`), await bought(`dl-third-${i}`)];
    await Promise.all([
      inTransaction(racing, (m) =>
        mergeMembers(m, ledger, { fromMemberId: from.memberId, intoMemberId: into.memberId, cause: 'care', requestedBy: 'test' }),
      ),
      countChallengeProgress(racing, ledger, from.id),
      countChallengeProgress(racing, ledger, into.id),
      countChallengeProgress(racing, ledger, third.id),
    ]);
  }
  // A deadlock is retried without a word: its sessions end, and the server flushes its count about every second.
  await racing.destroy();
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(await deadlocks()).toBe(before);
  // Each survivor ranks once with the two members' seven purchases; each third member with three.
  const scores: { score: string }[] = await ds().query(
    `SELECT score FROM leaderboard_score WHERE "leaderboardId" = $1 ORDER BY score DESC`,
    [board.id],
  );
  expect(scores.map((s) => Number(s.score))).toEqual([...Array(pairs).fill(7), ...Array(pairs).fill(3)]);
  expect((await leaderboardRanking(ds().manager, board, {})).top.map((r) => r.score)).toEqual(Array(10).fill(7));
  await endBoards(board);
  await ledgerTrue();
}, 120_000);

/** Records an event of `amountCents` (a purchase) for a member of this test, and counts it at once, as the outbox would. */
function recorderOf(tag: string) {
  return async (who: string, type: 'purchase' | 'registration', extra: { referralCode?: string } = {}) => {
    const now = new Date();
    const recorded = await record({
      partnerId: shop.partner.id,
      member: { externalId: `${who}-${tag}`, ...extra },
      type,
      ...(type === 'purchase' ? { amountCents: 2_000, currency: 'EUR' } : {}),
      occurredAt: now,
      receivedAt: now,
    });
    await countChallengeProgress(ds(), p.ledger, recorded.event.id);
    return recorded;
  };
}
const once = (name: string, metric: string, rewardPoints: string) => ({
  name,
  metric,
  target: '1',
  period: 'once',
  timeZone: 'UTC',
  startsAt: '2026-01-01T00:00:00Z',
  endsAt: '2099-01-01T00:00:00Z',
  rewardPoints,
  fundingPartnerId: shop.partner.id,
  status: 'live',
});
const debtsOf = (...accountIds: string[]) =>
  ds().query(`SELECT points FROM points_debt WHERE "memberAccountId" = ANY($1::uuid[])`, [accountIds]) as Promise<{ points: string }[]>;

it("takes a challenge reward back from the survivor when the merged member's purchase that earned it is refunded, owing nothing on the merged account", async () => {
  const challenge = await inTransaction(ds(), (m) =>
    saveChallenge(m, p.ledger, once('Buy once (merged)', 'purchase_count', '5'), { kind: 'operator' }),
  );
  forgetProgramConfiguration(ds());
  const event = recorderOf(randomUUID().slice(0, 6));
  const x = await event('x', 'purchase');
  expect(await p.available(x.memberAccountId)).toBe(20 + 5);
  const y = await event('y', 'registration');
  await inTransaction(ds(), (m) =>
    mergeMembers(m, p.ledger, { fromMemberId: x.memberId, intoMemberId: y.memberId, cause: 'care', requestedBy: 'test' }),
  );
  expect(await p.available(y.memberAccountId)).toBe(20 + 5);
  await refund(x.event.id);
  // The purchase's 20 points and the reward it no longer earns, both from the person as merged.
  expect(await p.available(y.memberAccountId)).toBe(0);
  expect(await p.available(x.memberAccountId)).toBe(0);
  expect(await debtsOf(x.memberAccountId, y.memberAccountId)).toEqual([]);
  await ds().manager.update(Challenge, { id: challenge.id }, { status: 'ended' });
  forgetProgramConfiguration(ds());
  await ledgerTrue();
}, 120_000);

it("takes a referral reward back from the referrer's survivor when the friend's qualifying purchase is refunded after the referrer was merged", async () => {
  const challenge = await inTransaction(ds(), (m) =>
    saveChallenge(m, p.ledger, once('Refer one (merged)', 'referrals', '300'), { kind: 'operator' }),
  );
  forgetProgramConfiguration(ds());
  const event = recorderOf(randomUUID().slice(0, 6));
  const ann = await event('ann', 'purchase');
  await event('ben', 'registration', { referralCode: await referralCodeOf(ds().manager, ann.memberId) });
  const ben = await event('ben', 'purchase');
  expect(await p.available(ann.memberAccountId)).toBe(20 + 300);
  const ann2 = await event('ann2', 'purchase');
  await inTransaction(ds(), (m) =>
    mergeMembers(m, p.ledger, { fromMemberId: ann.memberId, intoMemberId: ann2.memberId, cause: 'care', requestedBy: 'test' }),
  );
  expect(await p.available(ann2.memberAccountId)).toBe(20 + 300 + 20);
  await refund(ben.event.id);
  expect(await p.available(ann2.memberAccountId)).toBe(20 + 20);
  expect(await p.available(ben.memberAccountId)).toBe(0);
  expect(await debtsOf(ann.memberAccountId, ann2.memberAccountId, ben.memberAccountId)).toEqual([]);
  await ds().manager.update(Challenge, { id: challenge.id }, { status: 'ended' });
  forgetProgramConfiguration(ds());
  await ledgerTrue();
}, 120_000);
