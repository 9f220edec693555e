import { campaignDraft } from '../../test/support/campaign-draft.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from 'typeorm';
import { EarningRule, MemberLink, ProgramSettings, Reward, Tier } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { forgetProgramConfiguration } from '../earning/program-configuration.js';
import { recordEvent } from '../earning/record-event.js';
import { inTransaction } from '../ledger/transaction.js';
import { redeemReward } from '../redemptions.js';
import type { CampaignDraft } from './campaign-problems.js';
import { inHoldout } from './campaign-audience.js';
import { campaignResultsCsv } from '../../reports/campaign-results-csv.js';
import { campaignResults } from './campaign-results.js';
import { createCampaign, endCampaign, scheduleCampaign } from './campaigns.js';
import { createSegment } from '../segments/segments.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
const now = new Date();
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
const tx = <T>(work: (m: EntityManager) => Promise<T>) => inTransaction(db.dataSource, work);

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'never' } });
  await db.dataSource.manager.insert(Reward, { code: 'coffee', name: 'Coffee', pointsPrice: 20, stock: 100 });
});
afterAll(() => db.drop());

/** A campaign that started `startDay` days from now (negative: in the past), scheduled then. */
async function runningCampaign(overrides: Partial<CampaignDraft>, startDay: number, endDay: number | null) {
  const made = await tx((m) =>
    createCampaign(
      m,
      campaignDraft({ startsAt: days(startDay), endsAt: endDay === null ? null : days(endDay), ...overrides }),
      'pm@t',
      days(startDay - 1),
    ),
  );
  const scheduled = await tx((m) => scheduleCampaign(m, made.id, days(Math.min(startDay, 0))));
  forgetProgramConfiguration(db.dataSource);
  return scheduled;
}

function buy(
  partnerId: string,
  externalId: string,
  at: Date,
  cents: number,
  lines?: { reference: string; category: string; quantity: number; unitPriceCents: number }[],
) {
  return tx((m) =>
    recordEvent(m, p.ledger, {
      partnerId,
      member: { externalId },
      type: 'purchase',
      amountCents: cents,
      currency: 'EUR',
      lines,
      occurredAt: at,
      receivedAt: at,
    }),
  );
}

/** Members linked to the store, `count` of them in the campaign's holdout and `count` not (no others: they would count). */
async function groups(campaign: { id: string; holdoutPercent: number }, partnerId: string, count: number) {
  const treated: string[] = [];
  const holdout: string[] = [];
  while (treated.length < count || holdout.length < count) {
    const ref = `r-${Math.random().toString(36).slice(2, 10)}`;
    const { member } = await p.member(ref);
    const group = inHoldout(campaign, member.id) ? holdout : treated;
    if (group.length >= count) continue;
    group.push(ref);
    await db.dataSource.manager.insert(MemberLink, { partnerId, customerId: ref, memberId: member.id, cause: 'store' });
  }
  return { treated, holdout };
}

describe('the results of a campaign', () => {
  it('compares the members who got it with its holdout: points, reach, redemptions that followed, visits and spend', async () => {
    const shop = (await p.partner(1_000_000)).partner;
    const campaign = await runningCampaign(
      {
        audience: { kind: 'partners', partnerIds: [shop.id] },
        trigger: { kind: 'purchase_amount' },
        reward: { kind: 'points_per_unit', pointsPerUnit: 1, rounding: 'down' },
        holdoutPercent: 50,
      },
      -10,
      4,
    );
    const { treated, holdout } = await groups(campaign, shop.id, 2);
    await buy(shop.id, treated[0]!, days(-12), 9_900); // before the window: not counted
    await buy(shop.id, treated[0]!, days(-5), 3_000);
    await buy(shop.id, treated[0]!, days(-3), 2_000);
    await buy(shop.id, treated[1]!, days(-4), 1_000);
    await buy(shop.id, holdout[0]!, days(-4), 1_000);
    // The first treated member spends what the campaign gave; a holdout member has nothing to spend.
    const reached = (await db.dataSource.query(`SELECT "memberId" FROM member_link WHERE "customerId" = $1`, [treated[0]]))[0].memberId;
    await tx((m) => redeemReward(m, p.ledger, { memberId: reached, rewardCode: 'coffee', quantity: 1, partnerId: shop.id, key: 'r1' }));

    const results = await campaignResults(db.dataSource.manager, campaign.id, new Date());
    expect(results.started).toBe(true);
    expect(results.pointsIssued).toBe(60);
    expect(results.membersReached).toBe(2);
    expect(results.redemptions).toMatchObject({ count: 1, points: 20, members: 1 });
    expect(results.comparison!.kind).toBe('holdout');
    expect(results.comparison!.treated).toMatchObject({ members: 2, visits: 3, purchases: 3, spendCents: 6_000, repeaters: 1 });
    expect(results.comparison!.baseline).toMatchObject({ members: 2, visits: 1, purchases: 1, spendCents: 1_000, repeaters: 0 });
    expect(results.comparison!.lifts).toMatchObject({ visits: 3, purchases: 3, spend: 6, repeatRate: null });
    expect(results.findings).toContain('Members who got the campaign came back 3× as often as the holdout (1.5 vs 0.5 visits per member).');
    expect(results.findings).toContain('They spent 6× as much per member as the holdout (€30.00 vs €5.00).');
    expect(results.daily.reduce((sum, d) => sum + d.pointsIssued, 0)).toBe(60);
    expect(results.definitions.pointsIssued).toMatch(/points/);

    const csv = campaignResultsCsv(results);
    expect(csv).toContain('Points issued,60');
    expect(csv).toContain('Visits per member,1.5,0.5,3');
  });

  it('without a holdout, compares the same members with their previous period of the same length', async () => {
    const shop = (await p.partner(1_000_000)).partner;
    const campaign = await runningCampaign(
      {
        audience: { kind: 'partners', partnerIds: [shop.id] },
        trigger: { kind: 'visit' },
        reward: { kind: 'fixed_points', points: 5 },
      },
      -6,
      1,
    );
    await p.member('prev-a', shop.id);
    await p.member('prev-b', shop.id);
    await buy(shop.id, 'prev-a', days(-9), 2_000);
    await buy(shop.id, 'prev-a', days(-4), 2_000);
    await buy(shop.id, 'prev-a', days(-2), 2_000);
    await buy(shop.id, 'prev-b', days(-1), 4_000);

    const results = await campaignResults(db.dataSource.manager, campaign.id, new Date());
    expect(results.pointsIssued).toBe(15);
    expect(results.comparison!.kind).toBe('previous_period');
    expect(results.comparison!.treated).toMatchObject({ members: 2, visits: 3, spendCents: 8_000 });
    expect(results.comparison!.baseline).toMatchObject({ members: 2, visits: 1, spendCents: 2_000 });
    expect(results.comparison!.lifts.visits).toBe(3);
    expect(results.findings).toContain(
      'Members of the audience came back 3× as often as in the 6 days before the campaign (1.5 vs 0.5 visits per member).',
    );
  });

  it('a booster campaign counts the points it added, not the points of the rule it multiplied', async () => {
    const shop = (await p.partner(1_000_000)).partner;
    await db.dataSource.manager.insert(EarningRule, {
      name: '1 point per euro here',
      formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
      partnerIds: [shop.id],
    });
    const campaign = await runningCampaign({ audience: { kind: 'partners', partnerIds: [shop.id] } }, -3, 3);
    await p.member('cook', shop.id);
    const bought = await buy(shop.id, 'cook', days(-1), 5_000, [
      { reference: 'pan', category: 'kitchen', quantity: 1, unitPriceCents: 4_000 },
      { reference: 'novel', category: 'books', quantity: 1, unitPriceCents: 1_000 },
    ]);
    expect(bought.points).toBe(90);
    const results = await campaignResults(db.dataSource.manager, campaign.id, new Date());
    expect({ points: results.pointsIssued, reached: results.membersReached }).toEqual({ points: 40, reached: 1 });
  });

  it('a bonus campaign counts the bonuses it paid', async () => {
    const shop = (await p.partner(1_000_000)).partner;
    const campaign = await runningCampaign(
      {
        audience: { kind: 'partners', partnerIds: [shop.id] },
        places: { partnerIds: [shop.id] },
        trigger: { kind: 'moment', moment: 'first_purchase' },
        reward: { kind: 'bonus', points: 25 },
      },
      -3,
      3,
    );
    await p.member('first-timer', shop.id);
    await buy(shop.id, 'first-timer', days(-2), 1_000);
    await buy(shop.id, 'first-timer', days(-1), 1_000);
    const results = await campaignResults(db.dataSource.manager, campaign.id, new Date());
    expect({ points: results.pointsIssued, reached: results.membersReached }).toEqual({ points: 25, reached: 1 });
    expect(results.daily.find((d) => d.pointsIssued > 0)?.day).toBe(days(-2).toLocaleDateString('en-CA', { timeZone: 'Europe/Amsterdam' }));
  });

  it('a tier campaign measures the members who were in the tier when it started', async () => {
    const shop = (await p.partner(1_000_000)).partner;
    await db.dataSource.manager.insert(Tier, { code: 'gold', name: 'Gold', threshold: 100, multiplier: 1 });
    await db.dataSource.manager.insert(EarningRule, {
      name: '10 points per euro at the tier shop',
      formula: { kind: 'per_amount', pointsPerUnit: 10, rounding: 'down' },
      partnerIds: [shop.id],
    });
    forgetProgramConfiguration(db.dataSource);
    await p.member('gold-1', shop.id);
    await p.member('plain-1', shop.id);
    // A month ago gold-1 earned 200 points: gold when the campaign starts; plain-1 earned nothing.
    await buy(shop.id, 'gold-1', days(-30), 2_000);
    await db.dataSource.query(
      `UPDATE ledger_transfer SET "createdAt" = now() - interval '30 days' WHERE "references"->>'event' IN
         (SELECT e.id::text FROM member_event e JOIN member_link l ON l."memberId" = e."memberId" WHERE l."customerId" = 'gold-1')`,
    );
    const campaign = await runningCampaign(
      {
        audience: { kind: 'tiers', tierCodes: ['gold'] },
        places: { partnerIds: [shop.id] },
        trigger: { kind: 'visit' },
        reward: { kind: 'fixed_points', points: 5 },
      },
      -2,
      5,
    );
    await buy(shop.id, 'gold-1', days(-1), 1_000);
    await buy(shop.id, 'plain-1', days(-1), 1_000);
    const results = await campaignResults(db.dataSource.manager, campaign.id, new Date());
    expect(results.comparison!.treated).toMatchObject({ members: 1, visits: 1 });
    await db.dataSource.manager.delete(Tier, { code: 'gold' });
    forgetProgramConfiguration(db.dataSource);
  });

  it('a segment campaign measures the members who were in the segment when it started', async () => {
    const shop = (await p.partner(1_000_000)).partner;
    await p.member('june-1', shop.id);
    await p.member('july-1', shop.id);
    await db.dataSource.query(
      `UPDATE member SET birthday = '1990-06-15' WHERE id = (SELECT "memberId" FROM member_link WHERE "customerId" = 'june-1')`,
    );
    const segment = await tx((m) => createSegment(m, { name: 'Born in June', birthdayMonth: '6' }, 'pm@t'));
    const campaign = await runningCampaign(
      {
        audience: { kind: 'segment', segmentId: segment.id },
        places: { partnerIds: [shop.id] },
        trigger: { kind: 'visit' },
        reward: { kind: 'fixed_points', points: 5 },
      },
      -2,
      5,
    );
    await buy(shop.id, 'june-1', days(-1), 1_000);
    await buy(shop.id, 'july-1', days(-1), 1_000);
    const results = await campaignResults(db.dataSource.manager, campaign.id, new Date());
    expect(results.membersReached).toBe(1);
    expect(results.comparison!.treated).toMatchObject({ members: 1, visits: 1 });
  });

  it('a campaign nobody earned from yet says so, with zeros and no ratio', async () => {
    const shop = (await p.partner(1_000_000)).partner;
    const campaign = await runningCampaign({ audience: { kind: 'partners', partnerIds: [shop.id] }, holdoutPercent: 20 }, -2, 5);
    const results = await campaignResults(db.dataSource.manager, campaign.id, now);
    expect(results).toMatchObject({ started: true, pointsIssued: 0, membersReached: 0, redemptions: { count: 0, points: 0 } });
    expect(results.comparison!.treated.members).toBe(0);
    expect(results.comparison!.lifts).toEqual({ visits: null, purchases: null, spend: null, repeatRate: null });
    expect(results.findings).toContain('No member of the audience has come by since the campaign started: nothing to compare yet.');
    // Two days ago, yesterday and today, in the campaign's time zone.
    expect(results.daily).toHaveLength(3);
  });

  it('a campaign ended early is measured up to when it ended, not up to today', async () => {
    const shop = (await p.partner(1_000_000)).partner;
    const campaign = await runningCampaign(
      { audience: { kind: 'partners', partnerIds: [shop.id] }, trigger: { kind: 'visit' }, reward: { kind: 'fixed_points', points: 5 } },
      -10,
      null,
    );
    const { member } = await p.member('ended-a', shop.id);
    await db.dataSource.query(`UPDATE member SET "enrolledAt" = $1 WHERE id = $2`, [days(-11), member.id]);
    await buy(shop.id, 'ended-a', days(-9), 1_000);
    await tx((m) => endCampaign(m, campaign.id, null, days(-8)));
    // Long after it ended: nothing of the campaign's doing.
    await buy(shop.id, 'ended-a', days(-3), 1_000);
    await buy(shop.id, 'ended-a', days(-2), 1_000);

    const results = await campaignResults(db.dataSource.manager, campaign.id, now);
    expect(results.window).toEqual({ from: days(-10), to: days(-8) });
    expect(results.comparison!.treated).toMatchObject({ members: 1, visits: 1, spendCents: 1_000 });
    expect(results.comparison!.baselineWindow).toEqual({ from: days(-12), to: days(-10) });
    expect(results.daily).toHaveLength(3);
  });

  it('a campaign that has not started yet has no results, and says when it starts', async () => {
    const campaign = await runningCampaign({ holdoutPercent: 10 }, 2, 9);
    const results = await campaignResults(db.dataSource.manager, campaign.id, now);
    expect(results).toMatchObject({ started: false, pointsIssued: 0, membersReached: 0, comparison: null, daily: [] });
    expect(results.findings[0]).toMatch(/^It starts on /);
  });
});
