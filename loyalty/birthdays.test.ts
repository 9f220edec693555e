import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Member, ProgramSettings } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram } from '../test/support/program.js';
import { celebrateBirthdays, checkBirthdaySettings } from './birthdays.js';
import { accountByCode, programAccounts } from './ledger/accounts.js';
import { mergeMembers } from './member-identity.js';

describe('the birthday settings the back office takes', () => {
  it('takes whole points (0: a message without a bonus), 0 to 31 days either side and a channel', () => {
    expect(
      checkBirthdaySettings({
        birthdayBonusPoints: '0',
        birthdayDaysBefore: '31',
        birthdayDaysAfter: '0',
        birthdayChannel: 'email_or_sms',
      }),
    ).toEqual({});
    expect(
      checkBirthdaySettings({ birthdayBonusPoints: 250, birthdayDaysBefore: 3, birthdayDaysAfter: 7, birthdayChannel: 'sms' }),
    ).toEqual({});
  });

  it('names each field at fault, in words', () => {
    expect(
      checkBirthdaySettings({ birthdayBonusPoints: '-5', birthdayDaysBefore: '32', birthdayDaysAfter: '1.5', birthdayChannel: 'fax' }),
    ).toEqual({
      birthdayBonusPoints: 'must be a whole number of points, 0 or more (0: a message without a bonus)',
      birthdayDaysBefore: 'must be a whole number of days from 0 to 31',
      birthdayDaysAfter: 'must be a whole number of days from 0 to 31',
      birthdayChannel: 'must be email, sms or email_or_sms',
    });
    expect(checkBirthdaySettings({ birthdayBonusPoints: '', birthdayDaysBefore: 'three' })).toMatchObject({
      birthdayBonusPoints: expect.any(String),
      birthdayDaysBefore: expect.any(String),
    });
  });
});

describe('a daily run', () => {
  let db: TestDatabase;
  let p: Awaited<ReturnType<typeof createProgram>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    p = await createProgram(db.dataSource);
    await db.dataSource.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  });
  afterAll(() => db.drop());
  beforeEach(() => settings({ birthdayGreetings: true, birthdayBonusPoints: 50, birthdayDaysBefore: 0, birthdayDaysAfter: 0 }));

  const settings = (values: Partial<ProgramSettings>) => db.dataSource.manager.update(ProgramSettings, { id: 1 }, values);
  const run = (at: string) => celebrateBirthdays(db.dataSource, p.ledger, new Date(at));

  async function born(name: string, birthday: string, timeZone = 'UTC') {
    const { member, account } = await p.member(name);
    await db.dataSource.manager.update(Member, { id: member.id }, { birthday, timeZone });
    return { member, account };
  }

  /** The member's birthday messages: the year each is for, the points it tells of, when it may go, and its outbox entry. */
  async function greetings(memberId: string) {
    const rows: { occasion: string; details: { points: number; birthdayOn: string }; notBefore: string | null; queued: string }[] =
      await db.dataSource.query(
        `SELECT m.occasion, m.details, o.details->>'notBefore' AS "notBefore", o.process AS queued
           FROM member_message m JOIN outbox_entry o ON o."subjectId" = m.id
          WHERE m."memberId" = $1 AND m.kind = 'birthday' ORDER BY m.occasion`,
        [memberId],
      );
    return rows;
  }

  const birthdayBonuses = async (accountId: string) =>
    db.dataSource.query(
      `SELECT t.amount::int AS points, t."idempotencyKey" AS key, d.code AS "from", t.explanation
         FROM ledger_transfer t JOIN ledger_account d ON d.id = t."debitAccountId"
        WHERE t."creditAccountId" = $1 AND t."idempotencySource" = 'system:birthday' ORDER BY t.seq`,
      [accountId],
    );

  it('pays on the birthday, once, from the marketing account, and queues the message for 09:00 of that day', async () => {
    const { member, account } = await born('bday-march', '1990-03-10');
    const marketing = await accountByCode(db.dataSource.manager, programAccounts.marketing);
    const before = await p.posted(marketing.id);
    expect((await run('2027-03-09T08:00:00Z')).celebrated).toBe(0);
    expect((await run('2027-03-10T08:00:00Z')).celebrated).toBe(1);
    expect((await run('2027-03-10T20:00:00Z')).celebrated).toBe(0);
    expect((await run('2027-03-11T08:00:00Z')).celebrated).toBe(0);
    expect(await p.available(account.id)).toBe(50);
    expect(await p.posted(marketing.id)).toBe(before - 50);
    expect(await birthdayBonuses(account.id)).toEqual([
      {
        points: 50,
        key: `${member.id}:2027`,
        from: programAccounts.marketing,
        explanation: [{ rule: 'birthday bonus', points: 50, reason: 'birthday on 2027-03-10' }],
      },
    ]);
    expect(await greetings(member.id)).toEqual([
      {
        occasion: '2027',
        details: { points: 50, birthdayOn: '2027-03-10' },
        notBefore: '2027-03-10T09:00:00.000Z',
        queued: 'member_message',
      },
    ]);
    // The next year, again once.
    expect((await run('2028-03-10T08:00:00Z')).celebrated).toBe(1);
    expect(await p.available(account.id)).toBe(100);
  });

  it('celebrates a 29 February birthday on 28 February in common years, and on the day in leap years', async () => {
    const { member } = await born('bday-leap', '2000-02-29');
    for (const day of ['2027-02-27', '2027-02-28', '2027-03-01', '2028-02-28', '2028-02-29', '2028-03-01']) await run(`${day}T08:00:00Z`);
    expect((await greetings(member.id)).map((g) => [g.occasion, g.details.birthdayOn])).toEqual([
      ['2027', '2027-02-28'],
      ['2028', '2028-02-29'],
    ]);
  });

  it("goes by the member's own day: a day after UTC's west of it, a day before east of it, at 09:00 their time", async () => {
    const west = await born('bday-pago-pago', '1985-06-15', 'Pacific/Pago_Pago');
    const east = await born('bday-kiritimati', '1985-06-15', 'Pacific/Kiritimati');
    // 12:00 UTC on the 14th: already the 15th at UTC+14, still the 14th at UTC-11.
    await run('2027-06-14T12:00:00Z');
    expect(await greetings(west.member.id)).toEqual([]);
    expect(await greetings(east.member.id)).toMatchObject([{ occasion: '2027', notBefore: '2027-06-14T19:00:00.000Z' }]);
    // 08:00 UTC on the 15th: the 14th, 21:00, at UTC-11; 10:00 UTC on the 16th: the 15th, 23:00.
    await run('2027-06-15T08:00:00Z');
    expect(await greetings(west.member.id)).toEqual([]);
    await run('2027-06-16T10:00:00Z');
    // After 09:00 their time already: the message goes at once.
    expect(await greetings(west.member.id)).toMatchObject([{ occasion: '2027', notBefore: '2027-06-15T20:00:00.000Z' }]);
  });

  it('pays within the days before and after it, from the first run in them, for the year of the birthday', async () => {
    await settings({ birthdayDaysBefore: 3, birthdayDaysAfter: 2 });
    const newYear = await born('bday-new-year', '1970-01-02');
    const missed = await born('bday-missed', '1970-01-05');
    await run('2026-12-29T08:00:00Z');
    expect(await greetings(newYear.member.id)).toEqual([]);
    await run('2026-12-30T08:00:00Z');
    expect(await greetings(newYear.member.id)).toMatchObject([{ occasion: '2027', details: { birthdayOn: '2027-01-02' } }]);
    // No run from 2 to 6 January (the worker was down): the 7th is still within two days after the 5th.
    await run('2027-01-07T08:00:00Z');
    expect(await greetings(missed.member.id)).toMatchObject([{ occasion: '2027', details: { birthdayOn: '2027-01-05' } }]);
    for (const day of ['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04']) await run(`${day}T08:00:00Z`);
    expect(await greetings(newYear.member.id)).toHaveLength(1);
    expect(await birthdayBonuses(newYear.account.id)).toHaveLength(1);
  });

  it('sends the message without a transfer when the bonus is 0, and nothing while greetings are off', async () => {
    await settings({ birthdayBonusPoints: 0 });
    const { member, account } = await born('bday-no-bonus', '1995-09-09');
    await run('2027-09-09T08:00:00Z');
    expect(await greetings(member.id)).toMatchObject([{ occasion: '2027', details: { points: 0 } }]);
    expect(await birthdayBonuses(account.id)).toEqual([]);

    await settings({ birthdayGreetings: false, birthdayBonusPoints: 50 });
    await run('2028-09-09T08:00:00Z');
    expect(await greetings(member.id)).toHaveLength(1);
  });

  it('leaves out members without a birthday and members merged into another', async () => {
    const { member: nobody } = await p.member('bday-unknown');
    const from = await born('bday-merged-away', '1980-10-10');
    const into = await p.member('bday-merged-into');
    await db.dataSource.transaction((manager) =>
      mergeMembers(manager, p.ledger, { fromMemberId: from.member.id, intoMemberId: into.member.id, cause: 'care', requestedBy: 'test' }),
    );
    expect((await run('2027-10-10T08:00:00Z')).celebrated).toBe(0);
    expect(await greetings(nobody.id)).toEqual([]);
    expect(await greetings(from.member.id)).toEqual([]);
  });
});
