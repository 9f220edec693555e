import { afterAll, beforeAll, expect, it } from 'vitest';
import { Bonus, Booster, Campaign, EarningRule, MemberEvent } from '../entities/index.js';
import { Campaigns1795992285540 } from '../entities/migrations/1795992285540-Campaigns.js';
import { migrations } from '../entities/migrations/index.js';
import { mechanismOf } from '../loyalty/campaigns/campaign-mechanism.js';
import type { MemberStanding } from '../loyalty/earning/earning-event.js';
import { evaluateEarning } from '../loyalty/earning/evaluate-earning.js';
import { seedDemoProgram } from '../wiring/demo-program.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * The demo's rules, boosters and bonuses, made before campaigns, become campaigns by the migration:
 * each campaign runs exactly the terms it came from, so the demo's history earns the same again.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoProgram(db.dataSource);
  const runner = db.dataSource.createQueryRunner();
  try {
    // The demo seeds its rules as they were made before campaigns; the migration runs over them
    // (and the ones after it, which change the campaigns' table, are taken back and made again).
    const since = migrations.slice(migrations.indexOf(Campaigns1795992285540));
    for (const migration of [...since].reverse()) await new migration().down(runner);
    for (const migration of since) await new migration().up(runner);
  } finally {
    await runner.release();
  }
}, 180_000);
afterAll(() => db?.drop());

const comparable = (fields: object) => {
  const { active: _active, ...rest } = fields as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest));
};

it('makes a campaign of every rule, booster and bonus, which runs the very terms it came from', async () => {
  const m = db.dataSource.manager;
  const [rules, boosters, bonuses] = [await m.find(EarningRule), await m.find(Booster), await m.find(Bonus)];
  const campaigns = await m.find(Campaign);
  expect(campaigns).toHaveLength(rules.length + boosters.length + bonuses.length);
  expect(rules.length * boosters.length * bonuses.length).toBeGreaterThan(0);
  const rows = new Map<string, object>([...rules, ...boosters, ...bonuses].map((row) => [row.id, row]));
  for (const campaign of campaigns) {
    const mechanism = mechanismOf(campaign);
    expect(mechanism, campaign.name).not.toBeNull();
    const row = rows.get(campaign.mechanismId) as Record<string, unknown>;
    const expected = Object.fromEntries(Object.keys(mechanism!.fields).map((key) => [key, row[key]]));
    expect(comparable(mechanism!.fields), campaign.name).toEqual(comparable(expected));
    // What is running earns; a switched-off rule is a paused campaign.
    if (row.active === false) expect(campaign.status).toBe('paused');
  }
});

it("replays the demo's history with the same totals from the campaigns' terms as from the old rules", async () => {
  const m = db.dataSource.manager;
  const campaigns = await m.find(Campaign);
  const rebuilt = campaigns.map((c) => ({ id: c.mechanismId, ...mechanismOf(c)! }));
  const rules = await m.find(EarningRule);
  const boosters = await m.find(Booster);
  const fromCampaigns = {
    rules: rebuilt.filter((r) => r.kind === 'rule').map((r) => ({ id: r.id, ...(r.fields as Omit<EarningRule, 'id'>) })),
    boosters: rebuilt.filter((r) => r.kind === 'booster').map((r) => ({ id: r.id, ...(r.fields as Omit<Booster, 'id'>) })),
  };
  const standing: MemberStanding = { tierCode: null, tierMultiplier: 1, awardedToday: {}, awardedThisMonth: {} };
  const events = await m.find(MemberEvent);
  expect(events.length).toBeGreaterThan(50);
  let before = 0;
  let after = 0;
  for (const e of events) {
    const event = {
      type: e.type,
      partnerId: e.partnerId,
      currency: e.currency ?? 'EUR',
      amountCents: e.amountCents ?? undefined,
      lines: e.lines,
      channel: e.channel ?? undefined,
      pointOfSaleId: e.pointOfSaleId ?? undefined,
      occurredAt: e.occurredAt,
    };
    before += evaluateEarning(event, standing, rules, boosters).points;
    after += evaluateEarning(event, standing, fromCampaigns.rules, fromCampaigns.boosters).points;
  }
  expect(before).toBeGreaterThan(0);
  expect(after).toBe(before);
});
