import type { EntityManager } from 'typeorm';
import { MessageCampaign, MessageCampaignRecipient } from '../../entities/index.js';
import { campaignLinks, openPixel, type TrackingClaims } from './tracking-tokens.js';

/**
 * Records an open or a click a tracked address stands for (the first of each counts) and returns
 * where a click leads: one of the campaign's own links, never anywhere else. Null when the message
 * was never sent to that member, or the link number is not one of the campaign's.
 */
export async function recordTracking(
  manager: EntityManager,
  claims: TrackingClaims,
  at: Date,
): Promise<{ redirectTo: string | null } | null> {
  const campaign = await manager.findOneBy(MessageCampaign, { id: claims.campaignId });
  const recipient =
    campaign &&
    (await manager.findOneBy(MessageCampaignRecipient, { campaignId: claims.campaignId, memberId: claims.memberId, status: 'sent' }));
  if (!campaign || !recipient) return null;
  if (claims.link === openPixel) {
    await manager.query(
      `UPDATE message_campaign_recipient SET "openedAt" = $3 WHERE "campaignId" = $1 AND "memberId" = $2 AND "openedAt" IS NULL`,
      [claims.campaignId, claims.memberId, at],
    );
    return { redirectTo: null };
  }
  const link = campaignLinks(campaign.body)[claims.link - 1];
  if (!link) return null;
  // A click shows the message was opened, even when images were blocked.
  await manager.query(
    `UPDATE message_campaign_recipient SET "clickedAt" = COALESCE("clickedAt", $3), "openedAt" = COALESCE("openedAt", $3)
      WHERE "campaignId" = $1 AND "memberId" = $2`,
    [claims.campaignId, claims.memberId, at],
  );
  return { redirectTo: link };
}

/** A campaign's results as counts; percentages are of those sent (opens, clicks, came back) or of the holdout. */
export interface MessageCampaignResults {
  audience: number;
  holdout: number;
  sent: number;
  failed: number;
  notSent: number;
  waiting: number;
  opened: number;
  clicked: number;
  /** Members sent the message with an event within the window after their send. */
  cameBack: number;
  /** Holdout members with an event within the window after the campaign started. */
  holdoutCameBack: number;
}

export async function messageCampaignResults(manager: EntityManager, campaignId: string): Promise<MessageCampaignResults> {
  const [row] = await manager.query(
    `SELECT count(*)::int AS audience,
            count(*) FILTER (WHERE r.holdout)::int AS holdout,
            count(*) FILTER (WHERE r.status = 'sent')::int AS sent,
            count(*) FILTER (WHERE r.status = 'failed')::int AS failed,
            count(*) FILTER (WHERE r.status = 'not_sent')::int AS "notSent",
            count(*) FILTER (WHERE r.status IN ('pending', 'sending'))::int AS waiting,
            count(r."openedAt")::int AS opened,
            count(r."clickedAt")::int AS clicked,
            count(*) FILTER (WHERE r.status = 'sent' AND EXISTS (
              SELECT 1 FROM member_event e WHERE e."memberId" = r."memberId"
                 AND e."occurredAt" > r."sentAt" AND e."occurredAt" <= r."sentAt" + make_interval(days => c."returnWindowDays")))::int AS "cameBack",
            count(*) FILTER (WHERE r.holdout AND EXISTS (
              SELECT 1 FROM member_event e WHERE e."memberId" = r."memberId"
                 AND e."occurredAt" > c."startedAt" AND e."occurredAt" <= c."startedAt" + make_interval(days => c."returnWindowDays")))::int AS "holdoutCameBack"
       FROM message_campaign c JOIN message_campaign_recipient r ON r."campaignId" = c.id
      WHERE c.id = $1`,
    [campaignId],
  );
  return row as MessageCampaignResults;
}

/** One line of a campaign's results as staff read them: what, its share, and the members behind it. */
export interface ResultLine {
  figure: string;
  share: string;
  members: string;
}

const percent = (part: number, whole: number): number | null => (whole > 0 ? (100 * part) / whole : null);
const shown = (share: number | null) => (share === null ? '—' : `${share.toFixed(1)} %`);

/**
 * A campaign's results in words: what became of its messages, opens and clicks (email only) of
 * those sent, and whether those sent came back more than the holdout, in percentage points.
 */
export function describeMessageCampaignResults(
  results: MessageCampaignResults,
  campaign: Pick<MessageCampaign, 'channel' | 'returnWindowDays'>,
): { lines: ResultLine[]; summary: string } {
  const { audience, holdout, sent, failed, notSent, waiting, opened, clicked, cameBack, holdoutCameBack } = results;
  const messaged = audience - holdout;
  const of = (part: number, whole: number) => `${part} of ${whole}`;
  const tracked = campaign.channel === 'email';
  const window = `within ${campaign.returnWindowDays} day${campaign.returnWindowDays === 1 ? '' : 's'}`;
  const sentBack = percent(cameBack, sent);
  const heldBack = percent(holdoutCameBack, holdout);
  const difference = sentBack === null || heldBack === null ? null : sentBack - heldBack;
  const lines: ResultLine[] = [
    { figure: 'Sent', share: shown(percent(sent, messaged)), members: of(sent, messaged) },
    { figure: 'Failed (refused by the relay)', share: shown(percent(failed, messaged)), members: of(failed, messaged) },
    { figure: 'Not sent (no address, or offers turned off)', share: shown(percent(notSent, messaged)), members: of(notSent, messaged) },
    ...(waiting > 0 ? [{ figure: 'Still to send', share: shown(percent(waiting, messaged)), members: of(waiting, messaged) }] : []),
    tracked
      ? { figure: 'Opened', share: shown(percent(opened, sent)), members: of(opened, sent) }
      : { figure: 'Opened', share: 'not tracked for text messages', members: '—' },
    tracked
      ? { figure: 'Clicked a link', share: shown(percent(clicked, sent)), members: of(clicked, sent) }
      : { figure: 'Clicked a link', share: 'not tracked for text messages', members: '—' },
    { figure: `Came back ${window} (sent the message)`, share: shown(sentBack), members: of(cameBack, sent) },
    { figure: `Came back ${window} (holdout, not sent it)`, share: shown(heldBack), members: of(holdoutCameBack, holdout) },
    {
      figure: 'Difference',
      share: difference === null ? '—' : `${difference >= 0 ? '+' : '−'}${Math.abs(difference).toFixed(1)} points`,
      members: '',
    },
  ];
  const summary =
    audience === 0
      ? 'Nobody has been drawn yet: the audience is drawn from the segment at the send time.'
      : difference === null
        ? `${of(sent, messaged)} members were sent the message; ${holdout} ${holdout === 1 ? 'was' : 'were'} kept out as the holdout. Too early or too few to compare who came back.`
        : `Of the ${sent} members sent the message, ${shown(sentBack)} came back ${window}, against ${shown(heldBack)} of the ${holdout} kept out: ${difference >= 0 ? '+' : '−'}${Math.abs(difference).toFixed(1)} points.`;
  return { lines, summary };
}
