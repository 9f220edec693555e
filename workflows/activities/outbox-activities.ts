import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { temporalProcesses, type ProcessTiming } from '../process-dispatch.js';

/** The outbox sweep's one step: start what is queued, on this worker's task queue. */
export function createOutboxActivities({ dataSource, timing }: { dataSource: DataSource; timing: ProcessTiming }) {
  return {
    async dispatchOutbox(): Promise<number> {
      const context = Context.current();
      // Alive while it works: a worker killed mid-sweep is noticed in seconds, not at the start-to-close timeout.
      const alive = setInterval(() => context.heartbeat(), 5_000);
      try {
        return await temporalProcesses({ client: context.client, taskQueue: context.info.taskQueue, dataSource, timing }).dispatchQueued();
      } finally {
        clearInterval(alive);
      }
    },
  };
}

export type OutboxActivities = ReturnType<typeof createOutboxActivities>;
