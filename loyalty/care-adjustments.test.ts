import { afterAll, beforeAll, expect, it } from 'vitest';
import { CareAdjustment, ProgramSettings } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram } from '../test/support/program.js';
import { approveAdjustment, checkDecision, requestAdjustment } from './care-adjustments.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, careApprovalThreshold: 500 });
});
afterAll(() => db.drop());

const ask = (memberExternalId: string, points: number, requestedBy = 'agent@tessera.test') =>
  requestAdjustment(db.dataSource, p.ledger, { memberExternalId, points, reason: 'goodwill for a late parcel', requestedBy });

it('never lets the staff member who asked for an adjustment approve it', async () => {
  const { account } = await p.member('four-eyes-ann');
  const adjustment = await ask('four-eyes-ann', 800, 'supervisor@tessera.test');
  expect(adjustment.status).toBe('awaiting_approval');
  await expect(checkDecision(db.dataSource, adjustment.id, 'Supervisor@Tessera.test')).rejects.toMatchObject({ code: 'not_allowed' });
  expect(await approveAdjustment(db.dataSource, p.ledger, adjustment.id, 'supervisor@tessera.test')).toBe('not_allowed');
  expect(await p.available(account.id)).toBe(0);
  await checkDecision(db.dataSource, adjustment.id, 'other.supervisor@tessera.test');
  expect(await approveAdjustment(db.dataSource, p.ledger, adjustment.id, 'other.supervisor@tessera.test')).toBe('applied');
  expect(await p.available(account.id)).toBe(800);
});

it("holds an agent's total per member per day to the threshold: a hundred adjustments of 499 apply one", async () => {
  const { account } = await p.member('four-eyes-bo');
  const outcomes = await Promise.all(Array.from({ length: 100 }, () => ask('four-eyes-bo', 499)));
  expect(outcomes.filter((a) => a.status === 'applied')).toHaveLength(1);
  expect(outcomes.filter((a) => a.status === 'awaiting_approval')).toHaveLength(99);
  expect(await p.available(account.id)).toBe(499);
  // Another agent's small adjustment for the same member is within their own total.
  expect((await ask('four-eyes-bo', 1, 'colleague@tessera.test')).status).toBe('applied');
  const waiting = await db.dataSource.manager.countBy(CareAdjustment, { memberExternalId: 'four-eyes-bo', status: 'awaiting_approval' });
  expect(waiting).toBe(99);
});
