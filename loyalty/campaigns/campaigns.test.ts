import { campaignDraft } from '../../test/support/campaign-draft.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Campaign, EarningRule, Member, OutboxEntry, ProgramSettings } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { forgetProgramConfiguration } from '../earning/program-configuration.js';
import { recordEvent } from '../earning/record-event.js';
import { checkLedger } from '../ledger/invariants.js';
import { inTransaction } from '../ledger/transaction.js';
import { inHoldout } from './campaign-audience.js';
import type { CampaignDraft } from './campaign-problems.js';
import { advanceCampaign, createCampaign, resumeCampaign, scheduleCampaign } from './campaigns.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;
const now = new Date();
const hours = (n: number) => new Date(now.getTime() + n * 3_600_000);

beforeAll(async () => {
  db = await createTestDatabase({ poolSize: 30 });
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  shop = await p.partner(10_000_000);
});
afterAll(() => db.drop());

const tx = <T>(work: (m: import('typeorm').EntityManager) => Promise<T>) => inTransaction(db.dataSource, work);

/** A basket of €40 of kitchen things and €10 of books. */
function buy(externalId: string, occurredAt = new Date()) {
  return tx((m) =>
    recordEvent(m, p.ledger, {
      partnerId: shop.partner.id,
      member: { externalId },
      type: 'purchase',
      amountCents: 5_000,
      currency: 'EUR',
      lines: [
        { reference: 'pan', category: 'kitchen', quantity: 1, unitPriceCents: 4_000 },
        { reference: 'novel', category: 'books', quantity: 1, unitPriceCents: 1_000 },
      ],
      occurredAt,
      receivedAt: occurredAt,
    }),
  );
}

const booster = (overrides: Partial<CampaignDraft> = {}) => campaignDraft({ trigger: { kind: 'purchase_amount' }, ...overrides });

describe('a campaign', () => {
  it('refuses bad terms field by field, saving nothing', async () => {
    const before = await db.dataSource.manager.count(Campaign);
    const refused = await tx((m) =>
      createCampaign(
        m,
        booster({
          name: ' ',
          reward: { kind: 'multiplier', coefficient: 0.5 },
          timeZone: 'Mars/Olympus',
          startsAt: hours(48),
          endsAt: hours(24),
          budgetPoints: -5,
          holdoutPercent: 80,
          audience: { kind: 'tiers', tierCodes: ['platinum'] },
        }),
        'manager@tessera.test',
      ),
    ).catch((error: unknown) => error as { details: { problems: Record<string, string> } });
    expect(Object.keys((refused as { details: { problems: Record<string, string> } }).details.problems).sort()).toEqual(
      ['audience.tierCodes', 'budgetPoints', 'endsAt', 'holdoutPercent', 'name', 'reward.coefficient', 'timeZone'].sort(),
    );
    expect(await db.dataSource.manager.count(Campaign)).toBe(before);
  });

  it('earns nothing as a draft, boosts once scheduled, within its window; scheduling twice starts one lifecycle', async () => {
    const draft = await tx((m) =>
      createCampaign(m, booster({ trigger: { kind: 'category', category: 'kitchen' } }), 'manager@tessera.test'),
    );
    forgetProgramConfiguration(db.dataSource);
    expect((await buy('camp-ann')).points).toBe(50);
    const scheduled = await tx((m) => scheduleCampaign(m, draft.id));
    await tx((m) => scheduleCampaign(m, draft.id));
    expect(scheduled.status).toBe('running');
    expect(await db.dataSource.manager.countBy(OutboxEntry, { process: 'campaign_lifecycle', subjectId: draft.id })).toBe(1);
    forgetProgramConfiguration(db.dataSource);
    const boosted = await buy('camp-ann');
    // The €40 of kitchen things doubled: 50 + 40.
    expect(boosted.points).toBe(90);
    expect(boosted.explanation.map((e) => e.rule)).toContain(draft.name);
    // After its end, nothing more (the window bounds it even before the lifecycle ends it).
    expect((await buy('camp-ann', hours(24 * 8))).points).toBe(50);
    expect((await tx((m) => advanceCampaign(m, draft.id, hours(24 * 8)))).status).toBe('ended');
  });

  it('never gives more than its budget, whoever earns at the same moment, then pauses itself and tells its owner', async () => {
    const draft = await tx((m) =>
      createCampaign(m, booster({ trigger: { kind: 'category', category: 'kitchen' }, budgetPoints: 300 }), 'manager@tessera.test'),
    );
    await tx((m) => scheduleCampaign(m, draft.id));
    forgetProgramConfiguration(db.dataSource);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => buy(`budget-${i}`)));
    const extra = results.reduce((sum, r) => sum + r.points - 50, 0);
    expect(extra).toBe(300);
    const campaign = await db.dataSource.manager.findOneByOrFail(Campaign, { id: draft.id });
    expect(campaign).toMatchObject({ spentPoints: 300, status: 'paused', statusReason: 'its budget is spent' });
    const notices = await db.dataSource.query(
      `SELECT details FROM outbox_entry WHERE process = 'campaign_notice' AND details->>'campaignId' = $1`,
      [draft.id],
    );
    expect(notices).toHaveLength(1);
    await expect(tx((m) => resumeCampaign(m, draft.id))).rejects.toMatchObject({ field: 'budgetPoints' });
    forgetProgramConfiguration(db.dataSource);
    expect((await buy('budget-after')).points).toBe(50);
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  });

  it('gives only to its audience, and keeps the same members out of it as its holdout', async () => {
    const draft = await tx((m) =>
      createCampaign(
        m,
        booster({ audience: { kind: 'new_members', withinDays: 30 }, reward: { kind: 'multiplier', coefficient: 3 }, holdoutPercent: 50 }),
        'manager@tessera.test',
      ),
    );
    await tx((m) => scheduleCampaign(m, draft.id));
    forgetProgramConfiguration(db.dataSource);
    const outcomes: { memberId: string; boosted: boolean }[] = [];
    for (let i = 0; i < 20; i++) {
      const result = await buy(`audience-${i}`);
      outcomes.push({ memberId: result.memberId, boosted: result.points === 150 });
    }
    const campaign = await db.dataSource.manager.findOneByOrFail(Campaign, { id: draft.id });
    // Exactly the members outside the holdout were boosted; some were held out.
    expect(outcomes.map((o) => o.boosted)).toEqual(outcomes.map((o) => !inHoldout(campaign, o.memberId)));
    expect(outcomes.some((o) => !o.boosted)).toBe(true);
    // An old member is not new: no boost, even outside the holdout.
    const old = outcomes.find((o) => o.boosted)!;
    await db.dataSource.manager.update(Member, { id: old.memberId }, { enrolledAt: hours(-24 * 60) });
    const member = await db.dataSource.manager.findOneByOrFail(Member, { id: old.memberId });
    expect((await buy(member.externalId)).points).toBe(50);
    await tx((m) => advanceCampaign(m, draft.id, hours(24 * 8)));
  });
});

describe("a campaign's return window", () => {
  it('refuses a window that is not 0 to 90 whole days, naming the field', async () => {
    for (const pendingDays of [91, -1, 2.5]) {
      const refused = await tx((m) => createCampaign(m, booster({ pendingDays }), 'manager@tessera.test')).catch(
        (error: unknown) => error as { details: { problems: Record<string, string> } },
      );
      expect((refused as { details: { problems: Record<string, string> } }).details.problems).toEqual({
        pendingDays: "a whole number of days from 0 to 90, or empty for the program's",
      });
    }
  });

  it('holds the points of the purchases it boosts for its own window, the longest of the mechanisms that gave them', async () => {
    const draft = await tx((m) =>
      createCampaign(m, booster({ trigger: { kind: 'category', category: 'kitchen' }, pendingDays: 30 }), 'manager@tessera.test'),
    );
    await tx((m) => scheduleCampaign(m, draft.id));
    forgetProgramConfiguration(db.dataSource);
    const boosted = await buy('camp-window');
    expect(boosted.points).toBe(90);
    expect(boosted.pendingPoints).toBe(90);
    expect(boosted.availableFrom!.getTime() - boosted.event.occurredAt.getTime()).toBe(30 * 86_400_000);
    await tx((m) => advanceCampaign(m, draft.id, hours(24 * 8)));
    forgetProgramConfiguration(db.dataSource);
    // The program itself credits at once (its window is 0): without the campaign, nothing waits.
    expect(await buy('camp-window', hours(24 * 8))).toMatchObject({ points: 50, pendingPoints: 0, availableFrom: null });
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  });
});
