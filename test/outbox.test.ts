import type { Server } from 'node:http';
import { memberConsentHeaders } from './support/member-consent.js';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { In } from 'typeorm';
import { CareAdjustment, OutboxEntry, ProgramSettings, Redemption, Reward } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { requestAdjustment } from '../loyalty/care-adjustments.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { temporalCareApprovals } from '../workflows/care-approvals.js';
import { outboxSweepWorkflow } from '../workflows/outbox-sweep.workflow.js';
import { pointsExpiryWorkflow } from '../workflows/points-expiry.workflow.js';
import { workflowIds } from '../workflows/process-dispatch.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

// What a commit starts is never lost: an API or back office that dies (or cannot reach Temporal)
// right after committing leaves an outbox entry the sweep starts, and every hold has a time limit.
let harness: WorkerHarness;
let p: Awaited<ReturnType<typeof createProgram>>;
let server: Server;
let api: string;
let key: string;
let storeId: string;

beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'outbox-test');
  const db = harness.db.dataSource;
  p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1, careApprovalThreshold: 500 });
  await db.manager.insert(Reward, [{ code: 'kettle', name: 'Kettle', pointsPrice: 100, needsFulfilment: true, stock: 10 }]);
  const { partner } = await p.partner(100_000);
  key = (await issueApiKey(db.manager, partner.id, 'test')).secret;
  storeId = partner.id;
  // The API commits but starts nothing: as if the process died right after the commit.
  server = createWebApp({ health: {}, api: { dataSource: db, ledger: p.ledger } }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  server?.close();
  await harness?.stop();
});

const post = async (path: string, body: unknown) =>
  (
    await fetch(`${api}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        ...(await memberConsentHeaders(harness.db.dataSource, key, path)),
      },
      body: JSON.stringify(body),
    })
  ).json();
const sweep = () =>
  harness.env.client.workflow.execute(outboxSweepWorkflow, { taskQueue: harness.taskQueue, workflowId: `sweep-${randomUUID()}` });
const statusOf = async (id: string) => (await harness.db.dataSource.manager.findOneByOrFail(Redemption, { id })).status;

async function memberWithPoints(externalId: string, points: number) {
  const { account } = await p.member(externalId, storeId);
  await p.ledger.transfer({
    source: 'test',
    key: `${externalId}-points`,
    legs: [{ debitAccountId: (await p.partner(points)).wallet.id, creditAccountId: account.id, amount: points, kind: 'earn' }],
  });
  return account;
}

it('ships a reward whose fulfilment was never started after the commit: the sweep starts it, once', async () => {
  await memberWithPoints('orphan-ann', 300);
  const redemption = await post('/members/orphan-ann/redemptions', { reward: 'kettle' });
  expect(redemption.status).toBe('awaiting_fulfilment');
  expect(await sweep()).toBe(2);
  await expect.poll(() => statusOf(redemption.id), { timeout: 30_000 }).toBe('fulfilled');
  expect(await sweep()).toBe(0);
  // The member's history adds up to the balance: the held burn and its settlement are one entry.
  const history = await (await fetch(`${api}/members/orphan-ann/transactions`, { headers: { authorization: `Bearer ${key}` } })).json();
  expect(history.entries.map((e: { kind: string; status: string; points: number }) => [e.kind, e.status, e.points])).toEqual([
    ['burn', 'settled', -100],
    ['earn', 'posted', 300],
  ]);
  const handle = harness.env.client.workflow.getHandle(workflowIds.rewardFulfilment('kettle', redemption.id));
  expect(await handle.result()).toBe('fulfilled');
  // The hold's own timeout runs too, and finds it settled when its time comes.
  const [hold] = await harness.db.dataSource.query(`SELECT "transferId" FROM redemption WHERE id = $1`, [redemption.id]);
  expect((await harness.env.client.workflow.getHandle(workflowIds.holdTimeout(hold.transferId)).describe()).status.name).toBe('RUNNING');
});

it('gives held points back when a hold outlives its limit with nothing settling it: the daily run cancels the redemption', async () => {
  const account = await memberWithPoints('stuck-bo', 300);
  const redemption = await post('/members/stuck-bo/redemptions', { reward: 'kettle' });
  expect(await p.available(account.id)).toBe(200);
  // Nothing ever started for it, and its 16 days are over.
  await harness.db.dataSource.query(`UPDATE outbox_entry SET "dispatchedAt" = now() WHERE "dispatchedAt" IS NULL`);
  await harness.db.dataSource.query(`UPDATE ledger_transfer SET "heldUntil" = now() - interval '1 minute' WHERE id = $1`, [
    (await harness.db.dataSource.manager.findOneByOrFail(Redemption, { id: redemption.id })).transferId,
  ]);
  const summary = await harness.env.client.workflow.execute(pointsExpiryWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: `points-expiry-${randomUUID()}`,
    args: [{ alertDays: [] }],
  });
  expect(summary.releasedHolds).toBe(1);
  expect(await statusOf(redemption.id)).toBe('cancelled');
  expect(await p.available(account.id)).toBe(300);
  await expect
    .poll(
      async () => (await readInbox(harness.sink.directory)).filter((m) => m.to.includes('stuck-bo@example.test')).map((m) => m.subject),
      {
        timeout: 20_000,
      },
    )
    .toEqual(['We could not deliver Kettle: your 100 points are back']);
  expect((await checkLedger(harness.db.dataSource.manager)).violations).toEqual([]);
});

it('starts the approval of a large care adjustment from the outbox when the back office could not', async () => {
  await memberWithPoints('care-cy', 10);
  const adjustment = await requestAdjustment(harness.db.dataSource, p.ledger, {
    memberExternalId: 'care-cy',
    points: 900,
    reason: 'lost parcel goodwill',
    requestedBy: 'agent@tessera.test',
  });
  expect(adjustment.status).toBe('awaiting_approval');
  expect(await sweep()).toBe(1);
  // Four eyes inside the process too: the requester's own approval is ignored, it waits for another.
  await temporalCareApprovals(harness.env.client).decide(adjustment.id, { approved: true, by: 'agent@tessera.test' });
  await temporalCareApprovals(harness.env.client).decide(adjustment.id, { approved: true, by: 'supervisor@tessera.test' });
  const outcome = await harness.env.client.workflow.getHandle(workflowIds.careApproval(adjustment.id)).result();
  expect(outcome).toBe('applied');
  expect(await harness.db.dataSource.manager.findOneByOrFail(CareAdjustment, { id: adjustment.id })).toMatchObject({
    status: 'applied',
    decidedBy: 'supervisor@tessera.test',
  });
});

it('starts what it can when some entries will not start: a stuck entry never holds up the ones behind it', async () => {
  const m = harness.db.dataSource.manager;
  // Workflow ids this long are refused by Temporal every time.
  const stuck = ['a', 'b', 'c'].map((letter) => ({
    process: 'reward_fulfilment' as const,
    subjectId: randomUUID(),
    details: { rewardCode: letter.repeat(1_100) },
    createdAt: new Date(Date.now() - 60_000),
  }));
  await m.insert(OutboxEntry, stuck);
  const behind = randomUUID();
  await m.insert(OutboxEntry, { process: 'hold_timeout', subjectId: behind, details: { expiresAt: '2099-01-01T00:00:00Z' } });
  try {
    await expect(harness.processes.dispatchQueued(2)).rejects.toThrow();
    expect((await m.findOneByOrFail(OutboxEntry, { subjectId: behind })).dispatchedAt).not.toBeNull();
    expect((await harness.env.client.workflow.getHandle(workflowIds.holdTimeout(behind)).describe()).status.name).toBe('RUNNING');
  } finally {
    await m.delete(OutboxEntry, { subjectId: In(stuck.map((entry) => entry.subjectId)) });
  }
});
