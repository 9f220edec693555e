import { campaignDraft } from '../../test/support/campaign-draft.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Campaign, EarningRule, ProgramSettings } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { forgetProgramConfiguration } from '../earning/program-configuration.js';
import { recordEvent } from '../earning/record-event.js';
import { inTransaction } from '../ledger/transaction.js';
import { advanceCampaign, createCampaign, endCampaign, pauseCampaign, resumeCampaign, scheduleCampaign } from './campaigns.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;
const now = new Date();
const hours = (n: number) => new Date(now.getTime() + n * 3_600_000);

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  shop = await p.partner(10_000_000);
});
afterAll(() => db.drop());
// Each test starts with no campaign running and no rule but its own.
afterEach(async () => {
  const live = await db.dataSource.manager.findBy(Campaign, {});
  for (const campaign of live) await tx((m) => endCampaign(m, campaign.id));
  await db.dataSource.manager.delete(EarningRule, { name: '1 point per euro, 60 a day' });
  forgetProgramConfiguration(db.dataSource);
});

const tx = <T>(work: (m: import('typeorm').EntityManager) => Promise<T>) => inTransaction(db.dataSource, work);

/** €40 of kitchen things and €10 of books. */
function buy(externalId: string) {
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
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );
}

const draft = campaignDraft;

const spent = async (id: string) => (await db.dataSource.manager.findOneByOrFail(Campaign, { id })).spentPoints;

describe('campaign budgets count what the member got from each campaign', () => {
  it('a booster whose points a rule cap cut counts only the points it really added', async () => {
    await db.dataSource.manager.save(EarningRule, {
      name: '1 point per euro, 60 a day',
      formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
      caps: { perMemberPerDay: 60 },
    });
    const booster = await tx((m) => createCampaign(m, draft({ budgetPoints: 1_000 }), 'manager@tessera.test'));
    await tx((m) => scheduleCampaign(m, booster.id));
    forgetProgramConfiguration(db.dataSource);
    // 50 points and 40 more from the booster, capped at 60: the booster added 10.
    expect((await buy('capped-1')).points).toBe(60);
    expect(await spent(booster.id)).toBe(10);
  });

  it('a booster on a budgeted points campaign counts against the booster only, not both', async () => {
    const points = await tx((m) =>
      createCampaign(
        m,
        draft({
          trigger: { kind: 'purchase_amount' },
          reward: { kind: 'points_per_unit', pointsPerUnit: 1, rounding: 'down' },
          budgetPoints: 1_000,
        }),
        'manager@tessera.test',
      ),
    );
    const booster = await tx((m) => createCampaign(m, draft({ budgetPoints: 1_000 }), 'manager@tessera.test'));
    await tx((m) => scheduleCampaign(m, points.id));
    await tx((m) => scheduleCampaign(m, booster.id));
    forgetProgramConfiguration(db.dataSource);
    expect((await buy('both-1')).points).toBe(90);
    // 90 points given: 50 from the points campaign, 40 from the booster.
    expect({ points: await spent(points.id), booster: await spent(booster.id) }).toEqual({ points: 50, booster: 40 });
  });
});

describe('the lifecycle of a campaign paused before its start', () => {
  it('looks again at its start, so one resumed before it runs then', async () => {
    const campaign = await tx((m) => createCampaign(m, draft({ startsAt: hours(2), endsAt: hours(48) }), 'manager@tessera.test'));
    expect((await tx((m) => scheduleCampaign(m, campaign.id))).status).toBe('scheduled');
    await tx((m) => pauseCampaign(m, campaign.id));
    // The workflow wakes while it is paused and asks when to look again.
    const { next } = await tx((m) => advanceCampaign(m, campaign.id, hours(1)));
    expect(next).toEqual(hours(2));
    expect((await tx((m) => resumeCampaign(m, campaign.id, hours(1)))).status).toBe('scheduled');
    expect(await tx((m) => advanceCampaign(m, campaign.id, next!))).toMatchObject({ status: 'running', next: hours(48) });
  });
});
