import type { Duration } from '@temporalio/common';
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { LedgerActivities } from './activities/ledger-activities.js';

const { voidExpiredHold } = proxyActivities<LedgerActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** Sent by whoever posts or voids the hold first (the fulfilment, a care agent). */
export const holdSettledSignal = defineSignal('holdSettled');

export interface HoldTimeoutInput {
  pendingTransferId: string;
  /** How long the points may stay held before they go back to the member. */
  timeout: Duration;
}

/** Gives held points back to the member if nobody settles the hold in time. */
export async function holdTimeoutWorkflow({
  pendingTransferId,
  timeout,
}: HoldTimeoutInput): Promise<'settled' | 'voided' | 'already-settled'> {
  let settled = false;
  setHandler(holdSettledSignal, () => {
    settled = true;
  });
  if (await condition(() => settled, timeout)) return 'settled';
  return voidExpiredHold(pendingTransferId);
}
