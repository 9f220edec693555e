import { z } from 'zod';
import type { WebhookEvent } from '../entities/index.js';

/**
 * What partners receive for each webhook event: the `data` of each one, and the envelope every
 * delivery is sent in. The OpenAPI document publishes these; queueing a payload should satisfy them.
 */

const externalId = z.string().describe("The member's id in the partner's systems");
const explanation = z
  .array(z.strictObject({ rule: z.string(), points: z.int(), reason: z.string() }))
  .describe('The rules, boosters and bonuses that made the points, in words');

export const pointsEarned = z.strictObject({
  eventId: z.uuid().describe('The event that earned them (GET /events/{eventId})'),
  member: externalId,
  points: z.int().min(1).describe('Points and bonus points together'),
  explanation,
  availableFrom: z.iso
    .datetime()
    .optional()
    .describe("When the points become spendable: they are pending until then (the purchase's return window); absent when they are at once"),
});

export const memberTierChanged = z.strictObject({
  member: externalId,
  tier: z.string().describe('Code of the tier the member reached'),
});

export const redemptionCompleted = z.strictObject({
  redemption: z.uuid(),
  member: externalId,
  reward: z.string().describe('Code of the reward'),
  quantity: z.int().min(1),
  points: z.int().min(1),
  status: z.enum(['completed', 'fulfilled']).describe('completed: an instant reward; fulfilled: a reward shipped'),
});

export const pointsExpired = z.strictObject({
  member: externalId.nullable().describe("The member's id in the partner's systems; null when the member was erased"),
  points: z.int().min(1),
  lot: z.uuid().describe('The lot of points the partner funded that expired'),
  expiredAt: z.iso.datetime(),
});

export const challengeCompleted = z.strictObject({
  challenge: z.uuid().describe('The challenge completed (GET /members/{externalId}/challenges/{challengeId})'),
  name: z.string(),
  member: externalId,
  period: z.string().describe('The period completed: `once`, a month `2026-11` or an ISO week `2026-W48`, in the challenge time zone'),
  target: z.int().min(1),
  points: z.int().min(1).describe('The reward paid to the member, once per member and period'),
  completedAt: z.iso.datetime(),
  eventId: z.uuid().describe('The purchase that completed it'),
});

export const badgeAwarded = z.strictObject({
  badge: z.uuid().describe('The badge awarded (GET /members/{externalId}/badges)'),
  name: z.string(),
  description: z.string(),
  member: externalId,
  reason: z
    .enum(['first_purchase', 'purchase_count', 'distinct_partners', 'challenge'])
    .describe("The badge's rule the member's purchases reached, or `challenge`: completing a challenge awarded it"),
  challenge: z.uuid().nullable().describe('The challenge whose completion awarded it; null when its rule did'),
  eventId: z.uuid().describe('The purchase that earned it'),
  awardedAt: z.iso.datetime(),
});

export const badgeRevoked = z.strictObject({
  badge: z.uuid().describe('The badge taken back'),
  name: z.string(),
  member: externalId,
  reason: z
    .enum(['refund'])
    .describe('refund: a refund left the member short of what earned it (its rule, or a challenge whose reward was taken back)'),
  eventId: z.uuid().describe('The purchase refunded'),
  revokedAt: z.iso.datetime(),
});

export const instantWinWon = z.strictObject({
  campaign: z.uuid().describe('The winning-moments campaign'),
  name: z.string(),
  member: externalId,
  eventId: z.uuid().describe("The purchase that won (the draw's key)"),
  drawNumber: z.int().min(1).describe("The draw's number in the campaign, in the order draws were made"),
  points: z.int().min(1).describe('The prize paid to the member'),
  seedCommitment: z
    .string()
    .describe(
      "SHA-256 of the campaign's secret seed (hex), published from the start; the seed is revealed after the end to replay the draws",
    ),
});

export type PointsEarned = z.infer<typeof pointsEarned>;
export type MemberTierChanged = z.infer<typeof memberTierChanged>;
export type RedemptionCompleted = z.infer<typeof redemptionCompleted>;
export type PointsExpired = z.infer<typeof pointsExpired>;
export type ChallengeCompleted = z.infer<typeof challengeCompleted>;
export type BadgeAwarded = z.infer<typeof badgeAwarded>;
export type BadgeRevoked = z.infer<typeof badgeRevoked>;
export type InstantWinWon = z.infer<typeof instantWinWon>;

/** The `data` of each event: a new event fails the typecheck until it has its payload here. */
export const webhookData = {
  'points.earned': pointsEarned,
  'member.tier_changed': memberTierChanged,
  'redemption.completed': redemptionCompleted,
  'points.expired': pointsExpired,
  'challenge.completed': challengeCompleted,
  'badge.awarded': badgeAwarded,
  'badge.revoked': badgeRevoked,
  'instant_win.won': instantWinWon,
} as const satisfies Record<WebhookEvent, z.ZodType>;

export type WebhookData<E extends WebhookEvent> = z.infer<(typeof webhookData)[E]>;

/** The body of a delivery (`attemptWebhook`): its id, the event, its data, and when this attempt was sent. */
export function webhookEnvelope<E extends WebhookEvent>(event: E) {
  return z.strictObject({
    id: z.uuid().describe('The delivery: the same on every retry (also in the Tessera-Delivery header)'),
    event: z.literal(event),
    data: webhookData[event],
    sentAt: z.iso.datetime().describe('When this attempt was sent'),
  });
}
