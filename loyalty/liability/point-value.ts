import type { EntityManager } from 'typeorm';
import { programSettings } from '../earning/program-settings.js';

/** What points are worth: the program's currency and one point's value in its minor units. */
export interface PointValue {
  currency: string;
  pointValueMinor: number;
}

export async function pointValue(manager: EntityManager): Promise<PointValue> {
  const settings = await programSettings(manager);
  return { currency: settings.currency, pointValueMinor: Number(settings.pointValueMinor) };
}

/** Points in minor units of the program's currency, rounded to the unit. */
export const valueOf = (points: number, value: PointValue): number => Math.round(points * value.pointValueMinor);
