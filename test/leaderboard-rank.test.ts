import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, Leaderboard, LeaderboardRound, ProgramSettings } from '../entities/index.js';
import { LeaderboardScoreBuckets1796085723081 } from '../entities/migrations/1796085723081-LeaderboardScoreBuckets.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent, type EventInput } from '../loyalty/earning/record-event.js';
import { refundEvent } from '../loyalty/earning/refund-event.js';
import { periodKeyAt } from '../loyalty/engagement/challenge-periods.js';
import { leaderboardBucketDrift } from '../loyalty/engagement/leaderboard-buckets.js';
import { freezeLeaderboardRound } from '../loyalty/engagement/leaderboard-close.js';
import { saveLeaderboard } from '../loyalty/engagement/leaderboard-form.js';
import { memberRank } from '../loyalty/engagement/leaderboard-ranking.js';
import { offer, scoreLeaderboards } from '../loyalty/engagement/leaderboard-scores.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { mergeMembers } from '../loyalty/member-identity.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/** A member's rank from the maintained score buckets, against the brute-force count it replaces. */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;
const now = new Date();

beforeAll(async () => {
  db = await createTestDatabase({ poolSize: 12 });
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, eventBackdateDays: 62, refundShortfall: 'debt' });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  shop = await p.partner(100_000_000);
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

const ds = () => db.dataSource;

async function liveBoard(name: string): Promise<{ board: Leaderboard; periodKey: string }> {
  const board = await inTransaction(ds(), (m) =>
    saveLeaderboard(
      m,
      {
        name,
        metric: 'points_earned',
        period: 'weekly',
        startsAt: new Date(now.getTime() - 86_400_000).toISOString(),
        prizes: '1: 100, 2-3: 50',
        fundingPartnerId: shop.partner.id,
        status: 'live',
      },
      { kind: 'operator' },
    ),
  );
  forgetProgramConfiguration(ds());
  return { board, periodKey: periodKeyAt(board, now)! };
}

/** Every scored member's rank, as the buckets give it and as a count of the higher scores does. */
async function ranksBothWays(leaderboardId: string, periodKey: string) {
  const rows: { memberId: string; score: string; brute: number }[] = await ds().query(
    `SELECT "memberId", score, (SELECT count(*)::int + 1 FROM leaderboard_score h
                                 WHERE h."leaderboardId" = s."leaderboardId" AND h."periodKey" = s."periodKey" AND h.score > s.score) AS brute
       FROM leaderboard_score s WHERE "leaderboardId" = $1 AND "periodKey" = $2 AND score > 0`,
    [leaderboardId, periodKey],
  );
  const fromBuckets = await Promise.all(rows.map((r) => memberRank(ds().manager, leaderboardId, periodKey, null, r.memberId)));
  return {
    buckets: rows.map((r, i) => ({ memberId: r.memberId, ...fromBuckets[i] })),
    brute: rows.map((r) => ({ memberId: r.memberId, rank: r.brute, score: Number(r.score) })),
  };
}

async function inParallel<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

it('gives every member the rank a count of higher scores gives, after a concurrent burst of score updates at every level of the buckets; the buckets equal the scores grouped', async () => {
  const { board, periodKey } = await liveBoard('Burst');
  // Points across the levels of the buckets (256 scores a bucket, 256 buckets a coarser one): ties, a
  // score at a bucket's edge, scores past 2^16, 2^24 and 2^40.
  const points = [1, 1, 7, 255, 256, 300, 65_535, 65_536, 70_000, 2 ** 24 + 5, 2 ** 40];
  const members = Array.from({ length: 40 }, () => randomUUID());
  const tasks = Array.from({ length: 400 }, (_, i) => () => {
    // A few members take most updates, so that the same score and bucket rows are changed at once.
    const memberId = members[i % 2 === 0 ? (i / 2) % members.length : i % 4]!;
    // Not retried: a deadlock would fail the test.
    return ds().transaction((m) =>
      offer(m, board, { id: randomUUID(), memberId, points: points[(i * 7) % points.length]!, occurredAt: now }, periodKey),
    );
  });
  expect(new Set(await inParallel(tasks, 10))).toEqual(new Set(['scored']));

  const { buckets, brute } = await ranksBothWays(board.id, periodKey);
  expect(buckets).toHaveLength(40);
  expect(buckets).toEqual(brute);
  expect(await leaderboardBucketDrift(ds().manager)).toEqual([]);
}, 120_000);

it('ranks with ties sharing a rank (1, 2, 2, 4) after concurrent purchases, refunds and a merge, exactly as the count does; the prizes still go by who reached a tie first', async () => {
  const { board, periodKey } = await liveBoard('Ties');
  const purchase = (externalId: string, euros: number, minutesAgo: number): EventInput => ({
    partnerId: shop.partner.id,
    member: { externalId },
    type: 'purchase',
    amountCents: euros * 100,
    currency: 'EUR',
    lines: [{ reference: 'ITEM', quantity: euros, unitPriceCents: 100 }],
    occurredAt: new Date(now.getTime() - minutesAgo * 60_000),
    receivedAt: now,
  });
  const record = (input: EventInput) => inTransaction(ds(), (m) => recordEvent(m, p.ledger, input));
  const tag = randomUUID().slice(0, 6);
  const [ann, bob, cat, dan, eve, old, neu] = ['ann', 'bob', 'cat', 'dan', 'eve', 'old', 'new'].map((n) => `${n}-${tag}`) as string[] as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  // Bob reaches 300 before Cat; Eve buys 300 too but gives back 280 of it.
  const events = [
    await record(purchase(ann, 500, 50)),
    await record(purchase(bob, 200, 40)),
    await record(purchase(bob, 100, 39)),
    await record(purchase(cat, 300, 30)),
    await record(purchase(dan, 100, 20)),
    await record(purchase(eve, 300, 10)),
    await record(purchase(old, 60, 9)),
    await record(purchase(neu, 40, 8)),
  ];
  await Promise.all(events.map((e) => scoreLeaderboards(ds(), e.event.id)));
  await inTransaction(ds(), (m) =>
    refundEvent(m, p.ledger, {
      partnerId: shop.partner.id,
      eventId: events[5]!.event.id,
      lines: [{ reference: 'ITEM', quantity: 280 }],
      key: randomUUID(),
    }),
  );
  // Old and new are one person: 60 + 40 = 100, tied with Dan.
  await inTransaction(ds(), (m) =>
    mergeMembers(m, p.ledger, {
      fromMemberId: events[6]!.event.memberId,
      intoMemberId: events[7]!.event.memberId,
      cause: 'care',
      requestedBy: 'test',
    }),
  );

  const { buckets, brute } = await ranksBothWays(board.id, periodKey);
  expect(buckets).toEqual(brute);
  const rankOf = (i: number) => buckets.find((b) => b.memberId === events[i]!.event.memberId);
  expect([0, 1, 3, 4, 7, 5].map((i) => rankOf(i))).toEqual([
    expect.objectContaining({ rank: 1, score: 500 }),
    expect.objectContaining({ rank: 2, score: 300 }),
    expect.objectContaining({ rank: 2, score: 300 }),
    expect.objectContaining({ rank: 4, score: 100 }),
    expect.objectContaining({ rank: 4, score: 100 }),
    expect.objectContaining({ rank: 6, score: 20 }),
  ]);
  expect(rankOf(6)).toBeUndefined();
  expect(await leaderboardBucketDrift(ds().manager)).toEqual([]);

  // Frozen, the standings keep those ranks; of the tie at 300 Bob reached it first and takes place 2.
  const round = await ds().manager.findOneByOrFail(LeaderboardRound, { leaderboardId: board.id, periodKey });
  await freezeLeaderboardRound(ds(), round.id, new Date(now.getTime() + 400 * 86_400_000));
  const standings: { memberId: string; position: number; rank: number }[] = await ds().query(
    `SELECT "memberId", position, rank FROM leaderboard_standing WHERE "roundId" = $1 ORDER BY position`,
    [round.id],
  );
  expect(standings.map((s) => [s.memberId, s.rank])).toEqual([0, 1, 3, 4, 7, 5].map((i) => [events[i]!.event.memberId, rankOf(i)!.rank]));
  expect(await memberRank(ds().manager, board.id, periodKey, round.id, events[3]!.event.memberId)).toEqual({ rank: 2, score: 300 });
  await ds().manager.update(Leaderboard, { id: board.id }, { status: 'ended' });
  expect((await checkLedger(ds().manager)).violations).toEqual([]);
}, 120_000);

it('the migration fills the buckets from the scores already kept, and takes them away again on the way down', async () => {
  const migration = new LeaderboardScoreBuckets1796085723081();
  const run = async (direction: 'up' | 'down') => {
    const runner = ds().createQueryRunner();
    try {
      await migration[direction](runner);
    } finally {
      await runner.release();
    }
  };
  await run('down');
  const boards = [randomUUID(), randomUUID()];
  // Scores kept before the buckets existed: two boards, two periods, ties, nothing, and large ones.
  await ds().query(
    `INSERT INTO leaderboard_score ("leaderboardId", "periodKey", "memberId", score, "reachedAt")
     SELECT b, k, gen_random_uuid(), (ARRAY[0, 5, 5, 256, 511, 65536, 1099511627776])[1 + i % 7] * (1 + i % 3), now()
       FROM unnest($1::uuid[]) b, unnest(ARRAY['2026-W48', '2026-W49']) k, generate_series(1, 60) i`,
    [boards],
  );
  await run('up');
  expect(await leaderboardBucketDrift(ds().manager)).toEqual([]);
  for (const board of boards) {
    for (const periodKey of ['2026-W48', '2026-W49']) {
      const { buckets, brute } = await ranksBothWays(board, periodKey);
      expect(buckets.length).toBeGreaterThan(40);
      expect(buckets).toEqual(brute);
    }
  }
  // And kept from then on.
  await ds().query(`UPDATE leaderboard_score SET score = score + 300 WHERE "leaderboardId" = $1 AND score < 300`, [boards[0]]);
  await ds().query(`DELETE FROM leaderboard_score WHERE "leaderboardId" = $1 AND score = 556`, [boards[0]]);
  expect(await leaderboardBucketDrift(ds().manager)).toEqual([]);
  const { buckets, brute } = await ranksBothWays(boards[0]!, '2026-W49');
  expect(buckets).toEqual(brute);
});
