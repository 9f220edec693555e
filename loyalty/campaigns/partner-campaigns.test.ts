import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from 'typeorm';
import { Campaign, OutboxEntry, PointOfSale, ProgramSettings } from '../../entities/index.js';
import { campaignDraft } from '../../test/support/campaign-draft.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { inTransaction } from '../ledger/transaction.js';
import { previewCampaign } from './campaign-preview.js';
import { Refusal } from '../refusal.js';
import {
  checkCampaignDecision,
  createCampaign,
  decideCampaignApproval,
  pauseCampaign,
  resumeCampaign,
  scheduleCampaign,
  updateCampaign,
} from './campaigns.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let bakery: string;
let florist: string;
let floristStore: string;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, {
    id: 1,
    partnerCampaignMaxMultiplier: 3,
    partnerCampaignMaxPointsPerUnit: 5,
    partnerCampaignMaxPoints: 200,
    partnerCampaignsNeedApproval: true,
  });
  bakery = (await p.partner()).partner.id;
  florist = (await p.partner()).partner.id;
  floristStore = (
    await db.dataSource.manager.save(PointOfSale, { partnerId: florist, code: 'florist-1', name: 'Florist corner', channel: 'store' })
  ).id;
});
afterAll(() => db.drop());

const tx = <T>(work: (m: EntityManager) => Promise<T>) => inTransaction(db.dataSource, work);
const refusal = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (error) =>
      error instanceof Refusal ? { code: error.code, problems: error.details.problems ?? { [error.field!]: error.reason } } : error,
  );

describe('the operator’s guardrails on partner campaigns', () => {
  it('refuses, by field, what is above the limits or reaches another partner, and saves nothing', async () => {
    const before = await db.dataSource.manager.count(Campaign);
    const tooMuch = campaignDraft({
      ownerPartnerId: bakery,
      reward: { kind: 'multiplier', coefficient: 4, onSpend: true },
      places: { pointOfSaleIds: [floristStore], partnerIds: [florist] },
      audience: { kind: 'partners', partnerIds: [florist] },
    });
    expect(await refusal(tx((m) => createCampaign(m, tooMuch, 'baker@bakery.test')))).toEqual({
      code: 'campaign_refused',
      problems: {
        'reward.coefficient': 'at most ×3 (the operator’s limit for partner campaigns)',
        'places.partnerIds': 'your campaign runs at your own stores',
        'places.pointOfSaleIds': 'choose among your own points of sale',
        'audience.partnerIds': 'your campaign may reach the members you know, not another partner’s',
      },
    });
    const perEuro = campaignDraft({
      ownerPartnerId: bakery,
      trigger: { kind: 'purchase_amount' },
      reward: { kind: 'points_per_unit', pointsPerUnit: 6, rounding: 'down' },
    });
    expect((await refusal(tx((m) => createCampaign(m, perEuro, 'baker@bakery.test'))))?.problems).toEqual({
      'reward.pointsPerUnit': 'at most 5 points per unit (the operator’s limit for partner campaigns)',
    });
    const fixed = campaignDraft({ ownerPartnerId: bakery, trigger: { kind: 'visit' }, reward: { kind: 'fixed_points', points: 201 } });
    expect((await refusal(tx((m) => createCampaign(m, fixed, 'baker@bakery.test'))))?.problems).toEqual({
      'reward.points': 'at most 200 points (the operator’s limit for partner campaigns)',
    });
    expect(await db.dataSource.manager.count(Campaign)).toBe(before);
    // The operator's own campaigns are not held to partners' limits.
    expect(
      await refusal(tx((m) => createCampaign(m, campaignDraft({ reward: { kind: 'multiplier', coefficient: 4 } }), 'pm@tessera.test'))),
    ).toBeNull();
  });

  it('previews no audience size for members a partner may not reach (another partner’s, a program segment)', async () => {
    const basket = { partnerId: bakery, lines: [] };
    const others = campaignDraft({ ownerPartnerId: bakery, audience: { kind: 'partners', partnerIds: [florist] } });
    expect((await previewCampaign(db.dataSource.manager, others, basket)).audienceSize).toBeNull();
    const own = campaignDraft({ ownerPartnerId: bakery, audience: { kind: 'partners', partnerIds: [bakery] } });
    expect((await previewCampaign(db.dataSource.manager, own, basket)).audienceSize).toBe(0);
  });

  it('keeps the owner a campaign was made by when it is edited', async () => {
    const made = await tx((m) => createCampaign(m, campaignDraft({ ownerPartnerId: bakery }), 'baker@bakery.test'));
    const edited = await tx((m) => updateCampaign(m, made.id, campaignDraft({ name: 'Bread week', ownerPartnerId: florist })));
    expect(edited).toMatchObject({ name: 'Bread week', ownerPartnerId: bakery });
  });
});

describe('the operator’s approval of a partner campaign', () => {
  it('waits for the operator when scheduled, with a process queued for the request', async () => {
    const made = await tx((m) => createCampaign(m, campaignDraft({ ownerPartnerId: bakery }), 'baker@bakery.test'));
    const waiting = await tx((m) => scheduleCampaign(m, made.id, new Date(), 'baker@bakery.test'));
    expect(waiting).toMatchObject({ status: 'awaiting_approval', approvalRequestedBy: 'baker@bakery.test' });
    expect(
      await db.dataSource.manager.findOneBy(OutboxEntry, { process: 'campaign_approval', subjectId: waiting.approvalRequestId! }),
    ).toMatchObject({
      details: { campaignId: made.id },
    });
    // Scheduling it again while it waits changes nothing.
    expect(await tx((m) => scheduleCampaign(m, made.id, new Date(), 'baker@bakery.test'))).toMatchObject({
      status: 'awaiting_approval',
      approvalRequestId: waiting.approvalRequestId,
    });
  });

  it('is never decided by whoever asked; approved once it is scheduled, and approving again changes nothing', async () => {
    const made = await tx((m) =>
      createCampaign(m, campaignDraft({ ownerPartnerId: bakery, startsAt: new Date(Date.now() + 3_600_000) }), 'baker@bakery.test'),
    );
    // An operator who scheduled a partner's draft asked for it: another one approves.
    const { approvalRequestId } = await tx((m) => scheduleCampaign(m, made.id, new Date(), 'pm@tessera.test'));
    expect(await refusal(checkCampaignDecision(db.dataSource.manager, made.id, 'PM@tessera.test'))).toMatchObject({ code: 'not_allowed' });
    expect(await refusal(checkCampaignDecision(db.dataSource.manager, made.id, 'baker@bakery.test'))).toMatchObject({
      code: 'not_allowed',
    });
    expect(await tx((m) => decideCampaignApproval(m, made.id, approvalRequestId!, { approved: true, by: 'pm@tessera.test' }))).toBe(
      'not_allowed',
    );
    expect(await tx((m) => decideCampaignApproval(m, made.id, approvalRequestId!, { approved: true, by: 'admin@tessera.test' }))).toBe(
      'approved',
    );
    expect(await db.dataSource.manager.findOneByOrFail(Campaign, { id: made.id })).toMatchObject({
      status: 'scheduled',
      approvalRequestId: null,
    });
    expect(await db.dataSource.manager.countBy(OutboxEntry, { process: 'campaign_lifecycle', subjectId: made.id })).toBe(1);
    expect(await tx((m) => decideCampaignApproval(m, made.id, approvalRequestId!, { approved: true, by: 'admin@tessera.test' }))).toBe(
      'already_decided',
    );
    expect(await tx((m) => decideCampaignApproval(m, made.id, approvalRequestId!, { approved: false, by: 'other@tessera.test' }))).toBe(
      'already_decided',
    );
    expect(await db.dataSource.manager.findOneByOrFail(Campaign, { id: made.id })).toMatchObject({ status: 'scheduled' });
    expect(await refusal(checkCampaignDecision(db.dataSource.manager, made.id, 'admin@tessera.test'))).toMatchObject({
      code: 'campaign_refused',
    });
  });

  it('is not changed once approved, even paused: what the operator approved is what runs', async () => {
    const made = await tx((m) => createCampaign(m, campaignDraft({ ownerPartnerId: bakery }), 'baker@bakery.test'));
    const { approvalRequestId } = await tx((m) => scheduleCampaign(m, made.id, new Date(), 'baker@bakery.test'));
    await tx((m) => decideCampaignApproval(m, made.id, approvalRequestId!, { approved: true, by: 'pm@tessera.test' }));
    await tx((m) => pauseCampaign(m, made.id));
    const bigger = campaignDraft({ ownerPartnerId: bakery, reward: { kind: 'multiplier', coefficient: 3, onSpend: true } });
    expect(await refusal(tx((m) => updateCampaign(m, made.id, bigger)))).toMatchObject({ code: 'campaign_refused' });
    expect((await db.dataSource.manager.findOneByOrFail(Campaign, { id: made.id })).reward).toMatchObject({ coefficient: 2 });
  });

  it('spent, an approved campaign says what its owner can do: not raise a budget nobody may change', async () => {
    const made = await tx((m) => createCampaign(m, campaignDraft({ ownerPartnerId: bakery, budgetPoints: 100 }), 'baker@bakery.test'));
    const { approvalRequestId } = await tx((m) => scheduleCampaign(m, made.id, new Date(), 'baker@bakery.test'));
    await tx((m) => decideCampaignApproval(m, made.id, approvalRequestId!, { approved: true, by: 'pm@tessera.test' }));
    await db.dataSource.manager.update(Campaign, { id: made.id }, { spentPoints: 100 });
    await tx((m) => pauseCampaign(m, made.id, 'its budget is spent'));
    const refused = await tx((m) => resumeCampaign(m, made.id)).catch((error: Refusal) => error);
    expect(refused).toMatchObject({
      field: 'budgetPoints',
      reason: 'its budget is spent: the operator approved it as it is, so make a new campaign to go on',
    });
  });

  it('rejected, it is a draft again with the reason, and asking again is a new request', async () => {
    const made = await tx((m) => createCampaign(m, campaignDraft({ ownerPartnerId: bakery }), 'baker@bakery.test'));
    const first = await tx((m) => scheduleCampaign(m, made.id, new Date(), 'baker@bakery.test'));
    const requestId = first.approvalRequestId!;
    expect(
      await tx((m) =>
        decideCampaignApproval(m, made.id, requestId, { approved: false, by: 'pm@tessera.test', reason: 'too generous in December' }),
      ),
    ).toBe('rejected');
    expect(await db.dataSource.manager.findOneByOrFail(Campaign, { id: made.id })).toMatchObject({
      status: 'draft',
      statusReason: 'not approved by pm@tessera.test: too generous in December',
    });
    const again = await tx((m) => scheduleCampaign(m, made.id, new Date(), 'baker@bakery.test'));
    expect(again.status).toBe('awaiting_approval');
    expect(again.approvalRequestId).not.toBe(requestId);
    expect(await tx((m) => decideCampaignApproval(m, made.id, requestId, { approved: true, by: 'pm@tessera.test' }))).toBe(
      'already_decided',
    );
  });

  it('runs without approval when the operator does not ask for it, and checks the guardrails again when scheduled', async () => {
    const made = await tx((m) =>
      createCampaign(
        m,
        campaignDraft({ ownerPartnerId: bakery, reward: { kind: 'multiplier', coefficient: 3, onSpend: true } }),
        'baker@bakery.test',
      ),
    );
    await db.dataSource.manager.update(
      ProgramSettings,
      { id: 1 },
      { partnerCampaignsNeedApproval: false, partnerCampaignMaxMultiplier: 2 },
    );
    try {
      expect((await refusal(tx((m) => scheduleCampaign(m, made.id, new Date(), 'baker@bakery.test'))))?.problems).toEqual({
        'reward.coefficient': 'at most ×2 (the operator’s limit for partner campaigns)',
      });
      await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { partnerCampaignMaxMultiplier: 3 });
      expect((await tx((m) => scheduleCampaign(m, made.id, new Date(), 'baker@bakery.test'))).status).toBe('running');
    } finally {
      await db.dataSource.manager.update(
        ProgramSettings,
        { id: 1 },
        { partnerCampaignsNeedApproval: true, partnerCampaignMaxMultiplier: 3 },
      );
    }
  });
});
