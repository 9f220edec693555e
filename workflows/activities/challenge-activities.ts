import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { countChallengeProgress, type CountedChallenge } from '../../loyalty/engagement/challenge-progress.js';
import type { Ledger } from '../../loyalty/ledger/ledger.js';
import { temporalProcesses, type ProcessTiming } from '../process-dispatch.js';

/** The progress step of a purchase: counted and paid in one transaction, then its webhooks started; tried again while a reward waits for its payer. */
export function createChallengeActivities({
  dataSource,
  ledger,
  timing,
}: {
  dataSource: DataSource;
  ledger: Ledger;
  timing: ProcessTiming;
}) {
  return {
    async countChallengeProgress(eventId: string): Promise<CountedChallenge[]> {
      const { counted, queued } = await countChallengeProgress(dataSource, ledger, eventId);
      // Committed: its deliveries start now (the outbox sweep starts them if this fails).
      if (queued.length > 0) {
        const context = Context.current();
        await temporalProcesses({ client: context.client, taskQueue: context.info.taskQueue, dataSource, timing })
          .dispatch(queued)
          .catch(() => undefined);
      }
      // A payer short of points is no final answer: the rest is committed, and the step is tried again
      // (with the workflow's backoff) until the wallet is topped up and the waiting reward can be paid.
      const waiting = counted.filter((c) => c.outcome === 'awaiting_payer');
      if (waiting.length > 0)
        throw new Error(
          `the reward of challenge ${waiting.map((c) => c.challengeId).join(', ')} completed by event ${eventId} waits for its payer`,
        );
      return counted;
    },
  };
}

export type ChallengeActivities = ReturnType<typeof createChallengeActivities>;
