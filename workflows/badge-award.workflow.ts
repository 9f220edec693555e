import { proxyActivities } from '@temporalio/workflow';
import type { BadgeActivities } from './activities/badge-activities.js';

const { awardRuleBadges } = proxyActivities<BadgeActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Started from the outbox when a purchase that a live badge's rule could award on committed:
 * awards what the member's purchases now reach. Idempotent by the award's row (once per member and badge).
 */
export async function badgeAwardWorkflow(eventId: string): Promise<number> {
  return (await awardRuleBadges(eventId)).length;
}
