import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, InstantWinDraw, ProgramSettings, Segment } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { InstantWinRefusedError, saveInstantWinCampaign } from '../loyalty/engagement/instant-win-form.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { resolveCustomer } from '../loyalty/member-identity.js';
import { createWebApp } from '../wiring/web-app.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
const servers: Server[] = [];

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'instant-win-review-test');
}, 120_000);
afterAll(async () => {
  for (const server of servers) server.close();
  await harness?.stop();
});

const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

it('draws only for purchases received within the window: one backdated into it after its end, or sent early with a clock ahead, wins nothing', async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1 });
  await db.manager.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  const shop = await p.partner(100_000);
  const key = (await issueApiKey(db.manager, shop.partner.id, 'test')).secret;
  await p.member('late-lou', shop.partner.id);
  const save = (fields: Record<string, string>) => inTransaction(db, (m) => saveInstantWinCampaign(m, fields, { kind: 'operator' }));
  // Both modes, over and still marked live; every winning time passed, every purchase lucky.
  const over = { startsAt: minutes(-120), endsAt: minutes(-1), prizePoints: '500', prizeBudget: '3', status: 'live' };
  const campaigns = [
    await save({ ...over, name: 'Moments gone by', mode: 'winning_times', winningTimeCount: '3' }),
    await save({ ...over, name: 'Lucky hour gone by', mode: 'probability', winChance: '100' }),
    // Not begun: a purchase dated within it by a partner's clock running ahead was received before it.
    await save({ ...over, name: 'Not yet', mode: 'probability', winChance: '100', startsAt: minutes(2), endsAt: minutes(60) }),
  ];
  forgetProgramConfiguration(db);
  const api = await listen(createWebApp({ health: {}, api: { dataSource: db, ledger: p.ledger, processes: harness.processes } }));
  const purchase = async (occurredAt: string) => {
    const response = await fetch(`${api}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ member: { externalId: 'late-lou' }, type: 'purchase', amountCents: 1_000, currency: 'EUR', occurredAt }),
    });
    return { status: response.status, body: (await response.json()) as { instantWins: unknown[] } };
  };

  const backdated = await purchase(minutes(-30));
  expect(backdated.status).toBe(201);
  expect.soft(backdated.body.instantWins).toEqual([]);
  const early = await purchase(minutes(3));
  expect(early.status).toBe(201);
  expect.soft(early.body.instantWins).toEqual([]);

  // Nothing drawn, no prize paid: the member has the purchases' points only, the shop paid those only.
  expect(await db.manager.count(InstantWinDraw)).toBe(0);
  const { account } = await resolveCustomer(db.manager, { partnerId: shop.partner.id, customerId: 'late-lou' });
  expect(await p.available(account.id)).toBe(2 * 10);
  expect(await p.available(shop.wallet.id)).toBe(100_000 - 2 * 10);
  for (const c of campaigns)
    expect((await db.query(`SELECT "drawCount" FROM instant_win_campaign WHERE id = $1`, [c.id]))[0]).toEqual({ drawCount: 0 });
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 120_000);

const form = {
  name: 'Spring moments',
  mode: 'probability',
  winChance: '5',
  startsAt: minutes(-60),
  endsAt: minutes(60),
  prizePoints: '50',
  prizeBudget: '10',
};

it("has a partner's campaign set up by the operator with no payer named paid by that partner, as a challenge is", async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const owner = await p.partner(1_000);
  const operatorMade = await inTransaction(db, (m) =>
    saveInstantWinCampaign(m, { ...form, partnerId: owner.partner.id }, { kind: 'operator' }),
  );
  expect(operatorMade).toMatchObject({ partnerId: owner.partner.id, fundingPartnerId: owner.partner.id });
  // The program's own, with no payer named: its marketing account.
  const programs = await inTransaction(db, (m) => saveInstantWinCampaign(m, form, { kind: 'operator' }));
  expect(programs).toMatchObject({ partnerId: null, fundingPartnerId: null });
}, 60_000);

it("refuses a segment on a partner user's campaign (who wins would tell who is in it), under the field, saving nothing", async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const owner = await p.partner(1_000);
  const segment = await db.manager.save(db.manager.create(Segment, { name: `Regulars ${randomUUID()}`, createdBy: 'test' }));
  const count = async () => (await db.query(`SELECT count(*)::int AS n FROM instant_win_campaign`))[0].n as number;
  const before = await count();
  const refused = await inTransaction(db, (m) =>
    saveInstantWinCampaign(m, { ...form, segmentId: segment.id }, { kind: 'partner', partnerId: owner.partner.id }),
  ).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(InstantWinRefusedError);
  expect((refused as InstantWinRefusedError).problems).toEqual({ segmentId: expect.stringMatching(/segments are the program's/) });
  expect(await count()).toBe(before);
  // The operator may, for the program's own.
  const aimed = await inTransaction(db, (m) => saveInstantWinCampaign(m, { ...form, segmentId: segment.id }, { kind: 'operator' }));
  expect(aimed.segmentId).toBe(segment.id);
}, 60_000);

it("hides the program's draft campaign from partners in the API until it is live, and a partner's campaign from the others always", async () => {
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  const [owner, other] = [await p.partner(1_000), await p.partner(1_000)];
  const otherKey = (await issueApiKey(db.manager, other.partner.id, 'test')).secret;
  const programs = await inTransaction(db, (m) => saveInstantWinCampaign(m, form, { kind: 'operator' }));
  const owners = await inTransaction(db, (m) =>
    saveInstantWinCampaign(m, { ...form, status: 'live' }, { kind: 'partner', partnerId: owner.partner.id }),
  );
  const api = await listen(createWebApp({ health: {}, api: { dataSource: db, ledger: p.ledger, processes: harness.processes } }));
  const view = (id: string) => fetch(`${api}/api/v1/instant-wins/${id}`, { headers: { authorization: `Bearer ${otherKey}` } });

  const draft = await view(programs.id);
  expect(draft.status).toBe(404);
  expect(JSON.stringify(await draft.json())).not.toContain('Spring moments');
  await inTransaction(db, (m) => saveInstantWinCampaign(m, { ...form, status: 'live' }, { kind: 'operator' }, programs.id));
  const live = await view(programs.id);
  expect(live.status).toBe(200);
  expect(await live.json()).toMatchObject({ name: 'Spring moments', owner: 'program', seed: null });
  expect((await view(owners.id)).status).toBe(404);
}, 60_000);
