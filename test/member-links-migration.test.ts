import { afterAll, beforeAll, expect, it } from 'vitest';
import { EarningRule, ProgramSettings } from '../entities/index.js';
import { MemberCodesAndSessions1795979927692 } from '../entities/migrations/1795979927692-MemberCodesAndSessions.js';
import { MemberLinks1795978665161 } from '../entities/migrations/1795978665161-MemberLinks.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

async function migrate(direction: 'up' | 'down') {
  const runner = db.dataSource.createQueryRunner();
  try {
    const steps = [new MemberLinks1795978665161(), new MemberCodesAndSessions1795979927692()];
    for (const step of direction === 'up' ? steps : steps.reverse()) await step[direction](runner);
  } finally {
    await runner.release();
  }
}

it('gives each store that addressed a member before links its id for them, and makes a member of one store its provisional one, losing no point', async () => {
  const p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1 });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  const [{ partner: shop }, { partner: cafe }] = [await p.partner(100_000), await p.partner(100_000)];
  const earn = (partnerId: string, externalId: string, amountCents: number) =>
    inTransaction(db.dataSource, (m) =>
      recordEvent(m, p.ledger, {
        partnerId,
        // One namespace before links: both stores meant the same person by "ann".
        member: { externalId, email: `${externalId}@example.test`, emailVerified: true },
        type: 'purchase',
        amountCents,
        currency: 'EUR',
        occurredAt: new Date(),
        receivedAt: new Date(),
      }),
    );
  await earn(shop.id, 'ann', 5_000);
  await earn(cafe.id, 'ann', 2_000);
  await earn(shop.id, 'bo', 1_000);
  const balances = async () =>
    db.dataSource.query(`SELECT a.code, b."creditsPosted" - b."debitsPosted" AS points FROM ledger_account a
      JOIN ledger_balance b ON b."accountId" = a.id WHERE a.kind = 'member' ORDER BY a.code`);
  const before = await balances();

  await migrate('down');
  await migrate('up');

  const links = await db.dataSource.query(
    `SELECT l."partnerId", l."customerId", m."externalId" AS member, l.cause FROM member_link l JOIN member m ON m.id = l."memberId"
      ORDER BY m."externalId", l."partnerId"`,
  );
  expect(links).toEqual(
    expect.arrayContaining([
      { partnerId: shop.id, customerId: 'ann', member: 'ann', cause: 'migration' },
      { partnerId: cafe.id, customerId: 'ann', member: 'ann', cause: 'migration' },
      { partnerId: shop.id, customerId: 'bo', member: 'bo', cause: 'migration' },
    ]),
  );
  expect(links).toHaveLength(3);
  const members = await db.dataSource.query(`SELECT "externalId", "provisionalPartnerId" FROM member ORDER BY "externalId"`);
  expect(members).toEqual([
    { externalId: 'ann', provisionalPartnerId: null },
    { externalId: 'bo', provisionalPartnerId: shop.id },
  ]);
  expect(await db.dataSource.query(`SELECT DISTINCT "customerId" FROM member_event ORDER BY 1`)).toEqual([
    { customerId: 'ann' },
    { customerId: 'bo' },
  ]);
  expect(await balances()).toEqual(before);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});
