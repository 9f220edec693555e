import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, MemberEvent, ProgramSettings } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { createCampaign, scheduleCampaign } from '../loyalty/campaigns/campaigns.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { allocateToSource, createFundingSource } from '../loyalty/funding-sources/funding-sources.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { createWebApp } from '../wiring/web-app.js';
import { campaignDraft } from './support/campaign-draft.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { listen } from './support/http.js';
import { createProgram } from './support/program.js';

/** A store's event that a funding source cannot pay is refused as the API's other refusals are. */
let db: TestDatabase;
let served: Awaited<ReturnType<typeof listen>>;
let key: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  const { partner } = await p.partner(100_000);
  key = (await issueApiKey(db.dataSource.manager, partner.id, 'test')).secret;
  const source = await inTransaction(db.dataSource, async (m) => {
    const made = await createFundingSource(m, {
      code: 'kitchen-brand',
      name: 'Kitchen brand budget',
      kind: 'brand',
      ownerPartnerId: null,
      lowBalanceThreshold: 0,
      alertEmail: null,
    });
    await allocateToSource(m, p.ledger, { sourceId: made.id, points: 30, key: 'seed', by: 'test' });
    return made;
  });
  const campaign = await inTransaction(db.dataSource, (m) => createCampaign(m, campaignDraft({ fundingSourceId: source.id }), 'test'));
  await inTransaction(db.dataSource, (m) => scheduleCampaign(m, campaign.id));
  forgetProgramConfiguration(db.dataSource);
  served = await listen(createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger: p.ledger } }));
});
afterAll(async () => {
  await served?.close();
  await db?.drop();
});

it('answers 422 funding_source_short naming the source, with no trace of the database, and records nothing', async () => {
  const response = await fetch(`${served.url}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      member: { externalId: 'api-ann' },
      type: 'purchase',
      amountCents: 4_000,
      currency: 'EUR',
      lines: [{ reference: 'pan', category: 'kitchen', quantity: 1, unitPriceCents: 4_000 }],
    }),
  });
  expect(response.status).toBe(422);
  const problem = (await response.json()) as Record<string, unknown>;
  expect(problem).toMatchObject({ code: 'funding_source_short', title: 'Funding source short of points', status: 422 });
  expect(String(problem.detail)).toContain('Kitchen brand budget');
  expect(JSON.stringify(problem)).not.toMatch(/ledger_balance|at .*\.ts|SELECT|UPDATE/);
  expect(await db.dataSource.manager.count(MemberEvent)).toBe(0);
});
