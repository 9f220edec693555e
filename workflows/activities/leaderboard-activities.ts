import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { freezeLeaderboardRound, payLeaderboardPrizes, roundTiming, type RoundTiming } from '../../loyalty/engagement/leaderboard-close.js';
import { scoreLeaderboards, type OfferedScore } from '../../loyalty/engagement/leaderboard-scores.js';
import type { Ledger } from '../../loyalty/ledger/ledger.js';
import { Refusal } from '../../loyalty/refusal.js';
import { temporalProcesses, type ProcessTiming } from '../process-dispatch.js';

/** Scoring an event, and closing a period: freeze, then pay (each idempotent). */
export function createLeaderboardActivities({
  dataSource,
  ledger,
  timing,
}: {
  dataSource: DataSource;
  ledger: Ledger;
  timing: ProcessTiming;
}) {
  return {
    async scoreLeaderboards(eventId: string): Promise<OfferedScore[]> {
      const { scored, queued } = await scoreLeaderboards(dataSource, eventId);
      // Committed: the close workflow of a period's first score starts now (the outbox sweep starts it if this fails).
      if (queued.length > 0) {
        const context = Context.current();
        await temporalProcesses({ client: context.client, taskQueue: context.info.taskQueue, dataSource, timing })
          .dispatch(queued)
          .catch(() => undefined);
      }
      return scored;
    },
    roundTiming(roundId: string): Promise<RoundTiming> {
      return roundTiming(dataSource.manager, roundId);
    },
    /** `at` is the workflow's time, which decided the period ended (a test's skipped time included). */
    freezeLeaderboardRound(roundId: string, at: string): Promise<number> {
      return freezeLeaderboardRound(dataSource, roundId, new Date(at));
    },
    async payLeaderboardPrizes(roundId: string): Promise<number> {
      return payLeaderboardPrizes(dataSource, ledger, roundId).catch((error: unknown) => {
        // A payer short of points is no final answer: the prizes paid stay paid, the rest is tried again.
        if (error instanceof Refusal && error.code === 'insufficient_funds')
          throw new Error(`the prizes of leaderboard round ${roundId} wait for their payer: ${error.reason}`);
        throw error;
      });
    },
  };
}

export type LeaderboardActivities = ReturnType<typeof createLeaderboardActivities>;
