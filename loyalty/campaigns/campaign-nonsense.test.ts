import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Campaign } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { inTransaction } from '../ledger/transaction.js';
import { readCampaignForm, type CampaignForm } from './campaign-form.js';
import { previewCampaign } from './campaign-preview.js';
import { createCampaign } from './campaigns.js';

/** What a builder's handler gets from a client that sends anything: refusals by field, never a crash. */
let db: TestDatabase;
let partnerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const p = await createProgram(db.dataSource);
  partnerId = (await p.partner(1_000)).partner.id;
});
afterAll(() => db.drop());

const next = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 16);
const form = (overrides: CampaignForm): CampaignForm => ({
  name: 'Nonsense',
  audience: { kind: 'everyone' },
  trigger: { kind: 'purchase_amount' },
  reward: { kind: 'points_per_unit', pointsPerUnit: '1' },
  endsAt: next,
  timeZone: 'Europe/Amsterdam',
  ...overrides,
});

async function saved(typed: CampaignForm): Promise<Record<string, string>> {
  const { draft, problems } = readCampaignForm(typed, null);
  if (Object.keys(problems).length > 0) return problems;
  const refused = await inTransaction(db.dataSource, (m) => createCampaign(m, draft, 'pm@tessera.test')).then(
    () => ({}),
    (error: { details?: { problems?: Record<string, string> } }) => {
      if (!error.details?.problems) throw error;
      return error.details.problems;
    },
  );
  return refused;
}

describe('a builder sent nonsense', () => {
  it('reads a form that is not an object as an empty one', () => {
    expect(() => readCampaignForm(null as never, null)).not.toThrow();
    expect(() => readCampaignForm([] as never, null)).not.toThrow();
  });

  it('names an unknown time zone, whatever dates come with it', async () => {
    expect(await saved(form({ timeZone: 'Mars/Olympus', startsAt: next }))).toHaveProperty('timeZone');
  });

  it('names fields holding NUL characters or ids that are not ids, and saves nothing', async () => {
    const before = await db.dataSource.manager.count(Campaign);
    expect(await saved(form({ name: 'Nul\u0000' }))).toHaveProperty('name');
    expect(await saved(form({ trigger: { kind: 'category', category: 'kit\u0000chen' } }))).toHaveProperty('trigger.category');
    expect(await saved(form({ audience: { kind: 'partners', partnerIds: ['not-an-id'] } }))).toHaveProperty('audience.partnerIds');
    expect(await saved(form({ places: { partnerIds: ['not-an-id'] } }))).toHaveProperty('places.partnerIds');
    expect(await saved(form({ places: { pointOfSaleIds: ['not-an-id'] } }))).toHaveProperty('places.pointOfSaleIds');
    expect(await db.dataSource.manager.count(Campaign)).toBe(before);
  });

  it('previews what it can of a draft that is not right yet', async () => {
    const { draft } = readCampaignForm(
      form({ audience: { kind: 'partners', partnerIds: ['not-an-id'] }, reward: { kind: 'multiplier', coefficient: '2' } }),
      null,
    );
    const lines = [null, { quantity: 'many', unitPriceCents: 1e308 }, { reference: 'pan', quantity: 1, unitPriceCents: 1_000 }] as never[];
    await expect(previewCampaign(db.dataSource.manager, draft, { partnerId, lines })).resolves.toMatchObject({ audienceSize: null });
    const days = readCampaignForm(form({ audience: { kind: 'new_members', withinDays: '99999999999' } }), null).draft;
    await expect(previewCampaign(db.dataSource.manager, days, { partnerId: 'not-an-id', lines: [] })).resolves.toMatchObject({
      audienceSize: null,
    });
  });
});
