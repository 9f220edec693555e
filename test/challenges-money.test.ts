import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Challenge, EarningRule, Leaderboard, LeaderboardRound, ProgramSettings } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { creditPurchasedPoints } from '../loyalty/funding.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent, type EventInput } from '../loyalty/earning/record-event.js';
import { refundEvent } from '../loyalty/earning/refund-event.js';
import { ChallengeRefusedError, saveChallenge } from '../loyalty/engagement/challenge-form.js';
import { countChallengeProgress } from '../loyalty/engagement/challenge-progress.js';
import { periodKeyAt } from '../loyalty/engagement/challenge-periods.js';
import { freezeLeaderboardRound, payLeaderboardPrizes } from '../loyalty/engagement/leaderboard-close.js';
import { saveLeaderboard } from '../loyalty/engagement/leaderboard-form.js';
import { leaderboardRanking } from '../loyalty/engagement/leaderboard-ranking.js';
import { scoreLeaderboards } from '../loyalty/engagement/leaderboard-scores.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { mergeMembers } from '../loyalty/member-identity.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/** Review findings on issue 14 that move points: what a challenge, a leaderboard or a merge pays and takes back. */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;
let shopKey: string;
let server: Server;
let api: string;
const dayMs = 86_400_000;
// One instant for the whole file: every date below is computed from it, never from the wall clock again.
const now = new Date();

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, eventBackdateDays: 62, refundShortfall: 'debt' });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  shop = await p.partner(1_000_000);
  shopKey = (await issueApiKey(db.dataSource.manager, shop.partner.id, 'test')).secret;
  server = createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger } }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
}, 120_000);
afterAll(async () => {
  server?.close();
  await db?.drop();
});
// Each test's challenges and leaderboards end with it: the next test's purchases count for its own only.
afterEach(async () => {
  await ds().manager.update(Challenge, { status: 'live' }, { status: 'ended' });
  await ds().manager.update(Leaderboard, { status: 'live' }, { status: 'ended' });
  forgetProgramConfiguration(ds());
  expect((await checkLedger(ds().manager)).violations).toEqual([]);
});

const ds = () => db.dataSource;
const operator = { kind: 'operator' } as const;
/** A purchase of `euros` at the shop, at `at` (now unless backdated). */
const purchase = (externalId: string, euros: number, at = now): EventInput => ({
  partnerId: shop.partner.id,
  member: { externalId },
  type: 'purchase',
  amountCents: euros * 100,
  currency: 'EUR',
  lines: [{ reference: 'ITEM', quantity: 1, unitPriceCents: euros * 100 }],
  occurredAt: at,
  receivedAt: now,
});
const record = (input: EventInput) => inTransaction(ds(), (m) => recordEvent(m, p.ledger, input));
/** A purchase recorded, then counted by challenges and scored by leaderboards, as the outbox's steps do. */
async function buy(externalId: string, euros: number, at = now) {
  const recorded = await record(purchase(externalId, euros, at));
  await countChallengeProgress(ds(), p.ledger, recorded.event.id);
  await scoreLeaderboards(ds(), recorded.event.id);
  return recorded;
}
const challengeForm = (fields: Record<string, string>) => ({
  name: 'Buy once',
  metric: 'purchase_count',
  target: '1',
  period: 'monthly',
  timeZone: 'UTC',
  startsAt: new Date(now.getTime() - 40 * dayMs).toISOString(),
  rewardPoints: '500',
  fundingPartnerId: shop.partner.id,
  status: 'live',
  ...fields,
});
async function liveChallenge(fields: Record<string, string> = {}) {
  const challenge = await inTransaction(ds(), (m) => saveChallenge(m, p.ledger, challengeForm(fields), operator));
  forgetProgramConfiguration(ds());
  return challenge;
}
const boardForm = (fields: Record<string, string>) => ({
  name: 'Top of the week',
  metric: 'points_earned',
  period: 'weekly',
  timeZone: 'UTC',
  startsAt: new Date(now.getTime() - 40 * dayMs).toISOString(),
  prizes: '1: 1000',
  fundingPartnerId: shop.partner.id,
  status: 'live',
  ...fields,
});
async function liveBoard(fields: Record<string, string> = {}) {
  const board = await inTransaction(ds(), (m) => saveLeaderboard(m, boardForm(fields), operator));
  forgetProgramConfiguration(ds());
  return board;
}
const scores = async (board: Leaderboard, at = now) =>
  (await leaderboardRanking(ds().manager, board, { periodKey: periodKeyAt(board, at) ?? undefined, now })).top.map((r) => r.score);
const rounds = (board: Leaderboard) => ds().manager.findBy(LeaderboardRound, { leaderboardId: board.id });

it('takes back the challenge reward that was paid, not the reward as the operator set it since', async () => {
  const challenge = await liveChallenge({ name: 'First purchase of the month', rewardPoints: '500' });
  const walletBefore = await p.available(shop.wallet.id);
  const bought = await buy('rw-lowered', 100);
  expect(await p.available(bought.memberAccountId)).toBe(100 + 500);
  // The operator makes the reward smaller for whoever completes it from now on.
  await inTransaction(ds(), (m) =>
    saveChallenge(m, p.ledger, challengeForm({ name: 'First purchase of the month', rewardPoints: '200' }), operator, challenge.id),
  );
  const refunded = await inTransaction(ds(), (m) =>
    refundEvent(m, p.ledger, { partnerId: shop.partner.id, eventId: bought.event.id, key: randomUUID() }),
  );
  expect(refunded).toMatchObject({ pointsReversed: 100, bonusPointsReversed: 500, pointsOwed: 0 });
  expect(await p.available(bought.memberAccountId)).toBe(0);
  expect(await p.available(shop.wallet.id)).toBe(walletBefore);
});

it('refunds through the API a purchase of a member since merged into another: the points come back from where they are now', async () => {
  const call = async (path: string, body: unknown) => {
    const response = await fetch(`${api}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${shopKey}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  };
  const walletBefore = await p.available(shop.wallet.id);
  const old = await call('/events', { member: { externalId: 'mg-old-card' }, type: 'purchase', amountCents: 30_000, currency: 'EUR' });
  const kept = await call('/events', { member: { externalId: 'mg-new-card' }, type: 'purchase', amountCents: 5_000, currency: 'EUR' });
  expect([old.status, kept.status]).toEqual([201, 201]);
  const memberOf = async (customerId: string) =>
    (await ds().query(`SELECT "memberId" FROM member_link WHERE "customerId" = $1`, [customerId]))[0].memberId as string;
  const into = await memberOf('mg-new-card');
  await inTransaction(ds(), async (m) =>
    mergeMembers(m, p.ledger, { fromMemberId: await memberOf('mg-old-card'), intoMemberId: into, cause: 'care', requestedBy: 'test' }),
  );

  const refunded = await call(`/events/${old.json.id}/refunds`, {});
  expect(refunded.status).toBe(201);
  expect(refunded.json).toMatchObject({ refundedCents: 30_000, pointsReversed: 300, pointsOwed: 0 });
  const accountOf = async (memberId: string) =>
    (await ds().query(`SELECT id FROM ledger_account WHERE "memberId" = $1 AND unit = 'points'`, [memberId]))[0].id as string;
  expect(await p.available(await accountOf(into))).toBe(50);
  expect(await p.available(shop.wallet.id)).toBe(walletBefore - 50);
});

it('pays the prizes a leaderboard had when its period froze, whatever the operator sets afterwards', async () => {
  const board = await liveBoard({ name: 'Top spender of the week', prizes: '1: 1000' });
  const winner = await buy('lb-prize-winner', 70);
  const [round] = await rounds(board);
  await freezeLeaderboardRound(ds(), round!.id, new Date(now.getTime() + 400 * dayMs));
  // After the freeze, the operator raises the prize (for the weeks to come).
  await inTransaction(ds(), (m) =>
    saveLeaderboard(m, boardForm({ name: 'Top spender of the week', prizes: '1: 5000' }), operator, board.id),
  );
  expect(await payLeaderboardPrizes(ds(), p.ledger, round!.id)).toBe(1000);
  expect(await p.available(winner.memberAccountId)).toBe(70 + 1000);
});

it('leaves a past period of a leaderboard alone: a backdated purchase opens no round and scores nowhere', async () => {
  const board = await liveBoard({ name: 'Top of the week, backdated' });
  const twoWeeksAgo = new Date(now.getTime() - 14 * dayMs);
  const late = await buy('lb-backdated', 90, twoWeeksAgo);
  expect(late.event.points).toBe(90);
  expect(await rounds(board)).toEqual([]);
  expect(await scores(board, twoWeeksAgo)).toEqual([]);
  // A purchase of this week still ranks.
  await buy('lb-this-week', 20);
  expect(await scores(board)).toEqual([20]);
  expect((await rounds(board)).map((r) => r.periodKey)).toEqual([periodKeyAt(board, now)]);
});

it("ranks a challenge's leaderboard by the metric itself, past the target, and only from the leaderboard's start", async () => {
  // One-off periods: the dates decide, not the month the test runs in.
  const endsAt = new Date(now.getTime() + 40 * dayMs).toISOString();
  const challenge = await liveChallenge({ name: 'Two purchases', target: '2', rewardPoints: '50', period: 'once', endsAt });
  // The leaderboard starts an hour ago: a purchase of earlier counts for the challenge, not for the board.
  const earlier = new Date(now.getTime() - 2 * 3_600_000);
  const board = await liveBoard({
    name: 'Most purchases',
    metric: 'challenge',
    challengeId: challenge.id,
    period: 'once',
    startsAt: new Date(now.getTime() - 3_600_000).toISOString(),
    endsAt,
    prizes: '1: 300',
  });
  const four = await buy('ch-four', 10);
  for (let i = 0; i < 3; i++) await buy('ch-four', 10);
  for (let i = 0; i < 3; i++) await buy('ch-three', 10);
  const two = await buy('ch-two', 10);
  await buy('ch-two', 10);
  await buy('ch-early', 10, earlier);
  // Each completed once: paid once, however far past the target.
  expect(await p.available(four.memberAccountId)).toBe(40 + 50);
  expect(await p.available(two.memberAccountId)).toBe(20 + 50);
  expect(await scores(board)).toEqual([4, 3, 2]);
});

it('lets a challenge whose reward waits for its payer be renamed and described; what it counts stays locked and a lower target still waits', async () => {
  const sponsor = await p.partner(0);
  const form = { name: 'Sponsored two purchases', target: '2', rewardPoints: '400', fundingPartnerId: sponsor.partner.id };
  const challenge = await liveChallenge(form);
  const waiting = await buy('ch-waiting', 10);
  await buy('ch-waiting', 10);
  const halfway = await buy('ch-halfway', 10);
  expect(await p.available(waiting.memberAccountId)).toBe(20);

  const edit = (fields: Record<string, string>) =>
    inTransaction(ds(), (m) => saveChallenge(m, p.ledger, challengeForm({ ...form, ...fields }), operator, challenge.id)).catch(
      (e: unknown) => e,
    );
  const renamed = await edit({ name: 'Sponsored purchases', description: 'Thanks to our sponsor' });
  expect(renamed).toMatchObject({ name: 'Sponsored purchases', description: 'Thanks to our sponsor' });
  const locked = await edit({ metric: 'spend' });
  expect(locked).toBeInstanceOf(ChallengeRefusedError);
  expect((locked as ChallengeRefusedError).problems).toMatchObject({ metric: expect.stringContaining('already on their way') });
  // A lower target would complete one more member the sponsor cannot pay either: refused, nothing saved.
  const lower = await edit({ target: '1' });
  expect(lower).toBeInstanceOf(ChallengeRefusedError);
  expect((lower as ChallengeRefusedError).problems).toMatchObject({ target: expect.stringContaining('top it up first') });
  expect(await ds().manager.findOneByOrFail(Challenge, { id: challenge.id })).toMatchObject({ target: 2, name: 'Sponsored purchases' });

  // Topped up, the next save pays the member who waited.
  await creditPurchasedPoints(ds().manager, p.ledger, { walletAccountId: sponsor.wallet.id, points: 400, key: randomUUID() });
  await edit({ description: 'Paid by our sponsor' });
  expect(await p.available(waiting.memberAccountId)).toBe(20 + 400);
  expect(await p.available(halfway.memberAccountId)).toBe(10);
});
