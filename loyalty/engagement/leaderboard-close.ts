import type { DataSource, EntityManager } from 'typeorm';
import { Leaderboard, LeaderboardRound, type LeaderboardPrize } from '../../entities/index.js';
import { accountByCode, partnerWallet, programAccounts } from '../ledger/accounts.js';
import type { Ledger } from '../ledger/ledger.js';
import { inTransaction } from '../ledger/transaction.js';
import { memberWithAccount } from '../member-identity.js';

/** When a round closes, and what its close workflow waits for. */
export interface RoundTiming {
  roundId: string;
  endsAt: string;
}

export async function roundTiming(manager: EntityManager, roundId: string): Promise<RoundTiming> {
  const round = await manager.findOneByOrFail(LeaderboardRound, { id: roundId });
  return { roundId, endsAt: round.endsAt.toISOString() };
}

/**
 * Freezes a period that has ended: copies its ranking into `leaderboard_standing` and marks the
 * round frozen with the leaderboard's prizes as they are now (a later edit of the prizes is for the
 * periods to come: the members of this one played for these), under the round's lock (scores take
 * it shared, so none lands after the copy) and the leaderboard's (an edit of it waits).
 * The order is score descending, then the earlier `reachedAt`, then the member id (a stable last
 * resort); `rank` is standard competition ranking over the score alone (1, 2, 2, 4), while the
 * position decides prizes: of tied members, the one who reached the score first takes the better
 * prize. Freezing again changes nothing. Returns the number of standings.
 */
export function freezeLeaderboardRound(dataSource: DataSource, roundId: string, now = new Date()): Promise<number> {
  return inTransaction(dataSource, async (manager) => {
    const [round] = await manager.query(`SELECT * FROM leaderboard_round WHERE id = $1 FOR UPDATE`, [roundId]);
    if (!round) throw new Error(`no leaderboard round ${roundId}`);
    if (round.frozenAt === null) {
      if (now < new Date(round.endsAt)) throw new Error(`leaderboard round ${roundId} ends at ${new Date(round.endsAt).toISOString()}`);
      await manager.query(
        `INSERT INTO leaderboard_standing ("roundId", position, "memberId", rank, score, "reachedAt")
         SELECT $1, row_number() OVER (ORDER BY score DESC, "reachedAt", "memberId"), "memberId",
                rank() OVER (ORDER BY score DESC), score, "reachedAt"
           FROM leaderboard_score WHERE "leaderboardId" = $2 AND "periodKey" = $3 AND score > 0`,
        [roundId, round.leaderboardId, round.periodKey],
      );
      const [board] = await manager.query(`SELECT prizes FROM leaderboard WHERE id = $1 FOR SHARE`, [round.leaderboardId]);
      await manager.query(`UPDATE leaderboard_round SET "frozenAt" = $2, prizes = $3::jsonb WHERE id = $1`, [
        roundId,
        now,
        JSON.stringify(board.prizes),
      ]);
    }
    const [{ count }] = await manager.query(`SELECT count(*)::int AS count FROM leaderboard_standing WHERE "roundId" = $1`, [roundId]);
    return count as number;
  });
}

/** The prize of a position (1 first): the first range that holds it, or none. */
export function prizeAt(prizes: LeaderboardPrize[], position: number): number {
  return prizes.find((p) => position >= p.fromRank && position <= p.toRank)?.points ?? 0;
}

/** One prize's idempotency: (leaderboard, period, position) pays once, whatever retries or runs twice. */
export const prizeKey = (leaderboardId: string, periodKey: string, position: number) => ({
  source: 'system:leaderboards',
  key: `leaderboard:${leaderboardId}:${periodKey}:${position}`,
});

/**
 * Pays the prizes a round froze with through the ledger, each in its own transaction, from the
 * leaderboard's payer (a partner's wallet, or the program's marketing account). A payer short of
 * points refuses that prize (Refusal insufficient_funds) and the caller tries again later; what was
 * paid stays paid. Returns the points paid by this call.
 */
export async function payLeaderboardPrizes(dataSource: DataSource, ledger: Ledger, roundId: string): Promise<number> {
  const round = await dataSource.manager.findOneByOrFail(LeaderboardRound, { id: roundId });
  if (!round.frozenAt || !round.prizes) throw new Error(`leaderboard round ${roundId} is not frozen`);
  const board = await dataSource.manager.findOneByOrFail(Leaderboard, { id: round.leaderboardId });
  const prizes = round.prizes;
  const last = Math.max(0, ...prizes.map((p) => p.toRank));
  const due: { position: number; memberId: string }[] = await dataSource.manager.query(
    `SELECT position, "memberId" FROM leaderboard_standing WHERE "roundId" = $1 AND position <= $2 AND "prizeTransferId" IS NULL ORDER BY position`,
    [roundId, last],
  );
  let paid = 0;
  for (const { position, memberId } of due) {
    const points = prizeAt(prizes, position);
    if (points <= 0) continue;
    await inTransaction(dataSource, async (manager) => {
      const { account } = await memberWithAccount(manager, memberId);
      const payer = board.fundingPartnerId
        ? await partnerWallet(manager, board.fundingPartnerId)
        : await accountByCode(manager, programAccounts.marketing);
      const written = await ledger.transfer(
        {
          ...prizeKey(board.id, round.periodKey, position),
          legs: [
            {
              debitAccountId: payer.id,
              creditAccountId: account.id,
              amount: points,
              kind: 'bonus',
              references: { leaderboard: board.id, period: round.periodKey, position: String(position) },
              explanation: [{ rule: board.name, points, reason: `leaderboard prize, place ${position} (${round.periodKey})` }],
            },
          ],
        },
        manager,
      );
      await manager.query(
        `UPDATE leaderboard_standing SET "prizePoints" = $3, "prizeTransferId" = $4 WHERE "roundId" = $1 AND position = $2`,
        [roundId, position, points, written.transfers[0]?.id ?? null],
      );
    });
    paid += points;
  }
  return paid;
}
