import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LedgerWriteFunction1796020000000 } from '../entities/migrations/1796020000000-LedgerWriteFunction.js';
import { accountByCode, balanceOf, partnerWallet, programAccounts } from '../loyalty/ledger/accounts.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { seedDemoProgram } from '../wiring/demo-program.js';
import { openDataSource } from '../wiring/database.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

// A database of the version before the ledger's SQL function gets it from `npm run migrate`
// (openDataSource is what that command runs), and its data keeps working through it.
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoProgram(db.dataSource);
  const runner = db.dataSource.createQueryRunner();
  try {
    await new LedgerWriteFunction1796020000000().down(runner);
  } finally {
    await runner.release();
  }
  await db.dataSource.query(`DELETE FROM schema_migration WHERE name = 'LedgerWriteFunction1796020000000'`);
}, 120_000);
afterAll(() => db.drop());

const ledgerFunctions = async () =>
  (await db.dataSource.query(`SELECT proname FROM pg_proc WHERE proname LIKE 'ledger\\_%\\_v1' ORDER BY proname`)).map(
    (row: { proname: string }) => row.proname,
  );

it('creates the ledger write function on a database of the previous version, whose data then earns through it', async () => {
  expect(await ledgerFunctions()).toEqual([]);

  const migrated = await openDataSource(db.url);
  try {
    expect(await ledgerFunctions()).toEqual(['ledger_consume_lots_v1', 'ledger_replay_v1', 'ledger_restore_lots_v1', 'ledger_write_v1']);
    const [{ partnerId, memberAccountId }] = await migrated.query(
      `SELECT l."fundingPartnerId" AS "partnerId", l."memberAccountId" FROM point_lot l WHERE l."fundingPartnerId" IS NOT NULL LIMIT 1`,
    );
    const wallet = await partnerWallet(migrated.manager, partnerId);
    const redemption = await accountByCode(migrated.manager, programAccounts.redemption);
    const before = (await balanceOf(migrated.manager, memberAccountId)).available;
    const ledger = new Ledger(migrated);
    await ledger.transfer({
      source: 'test',
      key: randomUUID(),
      legs: [{ debitAccountId: wallet.id, creditAccountId: memberAccountId, amount: 7, kind: 'earn' }],
    });
    await ledger.transfer({
      source: 'test',
      key: randomUUID(),
      legs: [{ debitAccountId: memberAccountId, creditAccountId: redemption.id, amount: before + 7, kind: 'burn' }],
    });
    expect((await balanceOf(migrated.manager, memberAccountId)).available).toBe(0);
    expect((await checkLedger(migrated.manager)).violations).toEqual([]);
  } finally {
    await migrated.destroy();
  }
});
