import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InsufficientFundsError, InvalidTransferError } from '../loyalty/ledger/errors.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { statementsDuring } from './support/statements.js';
import { createProgram, days } from './support/program.js';

// An earn or a burn is one round trip to PostgreSQL (the ledger_write_v2 function is the whole
// transaction), and a refusal the function finds leaves nothing written, even inside a caller's
// transaction that carries on and commits.
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
});
afterAll(() => db.drop());

/** Every figure a write could touch, to show that a refusal left them all as they were. */
async function everything() {
  const [row] = await db.dataSource.query(`
    SELECT (SELECT COUNT(*) FROM ledger_transfer) AS transfers, (SELECT COUNT(*) FROM point_lot) AS lots,
           (SELECT COUNT(*) FROM lot_consumption) AS consumptions, (SELECT SUM(remaining) FROM point_lot) AS remaining,
           (SELECT string_agg(concat_ws(':', "accountId", shard, "debitsPosted", "creditsPosted", "debitsPending", "creditsPending"), ','
                              ORDER BY "accountId", shard) FROM ledger_balance) AS balances`);
  return row;
}

it('earns and burns in one round trip each, and replays in one', async () => {
  const { partner, wallet } = await p.partner(1_000);
  const { account: member } = await p.member();
  const earn = {
    source: `partner:${partner.id}`,
    key: randomUUID(),
    legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount: 100, kind: 'earn' as const, expiresAt: days(30) }],
  };
  const burn = {
    source: 'api',
    key: randomUUID(),
    legs: [{ debitAccountId: member.id, creditAccountId: p.program.redemption.id, amount: 40, kind: 'burn' as const }],
  };

  expect(await statementsDuring(() => p.ledger.transfer(earn))).toHaveLength(1);
  expect(await statementsDuring(() => p.ledger.transfer(burn))).toHaveLength(1);
  const replay = await statementsDuring(async () => expect((await p.ledger.transfer(burn)).replayed).toBe(true));
  expect(replay).toHaveLength(1);

  expect(await p.available(member.id)).toBe(60);
  expect(await p.available(wallet.id)).toBe(900);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});

it('writes nothing for a refusal, even in a caller transaction that goes on and commits', async () => {
  const { wallet } = await p.partner(1_000);
  const { wallet: poor } = await p.partner(5);
  // Members are locked and changed in id order: the one credited comes before the one who cannot pay.
  const [first, second] = [(await p.member()).account, (await p.member()).account].sort((a, b) => (a.id < b.id ? -1 : 1));
  await p.ledger.transfer({
    source: 'test',
    key: randomUUID(),
    legs: [{ debitAccountId: wallet.id, creditAccountId: second!.id, amount: 10, kind: 'earn' }],
  });
  const before = await everything();

  await db.dataSource.transaction(async (manager) => {
    const memberShort = p.ledger.transfer(
      {
        source: 'test',
        key: randomUUID(),
        legs: [
          { debitAccountId: wallet.id, creditAccountId: first!.id, amount: 50, kind: 'earn' },
          { debitAccountId: second!.id, creditAccountId: p.program.redemption.id, amount: 500, kind: 'burn' },
        ],
      },
      manager,
    );
    await expect(memberShort).rejects.toThrow(InsufficientFundsError);
    const walletShort = p.ledger.transfer(
      { source: 'test', key: randomUUID(), legs: [{ debitAccountId: poor.id, creditAccountId: first!.id, amount: 50, kind: 'earn' }] },
      manager,
    );
    await expect(walletShort).rejects.toMatchObject({ code: 'insufficient_funds', available: 5, requested: 50 });
    const lotsShort = p.ledger.transfer(
      {
        source: 'test',
        key: randomUUID(),
        legs: [
          { debitAccountId: second!.id, creditAccountId: p.program.breakage.id, amount: 9, kind: 'expire', fromLotIds: [randomUUID()] },
        ],
      },
      manager,
    );
    await expect(lotsShort).rejects.toThrow(InvalidTransferError);
  });

  expect(await everything()).toEqual(before);
  expect(await p.available(first!.id)).toBe(0);
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});
