import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { awardRuleBadges } from '../../loyalty/engagement/badge-awards.js';
import { temporalProcesses, type ProcessTiming } from '../process-dispatch.js';

/** The badge step of a purchase: awarded in one transaction, then its webhooks started. */
export function createBadgeActivities({ dataSource, timing }: { dataSource: DataSource; timing: ProcessTiming }) {
  return {
    async awardRuleBadges(eventId: string): Promise<string[]> {
      const { awarded, queued } = await awardRuleBadges(dataSource, eventId);
      // Committed: its deliveries start now (the outbox sweep starts them if this fails).
      if (queued.length > 0) {
        const context = Context.current();
        await temporalProcesses({ client: context.client, taskQueue: context.info.taskQueue, dataSource, timing })
          .dispatch(queued)
          .catch(() => undefined);
      }
      return awarded;
    },
  };
}

export type BadgeActivities = ReturnType<typeof createBadgeActivities>;
