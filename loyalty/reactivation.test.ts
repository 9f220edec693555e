import { afterAll, beforeAll, expect, it } from 'vitest';
import { Bonus, Member, MemberErasure, ProgramSettings } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram, days } from '../test/support/program.js';
import { forgetProgramConfiguration } from './earning/program-configuration.js';
import { reactivateInactiveMembers } from './reactivation.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  await db.dataSource.manager.insert(Bonus, { name: 'We miss you', moment: 'reactivation', points: 40, inactivityDays: 20 });
});
afterAll(() => db.drop());

it('keeps running, once per inactivity period, after the operator changes the bonus or the expiry policy', async () => {
  const { member, account } = await p.member('quiet-ann');
  await db.dataSource.manager.update(Member, { id: member.id }, { enrolledAt: days(-40) });
  expect((await reactivateInactiveMembers(db.dataSource, p.ledger, new Date())).given.map((g) => g.memberId)).toEqual([member.id]);
  await db.dataSource.manager.update(Bonus, { moment: 'reactivation' }, { points: 60, name: 'We really miss you' });
  await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { expiryPolicy: { mode: 'never' } });
  forgetProgramConfiguration(db.dataSource);
  const later = await reactivateInactiveMembers(db.dataSource, p.ledger, days(1));
  expect(later).toEqual({ given: [], failures: [] });
  expect(await p.available(account.id)).toBe(40);
});

it('brings back people, not the accounts merged into another member nor the erased', async () => {
  const { member: kept } = await p.member('quiet-bea');
  const { member: mergedAway, account: mergedAccount } = await p.member('quiet-bea-old');
  const { member: erased, account: erasedAccount } = await p.member('quiet-gone');
  const m = db.dataSource.manager;
  await m.update(Member, { id: kept.id }, { enrolledAt: days(-40) });
  await m.update(Member, { id: mergedAway.id }, { enrolledAt: days(-40), mergedIntoId: kept.id });
  await m.update(Member, { id: erased.id }, { enrolledAt: days(-40) });
  await m.insert(MemberErasure, {
    memberId: erased.id,
    requestedBy: 'member',
    reason: 'asked on the dashboard',
    pointsForfeited: 0,
    forfeitedTo: 'breakage',
  });
  const run = await reactivateInactiveMembers(db.dataSource, p.ledger, days(2));
  expect(run.given.map((g) => g.memberId)).toEqual([kept.id]);
  expect([await p.available(mergedAccount.id), await p.available(erasedAccount.id)]).toEqual([0, 0]);
});
