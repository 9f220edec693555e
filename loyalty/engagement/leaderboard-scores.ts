import type { DataSource, EntityManager } from 'typeorm';
import { Leaderboard, MemberEvent, Segment } from '../../entities/index.js';
import { inTransaction } from '../ledger/transaction.js';
import { queuedBy, queueProcess } from '../outbox.js';
import { inSegment } from '../segments/segment-query.js';
import { periodEndAfter, periodKeyAt } from './challenge-periods.js';

/** What became of one leaderboard when a score was offered to it. */
export type ScoreOutcome = 'scored' | 'already_scored' | 'not_in_audience' | 'frozen';

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
 * The period's round, created (and its close workflow queued) with the period's first score, then
 * held shared until the transaction ends: the close takes it exclusively to freeze, so a score
 * either lands before the freeze or finds the round frozen. True when the period is still open.
 */
async function openRound(manager: EntityManager, board: Leaderboard, periodKey: string, at: Date): Promise<boolean> {
  const endsAt = periodEndAfter(board, at);
  if (!endsAt) throw new Error(`leaderboard ${board.id}: a period without an end cannot be closed`);
  const created: { id: string }[] = await manager.query(
    `INSERT INTO leaderboard_round ("leaderboardId", "periodKey", "endsAt") VALUES ($1, $2, $3)
     ON CONFLICT ("leaderboardId", "periodKey") DO NOTHING RETURNING id`,
    [board.id, periodKey, endsAt],
  );
  if (created[0]) await queueProcess(manager, 'leaderboard_close', created[0].id, {});
  const [round] = await manager.query(
    `SELECT "frozenAt" FROM leaderboard_round WHERE "leaderboardId" = $1 AND "periodKey" = $2 FOR SHARE`,
    [board.id, periodKey],
  );
  return round.frozenAt === null;
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
  if (!event || event.points <= 0) return [];
  const boards = (await manager.findBy(Leaderboard, { status: 'live' })).filter((b) => couldScore(b, event));
  boards.sort((a, b) => a.id.localeCompare(b.id)); // score rows are locked in one order
  const offered: OfferedScore[] = [];
  for (const board of boards) {
    const periodKey = periodKeyAt(board, event.occurredAt)!;
    const outcome = await offer(manager, board, event, periodKey);
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
 * A challenge's progress, as the challenge recounted it (in the challenge's transaction), becomes
 * the member's score on the live leaderboards ranked by that challenge. The score keeps its
 * `reachedAt` when the value did not change (a re-count ranks no one later).
 */
export async function scoreChallengeProgress(
  manager: EntityManager,
  challengeId: string,
  memberId: string,
  periodKey: string,
  value: number,
  at: Date,
): Promise<OfferedScore[]> {
  const boards = await manager.find(Leaderboard, { where: { challengeId, status: 'live' }, order: { id: 'ASC' } });
  const offered: OfferedScore[] = [];
  for (const board of boards) {
    let outcome: ScoreOutcome = 'scored';
    if (!(await inAudience(manager, board, memberId, at))) outcome = 'not_in_audience';
    else if (!(await openRound(manager, board, periodKey, at))) outcome = 'frozen';
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
