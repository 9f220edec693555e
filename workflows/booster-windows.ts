import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { boosterWindowWorkflow, type BoosterWindowInput } from './booster-window.workflow.js';

export const boosterWindowWorkflowId = (boosterId: string) => `booster-window-${boosterId}`;

/** Starts a booster's window workflow (once per booster). */
export function temporalBoosterWindows(client: Client, taskQueue: string) {
  return {
    async schedule(window: BoosterWindowInput): Promise<void> {
      await client.workflow.start(boosterWindowWorkflow, {
        taskQueue,
        workflowId: boosterWindowWorkflowId(window.boosterId),
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        args: [window],
      });
    },
  };
}
