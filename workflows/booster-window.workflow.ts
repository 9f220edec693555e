import { proxyActivities, sleep } from '@temporalio/workflow';
import type { BoosterActivities } from './activities/booster-activities.js';

const { setBoosterActive, announceBooster, summariseBooster } = proxyActivities<BoosterActivities>({
  startToCloseTimeout: '1 hour',
  // The announcement heartbeats per email: a worker lost mid-way is noticed within a minute.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 10 },
});

export interface BoosterWindowInput {
  boosterId: string;
  /** ISO instants of the window. */
  startsAt: string;
  endsAt: string;
}

export interface BoosterWindowResult {
  /** `called off`: the operator deleted the booster during the window; nothing more was sent. */
  outcome: 'ended' | 'called off';
  announced: number;
  points: number;
  members: number;
}

/** A booster's window: on at its start (announced to its members), off at its end, summarised to the operator. */
export async function boosterWindowWorkflow({ boosterId, startsAt, endsAt }: BoosterWindowInput): Promise<BoosterWindowResult> {
  const calledOff = (announced: number): BoosterWindowResult => ({ outcome: 'called off', announced, points: 0, members: 0 });
  if (!(await setBoosterActive(boosterId, false))) return calledOff(0);
  const untilStart = new Date(startsAt).getTime() - Date.now();
  if (untilStart > 0) await sleep(untilStart);
  if (!(await setBoosterActive(boosterId, true))) return calledOff(0);
  const announced = await announceBooster(boosterId);
  const untilEnd = new Date(endsAt).getTime() - Date.now();
  if (untilEnd > 0) await sleep(untilEnd);
  if (!(await setBoosterActive(boosterId, false))) return calledOff(announced);
  const summary = await summariseBooster(boosterId);
  return { outcome: 'ended', announced, ...summary };
}
