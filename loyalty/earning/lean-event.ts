import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { isTransactionPooled } from '../../entities/data-source.js';
import { MemberEvent, pointsUnit, WebhookEndpoint } from '../../entities/index.js';
import { ConfigurationCache } from '../configuration-freshness.js';
import { partnerWallet } from '../ledger/accounts.js';
import { pgError } from '../ledger/database-errors.js';
import { transferWrite } from '../ledger/ledger.js';
import type { LegRequest } from '../ledger/request.js';
import { retried } from '../ledger/transaction.js';
import { pendingUntil, pendingWindowDays } from '../pending-points.js';
import { creditProgramOfPartner } from '../store-credit/credit-programs.js';
import type { EarningEvent, MemberStanding } from './earning-event.js';
import { applies, evaluateEarning } from './evaluate-earning.js';
import { priceInProgramCurrency } from './event-currency.js';
import { checkOccurredAt } from './event-time.js';
import { computeExpiry } from './expiry-policy.js';
import { saleTotalCents } from '../receipts/receipt-confirmed.js';
import { programConfiguration } from './program-configuration.js';
import { tierFor, upgradeBetween } from './tiers.js';
import type { EventInput, RecordedEvent } from './record-event.js';
import { challengesCouldCount } from '../engagement/challenge-progress.js';
import { badgesCouldAward } from '../engagement/badge-awards.js';
import { leaderboardsCouldScore } from '../engagement/leaderboard-scores.js';
import { instantWinsCouldMatch } from '../engagement/instant-win.js';

/** The partner's request the event answers: its Idempotency-Key, the hash of what it asked, and the answer to keep. */
export interface EventClaim {
  idempotencyKey: string;
  requestHash: string;
  status: number;
}

/** What a partner's stores need for an event: whether they pay cashback, and who hears of points earned. */
interface PartnerSetup {
  paysCashback: boolean;
  hearPointsEarned: string[];
}

const partnerSetups = new ConfigurationCache<PartnerSetup>(0);

function partnerSetup(dataSource: DataSource, partnerId: string): Promise<PartnerSetup> {
  return partnerSetups.read(dataSource, partnerId, async () => {
    const manager = dataSource.manager;
    const endpoints = await manager.find(WebhookEndpoint, { where: { partnerId, active: true } });
    return {
      paysCashback: (await creditProgramOfPartner(manager, partnerId)) !== null,
      hearPointsEarned: endpoints.filter((e) => e.events.includes('points.earned')).map((e) => e.id),
    };
  });
}

interface KnownMember {
  memberId: string;
  accountId: string;
  enrolledAt: Date;
  /** Qualifying points since the tier window's start (see qualifyingPoints); 0 without tiers. */
  qualifying: number;
  /** Referred by a member and without a qualifying purchase yet: a purchase may qualify the referral (the full path does). */
  referralWaits: boolean;
  /**
   * A receipt of theirs is being read or waits for care, or one of this total paid at this store is
   * not yet matched to the store's sale (the full path answers with it, see paidReceiptOfSale), or
   * a merged member's may be: the full path looks, under the member's lock a receipt's payment takes too.
   */
  receiptMayMatch: boolean;
}

/** What counts for tiers, as qualifyingPoints counts it; the write checks it again under the member's lock. */
const qualifyingSql = `SELECT COALESCE(SUM(CASE WHEN t."creditAccountId" = a.id THEN t.amount ELSE -t.amount END), 0)::bigint
       FROM ledger_transfer t LEFT JOIN ledger_transfer o ON o.id = t."reversesTransferId"
      WHERE t."createdAt" >= $5 AND t.phase IN ('single', 'post')
        AND ((t."creditAccountId" = a.id AND t.kind IN ('earn', 'bonus'))
          OR (t."debitAccountId" = a.id AND t.kind = 'reversal' AND o.kind IN ('earn', 'bonus')))`;

/** $4 is what the purchase cost (saleTotalCents; null for other events), $5 the tier window's start. */
const knownMemberSql = (qualifying: string) => `SELECT m.id AS "memberId", a.id AS "accountId", m."enrolledAt", ${qualifying} AS qualifying,
            EXISTS (SELECT 1 FROM member_referral r WHERE r."referredMemberId" = m.id AND r.status = 'joined') AS "referralWaits",
            (EXISTS (SELECT 1 FROM receipt c WHERE c."memberId" = m.id
                       AND (c.status IN ('reading', 'review')
                         OR (c.status = 'awarded' AND c."partnerId" = $1 AND c."totalCents" = $4 AND c."confirmedByStoreAt" IS NULL)))
              OR EXISTS (SELECT 1 FROM member x WHERE x."mergedIntoId" = m.id)) AS "receiptMayMatch"
       FROM member_link l JOIN member m ON m.id = l."memberId" AND m."mergedIntoId" IS NULL
       JOIN ledger_account a ON a."memberId" = m.id AND a.unit = $3
      WHERE l."partnerId" = $1 AND l."customerId" = $2`;

/**
 * Two statements, not one with "no tiers" as a parameter: PostgreSQL would then plan it at every
 * call (its generic plan, which keeps the tier sum, always looks costlier than a custom one). Each
 * is prepared once per connection, as the ledger's statements are (see ledger/sql.ts).
 */
const knownMemberStatements = {
  withoutTiers: { name: 'lean_known_member_v3', text: knownMemberSql('0') },
  withTiers: { name: 'lean_known_member_tiers_v3', text: knownMemberSql(`(${qualifyingSql})`) },
};

interface PgPool {
  query<R>(statement: { name?: string; text: string; values: unknown[] }): Promise<{ rows: R[] }>;
}

const poolOf = (dataSource: DataSource) => (dataSource.driver as unknown as { master: PgPool }).master;

/** The live member a store's customer id is linked to, their points account and tier standing: one query. */
async function knownMember(
  dataSource: DataSource,
  partnerId: string,
  customerId: string,
  amountCents: number | null,
  tiersSince: Date | null,
): Promise<KnownMember | undefined> {
  const { name, text } = tiersSince ? knownMemberStatements.withTiers : knownMemberStatements.withoutTiers;
  const common = [partnerId, customerId, pointsUnit, amountCents];
  const values = tiersSince ? [...common, tiersSince] : common;
  // Through a pooler in transaction mode the next statement may reach a connection that never prepared it.
  const statement = isTransactionPooled(dataSource) ? { text, values } : { name, text, values };
  const [found] = (await poolOf(dataSource).query<KnownMember & { qualifying: string | number }>(statement)).rows;
  return found && { ...found, qualifying: Number(found.qualifying) };
}

/** SQLSTATE of tessera_record_event_v4 when only the full path can record the event. */
const needsFullPath = 'TE001';

/**
 * The common event — a known member, no caps, campaigns, bonus of the moment, tier upgrade, pending
 * window, conversion, point of sale, cashback or debt — recorded in two round trips once the
 * configuration is cached: the member and their tier standing, then one statement that claims the
 * request with its answer (the standing checked again under the member's lock),
 * writes the ledger, the event, its webhook deliveries and their outbox rows
 * (tessera_record_event_v4). It decides exactly as recordEvent does, which it leaves everything
 * else to: null means "take the full path" (nothing was written), as does a request claimed before
 * (the full path replays it). The answer is what `respond` makes of the recorded event.
 */
export async function recordLeanEvent(
  dataSource: DataSource,
  input: EventInput,
  claim: EventClaim,
  respond: (recorded: RecordedEvent) => object,
): Promise<{ body: object; queued: string[] } | null> {
  const configuration = await programConfiguration(dataSource.manager);
  const { settings, tiers, campaigns, rules, boosters, bonuses } = configuration;
  const contact = input.member.email || input.member.phone;
  // A referral code joins a new member: the full path enrols (and refuses a known customer's).
  if (input.pointOfSaleCode !== undefined || contact || input.member.referralCode !== undefined || campaigns.length > 0) return null;
  // A purchase a live challenge could count queues its progress step: the full path does (no round trip here, the configuration is cached).
  if (challengesCouldCount(configuration.challenges, input)) return null;
  if (badgesCouldAward(configuration.badges, input)) return null;
  // So does an event a live leaderboard could rank (its points are known only once the rules ran).
  if (leaderboardsCouldScore(configuration.leaderboards, input)) return null;
  // So does one a live instant-win campaign could draw for: the draw is in the event's transaction, its result in the answer.
  if (instantWinsCouldMatch(configuration.instantWins, input)) return null;
  if (rules.some((r) => r.caps?.perMemberPerDay !== undefined || r.caps?.perMemberPerMonth !== undefined)) return null;
  if (input.currency !== undefined && input.currency !== settings.currency) return null;
  try {
    checkOccurredAt(input.occurredAt, input.receivedAt, settings.eventBackdateDays);
  } catch {
    // Refused by the full path once it has looked the key up: a retry of a request answered while its date was in bounds gets that answer.
    return null;
  }
  const priced = await priceInProgramCurrency(dataSource.manager, input, settings.currency);
  const event: EarningEvent = {
    ...input,
    currency: settings.currency,
    amountCents: priced.amountCents,
    lines: priced.lines,
    pointOfSaleId: undefined,
  };
  const setup = await partnerSetup(dataSource, input.partnerId);
  if (setup.paysCashback && input.type === 'purchase' && input.amountCents) return null;

  const tiersSince = tiers.length > 0 ? new Date(input.occurredAt.getTime() - settings.tierWindowDays * 86_400_000) : null;
  const amountCents = input.type === 'purchase' ? saleTotalCents(input) : null;
  const member = await knownMember(dataSource, input.partnerId, input.member.externalId, amountCents, tiersSince);
  if (!member || (input.type === 'purchase' && (member.referralWaits || member.receiptMayMatch))) return null;
  const tier = tierFor(member.qualifying, tiers);
  const standing: MemberStanding = {
    tierCode: tier?.code ?? null,
    tierMultiplier: tier?.multiplier ?? 1,
    awardedToday: {},
    awardedThisMonth: {},
  };
  // Registration bonuses need a new member and tier bonuses an upgrade; these two need the member's history.
  const eligible = bonuses.filter((b) => applies(b, event, standing));
  if (
    eligible.some(
      (b) => (b.moment === 'first_purchase' && input.type === 'purchase') || (b.moment === 'goal' && b.goal?.eventType === input.type),
    )
  )
    return null;
  const earned = evaluateEarning(event, standing, rules, boosters);
  const windowDays =
    input.type === 'purchase'
      ? pendingWindowDays(settings.pendingDays, [], [...earned.byRule.map((r) => r.ruleId), ...earned.byBooster.map((b) => b.boosterId)])
      : 0;
  if (windowDays > 0 && pendingUntil(input.occurredAt, windowDays) > input.receivedAt) return null;
  if (upgradeBetween(member.qualifying, member.qualifying + earned.points, tiers)) return null;

  const wallet = await partnerWallet(dataSource.manager, input.partnerId);
  const expiresAt = computeExpiry(settings.expiryPolicy, input.occurredAt, member.enrolledAt);
  const eventId = randomUUID();
  const legs: LegRequest[] =
    earned.points > 0
      ? [
          {
            debitAccountId: wallet.id,
            creditAccountId: member.accountId,
            amount: earned.points,
            kind: 'earn',
            expiresAt,
            references: { event: eventId, partner: input.partnerId },
            explanation: earned.explanation,
          },
        ]
      : [];
  const explanation = [...priced.explanation, ...earned.explanation];
  const record = dataSource.manager.create(MemberEvent, {
    id: eventId,
    partnerId: input.partnerId,
    memberId: member.memberId,
    customerId: input.member.externalId,
    type: input.type,
    amountCents: input.amountCents ?? null,
    currency: input.currency ?? null,
    lines: input.lines ?? [],
    channel: input.channel ?? null,
    pointOfSaleId: null,
    occurredAt: input.occurredAt,
    points: earned.points,
    bonusPoints: 0,
    explanation,
    byRule: earned.byRule,
    byBooster: earned.byBooster,
  });
  const body = respond({
    event: record,
    memberId: member.memberId,
    memberAccountId: member.accountId,
    enrolledNow: false,
    points: earned.points,
    bonusPoints: 0,
    explanation,
    tier: standing.tierCode,
    upgradedTo: null,
    expiresAt: legs.length > 0 ? expiresAt : null,
    recoveredPoints: 0,
    pendingPoints: 0,
    availableFrom: null,
    cashback: null,
    instantWins: [],
  });
  let ledger: object | null = null;
  if (legs.length > 0) {
    ledger = JSON.parse(transferWrite({ source: `partner:${input.partnerId}`, key: `event:${eventId}`, legs }).plan);
  }
  const webhooks =
    earned.points > 0
      ? setup.hearPointsEarned.map((endpointId) => ({
          endpointId,
          event: 'points.earned',
          payload: {
            event: 'points.earned',
            data: { eventId, member: input.member.externalId, points: earned.points, explanation },
          },
        }))
      : [];
  const statement = JSON.stringify({
    partnerId: input.partnerId,
    idempotencyKey: claim.idempotencyKey,
    requestHash: claim.requestHash,
    status: claim.status,
    response: body,
    memberId: member.memberId,
    memberAccountId: member.accountId,
    qualifying: tiersSince && { since: tiersSince.toISOString(), points: member.qualifying },
    ledger,
    event: { ...record, occurredAt: input.occurredAt.toISOString() },
    webhooks,
  });
  try {
    const answer = await retried(
      async () =>
        (
          await poolOf(dataSource).query<{ answer: LeanAnswer }>({
            text: 'SELECT tessera_record_event_v4($1::jsonb) AS answer',
            values: [statement],
          })
        ).rows[0]!.answer,
    );
    return answer.result === 'ok' ? { body, queued: answer.outbox } : null;
  } catch (error) {
    if (pgError(error).code === needsFullPath) return null;
    throw error;
  }
}

type LeanAnswer = { result: 'ok'; outbox: string[] } | { result: 'taken' };
