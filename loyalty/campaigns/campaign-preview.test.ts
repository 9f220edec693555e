import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, ExchangeRate, ProgramSettings } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { recordEvent } from '../earning/record-event.js';
import { inTransaction } from '../ledger/transaction.js';
import { readCampaignForm } from './campaign-form.js';
import { previewCampaign } from './campaign-preview.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: string;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'never' } });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await m.insert(ExchangeRate, { fromCurrency: 'JPY', toCurrency: 'EUR', rate: 0.0062, validFrom: new Date('2020-01-01T00:00:00Z') });
  shop = (await p.partner(1_000_000)).partner.id;
});
afterAll(() => db.drop());

const purchase = (externalId: string, amountCents: number, currency: string) =>
  inTransaction(db.dataSource, (m) =>
    recordEvent(m, p.ledger, {
      partnerId: shop,
      member: { externalId },
      type: 'purchase',
      amountCents,
      currency,
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );

it("previews a campaign's pace over the last month's purchases as the rules paid them, a yen purchase converted into euros", async () => {
  expect((await purchase('taro', 12_000, 'JPY')).points).toBe(74);
  expect((await purchase('anna', 5_000, 'EUR')).points).toBe(50);
  // One more point a euro: the campaign would have paid what the rule paid, 124 points over 30 days.
  const { draft, problems } = readCampaignForm(
    {
      name: 'Double points',
      audience: { kind: 'everyone' },
      trigger: { kind: 'purchase_amount' },
      reward: { kind: 'points_per_unit', pointsPerUnit: '1' },
      timeZone: 'Europe/Amsterdam',
    } as never,
    null,
  );
  expect(problems).toEqual({});
  const preview = () => previewCampaign(db.dataSource.manager, draft, { partnerId: shop, lines: [] });
  expect((await preview()).pointsPerDay).toBe(Math.round(124 / 30));
  // A purchase no rate converts any more is left out of the pace, not a failed preview.
  await db.dataSource.manager.delete(ExchangeRate, { fromCurrency: 'JPY' });
  expect((await preview()).pointsPerDay).toBe(Math.round(50 / 30));
});
