import { z } from 'zod';
import { redemptionStatuses, salesChannels, transferKinds } from '../entities/index.js';
import { reportOutcomes } from '../loyalty/fulfilment/shipment-reports.js';
import { historyStatuses } from '../loyalty/member-history.js';

/**
 * The partner API's answers, as sent: the handlers build them with these types and the OpenAPI
 * document publishes them. Timestamps are RFC 3339 strings in UTC.
 */

const timestamp = z.iso.datetime();
const points = z.int();
const explanation = z
  .array(z.object({ rule: z.string(), points, reason: z.string() }))
  .describe('The rules, boosters, caps and bonuses that made the points, in words');

const refundFields = {
  refundedCents: z.int(),
  pointsReversed: points.describe("The rules' points taken back"),
  bonusPointsReversed: points.describe(
    'Bonuses the purchase earned (first purchase, goals, tier), taken back by the refund that completes it',
  ),
  pointsOwed: points.describe('Points the member had already spent: recovered from their next earns (program policy "debt")'),
  pendingPointsCancelled: points.describe(
    "Points still pending (inside the program's return window) that the refund cancelled: never spendable, so nothing is taken back or owed",
  ),
};

const pending = z.object({
  points,
  availableFrom: timestamp.describe('When they become spendable, unless a refund cancels them first'),
});

export const recordedEvent = z.object({
  id: z.uuid(),
  member: z.object({ externalId: z.string(), enrolledNow: z.boolean() }),
  points: points.describe("The earning rules' points"),
  bonusPoints: points,
  totalPoints: points,
  explanation,
  tier: z.string().nullable().describe("The member's tier after this event"),
  upgradedTo: z.string().nullable().describe('The tier this event lifted the member to, if it did'),
  expiresAt: timestamp.nullable().describe('When the points earned expire; null when they do not, or none were earned'),
  recoveredPoints: points.describe('Of the points earned, those that paid back what an earlier refund left owed'),
  pending: pending
    .nullable()
    .describe(
      "Of the points earned, those pending for the purchase's return window: shown to the member, not spendable until then; null when none are",
    ),
  cashback: z
    .object({
      creditProgramId: z.uuid(),
      currency: z.string().describe('ISO 4217'),
      amountMinor: z.int().describe('Store credit earned, in minor units of the currency (cents)'),
      reason: z.string().describe('In words: "5% cashback on €40.00 = €2.00"'),
      availableFrom: z.iso
        .datetime()
        .nullable()
        .describe(
          "Inside the purchase's return window the cashback is pending until then (a refund cancels it); null when spendable at once",
        ),
    })
    .nullable()
    .describe('Store credit the purchase earned, when your stores take part in a store-credit program; null otherwise'),
  instantWins: z
    .array(
      z.object({
        campaignId: z.uuid(),
        name: z.string(),
        drawNumber: z.int().min(1).describe("The draw's number in the campaign"),
        won: z.boolean(),
        outcome: z
          .enum(['won', 'lost', 'budget_spent', 'payer_short'])
          .describe('`budget_spent`: the draw would have won but no prize was left; `payer_short`: the payer could not pay the prize'),
        prize: z
          .object({ points: z.int().min(1).describe('Already on the member’s balance') })
          .nullable()
          .describe('What the member won; null unless won'),
      }),
    )
    .describe('The draws of the live instant-win campaigns this purchase took part in, to show the member at once; empty when none'),
});

export const eventView = z.object({
  id: z.uuid(),
  type: z.string(),
  member: z.object({ externalId: z.string() }),
  occurredAt: timestamp,
  recordedAt: timestamp,
  amountCents: z.int().nullable(),
  currency: z.string().nullable(),
  lines: z.array(z.object({ reference: z.string(), category: z.string().optional(), quantity: z.int(), unitPriceCents: z.int() })),
  channel: z.enum(salesChannels).nullable(),
  pointOfSale: z.string().nullable(),
  points,
  bonusPoints: points,
  totalPoints: points,
  explanation,
  refundedCents: z.int(),
  remainingCents: z.int().nullable().describe('What is left to refund; null for an event without an amount'),
  pointsReversed: points.describe("Of the rules' points, those taken back since"),
  refunds: z.array(
    z.object({
      id: z.uuid(),
      at: timestamp,
      lines: z.array(z.object({ reference: z.string(), quantity: z.int() })),
      ...refundFields,
    }),
  ),
  pending: pending.nullable().describe("Its points still pending (the purchase's return window); null when none are"),
});

export const refund = z.object({
  id: z.uuid(),
  ...refundFields,
  remainingCents: z.int().describe('What is left of the purchase after this refund'),
  cashbackReversedMinor: z
    .int()
    .describe("Store credit the purchase earned as cashback, taken back in proportion (minor units of its program's currency)"),
});

export const memberSummary = z.object({
  externalId: z.string(),
  balance: z.object({ posted: points, held: points, available: points, incoming: points }),
  tier: z.object({ code: z.string(), name: z.string(), multiplier: z.number() }).nullable(),
  qualifyingPoints: points,
  expiring: z.object({ days30: points, days60: points, days90: points }).describe('Points that expire within 30, 60 and 90 days'),
  pending: z
    .array(pending)
    .describe("Points on their way in (purchases' return windows: `balance.incoming`), by when they become spendable, soonest first"),
  credit: z
    .array(
      z.object({
        creditProgramId: z.uuid(),
        program: z.string(),
        currency: z.string().describe('ISO 4217'),
        availableMinor: z.int().describe('Spendable now, in minor units (cents)'),
        heldMinor: z.int().describe('Held by payments not yet captured'),
        available: z.string().describe('The same, as people read it: "€12.50"'),
        pendingMinor: z.int().describe("Cashback in a purchase's return window: spendable once confirmed, unless a refund cancels it"),
        pending: z.string().describe('The same, as people read it'),
      }),
    )
    .describe("The member's store credit in money, in the programs your stores take part in"),
});

export const historyPage = z.object({
  entries: z.array(
    z.object({
      id: z.uuid(),
      at: timestamp,
      kind: z.enum(transferKinds),
      points: points.describe("What it did to the member's available points: positive in, negative out"),
      status: z
        .enum(historyStatuses)
        .describe(
          'A hold (a reward being shipped) is one entry: held, then settled or released (its points back); points in a purchase’s return window are pending, then confirmed or cancelled (a refund)',
        ),
      availableFrom: timestamp.optional().describe('Of pending points: when they become spendable, unless a refund cancels them first'),
      event: z.uuid().optional().describe('Only on your own movements'),
      explanation: explanation.optional().describe('Only on your own movements'),
    }),
  ),
  nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next (older) page; null on the last page'),
});

export const redemption = z.object({
  id: z.uuid(),
  reward: z.string(),
  quantity: z.int(),
  points,
  status: z.enum(redemptionStatuses),
  code: z.string().nullable().describe('The code of an instant reward; null for a reward to ship'),
});

export const memberTransfer = z.object({ id: z.uuid(), from: z.string(), to: z.string(), points });

export const spendingCode = z.object({
  channel: z.enum(['email', 'sms']),
  sentTo: z.string().describe('The address the code went to, partly hidden: `a•••@example.com`, `+33•••78`'),
  expiresAt: timestamp.describe('The code works once, at this store, until then'),
});

export const widgetSession = z.object({
  token: z.string(),
  expiresAt: timestamp,
  script: z.string(),
  element: z.string().describe('The element to put in your page'),
});

export const wallet = z.object({
  available: points.describe('Points you can still issue'),
  widgetEnabled: z.boolean().describe('The earn widget shows while the wallet has points'),
  issuedToday: points,
  issuedThisMonth: points,
});

export const rewards = z.object({
  rewards: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      description: z.string(),
      pointsPrice: points,
      needsFulfilment: z.boolean(),
      inStock: z.boolean(),
    }),
  ),
});

export const memberChallenge = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  owner: z.enum(['program', 'partner']).describe("program: open to every partner's customers; partner: yours, private to you"),
  metric: z
    .enum(['purchase_count', 'spend', 'distinct_partners', 'referrals'])
    .describe('referrals: friends the member referred whose first purchase committed in the period'),
  category: z.string().nullable().describe('For spend: only lines of this category count'),
  target: z.int(),
  period: z.enum(['once', 'weekly', 'monthly']),
  periodKey: z.string().nullable().describe('The current period (`once`, `2026-11`, `2026-W48`); null when the challenge is over'),
  periodEndsAt: z.iso.datetime().nullable(),
  progress: z.int().describe("The member's count in the current period"),
  completed: z.boolean(),
  completedAt: z.iso.datetime().nullable(),
  rewardPoints: z.int(),
  currency: z.string().describe("The program's currency: a spend's target and progress are in its minor units"),
  timeZone: z.string().describe('The IANA time zone the periods are cut in'),
});

export const widgetState = z.discriminatedUnion('enabled', [
  z.object({ enabled: z.literal(false).describe("The partner's wallet is empty: the widget shows itself paused") }),
  z.object({
    enabled: z.literal(true),
    balance: points.describe("The member's available points"),
    pending: points.describe("Points on their way in (purchases' return windows), not spendable yet"),
    signedIn: z.boolean().describe('Whether a member session of this store came with the request (`Member-Authorization: Bearer`)'),
    estimate: z.object({ points, explanation }).nullable().describe('What the cart (amountCents) would earn; null without amountCents'),
    challenges: z
      .array(
        memberChallenge.pick({
          id: true,
          name: true,
          metric: true,
          category: true,
          target: true,
          period: true,
          periodEndsAt: true,
          progress: true,
          completed: true,
          rewardPoints: true,
          currency: true,
        }),
      )
      .describe(
        "The signed-in member's live challenges open at this store (the program's and its own), with their progress; empty when no one signed in",
      ),
    instantWin: z
      .object({ campaign: z.string(), points, wonAt: z.iso.datetime() })
      .nullable()
      .describe("The member's latest instant win from a purchase at your store in the last day; null when none"),
  }),
]);

export const shipmentReport = z.object({
  reference: z.string().describe("The order's reference, as the supplier sent it"),
  outcome: z
    .enum(reportOutcomes)
    .describe('recorded; already_recorded (a repeat); points_taken or needs_care (shipped after a cancellation); noted'),
});

export const widgetSignIn = z.object({
  sentTo: z.string().describe('Where the code went, partly hidden; the same answer whether or not the address belongs to a member'),
});

export const widgetMemberSession = z.object({
  session: z
    .string()
    .describe(
      "The member's session at this store: `Member-Authorization: Bearer <session>` lets the store spend their points (at this store only)",
    ),
  expiresAt: timestamp,
  linked: z
    .enum(['linked', 'merged', 'merge_later', 'already_linked', 'someone_else'])
    .describe("What became of the store's id for the customer: now the member's (linked, merged), or left as it was"),
});

export const instantWinCampaign = z.object({
  id: z.uuid(),
  name: z.string(),
  owner: z.enum(['program', 'partner']).describe('program: for purchases at every partner; partner: yours, for your purchases only'),
  mode: z.enum(['probability', 'winning_times']),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  status: z.enum(['draft', 'live', 'ended']),
  prizePoints: z.int(),
  prizesWon: z.int(),
  prizesLeft: z.int().nullable().describe('Null when the budget limits points only'),
  pointsLeft: z.int().nullable().describe('Null when the budget limits the number of prizes only'),
  drawCount: z.int(),
  seedCommitment: z.string().describe("SHA-256 (hex) of the campaign's secret seed, published before any draw"),
  seed: z
    .string()
    .nullable()
    .describe('The seed (hex), revealed once the campaign is over; it must hash to seedCommitment. Null until then'),
  draws: z
    .array(
      z.object({
        drawNumber: z.int(),
        key: z.uuid().describe('The purchase drawn (the event id): the random value is HMAC-SHA256(seed, key)'),
        drawnAt: z.iso.datetime().describe('Compared with the winning times: the first purchase at or after each wins'),
        randomValue: z.number().describe('The first 48 bits of the HMAC as a fraction of 2^48; wins when below the chance'),
        outcome: z.enum(['won', 'lost', 'budget_spent', 'payer_short']),
      }),
    )
    .nullable()
    .describe('A page of the draws in order (see limit and cursor), to replay from the seed; null until the campaign is over'),
  nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next draws; null on the last page and until the campaign is over'),
});

export const memberBadge = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  owner: z.enum(['program', 'partner']).describe("program: open to every partner's customers; partner: yours, private to you"),
  emblem: z.string().describe('One of the emblems shipped with Tessera (star, heart, trophy, bag, compass, crown, flame, leaf)'),
  colour: z.string().describe('The emblem colour, #rrggbb'),
  image: z.string().describe('The emblem in its colour as an SVG data URL, ready for an <img src>'),
  rule: z.enum(['challenge', 'first_purchase', 'purchase_count', 'distinct_partners']).describe('What earns the badge'),
  awardedAt: z.iso.datetime(),
  challengeId: z.uuid().nullable().describe('The challenge whose completion awarded it; null when its rule did'),
});

export const memberBadges = z.object({
  externalId: z.string(),
  badges: z.array(memberBadge).describe("The badges the member earned that you may see (the program's and yours), newest first"),
});

export const memberChallenges = z.object({
  externalId: z.string(),
  challenges: z.array(memberChallenge).describe('Live challenges open to you that the member takes part in, with their progress'),
});

export const leaderboard = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  metric: z
    .enum(['points_earned', 'challenge'])
    .describe("points_earned: points members earned in the period; challenge: a challenge's progress"),
  period: z.enum(['once', 'weekly', 'monthly']),
  periodKey: z.string().describe('The period shown (`once`, `2026-11`, `2026-W48`)'),
  periodEndsAt: timestamp.nullable(),
  final: z.boolean().describe('The period ended: its ranking is frozen and its prizes were paid from it'),
  prizes: z.array(z.object({ fromRank: z.int(), toRank: z.int(), points })).describe('Points paid to the places fromRank to toRank'),
  top: z
    .array(
      z.object({
        rank: z.int().describe('Equal scores share a rank (1, 2, 2, 4); of them, who reached the score first is listed (and paid) first'),
        name: z.string().describe('The display name of a member who agreed to show it, else "Anonymous member"'),
        score: z.int(),
      }),
    )
    .describe('The first ten'),
  member: z
    .object({ externalId: z.string(), rank: z.int(), score: z.int() })
    .nullable()
    .describe('The member asked for (`member`), when they have a score in the period'),
});

export const receipt = z.object({
  id: z.uuid(),
  status: z
    .enum(['reading', 'awarded', 'review', 'rejected'])
    .describe(
      "reading: being read; awarded: its points were paid; review: the program's care team checks it; rejected: refused (see rejectionReason)",
    ),
  uploadedAt: z.iso.datetime(),
  points: z.int().nullable().describe('The points it paid, once awarded'),
  rejectionReason: z.string().nullable().describe('Why care rejected it, in words for the member'),
});
