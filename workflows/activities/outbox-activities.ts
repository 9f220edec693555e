import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { temporalProcesses, type ProcessTiming } from '../process-dispatch.js';

/** The outbox sweep's one step: start what is queued, on this worker's task queue. */
export function createOutboxActivities({ dataSource, timing }: { dataSource: DataSource; timing: ProcessTiming }) {
  return {
    dispatchOutbox(): Promise<number> {
      const { client, info } = Context.current();
      return temporalProcesses({ client, taskQueue: info.taskQueue, dataSource, timing }).dispatchQueued();
    },
  };
}

export type OutboxActivities = ReturnType<typeof createOutboxActivities>;
