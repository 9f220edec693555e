import { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Member, ProgramSettings } from '../entities/index.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { updateMemberProfile } from '../loyalty/member-preferences.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
import { readSmsInbox } from '../wiring/embedded/sms-sink.js';
import { birthdayWorkflow } from '../workflows/birthday.workflow.js';
import { birthdayRunHourUtc } from '../workflows/schedules.js';
import { createProgram } from './support/program.js';
import { startTimeSkippingServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/**
 * Two years of the daily birthday run, as its schedule starts it, in minutes: each member is paid
 * once a year on their own day (a 29 February birthday included, and members far either side of
 * UTC), and gets the message they allow, which the run queues through the outbox.
 */
let harness: WorkerHarness;
let p: Awaited<ReturnType<typeof createProgram>>;
// Time moves only when the test says so (see time-skipping-workflows.test.ts).
let client: Client;

beforeAll(async () => {
  harness = await startWorkerHarness(startTimeSkippingServer, 'birthday-test');
  p = await createProgram(harness.db.dataSource);
  await harness.db.dataSource.manager.insert(ProgramSettings, {
    id: 1,
    expiryPolicy: { mode: 'never' },
    birthdayGreetings: true,
    birthdayBonusPoints: 25,
    birthdayChannel: 'email_or_sms',
  });
  client = new Client({ connection: harness.env.connection, namespace: harness.env.namespace });
  await harness.env.connection.testService!.lockTimeSkipping({});
}, 180_000);
afterAll(() => harness?.stop());

async function born(name: string, birthday: string, timeZone: string, contact: { email: string | null; phone: string | null }) {
  const { member, account } = await p.member(name);
  await harness.db.dataSource.manager.update(Member, { id: member.id }, { birthday, timeZone, ...contact });
  return { id: member.id, accountId: account.id };
}

it('pays each birthday once a year over two years of daily runs, on the day in the member’s time zone, with the message they allow', async () => {
  const db = harness.db.dataSource;
  const members = {
    leapYear: await born('leap-lou', '2000-02-29', 'UTC', { email: 'leap-lou@example.test', phone: null }),
    // UTC-11: at the run, 08:00 UTC, it is still the day before there.
    pagoPago: await born('samoa-sam', '1985-03-01', 'Pacific/Pago_Pago', { email: null, phone: '+33612349001' }),
    // UTC+14: the first birthdays on Earth.
    kiritimati: await born('line-lee', '1992-12-31', 'Pacific/Kiritimati', { email: 'line-lee@example.test', phone: null }),
    optedOut: await born('quiet-quy', '1991-07-20', 'Europe/Paris', { email: 'quiet-quy@example.test', phone: '+33612349002' }),
  };
  await updateMemberProfile(db.manager, members.optedOut.id, { preferences: { birthday: { email: false, sms: false } } });

  // The first run: 1 December at 08:00 UTC, of a year such that the two years after hold a 29 February.
  const now = await harness.env.currentTimeMs();
  let year = new Date(now).getUTCFullYear();
  while (Date.UTC(year, 11, 1, birthdayRunHourUtc) <= now || !(isLeap(year + 1) || isLeap(year + 2))) year += 1;
  await harness.env.sleep(Date.UTC(year, 11, 1, birthdayRunHourUtc) - now);

  const accounts = Object.values(members).map((m) => m.accountId);
  const paidOn: Record<string, string[]> = Object.fromEntries(Object.keys(members).map((name) => [name, []]));
  const bonuses = async () => {
    const rows: { accountId: string; n: number }[] = await db.query(
      `SELECT "creditAccountId" AS "accountId", COUNT(*)::int AS n FROM ledger_transfer
        WHERE "idempotencySource" = 'system:birthday' AND "creditAccountId" = ANY($1::uuid[]) GROUP BY 1`,
      [accounts],
    );
    return new Map(rows.map((r) => [r.accountId, r.n]));
  };
  let before = await bonuses();
  for (let day = 0; day < 731; day++) {
    const runDate = new Date(await harness.env.currentTimeMs()).toISOString().slice(0, 10);
    await client.workflow.execute(birthdayWorkflow, { taskQueue: harness.taskQueue, workflowId: `birthdays-${runDate}` });
    const after = await bonuses();
    for (const [name, { accountId }] of Object.entries(members)) {
      if ((after.get(accountId) ?? 0) > (before.get(accountId) ?? 0)) paidOn[name]!.push(runDate);
    }
    before = after;
    await harness.env.sleep('1 day');
  }

  // Two years: 1 December to 30 November two years later.
  expect(new Date(await harness.env.currentTimeMs()).toISOString().slice(0, 10)).toBe(`${year + 2}-12-01`);
  const twice = (monthDay: string, first = year + 1) => [`${first}-${monthDay}`, `${first + 1}-${monthDay}`];
  expect(paidOn).toEqual({
    // A 29 February birthday: on the 28th in a common year, on the day in a leap one.
    leapYear: [year + 1, year + 2].map((y) => (isLeap(y) ? `${y}-02-29` : `${y}-02-28`)),
    // Their 1 March is the 2nd in UTC by the time of the run.
    pagoPago: twice('03-02'),
    kiritimati: twice('12-31', year),
    optedOut: twice('07-20'),
  });
  for (const { accountId } of Object.values(members)) expect(await p.available(accountId)).toBe(50);

  // The messages, each once, by the channel the member can get (and allows).
  const mail = await readInbox(harness.sink.directory);
  const toLeap = mail.filter((m) => m.to.includes('leap-lou@example.test'));
  expect(toLeap.map((m) => m.subject)).toEqual(['Happy birthday!', 'Happy birthday!']);
  for (const message of toLeap) {
    expect(message.text).toContain('we added 25 points to your balance');
    expect(message.headers['list-unsubscribe']).toMatch(/^<http:\/\/localhost:3000\/unsubscribe\?t=[A-Za-z0-9_-]+>$/);
    expect(message.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
  }
  expect(mail.filter((m) => m.to.includes('line-lee@example.test'))).toHaveLength(2);
  expect(mail.filter((m) => m.to.includes('quiet-quy@example.test'))).toEqual([]);
  const texts = await readSmsInbox(harness.smsSink.directory);
  const toSamoa = texts.filter((sms) => sms.to === '+33612349001');
  expect(toSamoa).toHaveLength(2);
  for (const sms of toSamoa)
    expect(sms.text).toMatch(/^Happy birthday from Tessera! 25 points .* Stop: http:\/\/localhost:3000\/unsubscribe\?t=[\w-]+$/);
  expect(texts.filter((sms) => sms.to === '+33612349002')).toEqual([]);
  expect((await checkLedger(db.manager)).violations).toEqual([]);
}, 900_000);

function isLeap(year: number) {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}
