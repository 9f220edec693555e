import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Bonus, MemberEvent, PointOfSale, type RuleExplanation, type SalesChannel } from '../../entities/index.js';
import { partnerWallet } from '../ledger/accounts.js';
import type { LegRequest } from '../ledger/request.js';
import type { Ledger } from '../ledger/ledger.js';
import { refuseShortfall } from '../ledger/errors.js';
import { EventRefusedError } from './event-refused.js';
import { checkOccurredAt } from './event-time.js';
import { recoverRefundDebts } from './refund-debts.js';
import { queueWebhooks } from '../webhooks.js';
import { enrolCustomer, lockLiveMembers, MemberErasedError, type CustomerContact, type ResolvedMember } from '../member-identity.js';
import type { EarningEvent, EventLine } from './earning-event.js';
import { applies, evaluateEarning } from './evaluate-earning.js';
import { computeExpiry } from './expiry-policy.js';
import { memberStanding } from './member-standing.js';
import { campaignExclusions } from '../campaigns/campaign-audience.js';
import { lockCampaignBudgets, spendCampaignBudgets } from '../campaigns/campaign-budgets.js';
import { programConfiguration, type ProgramConfiguration } from './program-configuration.js';
import { payingSources, refuseSourceShortfall, type PayingSource } from '../funding-sources/paying-sources.js';
import { upgradeBetween } from './tiers.js';
import { pendingUntil, pendingWindowDays } from '../pending-points.js';
import { queueProcess } from '../outbox.js';
import { qualifyReferral, recordReferral } from '../referrals.js';
import { priceInProgramCurrency } from './event-currency.js';
import { payCashback, type CashbackPaid } from '../store-credit/cashback.js';
import { creditProgramOfPartner } from '../store-credit/credit-programs.js';
import { challengesCouldCount } from '../engagement/challenge-progress.js';
import { badgesCouldAward } from '../engagement/badge-awards.js';
import { leaderboardsCouldScore } from '../engagement/leaderboard-scores.js';
import { drawInstantWins, instantWinsCouldMatch, type InstantWinResult } from '../engagement/instant-win.js';
import {
  confirmReceiptByStore,
  lockPaidReceiptOfSale,
  paidReceiptOfSale,
  saleTotalCents,
  type PaidReceipt,
} from '../receipts/receipt-confirmed.js';
import { viewEvent } from './event-view.js';

export interface EventInput {
  partnerId: string;
  /** The store's customer: its id for them, what it knows of their addresses, and the referral code they joined with. */
  member: { externalId: string; referralCode?: string } & CustomerContact;
  type: string;
  amountCents?: number;
  currency?: string;
  lines?: EventLine[];
  channel?: SalesChannel;
  /** The partner's own code of the point of sale. */
  pointOfSaleCode?: string;
  /** When it happened, as the partner says: bounded by `receivedAt` (see checkOccurredAt). */
  occurredAt: Date;
  /** When Tessera received it. */
  receivedAt: Date;
  /** The member's receipt that proves the purchase, when the store did not send it itself. */
  receiptId?: string;
}

export interface RecordedEvent {
  event: MemberEvent;
  memberId: string;
  memberAccountId: string;
  enrolledNow: boolean;
  points: number;
  bonusPoints: number;
  /** Rules, boosters, caps, tier and bonuses that made the points, in words. */
  explanation: RuleExplanation[];
  tier: string | null;
  upgradedTo: string | null;
  expiresAt: Date | null;
  /** Points of this event that paid back what refunds left owed. */
  recoveredPoints: number;
  /** Of the points and bonus points, those pending until `availableFrom` (the purchase's return window). */
  pendingPoints: number;
  availableFrom: Date | null;
  /** Store credit the purchase earned, when the partner's stores run a credit program. */
  cashback: CashbackPaid | null;
  /** The draws of the live instant-win campaigns this purchase qualified for. */
  instantWins: InstantWinResult[];
}

/** Whether the member holds this bonus for this tier already (paid, and not taken back in full). */
async function bonusStillHeld(manager: EntityManager, memberAccountId: string, bonus: Bonus, tierCode: string): Promise<boolean> {
  // Bonuses paid before the tier was recorded with them: a bonus for one tier names it by itself.
  const [held] = await manager.query(
    `SELECT 1 FROM ledger_transfer t
      WHERE t."creditAccountId" = $1 AND t.kind = 'bonus' AND t."references"->>'bonus' = $2
        AND (t."references"->>'tier' = $3 OR (t."references"->>'tier' IS NULL AND $4))
        AND t.amount > COALESCE((SELECT SUM(r.amount) FROM ledger_transfer r WHERE r."reversesTransferId" = t.id), 0)
      LIMIT 1`,
    [memberAccountId, bonus.id, tierCode, bonus.tierCode !== null],
  );
  return held !== undefined;
}

/** A purchase's cashback waits for the return window its points wait for, or the program's when no rule gave points. */
function cashbackPendingUntil(input: EventInput, programDays: number, pointsDays: number): Date | null {
  const until = pendingUntil(input.occurredAt, Math.max(programDays, pointsDays));
  return until > input.receivedAt ? until : null;
}

/**
 * What the store is answered when the member's receipt paid its sale already: the receipt's
 * purchase event, its points and pending points as they stand, and why nothing more was paid.
 */
async function answeredByReceipt(
  manager: EntityManager,
  receipt: PaidReceipt,
  payee: ResolvedMember & { enrolledNow: boolean; occurredAt: Date },
  configuration: ProgramConfiguration,
): Promise<RecordedEvent> {
  const event = await manager.findOneByOrFail(MemberEvent, { id: receipt.eventId });
  const view = await viewEvent(manager, event.partnerId, event.id);
  const [lot]: { expiresAt: Date | null }[] = event.earnTransferId
    ? await manager.query(`SELECT "expiresAt" FROM point_lot WHERE "creditTransferId" = $1 LIMIT 1`, [event.earnTransferId])
    : [];
  const standing = await memberStanding(manager, { id: payee.member.id, accountId: payee.account.id }, payee.occurredAt, {
    tiers: configuration.tiers,
    tierWindowDays: configuration.settings.tierWindowDays,
    rules: configuration.rules,
  });
  const explanation = [
    ...event.explanation,
    {
      rule: 'receipt',
      points: 0,
      reason: `paid already from the member's receipt of ${receipt.purchasedOn}: the same purchase, recorded once`,
    },
  ];
  return {
    event,
    memberId: payee.member.id,
    memberAccountId: payee.account.id,
    enrolledNow: payee.enrolledNow,
    points: event.points,
    bonusPoints: event.bonusPoints,
    explanation,
    tier: standing.tierCode,
    upgradedTo: null,
    expiresAt: lot?.expiresAt ?? null,
    recoveredPoints: 0,
    pendingPoints: view.pending?.points ?? 0,
    availableFrom: view.pending?.availableFrom ?? null,
    cashback: null,
    instantWins: [],
  };
}

/**
 * Records what a member did at a partner and pays what it earns: the rules' points and any
 * bonus (registration, first purchase, goal, tier upgrade), all from the partner's wallet, in the
 * caller's transaction. An unknown member is enrolled on the way.
 */
export async function recordEvent(manager: EntityManager, ledger: Ledger, input: EventInput): Promise<RecordedEvent> {
  const configuration = await programConfiguration(manager);
  const { tiers, settings, campaigns } = configuration;
  checkOccurredAt(input.occurredAt, input.receivedAt, settings.eventBackdateDays);
  // Rules count in the program's currency: another one is converted at the operator's rate, or refused.
  const priced = await priceInProgramCurrency(manager, input, settings.currency);
  let pointOfSaleId: string | undefined;
  if (input.pointOfSaleCode !== undefined) {
    const pos = await manager.findOneBy(PointOfSale, { partnerId: input.partnerId, code: input.pointOfSaleCode });
    if (!pos) throw new EventRefusedError('pointOfSale', `no point of sale "${input.pointOfSaleCode}" is registered for this partner`);
    pointOfSaleId = pos.id;
  }
  const wallet = await partnerWallet(manager, input.partnerId);
  const customer = { ...input.member, partnerId: input.partnerId, customerId: input.member.externalId };
  let enrolled = await enrolCustomer(manager, ledger, customer);
  const totalCents = input.type === 'purchase' && input.receiptId === undefined ? saleTotalCents(input) : null;
  const sale = totalCents
    ? { partnerId: input.partnerId, totalCents, occurredAt: input.occurredAt, pointOfSaleId: pointOfSaleId ?? null }
    : null;
  // A receipt's purchase this sale may be is updated below: its event is locked before the member, as refunds and merges lock.
  if (sale) await lockPaidReceiptOfSale(manager, { ...sale, memberId: enrolled.member.id });
  // What the member already has decides the bonuses and caps: concurrent events for them decide in
  // turn. A merge that committed while this waited sends the points to whom the member became; an
  // erasure leaves the store's id free, so the customer is enrolled anew, as any unknown one.
  const locked = await lockLiveMembers(manager, [enrolled.member.id]).catch(async (error: unknown) => {
    if (!(error instanceof MemberErasedError)) throw error;
    enrolled = await enrolCustomer(manager, ledger, customer);
    return lockLiveMembers(manager, [enrolled.member.id]);
  });
  const enrolledNow = enrolled.enrolledNow;
  const [{ member, account }] = locked as [ResolvedMember];
  if (input.member.referralCode !== undefined)
    await recordReferral(manager, {
      referredMemberId: member.id,
      enrolledNow,
      partnerId: input.partnerId,
      typed: input.member.referralCode,
    });
  // The member's receipt paid this very sale before the store sent it (a till offline, a nightly
  // batch): the store is answered with that purchase, and nothing is paid or counted twice.
  if (sale) {
    const receipt = await paidReceiptOfSale(manager, { ...sale, memberId: member.id });
    if (receipt) {
      await confirmReceiptByStore(manager, receipt, {
        customerId: input.member.externalId,
        lines: input.lines,
        totalCents: sale.totalCents,
      });
      return answeredByReceipt(manager, receipt, { member, account, enrolledNow, occurredAt: input.occurredAt }, configuration);
    }
  }
  // The running campaigns this member is not for (audience, holdout) give them nothing.
  const excluded = await campaignExclusions(manager, campaigns, member, input.occurredAt);
  const forMember = <T extends { id: string }>(list: T[]) => (excluded.size === 0 ? list : list.filter((m) => !excluded.has(m.id)));
  const [rules, boosters, bonuses] = [forMember(configuration.rules), forMember(configuration.boosters), forMember(configuration.bonuses)];
  const standing = await memberStanding(manager, { id: member.id, accountId: account.id }, input.occurredAt, {
    tiers,
    tierWindowDays: settings.tierWindowDays,
    rules,
  });

  const event: EarningEvent = {
    ...input,
    currency: settings.currency,
    amountCents: priced.amountCents,
    lines: priced.lines,
    pointOfSaleId,
  };
  const budgeted = new Set(campaigns.filter((c) => c.budgetPoints !== null).map((c) => c.mechanismId));
  const budgets = await lockCampaignBudgets(
    manager,
    [...rules, ...boosters, ...bonuses].filter((m) => budgeted.has(m.id) && applies(m, event, standing)).map((m) => m.id),
  );
  const earned = evaluateEarning(event, standing, rules, boosters, budgets);

  const bonusLegs: { bonus: Bonus; reason: string; tier?: string }[] = [];
  const eligible = bonuses.filter((b) => applies(b, event, standing));
  for (const bonus of eligible.filter((b) => b.moment === 'registration' && enrolledNow)) {
    bonusLegs.push({ bonus, reason: 'welcome to the program' });
  }
  if (input.type === 'purchase' && eligible.some((b) => b.moment === 'first_purchase')) {
    const [{ earlier }] = await manager.query(
      `SELECT COUNT(*)::int AS earlier FROM member_event WHERE "memberId" = $1 AND type = 'purchase'`,
      [member.id],
    );
    if (earlier === 0)
      for (const bonus of eligible.filter((b) => b.moment === 'first_purchase')) bonusLegs.push({ bonus, reason: 'first purchase' });
  }
  for (const bonus of eligible.filter((b) => b.moment === 'goal' && b.goal?.eventType === input.type)) {
    const goal = bonus.goal!;
    const [{ done }] = await manager.query(
      `SELECT COUNT(*)::int AS done FROM member_event WHERE "memberId" = $1 AND type = $2 AND "occurredAt" > $3`,
      [member.id, goal.eventType, new Date(input.occurredAt.getTime() - goal.withinDays * 86_400_000)],
    );
    if (done + 1 === goal.count) bonusLegs.push({ bonus, reason: `${goal.count} × ${goal.eventType} within ${goal.withinDays} days` });
  }
  const beforeUpgrade = earned.points + bonusLegs.reduce((sum, b) => sum + b.bonus.points, 0);
  // A purchase's points wait for its return window, and count for tiers only once confirmed.
  const windowDays =
    input.type === 'purchase'
      ? pendingWindowDays(settings.pendingDays, campaigns, [
          ...earned.byRule.map((r) => r.ruleId),
          ...earned.byBooster.map((b) => b.boosterId),
          ...bonusLegs.map((b) => b.bonus.id),
        ])
      : 0;
  const availableFrom = pendingUntil(input.occurredAt, windowDays);
  const pending = windowDays > 0 && availableFrom > input.receivedAt;
  const upgrade = pending ? null : upgradeBetween(standing.qualifying, standing.qualifying + beforeUpgrade, tiers);
  if (upgrade) {
    for (const bonus of eligible.filter((b) => b.moment === 'tier_upgrade' && (b.tierCode === null || b.tierCode === upgrade.code))) {
      // Once per member and tier: falling back under a threshold (a refund) and crossing it again pays nothing more.
      if (await bonusStillHeld(manager, account.id, bonus, upgrade.code)) continue;
      bonusLegs.push({ bonus, reason: `reached tier ${upgrade.name}`, tier: upgrade.code });
    }
  }

  // What budgeted campaigns gave (only theirs: a campaign without a budget is never locked by an
  // event). A bonus is paid whole or not at all: a budget with less than it left is spent.
  const spent: Record<string, number> = {};
  const give = (id: string, points: number) => {
    if (budgets[id] !== undefined) spent[id] = (spent[id] ?? 0) + points;
  };
  // A rule's campaign pays its points but what a booster's campaign added to them.
  const boostOf = (ruleId: string) => earned.byBooster.filter((b) => b.ruleId === ruleId).reduce((sum, b) => sum + b.points, 0);
  for (const { ruleId, points } of earned.byRule) give(ruleId, points - boostOf(ruleId));
  for (const { boosterId, points } of earned.byBooster) give(boosterId, points);
  const starved: string[] = [];
  for (const [index, { bonus }] of [...bonusLegs.entries()].reverse()) {
    const left = budgets[bonus.id];
    if (left === undefined) continue;
    if (left < bonus.points) {
      bonusLegs.splice(index, 1);
      starved.push(bonus.id);
    } else {
      give(bonus.id, bonus.points);
      budgets[bonus.id] = left - bonus.points;
    }
  }
  await spendCampaignBudgets(manager, spent, starved);

  // Pending points expire counted from their confirmation (see confirmPendingCredit).
  const expiresAt = computeExpiry(settings.expiryPolicy, pending ? availableFrom : input.occurredAt, member.enrolledAt);
  const eventId = randomUUID();
  const references = { event: eventId, partner: input.partnerId };
  // Points of campaigns and bonuses a funding source pays come out of it; the rest out of the wallet.
  const payers = await payingSources(manager, campaigns, bonuses);
  const sourced = new Map<string, { source: PayingSource; points: number }>();
  const paidBy = (mechanismId: string, points: number) => {
    const source = payers.get(mechanismId);
    if (source && points > 0) sourced.set(source.id, { source, points: (sourced.get(source.id)?.points ?? 0) + points });
  };
  for (const { ruleId, points } of earned.byRule) paidBy(ruleId, points - boostOf(ruleId));
  for (const { boosterId, points } of earned.byBooster) paidBy(boosterId, points);
  const walletPoints = earned.points - [...sourced.values()].reduce((sum, s) => sum + s.points, 0);
  const legs: LegRequest[] = [];
  if (walletPoints > 0) {
    legs.push({
      debitAccountId: wallet.id,
      creditAccountId: account.id,
      amount: walletPoints,
      kind: 'earn',
      expiresAt,
      references,
      explanation: earned.explanation,
    });
  }
  for (const { source, points } of sourced.values()) {
    legs.push({
      debitAccountId: source.accountId,
      creditAccountId: account.id,
      amount: points,
      kind: 'earn',
      expiresAt,
      fundingPartnerId: source.ownerPartnerId,
      references: { ...references, fundingSource: source.id },
      explanation: walletPoints > 0 ? [] : earned.explanation,
    });
  }
  const bonusExplanation = bonusLegs.map(({ bonus, reason }) => ({ rule: bonus.name, points: bonus.points, reason }));
  for (const [index, { bonus }] of bonusLegs.entries()) {
    const source = payers.get(bonus.id);
    legs.push({
      debitAccountId: source?.accountId ?? wallet.id,
      creditAccountId: account.id,
      amount: bonus.points,
      kind: 'bonus',
      expiresAt,
      ...(source ? { fundingPartnerId: source.ownerPartnerId } : {}),
      references: {
        ...references,
        bonus: bonus.id,
        ...(bonusLegs[index]!.tier ? { tier: bonusLegs[index]!.tier } : {}),
        ...(source ? { fundingSource: source.id } : {}),
      },
      explanation: [bonusExplanation[index]!],
    });
  }
  const written =
    legs.length > 0
      ? await refuseShortfall(
          wallet.id,
          () =>
            refuseSourceShortfall(payers, () => {
              const request = { source: `partner:${input.partnerId}`, key: `event:${eventId}`, legs };
              return pending ? ledger.holdCredit({ ...request, until: availableFrom }, manager) : ledger.transfer(request, manager);
            }),
          undefined,
          (short) => `your wallet has ${short.available} points available and this event earns ${short.requested}: buy a point package`,
        )
      : undefined;
  const earnTransfer = written?.transfers.find((t) => t.kind === 'earn');
  const bonusPoints = bonusLegs.reduce((sum, b) => sum + b.bonus.points, 0);
  if (pending) {
    // Confirmed by the hold's own timer once this commits (see releaseExpiredHold).
    for (const hold of written?.transfers ?? []) {
      await queueProcess(manager, 'hold_timeout', hold.id, { expiresAt: availableFrom.toISOString() });
    }
  }
  // Pending points pay back nothing yet: they are not the member's until confirmed.
  const recovery = await recoverRefundDebts(
    manager,
    ledger,
    { accountId: account.id },
    { id: eventId, earned: pending ? 0 : earned.points + bonusPoints },
  );

  const record = manager.create(MemberEvent, {
    id: eventId,
    partnerId: input.partnerId,
    memberId: member.id,
    customerId: input.member.externalId,
    type: input.type,
    amountCents: input.amountCents ?? null,
    currency: input.currency ?? null,
    lines: input.lines ?? [],
    channel: input.channel ?? null,
    pointOfSaleId: pointOfSaleId ?? null,
    occurredAt: input.occurredAt,
    points: earned.points,
    bonusPoints,
    explanation: [...priced.explanation, ...earned.explanation, ...bonusExplanation, ...recovery.explanation],
    byRule: earned.byRule,
    byBooster: earned.byBooster,
    earnTransferId: earnTransfer?.id ?? null,
  });
  await manager.insert(MemberEvent, record);
  // A referred friend's purchase qualifies their referral whether or not a challenge counts referrals now.
  await qualifyReferral(manager, { ...record, programAmountCents: priced.amountCents ?? null }, settings.referralMinimumCents);
  // Challenges count it in their own step once this commits (only when a live one could: the cached configuration says).
  if (challengesCouldCount(configuration.challenges, record)) await queueProcess(manager, 'challenge_progress', eventId, {});
  // Badges by rule likewise (only when a live badge's rule could award on it).
  if (badgesCouldAward(configuration.badges, record)) await queueProcess(manager, 'badge_award', eventId, {});
  // Likewise leaderboards ranked by points earned score it in their own step.
  if (record.points > 0 && leaderboardsCouldScore(configuration.leaderboards, record))
    await queueProcess(manager, 'leaderboard_score', eventId, {});
  const creditProgram = input.type === 'purchase' && input.amountCents ? await creditProgramOfPartner(manager, input.partnerId) : null;
  const cashback = creditProgram
    ? await payCashback(manager, ledger, {
        program: creditProgram,
        member,
        partnerId: input.partnerId,
        eventId,
        amountMinor: input.amountCents!,
        currency: input.currency ?? settings.currency,
        occurredAt: input.occurredAt,
        pendingUntil: cashbackPendingUntil(input, settings.pendingDays, windowDays),
      })
    : null;
  // The partner hears of it with the write itself: a delivery exists exactly when the points do.
  if (earned.points + bonusPoints > 0) {
    await queueWebhooks(manager, input.partnerId, 'points.earned', {
      eventId,
      member: input.member.externalId,
      points: earned.points + bonusPoints,
      explanation: record.explanation,
      ...(pending ? { availableFrom: availableFrom.toISOString() } : {}),
    });
  }
  if (upgrade)
    await queueWebhooks(manager, input.partnerId, 'member.tier_changed', { member: input.member.externalId, tier: upgrade.code });
  const instantWins = instantWinsCouldMatch(configuration.instantWins, input)
    ? await drawInstantWins(manager, ledger, configuration.instantWins, {
        eventId,
        partnerId: input.partnerId,
        customerId: input.member.externalId,
        memberId: member.id,
        memberAccountId: account.id,
        occurredAt: input.occurredAt,
        receivedAt: input.receivedAt,
      })
    : [];
  return {
    event: record,
    memberId: member.id,
    memberAccountId: account.id,
    enrolledNow,
    points: earned.points,
    bonusPoints,
    explanation: record.explanation,
    tier: upgrade?.code ?? standing.tierCode,
    upgradedTo: upgrade?.code ?? null,
    expiresAt: legs.length > 0 ? expiresAt : null,
    recoveredPoints: recovery.recovered,
    pendingPoints: pending ? earned.points + bonusPoints : 0,
    availableFrom: pending && legs.length > 0 ? availableFrom : null,
    cashback,
    instantWins,
  };
}
