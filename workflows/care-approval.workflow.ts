import type { Duration } from '@temporalio/common';
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CareActivities } from './activities/care-activities.js';

const { applyCareAdjustment, closeCareAdjustment, remindSupervisors } = proxyActivities<CareActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export interface CareDecision {
  approved: boolean;
  by: string;
}

/** A supervisor's decision; the first one counts. */
export const careDecisionSignal = defineSignal<[CareDecision]>('careDecision');

export interface CareApprovalInput {
  adjustmentId: string;
  /** Supervisors are reminded after this long without a decision... */
  remindAfter: Duration;
  /** ...and the request expires this long after the reminder. */
  expireAfter: Duration;
}

/** A large care adjustment waits for a supervisor: applied if approved, closed if rejected or left too long. */
export async function careApprovalWorkflow({ adjustmentId, remindAfter, expireAfter }: CareApprovalInput): Promise<string> {
  let decision: CareDecision | undefined;
  setHandler(careDecisionSignal, (d) => {
    decision ??= d;
  });
  if (!(await condition(() => decision !== undefined, remindAfter))) {
    await remindSupervisors(adjustmentId);
    if (!(await condition(() => decision !== undefined, expireAfter))) {
      await closeCareAdjustment(adjustmentId, 'expired', null, 'no supervisor decided in time');
      return 'expired';
    }
  }
  if (!decision!.approved) {
    await closeCareAdjustment(adjustmentId, 'rejected', decision!.by, `rejected by ${decision!.by}`);
    return 'rejected';
  }
  return applyCareAdjustment(adjustmentId, decision!.by);
}
