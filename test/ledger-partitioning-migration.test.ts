import { afterAll, beforeAll, expect, it } from 'vitest';
import { LedgerWriteFunctionV31796040100000 } from '../entities/migrations/1796040100000-LedgerWriteFunctionV3.js';
import { PartitionedLedgerTransfers1796040000000 } from '../entities/migrations/1796040000000-PartitionedLedgerTransfers.js';
import { ledgerWrite } from '../loyalty/ledger/engine.js';
import { IdempotencyConflictError, PendingTransferResolvedError } from '../loyalty/ledger/errors.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { requestHash } from '../loyalty/ledger/request.js';
import { openDataSource } from '../wiring/database.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram, days } from './support/program.js';

// A ledger of the version before partitioning (transfers, lots, holds, a resolution, idempotency
// keys, one transfer three years old) goes through `npm run migrate` (openDataSource runs it):
// every row and point stays, replays answer the first result, a hold is still resolved once.
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
const ours = [PartitionedLedgerTransfers1796040000000, LedgerWriteFunctionV31796040100000];

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
}, 120_000);
afterAll(() => db.drop());

const everyTransfer = (source: { query: TestDatabase['dataSource']['query'] }) =>
  source.query(`SELECT * FROM ledger_transfer ORDER BY seq`) as Promise<Record<string, unknown>[]>;
const everyPoint = (source: { query: TestDatabase['dataSource']['query'] }) =>
  source.query(`SELECT (SELECT json_agg(b ORDER BY "accountId", shard) FROM ledger_balance b) AS balances,
                       (SELECT json_agg(l ORDER BY id) FROM point_lot l) AS lots,
                       (SELECT json_agg(c ORDER BY id) FROM lot_consumption c) AS consumptions`);

it('partitions the transfers of a ledger of the previous version without losing a row, a replay or a resolution', async () => {
  const shop = await p.partner(10_000);
  const ann = await p.member();
  const earn = {
    source: 'test',
    key: 'earn-1',
    legs: [{ debitAccountId: shop.wallet.id, creditAccountId: ann.account.id, amount: 100, kind: 'earn' as const, expiresAt: days(300) }],
  };
  const earned = await p.ledger.transfer(earn);
  const burn = (key: string, amount: number) => ({
    source: 'test',
    key,
    until: days(1),
    legs: [{ debitAccountId: ann.account.id, creditAccountId: p.program.redemption.id, amount, kind: 'burn' as const }],
  });
  const posted = await p.ledger.hold(burn('hold-posted', 20));
  await p.ledger.post({ source: 'test', key: 'post-1', pendingTransferId: posted.transfers[0]!.id });
  const open = await p.ledger.hold(burn('hold-open', 30));
  const runner = db.dataSource.createQueryRunner();
  try {
    for (const migration of [...ours].reverse()) await new migration().down(runner);
  } finally {
    await runner.release();
  }
  await db.dataSource.query(`DELETE FROM schema_migration WHERE name = ANY($1)`, [ours.map((m) => new m().name)]);
  const [{ relkind }] = await db.dataSource.query(`SELECT relkind FROM pg_class WHERE relname = 'ledger_transfer'`);
  expect(relkind).toBe('r');
  // Written by the previous version's function, on its table: an earn, and an old transfer.
  const oldEarn = {
    source: 'test',
    key: 'old-earn',
    legs: [{ debitAccountId: shop.wallet.id, creditAccountId: ann.account.id, amount: 5, kind: 'earn' as const }],
  };
  const oldWrite = ledgerWrite({ source: 'test', key: 'old-earn', hash: requestHash('transfer', oldEarn) }, [
    { ...oldEarn.legs[0]!, phase: 'single', references: {}, explanation: [], expiresAt: null },
  ]);
  const [{ answer }] = await db.dataSource.query(`SELECT ledger_write_v2($1::jsonb) AS answer`, [oldWrite.plan]);
  expect(answer.result).toBe('ok');
  await db.dataSource.query(`UPDATE ledger_transfer SET "createdAt" = '2023-05-17 10:00+00' WHERE id = $1`, [earned.transfers[0]!.id]);
  const transfers = await everyTransfer(db.dataSource);
  const points = await everyPoint(db.dataSource);

  const migrating = new Date();
  const migrated = await openDataSource(db.url);
  try {
    expect(await everyTransfer(migrated)).toEqual(transfers);
    expect(await everyPoint(migrated)).toEqual(points);
    const partitions: { name: string; bound: string }[] = await migrated.query(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'ledger_transfer'::regclass ORDER BY c.relname`,
    );
    // Months of the day the migration ran, which a run crossing midnight makes differ from today's.
    const month = (ahead: number) => {
      const d = new Date(migrating);
      d.setUTCDate(1);
      d.setUTCMonth(d.getUTCMonth() + ahead);
      return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    };
    expect(partitions[0]).toEqual({
      name: 'ledger_transfer_p202305',
      bound: "FOR VALUES FROM ('2023-05-01 00:00:00+00') TO ('2023-06-01 00:00:00+00')",
    });
    expect(partitions.map((x) => x.name)).toContain(`ledger_transfer_p${month(0)}`);
    expect(partitions.at(-2)!.name).toBe(`ledger_transfer_p${month(3)}`);
    expect(partitions.at(-1)).toEqual({ name: 'ledger_transfer_pdefault', bound: 'DEFAULT' });
    const [{ partition }] = await migrated.query(`SELECT tableoid::regclass::text AS partition FROM ledger_transfer WHERE id = $1`, [
      earned.transfers[0]!.id,
    ]);
    expect(partition).toBe('ledger_transfer_p202305');

    const ledger = new Ledger(migrated);
    // Replays answer the first result, for keys of both versions; a key reused for another request is refused.
    expect(await ledger.transfer(earn)).toMatchObject({ replayed: true, transfers: [{ id: earned.transfers[0]!.id, amount: 100 }] });
    expect(await ledger.transfer(oldEarn)).toMatchObject({ replayed: true, transfers: [{ id: answer.transfers[0].id, amount: 5 }] });
    await expect(ledger.transfer({ ...earn, legs: [{ ...earn.legs[0]!, amount: 99 }] })).rejects.toThrow(IdempotencyConflictError);
    // A hold resolved before stays resolved; the open one posts once, even asked twice at once.
    await expect(ledger.void({ source: 'test', key: 'void-1', pendingTransferId: posted.transfers[0]!.id })).rejects.toThrow(
      PendingTransferResolvedError,
    );
    const twice = await Promise.allSettled(
      ['post-a', 'post-b'].map((key) => ledger.post({ source: 'test', key, pendingTransferId: open.transfers[0]!.id })),
    );
    expect(twice.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(twice.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(PendingTransferResolvedError) });
    // The resolutions table itself refuses a second resolution.
    await expect(
      migrated.query(
        `INSERT INTO ledger_hold_resolution ("pendingTransferId", "transferId", "createdAt") VALUES ($1, gen_random_uuid(), now())`,
        [open.transfers[0]!.id],
      ),
    ).rejects.toMatchObject({ driverError: { code: '23505' } });

    expect(await p.available(ann.account.id)).toBe(100 + 5 - 20 - 30);
    expect((await checkLedger(migrated.manager)).violations).toEqual([]);
  } finally {
    await migrated.destroy();
  }
});
