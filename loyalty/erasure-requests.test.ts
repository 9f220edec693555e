import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErasureRequest, Member, MemberErasure } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { activityProgram, personWithActivity } from '../test/support/member-activity.js';
import { createProgram } from '../test/support/program.js';
import { approveErasure, mayDecideErasure, privacyStatus, rejectErasure, requestErasure } from './erasure-requests.js';
import { inTransaction } from './ledger/transaction.js';
import { redeemReward } from './redemptions.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let stores: Awaited<ReturnType<typeof activityProgram>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  stores = await activityProgram(db.dataSource, p);
});
afterAll(() => db.drop());

const agent = 'care@privacy.test';
const supervisor = 'supervisor@privacy.test';

it('takes a request received by mail, which another staff member approves: then the member is erased', async () => {
  const ann = await personWithActivity(db.dataSource, p, stores, 'Ann Archer');
  await expect(requestErasure(db.dataSource.manager, { memberId: ann.memberId, reason: 'mail', requestedBy: agent })).rejects.toMatchObject(
    {
      code: 'erasure_refused',
      field: 'reason',
    },
  );
  const request = await requestErasure(db.dataSource.manager, {
    memberId: ann.memberId,
    reason: 'Letter of 2 May asking to delete the account',
    requestedBy: agent,
  });
  expect(request.status).toBe('awaiting_approval');
  expect(await privacyStatus(db.dataSource.manager, ann.memberId)).toMatchObject({ waiting: { id: request.id, requestedBy: agent } });
  await expect(
    requestErasure(db.dataSource.manager, { memberId: ann.memberId, reason: 'Asked again by phone', requestedBy: supervisor }),
  ).rejects.toMatchObject({ code: 'erasure_refused', reason: `an erasure asked for by ${agent} is already waiting for approval` });

  // Four eyes: who asked cannot approve, in any case.
  expect(mayDecideErasure(request, 'CARE@privacy.test')).toBe(false);
  await expect(approveErasure(db.dataSource, p.ledger, { requestId: request.id, approvedBy: 'CARE@privacy.test' })).rejects.toMatchObject({
    code: 'not_allowed',
  });
  expect((await db.dataSource.manager.findOneByOrFail(Member, { id: ann.memberId })).email).toBe(ann.email);

  expect(mayDecideErasure(request, supervisor)).toBe(true);
  const erasure = await approveErasure(db.dataSource, p.ledger, { requestId: request.id, approvedBy: supervisor });
  expect(erasure).toMatchObject({ memberId: ann.memberId, requestedBy: agent, approvedBy: supervisor, reason: request.reason });
  expect(await db.dataSource.manager.findOneByOrFail(ErasureRequest, { id: request.id })).toMatchObject({
    status: 'erased',
    decidedBy: supervisor,
    erasureId: erasure.id,
  });
  expect((await db.dataSource.manager.findOneByOrFail(Member, { id: ann.memberId })).email).toBeNull();
  expect(await privacyStatus(db.dataSource.manager, ann.memberId)).toMatchObject({ erasure: { id: erasure.id }, waiting: null });
  await expect(
    approveErasure(db.dataSource, p.ledger, { requestId: request.id, approvedBy: 'operator@privacy.test' }),
  ).rejects.toMatchObject({
    code: 'erasure_refused',
    reason: 'this request was already decided: erased',
  });
  await expect(
    requestErasure(db.dataSource.manager, { memberId: ann.memberId, reason: 'Another letter arrived', requestedBy: agent }),
  ).rejects.toMatchObject({ code: 'erasure_refused', reason: expect.stringContaining('already erased') });
});

it('keeps a request waiting when its approval is refused for held points, and lets a supervisor reject it', async () => {
  const bob = await personWithActivity(db.dataSource, p, stores, 'Bob Baker');
  await inTransaction(db.dataSource, (manager) =>
    redeemReward(manager, p.ledger, {
      memberId: bob.memberId,
      rewardCode: 'mug',
      quantity: 1,
      partnerId: stores.shop.id,
      key: randomUUID(),
    }),
  );
  const request = await requestErasure(db.dataSource.manager, { memberId: bob.memberId, reason: 'Letter of 3 May', requestedBy: agent });
  await expect(approveErasure(db.dataSource, p.ledger, { requestId: request.id, approvedBy: supervisor })).rejects.toMatchObject({
    code: 'erasure_refused',
    reason: expect.stringContaining('20 points are held'),
  });
  expect(await db.dataSource.manager.findOneByOrFail(ErasureRequest, { id: request.id })).toMatchObject({ status: 'awaiting_approval' });
  expect(await db.dataSource.manager.countBy(MemberErasure, { memberId: bob.memberId })).toBe(0);

  await expect(rejectErasure(db.dataSource.manager, { requestId: request.id, rejectedBy: agent })).rejects.toMatchObject({
    code: 'not_allowed',
  });
  await rejectErasure(db.dataSource.manager, { requestId: request.id, rejectedBy: supervisor });
  expect(await db.dataSource.manager.findOneByOrFail(ErasureRequest, { id: request.id })).toMatchObject({
    status: 'rejected',
    decidedBy: supervisor,
  });
  expect((await db.dataSource.manager.findOneByOrFail(Member, { id: bob.memberId })).email).toBe(bob.email);
});
