import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Member } from '../entities/index.js';
import { requestSignInCode } from '../loyalty/member-sign-in.js';
import { issueSpendingCode } from '../loyalty/spending-authorization.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/**
 * Each code can be guessed five times: the hourly limits alone would let a patient attacker make
 * hundreds of guesses a day at one person's code. A daily limit bounds them.
 */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
}, 60_000);
afterAll(async () => db?.drop());

const hours = (start: Date, n: number) => new Date(start.getTime() + n * 3_600_000 + 60_000 * n);

describe('codes a day', () => {
  it('sends one address at most 15 sign-in codes a day, however they are spread over the hours', async () => {
    const start = new Date('2026-11-02T08:00:00Z');
    const ask = (now: Date) =>
      requestSignInCode(db.dataSource.manager, { channel: 'email', address: 'patient@example.test' }, 'secret', null, now);
    for (let hour = 0; hour < 3; hour++) for (let i = 0; i < 5; i++) await ask(hours(start, hour));
    await expect(ask(hours(start, 3))).rejects.toMatchObject({ code: 'too_many_codes', reason: expect.stringMatching(/15 codes a day/) });
    // A day after the first ones, codes come again.
    await expect(ask(hours(start, 25))).resolves.toBeDefined();
  });

  it('sends one member at most 10 spending codes a day for one store', async () => {
    const { partner } = await p.partner();
    const { member } = await p.member();
    await db.dataSource.manager.update(Member, { id: member.id }, { emailVerifiedAt: new Date('2026-01-01T00:00:00Z') });
    const start = new Date('2026-11-02T08:00:00Z');
    const ask = (now: Date) => issueSpendingCode(db.dataSource.manager, { memberId: member.id, partnerId: partner.id }, 'secret', now);
    for (let hour = 0; hour < 2; hour++) for (let i = 0; i < 5; i++) await ask(hours(start, hour));
    await expect(ask(hours(start, 2))).rejects.toMatchObject({ code: 'too_many_codes', reason: expect.stringMatching(/10 codes a day/) });
    await expect(ask(hours(start, 25))).resolves.toBeDefined();
  });
});
