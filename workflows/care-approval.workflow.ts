import type { Duration } from '@temporalio/common';
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CareActivities } from './activities/care-activities.js';
import { startQueuedProcesses } from './outbox-sweep.workflow.js';

const { approveCareAdjustment, closeCareAdjustment, remindSupervisors } = proxyActivities<CareActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export interface CareDecision {
  approved: boolean;
  /** The supervisor's email. */
  by: string;
}

/** A supervisor's decision. */
export const careDecisionSignal = defineSignal<[CareDecision]>('careDecision');

export interface CareApprovalInput {
  adjustmentId: string;
  /** Supervisors are reminded this long after the request without a decision... */
  remindAfter: Duration;
  /** ...and the request expires this long after the reminder. */
  expireAfter: Duration;
}

export type CareApprovalOutcome = 'applied' | 'rejected' | 'expired' | 'already_decided';

/**
 * A large care adjustment waits for a supervisor: applied if approved, closed if rejected or left
 * too long. An approval the four-eyes rule refuses (the requester's own) is ignored, and the
 * reminder and the expiry still count from the request: nobody keeps a request alive by trying.
 */
export async function careApprovalWorkflow({ adjustmentId, remindAfter, expireAfter }: CareApprovalInput): Promise<CareApprovalOutcome> {
  const decisions: CareDecision[] = [];
  setHandler(careDecisionSignal, (decision) => void decisions.push(decision));
  let decided = false;
  let expired = false;
  const clock = async () => {
    if (await condition(() => decided, remindAfter)) return;
    await remindSupervisors(adjustmentId);
    if (await condition(() => decided, expireAfter)) return;
    expired = true;
  };
  void clock();
  for (;;) {
    await condition(() => decisions.length > 0 || expired);
    const decision = decisions.shift();
    if (!decision) {
      await closeCareAdjustment(adjustmentId, 'expired', null, 'no supervisor decided in time');
      return 'expired';
    }
    if (!decision.approved) {
      decided = true;
      await closeCareAdjustment(adjustmentId, 'rejected', decision.by, `rejected by ${decision.by}`);
      return 'rejected';
    }
    const outcome = await approveCareAdjustment(adjustmentId, decision.by);
    if (outcome !== 'not_allowed') {
      decided = true;
      // The member's notice of it goes now rather than at the next sweep.
      if (outcome === 'applied') await startQueuedProcesses();
      return outcome;
    }
  }
}
