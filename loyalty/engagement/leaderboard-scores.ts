import type { DataSource, EntityManager } from 'typeorm';
import { Leaderboard, MemberEvent, Segment } from '../../entities/index.js';
import { inTransaction } from '../ledger/transaction.js';
import { queuedBy, queueProcess } from '../outbox.js';
import { inSegment } from '../segments/segment-query.js';
import { periodEndAfter, periodKeyAt } from './challenge-periods.js';

/**
 * What became of one leaderboard when a score was offered to it. `period_over`: the event arrived
 * after its period ended (backdated), or its period is outside the leaderboard's dates.
 */
export type ScoreOutcome = 'scored' | 'already_scored' | 'not_in_audience' | 'frozen' | 'period_over';

export interface OfferedScore {
  leaderboardId: string;
  periodKey: string;
  outcome: ScoreOutcome;
}

type Scorable = Pick<MemberEvent, 'partnerId' | 'occurredAt'>;

function couldScore(board: Leaderboard, event: Scorable): boolean {
  return (
    board.status === 'live' &&
    board.metric === 'points_earned' &&
    (board.partnerId === null || board.partnerId === event.partnerId) &&
    periodKeyAt(board, event.occurredAt) !== null
  );
}

/**
 * Whether a live leaderboard could rank the points of this event: cheap, from the cached
 * configuration, so that an event's write queues its scoring step only then. (A challenge's
 * leaderboard is scored with the challenge's progress, see scoreChallengeProgress.)
 */
export function leaderboardsCouldScore(leaderboards: Leaderboard[], event: Scorable): boolean {
  return leaderboards.some((board) => couldScore(board, event));
}

/** Whether the member ranks on the board at `at`: in its segment, an employee of its company. */
async function inAudience(manager: EntityManager, board: Leaderboard, memberId: string, at: Date): Promise<boolean> {
  if (board.segmentId) {
    const segment = await manager.findOneBy(Segment, { id: board.segmentId });
    if (!segment || !(await inSegment(manager, segment.conditions, memberId, at))) return false;
  }
  if (board.companyId) {
    const employed = await manager.query(
      `SELECT 1 FROM company_employee WHERE "companyId" = $1 AND "memberId" = $2 AND "removedAt" IS NULL`,
      [board.companyId, memberId],
    );
    if (employed.length === 0) return false;
  }
  return true;
}

/**
 * Whether an event that arrived at `arrivedAt` still counts for the period of `at`: a period takes
 * what arrived before it ended (its scoring step may run a little later, until the freeze), never a
 * backdated event into a period already over, which would open or change a past ranking.
 */
function arrivedInTime(board: Leaderboard, at: Date, arrivedAt: Date): boolean {
  const endsAt = periodEndAfter(board, at);
  return endsAt === null || arrivedAt < endsAt;
}

/**
 * The period's round, created (and its close workflow queued) with the period's first score when
 * `create`, then held shared until the transaction ends: the close takes it exclusively to freeze,
 * so a score either lands before the freeze or finds the round frozen. True when the period is
 * still open. Without `create` (a refund or a merge adjusting scores) a period without a round stays without.
 */
async function openRound(manager: EntityManager, board: Leaderboard, periodKey: string, at: Date, create = true): Promise<boolean> {
  const endsAt = periodEndAfter(board, at);
  if (!endsAt) throw new Error(`leaderboard ${board.id}: a period without an end cannot be closed`);
  if (create) {
    const created: { id: string }[] = await manager.query(
      `INSERT INTO leaderboard_round ("leaderboardId", "periodKey", "endsAt") VALUES ($1, $2, $3)
       ON CONFLICT ("leaderboardId", "periodKey") DO NOTHING RETURNING id`,
      [board.id, periodKey, endsAt],
    );
    if (created[0]) await queueProcess(manager, 'leaderboard_close', created[0].id, {});
  }
  const [round] = await manager.query(
    `SELECT "frozenAt" FROM leaderboard_round WHERE "leaderboardId" = $1 AND "periodKey" = $2 FOR SHARE`,
    [board.id, periodKey],
  );
  return round !== undefined && round.frozenAt === null;
}

/**
 * Adds the points a recorded event earned to the live "points earned" leaderboards it qualifies
 * for, in one transaction: the event's contribution is keyed by (event, leaderboard), so a replayed
 * or re-delivered step scores once; a frozen period is left as it is. Of equal scores the earlier
 * reached ranks first, so the score's `reachedAt` is the latest event that made it.
 * Started from the outbox once the event committed (workflow `leaderboard-score-<eventId>`).
 */
export function scoreLeaderboards(dataSource: DataSource, eventId: string): Promise<{ scored: OfferedScore[]; queued: string[] }> {
  return inTransaction(dataSource, async (manager) => ({ scored: await scoreIn(manager, eventId), queued: queuedBy(manager) }));
}

async function scoreIn(manager: EntityManager, eventId: string): Promise<OfferedScore[]> {
  const event = await manager.findOne(MemberEvent, { where: { id: eventId }, lock: { mode: 'pessimistic_read' } });
  if (!event) return [];
  // A refund recorded before this step ran leaves only the points the purchase still earns.
  const points =
    event.amountCents && event.refundedCents > 0
      ? event.points - Number((BigInt(event.points) * BigInt(event.refundedCents)) / BigInt(event.amountCents))
      : event.points;
  if (points <= 0) return [];
  const boards = (await manager.findBy(Leaderboard, { status: 'live' })).filter((b) => couldScore(b, event));
  boards.sort((a, b) => a.id.localeCompare(b.id)); // score rows are locked in one order
  const offered: OfferedScore[] = [];
  for (const board of boards) {
    const periodKey = periodKeyAt(board, event.occurredAt)!;
    const outcome = arrivedInTime(board, event.occurredAt, event.recordedAt)
      ? await offer(manager, board, { ...event, points }, periodKey)
      : 'period_over';
    offered.push({ leaderboardId: board.id, periodKey, outcome });
  }
  return offered;
}

/** One event's points offered to one leaderboard, in the caller's transaction (exported for the benchmark, which measures this step). */
export async function offer(
  manager: EntityManager,
  board: Leaderboard,
  event: Pick<MemberEvent, 'id' | 'memberId' | 'points' | 'occurredAt'>,
  periodKey: string,
): Promise<ScoreOutcome> {
  if (!(await inAudience(manager, board, event.memberId, event.occurredAt))) return 'not_in_audience';
  if (!(await openRound(manager, board, periodKey, event.occurredAt))) return 'frozen';
  const inserted = await manager.query(
    `INSERT INTO leaderboard_contribution ("eventId", "leaderboardId", "periodKey", "memberId", amount)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING "eventId"`,
    [event.id, board.id, periodKey, event.memberId, event.points],
  );
  if (inserted.length === 0) return 'already_scored';
  await manager.query(
    `INSERT INTO leaderboard_score ("leaderboardId", "periodKey", "memberId", score, "reachedAt") VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT ("leaderboardId", "periodKey", "memberId") DO UPDATE
       SET score = leaderboard_score.score + EXCLUDED.score,
           "reachedAt" = GREATEST(leaderboard_score."reachedAt", EXCLUDED."reachedAt")`,
    [board.id, periodKey, event.memberId, event.points, event.occurredAt],
  );
  return 'scored';
}

/**
 * A refund leaves on each open round only the `points` its purchase still earns: the event's
 * contribution shrinks to them and the member's score by the difference, under the round's shared
 * lock as scoring takes it (a score left at nothing ranks no one). A frozen round keeps its final
 * ranking: its prizes were paid on it.
 */
export async function withdrawLeaderboardPoints(manager: EntityManager, eventId: string, points: number): Promise<void> {
  const rows: { leaderboardId: string; periodKey: string; memberId: string; amount: string }[] = await manager.query(
    `SELECT "leaderboardId", "periodKey", "memberId", amount FROM leaderboard_contribution
      WHERE "eventId" = $1 AND amount > $2 ORDER BY "leaderboardId"`,
    [eventId, points],
  );
  for (const row of rows) {
    const [round]: { frozenAt: Date | null }[] = await manager.query(
      `SELECT "frozenAt" FROM leaderboard_round WHERE "leaderboardId" = $1 AND "periodKey" = $2 FOR SHARE`,
      [row.leaderboardId, row.periodKey],
    );
    if (!round || round.frozenAt !== null) continue;
    await manager.query(`UPDATE leaderboard_contribution SET amount = $3 WHERE "eventId" = $1 AND "leaderboardId" = $2`, [
      eventId,
      row.leaderboardId,
      points,
    ]);
    await manager.query(
      `UPDATE leaderboard_score SET score = score - $4 WHERE "leaderboardId" = $1 AND "periodKey" = $2 AND "memberId" = $3`,
      [row.leaderboardId, row.periodKey, row.memberId, Number(row.amount) - points],
    );
  }
}

/**
 * A merge's effect on the boards not yet frozen, in the merge's transaction: the merged-away
 * member's points earned become the surviving member's (one person ranks once, with both scores
 * added, reached when the later of them was), and their challenge scores leave the board (the
 * challenges' recount over both members scores the survivor). Frozen rounds keep their standings.
 * Both members' scores are locked first, in one order, then changed by one statement, so that their
 * score buckets change in one sorted batch (see LeaderboardScoreBucket): two merges on one board
 * cannot deadlock on them.
 */
export async function mergeLeaderboardScores(manager: EntityManager, fromMemberId: string, intoMemberId: string): Promise<void> {
  const rounds: { leaderboardId: string; periodKey: string; metric: Leaderboard['metric'] }[] = await manager.query(
    `SELECT s."leaderboardId", s."periodKey", b.metric FROM leaderboard_score s
       JOIN leaderboard b ON b.id = s."leaderboardId"
       JOIN leaderboard_round r ON r."leaderboardId" = s."leaderboardId" AND r."periodKey" = s."periodKey"
      WHERE s."memberId" = $1 AND r."frozenAt" IS NULL
      ORDER BY s."leaderboardId", s."periodKey" FOR SHARE OF r`,
    [fromMemberId],
  );
  for (const { leaderboardId, periodKey, metric } of rounds) {
    const held: { memberId: string; score: string; reachedAt: Date }[] = await manager.query(
      `SELECT "memberId", score, "reachedAt" FROM leaderboard_score
        WHERE "leaderboardId" = $1 AND "periodKey" = $2 AND "memberId" IN ($3, $4) ORDER BY "memberId" FOR UPDATE`,
      [leaderboardId, periodKey, fromMemberId, intoMemberId],
    );
    const from = held.find((h) => h.memberId === fromMemberId)!;
    const into = held.find((h) => h.memberId === intoMemberId);
    const key = [leaderboardId, periodKey, fromMemberId, intoMemberId];
    if (metric === 'points_earned') {
      await manager.query(
        `UPDATE leaderboard_contribution SET "memberId" = $4 WHERE "leaderboardId" = $1 AND "periodKey" = $2 AND "memberId" = $3`,
        key,
      );
      if (!into) {
        // The survivor had no score: the merged-away member's becomes theirs, in the same bucket.
        await manager.query(
          `UPDATE leaderboard_score SET "memberId" = $4 WHERE "leaderboardId" = $1 AND "periodKey" = $2 AND "memberId" = $3`,
          key,
        );
        continue;
      }
      // Left at 0, the merged-away member's score is in no bucket and its row goes below.
      await manager.query(
        `UPDATE leaderboard_score
            SET score = CASE WHEN "memberId" = $4 THEN score + $5 ELSE 0 END,
                "reachedAt" = CASE WHEN "memberId" = $4 THEN GREATEST("reachedAt", $6) ELSE "reachedAt" END
          WHERE "leaderboardId" = $1 AND "periodKey" = $2 AND "memberId" IN ($3, $4)`,
        [...key, from.score, from.reachedAt],
      );
    }
    await manager.query(
      `DELETE FROM leaderboard_score WHERE "leaderboardId" = $1 AND "periodKey" = $2 AND "memberId" = $3`,
      key.slice(0, 3),
    );
  }
}

/**
 * A merge's hold on the open rounds of the boards ranking a challenge in a period, taken
 * exclusively in board order before it rescores the two members there. Scoring takes a round
 * shared before its score and the score's buckets (see openRound); the merge changes buckets in
 * two statements (the survivor's recount, then the merged member's score leaving), which a third
 * member's score crossing the same buckets could interleave with: holding the rounds, the merge
 * takes the rows in scoring's order (round, score, buckets) and no scoring is between its statements.
 */
export async function holdChallengeRounds(manager: EntityManager, challengeId: string, periodKey: string): Promise<void> {
  await manager.query(
    `SELECT count(*) FROM (
       SELECT 1 FROM leaderboard_round r JOIN leaderboard b ON b.id = r."leaderboardId"
        WHERE b."challengeId" = $1 AND b.status = 'live' AND r."periodKey" = $2 AND r."frozenAt" IS NULL
        ORDER BY r."leaderboardId" FOR NO KEY UPDATE OF r) held`,
    [challengeId, periodKey],
  );
}

/**
 * A challenge's progress, as the challenge recounted it (in the challenge's transaction), becomes
 * the member's score on the live leaderboards ranked by that challenge, within the leaderboard's
 * own dates. `arrivedAt`: a purchase counted, which opens its period's round if it arrived in time;
 * without it (a refund, a merge) only a round already open changes. The score keeps its
 * `reachedAt` when the value did not change (a re-count ranks no one later).
 */
export async function scoreChallengeProgress(
  manager: EntityManager,
  challengeId: string,
  memberId: string,
  periodKey: string,
  value: number,
  at: Date,
  arrivedAt?: Date,
): Promise<OfferedScore[]> {
  const boards = await manager.find(Leaderboard, { where: { challengeId, status: 'live' }, order: { id: 'ASC' } });
  const offered: OfferedScore[] = [];
  for (const board of boards) {
    let outcome: ScoreOutcome = 'scored';
    // A leaderboard may start after its challenge: what was counted before does not rank.
    if (periodKeyAt(board, at) !== periodKey || (arrivedAt && !arrivedInTime(board, at, arrivedAt))) outcome = 'period_over';
    else if (!(await inAudience(manager, board, memberId, at))) outcome = 'not_in_audience';
    else if (!(await openRound(manager, board, periodKey, at, arrivedAt !== undefined))) outcome = 'frozen';
    else
      await manager.query(
        `INSERT INTO leaderboard_score ("leaderboardId", "periodKey", "memberId", score, "reachedAt") VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ("leaderboardId", "periodKey", "memberId") DO UPDATE
           SET score = EXCLUDED.score,
               "reachedAt" = CASE WHEN leaderboard_score.score = EXCLUDED.score THEN leaderboard_score."reachedAt" ELSE EXCLUDED."reachedAt" END`,
        [board.id, periodKey, memberId, value, at],
      );
    offered.push({ leaderboardId: board.id, periodKey, outcome });
  }
  return offered;
}
