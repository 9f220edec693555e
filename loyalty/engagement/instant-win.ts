import type { EntityManager } from 'typeorm';
import { InstantWinCampaign, InstantWinDraw, Segment, type InstantWinOutcome } from '../../entities/index.js';
import { accountByCode, partnerWallet, programAccounts } from '../ledger/accounts.js';
import { InsufficientFundsError } from '../ledger/errors.js';
import type { Ledger } from '../ledger/ledger.js';
import { customerIdOf } from '../member-identity.js';
import { queueMemberMessage, type InstantWinDetails } from '../member-messages.js';
import { inSegment } from '../segments/segment-query.js';
import { queueWebhooks } from '../webhooks.js';
import { decideDraw, randomValue, winningTimes, type DrawRules } from './instant-win-draws.js';

/** The result of one campaign's draw, as the member sees it at once. */
export interface InstantWinResult {
  campaignId: string;
  name: string;
  drawNumber: number;
  won: boolean;
  outcome: InstantWinOutcome;
  /** Points paid; 0 unless won. */
  prizePoints: number;
}

type Qualifying = { type: string; partnerId: string; occurredAt: Date; receivedAt: Date };

/** Whether a live campaign could draw for this event: cheap, from the cached configuration, so events of no campaign pay nothing for the feature. */
export function instantWinsCouldMatch(campaigns: InstantWinCampaign[], event: Qualifying): boolean {
  return event.type === 'purchase' && campaigns.some((c) => qualifies(c, event));
}

/**
 * Within the window both when it happened and when Tessera heard of it: a purchase backdated into
 * the window once it is over (a status still live, say) claims none of the prizes left.
 */
const within = (campaign: InstantWinCampaign, at: Date) => at >= campaign.startsAt && at < campaign.endsAt;

function qualifies(campaign: InstantWinCampaign, event: Qualifying): boolean {
  return (
    campaign.status === 'live' &&
    (campaign.partnerId === null || campaign.partnerId === event.partnerId) &&
    within(campaign, event.occurredAt) &&
    within(campaign, event.receivedAt)
  );
}

export const drawRules = (
  c: Pick<
    InstantWinCampaign,
    'mode' | 'winChancePpm' | 'winningTimeCount' | 'startsAt' | 'endsAt' | 'prizePoints' | 'prizeBudget' | 'pointsBudget'
  >,
): DrawRules => ({
  mode: c.mode,
  winChancePpm: c.winChancePpm,
  winningTimeCount: c.winningTimeCount ?? 0,
  startsAt: c.startsAt,
  endsAt: c.endsAt,
  prizePoints: c.prizePoints,
  prizeBudget: c.prizeBudget,
  pointsBudget: c.pointsBudget,
});

/** The purchase a draw is for, recorded in the caller's transaction. */
export interface DrawnEvent {
  eventId: string;
  partnerId: string;
  customerId: string;
  memberId: string;
  memberAccountId: string;
  occurredAt: Date;
  receivedAt: Date;
}

/** The prize's idempotency: one (campaign, event) pays once. */
export const prizeKey = (campaignId: string, eventId: string) => ({
  source: 'system:instant-wins',
  key: `instant-win:${campaignId}:${eventId}`,
});

/**
 * Draws for a purchase in every live campaign it qualifies for, in the event's own transaction so
 * the member sees the result in the answer. Each campaign's row is locked for its draw: draws are
 * numbered in the order they held it and each decides against the budget the earlier ones left,
 * so concurrent purchases never pay beyond it and the revealed seed replays them in that order.
 * The prize's transfer, the draw's record, the `instant_win.won` webhook and the winner's email
 * are written with the event, so none exists without the others (the email leaves after commit).
 */
export async function drawInstantWins(
  manager: EntityManager,
  ledger: Ledger,
  campaigns: InstantWinCampaign[],
  event: DrawnEvent,
): Promise<InstantWinResult[]> {
  const results: InstantWinResult[] = [];
  const candidates = campaigns.filter((c) => qualifies(c, { ...event, type: 'purchase' })).sort((a, b) => a.id.localeCompare(b.id));
  for (const cached of candidates) {
    if (cached.segmentId) {
      const segment = await manager.findOneBy(Segment, { id: cached.segmentId });
      if (!segment || !(await inSegment(manager, segment.conditions, event.memberId, event.occurredAt))) continue;
    }
    const result = await drawOne(manager, ledger, cached.id, event);
    if (result) results.push(result);
  }
  return results;
}

async function drawOne(manager: EntityManager, ledger: Ledger, campaignId: string, event: DrawnEvent): Promise<InstantWinResult | null> {
  // Locked until the event commits: the campaign's draws happen one after another.
  const [campaign] = await manager
    .createQueryBuilder(InstantWinCampaign, 'c')
    .addSelect('c.seed')
    .where(
      `c.id = :campaignId AND c.status = 'live'
       AND c."startsAt" <= :at AND c."endsAt" > :at AND c."startsAt" <= :received AND c."endsAt" > :received`,
      { campaignId, at: event.occurredAt, received: event.receivedAt },
    )
    .setLock('pessimistic_write')
    .getMany();
  if (!campaign) return null; // ended or moved since the configuration was cached
  const rules = drawRules(campaign);
  const value = randomValue(campaign.seed, event.eventId);
  const times = campaign.mode === 'winning_times' ? winningTimes(campaign.seed, rules.winningTimeCount, rules.startsAt, rules.endsAt) : [];
  let outcome = decideDraw(rules, times, campaign, value, event.receivedAt);
  let transferId: string | null = null;
  if (outcome === 'won') {
    const paid = await payPrize(manager, ledger, campaign, event);
    if (paid === null) outcome = 'payer_short';
    else transferId = paid;
  }
  const won = outcome === 'won';
  // The budget checked again by the database itself: a prize is claimed only while one is left.
  // An UPDATE answers its rows and how many it changed.
  const [claimed]: [{ drawCount: number }[], number] = await manager.query(
    `UPDATE instant_win_campaign
        SET "drawCount" = "drawCount" + 1,
            "prizesWon" = "prizesWon" + $2::int,
            "pointsWon" = "pointsWon" + $3::bigint,
            "momentsWon" = "momentsWon" + $4::int
      WHERE id = $1
        AND ($2::int = 0 OR (("prizeBudget" IS NULL OR "prizesWon" < "prizeBudget")
                         AND ("pointsBudget" IS NULL OR "pointsWon" + $3::bigint <= "pointsBudget")))
      RETURNING "drawCount"`,
    [campaign.id, won ? 1 : 0, won ? campaign.prizePoints : 0, won && campaign.mode === 'winning_times' ? 1 : 0],
  );
  if (claimed.length === 0) throw new Error(`instant-win campaign ${campaign.id}: a prize was paid beyond its budget`);
  const drawNumber = Number(claimed[0]!.drawCount);
  await manager.insert(InstantWinDraw, {
    campaignId: campaign.id,
    eventId: event.eventId,
    drawNumber,
    memberId: event.memberId,
    drawnAt: event.receivedAt,
    randomValue: value,
    outcome,
    prizePoints: won ? campaign.prizePoints : 0,
    transferId,
  });
  if (won) await announceWin(manager, campaign, event, drawNumber);
  return { campaignId: campaign.id, name: campaign.name, drawNumber, won, outcome, prizePoints: won ? campaign.prizePoints : 0 };
}

/**
 * Pays the prize from the campaign's payer; null when the payer's wallet is short. The purchase is
 * recorded either way: the short payment is undone to a savepoint, and the draw says why it paid nothing.
 */
async function payPrize(manager: EntityManager, ledger: Ledger, campaign: InstantWinCampaign, event: DrawnEvent): Promise<string | null> {
  const payer = campaign.fundingPartnerId
    ? await partnerWallet(manager, campaign.fundingPartnerId)
    : await accountByCode(manager, programAccounts.marketing);
  await manager.query('SAVEPOINT instant_win_prize');
  try {
    const written = await ledger.transfer(
      {
        ...prizeKey(campaign.id, event.eventId),
        legs: [
          {
            debitAccountId: payer.id,
            creditAccountId: event.memberAccountId,
            amount: campaign.prizePoints,
            kind: 'bonus',
            references: { instantWin: campaign.id, event: event.eventId },
            explanation: [{ rule: campaign.name, points: campaign.prizePoints, reason: 'instant win' }],
          },
        ],
      },
      manager,
    );
    await manager.query('RELEASE SAVEPOINT instant_win_prize');
    return written.transfers[0]!.id;
  } catch (error) {
    if (!(error instanceof InsufficientFundsError)) throw error;
    await manager.query('ROLLBACK TO SAVEPOINT instant_win_prize');
    return null;
  }
}

async function announceWin(manager: EntityManager, campaign: InstantWinCampaign, event: DrawnEvent, drawNumber: number): Promise<void> {
  // The owner hears of it; a program campaign is told to the partner whose purchase won.
  const partnerId = campaign.partnerId ?? event.partnerId;
  const customerId = (await customerIdOf(manager, event.memberId, partnerId)) ?? event.customerId;
  await queueWebhooks(manager, partnerId, 'instant_win.won', {
    campaign: campaign.id,
    name: campaign.name,
    member: customerId,
    eventId: event.eventId,
    drawNumber,
    points: campaign.prizePoints,
    seedCommitment: campaign.seedCommitment,
  });
  const details: InstantWinDetails = { campaignName: campaign.name, points: campaign.prizePoints };
  await queueMemberMessage(manager, {
    memberId: event.memberId,
    kind: 'instant_win',
    occasion: `instant-win:${campaign.id}:${event.eventId}`,
    details,
  });
}
