import type { EntityManager } from 'typeorm';
import { Leaderboard, type LeaderboardMetric, type LeaderboardPeriod, type LeaderboardPrize } from '../../entities/index.js';
import { isUuid } from '../ids.js';
import { Refusal } from '../refusal.js';
import { periodEndAfter, periodKeyAt } from './challenge-periods.js';
import { membersAboveSql } from './leaderboard-buckets.js';

/** How a member who did not agree to show their name appears. */
export const anonymousName = 'Anonymous member';

/** Not a leaderboard the viewer may see: none by that id, a draft, or another partner's (the same answer, so its existence does not leak). */
export class LeaderboardNotFoundError extends Refusal {
  constructor(id: string) {
    super('leaderboard_not_found', 'no such leaderboard is open to you', 'leaderboardId', { id });
  }
}

export class LeaderboardPeriodInvalidError extends Refusal {
  constructor(period: string) {
    super('leaderboard_period_invalid', 'must be a period such as 2026-W48, 2026-11 or once', 'period', { period });
  }
}

/** Who looks: a partner (the program's leaderboards and its own), or a member or the operator (any). */
export type LeaderboardViewer = { partnerId: string } | 'member' | 'operator';

export interface RankedMember {
  /** Standard competition ranking: equal scores share a rank (1, 2, 2, 4). */
  rank: number;
  /** The member's display name if they agreed to show it, else "Anonymous member". */
  name: string;
  score: number;
  /** Whether this row is the member the ranking was asked for. */
  you: boolean;
}

export interface LeaderboardRanking {
  id: string;
  name: string;
  description: string;
  metric: LeaderboardMetric;
  period: LeaderboardPeriod;
  periodKey: string;
  periodEndsAt: Date | null;
  /** The period ended and its ranking is final (its prizes are paid from it). */
  final: boolean;
  prizes: LeaderboardPrize[];
  top: RankedMember[];
  /** The asked-for member's own place, when they have a score in the period. */
  member: { rank: number; score: number } | null;
}

const periodPattern = /^(once|\d{4}-W\d{2}|\d{4}-(0[1-9]|1[0-2]))$/;

const visibleTo = (board: Leaderboard, viewer: LeaderboardViewer) =>
  typeof viewer === 'string' || board.partnerId === null || board.partnerId === viewer.partnerId;

/** A leaderboard the viewer may see; LeaderboardNotFoundError otherwise. */
export async function visibleLeaderboard(manager: EntityManager, id: string, viewer: LeaderboardViewer): Promise<Leaderboard> {
  const board = isUuid(id) ? await manager.findOneBy(Leaderboard, { id }) : null;
  if (!board || (board.status === 'draft' && viewer !== 'operator') || !visibleTo(board, viewer)) throw new LeaderboardNotFoundError(id);
  return board;
}

/** Names as members chose: a display name only with their consent, never an address or an id. */
async function namesOf(manager: EntityManager, memberIds: string[]): Promise<Map<string, string>> {
  if (memberIds.length === 0) return new Map();
  const rows: { id: string; displayName: string | null }[] = await manager.query(
    `SELECT m.id, m."displayName" FROM member m JOIN leaderboard_name_consent c ON c."memberId" = m.id WHERE m.id = ANY($1::uuid[])`,
    [memberIds],
  );
  return new Map(rows.filter((r) => r.displayName?.trim()).map((r) => [r.id, r.displayName!.trim()]));
}

/** Competition ranks of rows already in ranking order from the first place. */
function competitionRanks(scores: number[]): number[] {
  const ranks: number[] = [];
  scores.forEach((score, i) => ranks.push(i > 0 && scores[i - 1] === score ? ranks[i - 1]! : i + 1));
  return ranks;
}

/**
 * A leaderboard's ranking in one period (the current one when `periodKey` is absent): the top
 * `limit` and, when `memberId` is given, that member's own rank. An open period reads the
 * maintained scores (an index scan for the top, a sum of a few score buckets for a rank); a frozen one
 * reads its final standings.
 */
export async function leaderboardRanking(
  manager: EntityManager,
  board: Leaderboard,
  { periodKey, memberId, limit = 10, now = new Date() }: { periodKey?: string; memberId?: string; limit?: number; now?: Date },
): Promise<LeaderboardRanking> {
  if (periodKey !== undefined && !periodPattern.test(periodKey)) throw new LeaderboardPeriodInvalidError(periodKey);
  const current = periodKeyAt(board, now);
  const key = periodKey ?? current ?? (board.period === 'once' ? 'once' : '');
  const [round] = await manager.query(
    `SELECT id, "endsAt", "frozenAt", prizes FROM leaderboard_round WHERE "leaderboardId" = $1 AND "periodKey" = $2`,
    [board.id, key],
  );
  const final = Boolean(round?.frozenAt);
  const rows: { memberId: string; score: string; rank?: number }[] = final
    ? await manager.query(`SELECT "memberId", score, rank FROM leaderboard_standing WHERE "roundId" = $1 ORDER BY position LIMIT $2`, [
        round.id,
        limit,
      ])
    : await manager.query(
        `SELECT "memberId", score FROM leaderboard_score WHERE "leaderboardId" = $1 AND "periodKey" = $2 AND score > 0
          ORDER BY score DESC, "reachedAt", "memberId" LIMIT $3`,
        [board.id, key, limit],
      );
  const scores = rows.map((r) => Number(r.score));
  const ranks = final ? rows.map((r) => Number(r.rank)) : competitionRanks(scores);
  const names = await namesOf(
    manager,
    rows.map((r) => r.memberId),
  );
  return {
    id: board.id,
    name: board.name,
    description: board.description,
    metric: board.metric,
    period: board.period,
    periodKey: key,
    periodEndsAt: round ? new Date(round.endsAt) : key === current ? periodEndAfter(board, now) : null,
    final,
    // A final ranking shows what it pays: the prizes it froze with.
    prizes: final ? round.prizes : board.prizes,
    top: rows.map((r, i) => ({
      rank: ranks[i]!,
      name: names.get(r.memberId) ?? anonymousName,
      score: scores[i]!,
      you: r.memberId === memberId,
    })),
    member: memberId ? await memberRank(manager, board.id, key, final ? round.id : null, memberId) : null,
  };
}

/** A member's rank: one more than the number of higher scores (summed from the score buckets), or their frozen rank. */
export async function memberRank(
  manager: EntityManager,
  leaderboardId: string,
  periodKey: string,
  frozenRoundId: string | null,
  memberId: string,
): Promise<{ rank: number; score: number } | null> {
  const [row] = frozenRoundId
    ? await manager.query(`SELECT rank, score FROM leaderboard_standing WHERE "roundId" = $1 AND "memberId" = $2`, [
        frozenRoundId,
        memberId,
      ])
    : await manager.query(
        `SELECT 1 + ${membersAboveSql('s."leaderboardId"', 's."periodKey"', 's.score')} AS rank, s.score FROM leaderboard_score s
          WHERE s."leaderboardId" = $1 AND s."periodKey" = $2 AND s."memberId" = $3 AND s.score > 0`,
        [leaderboardId, periodKey, memberId],
      );
  return row ? { rank: Number(row.rank), score: Number(row.score) } : null;
}

/** The live leaderboards a member ranks on or may rank on (open to everyone, or their segment's or company's), for their dashboard. */
export async function memberLeaderboards(manager: EntityManager, memberId: string, now = new Date()): Promise<LeaderboardRanking[]> {
  const live = await manager.find(Leaderboard, { where: { status: 'live' }, order: { startsAt: 'ASC', name: 'ASC' } });
  const shown: LeaderboardRanking[] = [];
  for (const board of live) {
    if (periodKeyAt(board, now) === null) continue;
    const ranking = await leaderboardRanking(manager, board, { memberId, now });
    const open = board.segmentId === null && board.companyId === null;
    if (open || ranking.member) shown.push(ranking);
  }
  return shown;
}

/** Records or withdraws a member's consent to show their display name on leaderboards. */
export async function setLeaderboardNameConsent(manager: EntityManager, memberId: string, shown: boolean): Promise<void> {
  if (shown) await manager.query(`INSERT INTO leaderboard_name_consent ("memberId") VALUES ($1) ON CONFLICT DO NOTHING`, [memberId]);
  else await manager.query(`DELETE FROM leaderboard_name_consent WHERE "memberId" = $1`, [memberId]);
}

export async function showsNameOnLeaderboards(manager: EntityManager, memberId: string): Promise<boolean> {
  return (await manager.query(`SELECT 1 FROM leaderboard_name_consent WHERE "memberId" = $1`, [memberId])).length > 0;
}
