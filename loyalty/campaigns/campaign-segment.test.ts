import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EarningRule, Member, ProgramSettings } from '../../entities/index.js';
import { campaignDraft } from '../../test/support/campaign-draft.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { forgetProgramConfiguration } from '../earning/program-configuration.js';
import { recordEvent } from '../earning/record-event.js';
import { inTransaction } from '../ledger/transaction.js';
import { createSegment } from '../segments/segments.js';
import { campaignProblems } from './campaign-problems.js';
import { previewCampaign } from './campaign-preview.js';
import { createCampaign, scheduleCampaign } from './campaigns.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: string;
const tx = <T>(work: (m: EntityManager) => Promise<T>) => inTransaction(db.dataSource, work);

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  shop = (await p.partner(10_000_000)).partner.id;
  for (const [name, birthday] of [
    ['march', '1990-03-10'],
    ['june', '1991-06-20'],
  ]) {
    await p.member(name, shop);
    await db.dataSource.manager.update(Member, { externalId: name }, { birthday });
  }
});
afterAll(() => db.drop());

const buy = (externalId: string) =>
  tx((m) =>
    recordEvent(m, p.ledger, {
      partnerId: shop,
      member: { externalId },
      type: 'purchase',
      amountCents: 5_000,
      currency: 'EUR',
      lines: [{ reference: 'cake', category: 'bakery', quantity: 1, unitPriceCents: 5_000 }],
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );

describe('a campaign for a segment', () => {
  it('gives its points only to members in the segment when they buy, as the segment stands then', async () => {
    const segment = await tx((m) => createSegment(m, { name: 'Born in March', birthdayMonth: '3' }, 'pm@tessera.test'));
    const draft = campaignDraft({ audience: { kind: 'segment', segmentId: segment.id }, trigger: { kind: 'purchase_amount' } });
    const preview = await previewCampaign(db.dataSource.manager, draft, { partnerId: shop, lines: [] });
    expect(preview.audienceSize).toBe(1);
    const campaign = await tx((m) => createCampaign(m, draft, 'pm@tessera.test'));
    await tx((m) => scheduleCampaign(m, campaign.id));
    forgetProgramConfiguration(db.dataSource);

    // €50 earns 50 points; doubled for the member born in March only.
    expect((await buy('march')).points).toBe(100);
    expect((await buy('june')).points).toBe(50);
    // Live, not a snapshot: June's member corrects their birthday to March and is in at once.
    await db.dataSource.manager.update(Member, { externalId: 'june' }, { birthday: '1991-03-20' });
    expect((await buy('june')).points).toBe(100);
  });

  it('is refused by field for a segment that does not exist, or is not an id', async () => {
    for (const segmentId of [randomUUID(), "1' OR '1'='1", 'a\u0000b']) {
      const problems = await campaignProblems(db.dataSource.manager, campaignDraft({ audience: { kind: 'segment', segmentId } }));
      expect(problems['audience.segmentId']).toBe('choose a segment from the list');
    }
  });

  it("is the program's only: a partner's campaign may not aim at a segment", async () => {
    const segment = await tx((m) => createSegment(m, { name: 'Everyone born in June', birthdayMonth: '6' }, 'pm@tessera.test'));
    const problems = await campaignProblems(
      db.dataSource.manager,
      campaignDraft({ ownerPartnerId: shop, audience: { kind: 'segment', segmentId: segment.id } }),
    );
    expect(problems['audience.kind']).toBe("segments are the program's: choose another audience");
  });
});
