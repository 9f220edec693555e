import { proxyActivities, sleep } from '@temporalio/workflow';
import type { BoosterActivities } from './activities/booster-activities.js';

const { setBoosterActive, announceBooster, summariseBooster } = proxyActivities<BoosterActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 10 },
});

export interface BoosterWindowInput {
  boosterId: string;
  /** ISO instants of the window. */
  startsAt: string;
  endsAt: string;
}

/** A booster's window: on at its start (announced to its members), off at its end, summarised to the operator. */
export async function boosterWindowWorkflow({ boosterId, startsAt, endsAt }: BoosterWindowInput): Promise<{ announced: number; points: number; members: number }> {
  await setBoosterActive(boosterId, false);
  const untilStart = new Date(startsAt).getTime() - Date.now();
  if (untilStart > 0) await sleep(untilStart);
  await setBoosterActive(boosterId, true);
  const announced = await announceBooster(boosterId);
  const untilEnd = new Date(endsAt).getTime() - Date.now();
  if (untilEnd > 0) await sleep(untilEnd);
  await setBoosterActive(boosterId, false);
  const summary = await summariseBooster(boosterId);
  return { announced, ...summary };
}
