import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram, days } from '../../test/support/program.js';
import { checkLedger } from './invariants.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
});
afterAll(() => db.drop());

const incremental = () => checkLedger(db.dataSource.manager, { mode: 'incremental', record: true });

it('checks only what was written since the last good check, and still catches a balance tampered after it', async () => {
  const shop = await p.partner(10_000);
  const ann = await p.member('check-ann');
  const bob = await p.member('check-bob');
  const earn = (account: string, amount: number, key: string) =>
    p.ledger.transfer({
      source: 'test',
      key,
      legs: [{ debitAccountId: shop.wallet.id, creditAccountId: account, amount, kind: 'earn', expiresAt: days(300) }],
    });
  await earn(ann.account.id, 100, 'ann-1');
  await earn(bob.account.id, 100, 'bob-1');

  // No checkpoint yet: the first check runs in full and becomes the checkpoint.
  const first = await incremental();
  expect(first).toMatchObject({ ok: true, mode: 'full', violations: [] });

  await earn(ann.account.id, 50, 'ann-2');
  const held = await p.ledger.hold({
    source: 'test',
    key: 'ann-hold',
    until: days(1),
    legs: [{ debitAccountId: ann.account.id, creditAccountId: p.program.redemption.id, amount: 30, kind: 'burn' }],
  });
  await p.ledger.void({ source: 'test', key: 'ann-void', pendingTransferId: held.transfers[0]!.id });
  const second = await incremental();
  expect(second).toMatchObject({ ok: true, mode: 'incremental', since: first.checkedAt, transfers: 3, violations: [] });

  // Bob's balance has not moved since the checkpoint: edited in place, it is still reported.
  await db.dataSource.query(`UPDATE ledger_balance SET "creditsPosted" = "creditsPosted" + 500 WHERE "accountId" = $1`, [bob.account.id]);
  const tampered = await incremental();
  expect(tampered).toMatchObject({ ok: false, mode: 'incremental', transfers: 0 });
  expect(tampered.violations.map((v) => [v.subject, v.invariant])).toEqual(
    expect.arrayContaining([
      ['member:check-bob', 'cached balance equals the sum of transfers'],
      ['ledger (points)', 'all accounts sum to zero in each unit'],
    ]),
  );
  // A failed check is no checkpoint: the next one still starts from the last good one, and still sees it.
  expect(await incremental()).toMatchObject({ ok: false, since: second.checkedAt });
  await db.dataSource.query(`UPDATE ledger_balance SET "creditsPosted" = "creditsPosted" - 500 WHERE "accountId" = $1`, [bob.account.id]);
  expect(await incremental()).toMatchObject({ ok: true, mode: 'incremental' });
  // Once the last full check is older than `fullEvery` (a week by default), the next check runs in full.
  expect(await checkLedger(db.dataSource.manager, { mode: 'incremental', fullEvery: 0 })).toMatchObject({ ok: true, mode: 'full' });
});

it('leaves history rewritten in place to the full check', async () => {
  const shop = await p.partner(10_000);
  const cid = await p.member('check-cid');
  await p.ledger.transfer({
    source: 'test',
    key: 'cid-1',
    legs: [{ debitAccountId: shop.wallet.id, creditAccountId: cid.account.id, amount: 100, kind: 'earn', expiresAt: days(300) }],
  });
  expect(await incremental()).toMatchObject({ ok: true });
  // A lot's remainder edited without a consumption, for a member nothing touched since: beyond the
  // incremental check's sight, caught by the full one.
  await db.dataSource.query(`UPDATE point_lot SET remaining = remaining - 1 WHERE "memberAccountId" = $1`, [cid.account.id]);
  expect(await incremental()).toMatchObject({ ok: true, mode: 'incremental' });
  const full = await checkLedger(db.dataSource.manager, { mode: 'full' });
  expect(full.ok).toBe(false);
  expect(full.violations.map((v) => v.invariant)).toEqual(
    expect.arrayContaining([
      "member balance equals the sum of their lots' remaining points",
      'lot remainder equals its points minus its consumptions',
    ]),
  );
  await db.dataSource.query(`UPDATE point_lot SET remaining = remaining + 1 WHERE "memberAccountId" = $1`, [cid.account.id]);
});

it('the full check sums holds released by partial posts and voids, and catches a tampered pending total or an overdraft', async () => {
  const shop = await p.partner(10_000);
  const dee = await p.member('check-dee');
  await p.ledger.transfer({
    source: 'test',
    key: 'dee-1',
    legs: [{ debitAccountId: shop.wallet.id, creditAccountId: dee.account.id, amount: 100, kind: 'earn', expiresAt: days(300) }],
  });
  const hold = (key: string, amount: number) =>
    p.ledger.hold({
      source: 'test',
      key,
      until: days(1),
      legs: [{ debitAccountId: dee.account.id, creditAccountId: p.program.redemption.id, amount, kind: 'burn' }],
    });
  const posted = await hold('dee-hold-1', 30);
  // A partial post releases the whole hold (30) and moves 20 of it.
  await p.ledger.post({ source: 'test', key: 'dee-post', pendingTransferId: posted.transfers[0]!.id, amount: 20 });
  const voided = await hold('dee-hold-2', 10);
  await p.ledger.void({ source: 'test', key: 'dee-void', pendingTransferId: voided.transfers[0]!.id });
  await hold('dee-hold-3', 5);
  expect(await checkLedger(db.dataSource.manager, { mode: 'full' })).toMatchObject({ ok: true, violations: [] });

  await db.dataSource.query(`UPDATE ledger_balance SET "debitsPending" = "debitsPending" + 7 WHERE "accountId" = $1`, [dee.account.id]);
  const pending = await checkLedger(db.dataSource.manager, { mode: 'full' });
  expect(pending.violations).toEqual(
    expect.arrayContaining([
      {
        invariant: 'cached balance equals the sum of transfers',
        subject: 'member:check-dee',
        detail: 'shard 0: debits posted 20 (transfers say 20), credits posted 100 (100), debits pending 12 (5), credits pending 0 (0)',
      },
    ]),
  );
  await db.dataSource.query(`UPDATE ledger_balance SET "debitsPending" = "debitsPending" - 7 WHERE "accountId" = $1`, [dee.account.id]);

  // An overdraft the balance row's own flag let through is still one for the account.
  await db.dataSource.query(
    `UPDATE ledger_balance SET "mayGoNegative" = true, "debitsPosted" = "debitsPosted" + 200 WHERE "accountId" = $1`,
    [dee.account.id],
  );
  const overdrawn = await checkLedger(db.dataSource.manager, { mode: 'full' });
  expect(overdrawn.violations).toEqual(
    expect.arrayContaining([
      { invariant: 'no overdraft where it is not allowed', subject: 'member:check-dee', detail: 'available -125, lowest shard -125' },
    ]),
  );
  await db.dataSource.query(
    `UPDATE ledger_balance SET "mayGoNegative" = false, "debitsPosted" = "debitsPosted" - 200 WHERE "accountId" = $1`,
    [dee.account.id],
  );
  expect(await checkLedger(db.dataSource.manager, { mode: 'full' })).toMatchObject({ ok: true });
});

it('reports a lot or a lot consumption whose transfer does not exist, in full and for what was touched since the last check', async () => {
  const shop = await p.partner(10_000);
  const eve = await p.member('check-eve');
  const earn = (amount: number, key: string) =>
    p.ledger.transfer({
      source: 'test',
      key,
      legs: [{ debitAccountId: shop.wallet.id, creditAccountId: eve.account.id, amount, kind: 'earn', expiresAt: days(300) }],
    });
  await earn(100, 'eve-1');
  await p.ledger.transfer({
    source: 'test',
    key: 'eve-burn',
    legs: [{ debitAccountId: eve.account.id, creditAccountId: p.program.redemption.id, amount: 40, kind: 'burn' }],
  });
  expect(await incremental()).toMatchObject({ ok: true });
  await earn(10, 'eve-2');
  const [consumption] = await db.dataSource.query(
    `SELECT c.id, c."transferId", c."lotId" FROM lot_consumption c JOIN point_lot l ON l.id = c."lotId" WHERE l."memberAccountId" = $1`,
    [eve.account.id],
  );
  const lots: { id: string; creditTransferId: string }[] = await db.dataSource.query(
    `SELECT id, "creditTransferId" FROM point_lot WHERE "memberAccountId" = $1 ORDER BY id`,
    [eve.account.id],
  );
  const ghost = '00000000-0000-4000-8000-00000000dead';
  // No foreign key keeps these links (ledger_transfer is partitioned): the check must.
  await db.dataSource.query(`UPDATE point_lot SET "creditTransferId" = $2 WHERE "memberAccountId" = $1`, [eve.account.id, ghost]);
  await db.dataSource.query(`UPDATE lot_consumption SET "transferId" = $2 WHERE id = $1`, [consumption.id, ghost]);

  const dangling = (lot: string) => ({
    invariant: 'lots and lot consumptions name a transfer that exists',
    subject: `member:check-eve lot ${lot}`,
    detail: `credited by transfer ${ghost}, which does not exist`,
  });
  const consumed = {
    invariant: 'lots and lot consumptions name a transfer that exists',
    subject: `member:check-eve lot ${consumption.lotId} consumption ${consumption.id}`,
    detail: `consumed by transfer ${ghost}, which does not exist`,
  };
  // Eve's balance moved since the checkpoint: her lots are checked; the burn's consumption is older.
  const since = await checkLedger(db.dataSource.manager, { mode: 'incremental' });
  expect(since).toMatchObject({ ok: false, mode: 'incremental' });
  expect(since.violations).toEqual(lots.map((l) => dangling(l.id)));
  const full = await checkLedger(db.dataSource.manager, { mode: 'full' });
  expect(full.violations).toEqual([...lots.map((l) => dangling(l.id)), consumed]);

  for (const lot of lots)
    await db.dataSource.query(`UPDATE point_lot SET "creditTransferId" = $2 WHERE id = $1`, [lot.id, lot.creditTransferId]);
  await db.dataSource.query(`UPDATE lot_consumption SET "transferId" = $2 WHERE id = $1`, [consumption.id, consumption.transferId]);
  expect(await checkLedger(db.dataSource.manager, { mode: 'full' })).toMatchObject({ ok: true });
});

it('reports a hold resolved twice, which no unique index on the transfers (partitioned by month) prevents', async () => {
  const shop = await p.partner(10_000);
  const fay = await p.member('check-fay');
  await p.ledger.transfer({
    source: 'test',
    key: 'fay-1',
    legs: [{ debitAccountId: shop.wallet.id, creditAccountId: fay.account.id, amount: 100, kind: 'earn', expiresAt: days(300) }],
  });
  const held = await p.ledger.hold({
    source: 'test',
    key: 'fay-hold',
    until: days(1),
    legs: [{ debitAccountId: fay.account.id, creditAccountId: p.program.redemption.id, amount: 30, kind: 'burn' }],
  });
  const hold = held.transfers[0]!.id;
  await p.ledger.post({ source: 'test', key: 'fay-post', pendingTransferId: hold });
  expect(await incremental()).toMatchObject({ ok: true });
  const [{ id: second }] = await db.dataSource.query(
    `INSERT INTO ledger_transfer (id, "debitAccountId", "debitShard", "creditAccountId", "creditShard", amount, kind, phase,
                                  "pendingTransferId", "idempotencySource", "idempotencyKey", leg, "requestHash")
     SELECT gen_random_uuid(), "debitAccountId", "debitShard", "creditAccountId", "creditShard", amount, kind, 'void',
            "pendingTransferId", 'test', 'fay-second', 0, 'h'
       FROM ledger_transfer WHERE "pendingTransferId" = $1 RETURNING id`,
    [hold],
  );
  const twice = {
    invariant: 'a hold is posted or voided once, by a transfer that matches it',
    subject: `transfer ${hold}`,
    detail: 'resolved 2 times',
  };
  expect((await checkLedger(db.dataSource.manager, { mode: 'incremental' })).violations).toEqual(expect.arrayContaining([twice]));
  expect((await checkLedger(db.dataSource.manager, { mode: 'full' })).violations).toEqual(expect.arrayContaining([twice]));
  await db.dataSource.query(`DELETE FROM ledger_transfer WHERE id = $1`, [second]);
  expect(await checkLedger(db.dataSource.manager, { mode: 'full' })).toMatchObject({ ok: true });
});

it('reports a consumption whose lot does not exist (no foreign key guards it: point_lot is partitioned), fully and incrementally', async () => {
  const shop = await p.partner(10_000);
  const gus = await p.member('check-gus');
  const move = (kind: 'earn' | 'burn', key: string) =>
    p.ledger.transfer({
      source: 'test',
      key,
      legs:
        kind === 'earn'
          ? [{ debitAccountId: shop.wallet.id, creditAccountId: gus.account.id, amount: 100, kind, expiresAt: days(300) }]
          : [{ debitAccountId: gus.account.id, creditAccountId: p.program.redemption.id, amount: 40, kind }],
    });
  await move('earn', 'gus-1');
  expect(await incremental()).toMatchObject({ ok: true });
  const burn = await move('burn', 'gus-burn');
  const lost = '00000000-0000-4000-8000-00000000dead';
  const [[consumption]] = await db.dataSource.query(`UPDATE lot_consumption SET "lotId" = $2 WHERE "transferId" = $1 RETURNING id`, [
    burn.transfers[0]!.id,
    lost,
  ]);
  const dangling = {
    invariant: "every lot consumption's lot exists",
    subject: `consumption ${consumption.id}`,
    detail: `lot ${lost} of transfer ${burn.transfers[0]!.id}, 40 points`,
  };
  expect((await incremental()).violations).toEqual(expect.arrayContaining([dangling]));
  expect((await checkLedger(db.dataSource.manager, { mode: 'full' })).violations).toEqual(expect.arrayContaining([dangling]));
  await db.dataSource.query(`UPDATE lot_consumption c SET "lotId" = l.id FROM point_lot l WHERE c.id = $1 AND l."memberAccountId" = $2`, [
    consumption.id,
    gus.account.id,
  ]);
  expect(await checkLedger(db.dataSource.manager, { mode: 'full' })).toMatchObject({ ok: true });
});

it("reports a transfer without its idempotency claim (a replay would write it again), a claim or a hold's resolution without its transfer", async () => {
  const shop = await p.partner(10_000);
  const hal = await p.member('check-hal');
  const first = await p.ledger.transfer({
    source: 'test',
    key: 'hal-1',
    legs: [{ debitAccountId: shop.wallet.id, creditAccountId: hal.account.id, amount: 100, kind: 'earn', expiresAt: days(300) }],
  });
  const held = await p.ledger.hold({
    source: 'test',
    key: 'hal-hold',
    until: days(1),
    legs: [{ debitAccountId: hal.account.id, creditAccountId: p.program.redemption.id, amount: 30, kind: 'burn' }],
  });
  const hold = held.transfers[0]!.id;
  const posted = await p.ledger.post({ source: 'test', key: 'hal-post', pendingTransferId: hold });
  expect(await incremental()).toMatchObject({ ok: true });
  const earned = first.transfers[0]!.id;

  // The unique index on the transfers kept the key before they were partitioned; now only the claim does.
  await db.dataSource.query(`UPDATE ledger_idempotency SET key = 'hal-1-elsewhere' WHERE "transferId" = $1`, [earned]);
  const unclaimed = {
    invariant: 'every transfer holds its idempotency key, and every key claimed names its transfer',
    subject: `transfer ${earned}`,
    detail: 'test/hal-1 leg 0 is not claimed',
  };
  expect((await checkLedger(db.dataSource.manager, { mode: 'full' })).violations).toEqual([unclaimed]);
  await db.dataSource.query(`UPDATE ledger_idempotency SET key = 'hal-1' WHERE "transferId" = $1`, [earned]);

  const ghost = '00000000-0000-4000-8000-00000000dead';
  await db.dataSource.query(
    `INSERT INTO ledger_idempotency (source, key, leg, "transferId", "requestHash", "createdAt") VALUES ('test', 'hal-ghost', 0, $1, 'h', now())`,
    [ghost],
  );
  await db.dataSource.query(`UPDATE ledger_hold_resolution SET "transferId" = $2 WHERE "pendingTransferId" = $1`, [hold, ghost]);
  const resolution = {
    invariant: 'a hold is posted or voided once, by a transfer that matches it',
    subject: `transfer ${hold}`,
  };
  expect((await checkLedger(db.dataSource.manager, { mode: 'full' })).violations).toEqual([
    {
      invariant: 'every transfer holds its idempotency key, and every key claimed names its transfer',
      subject: `transfer ${ghost}`,
      detail: 'test/hal-ghost leg 0 is claimed by a transfer that does not exist',
    },
    { ...resolution, detail: `its resolution names transfer ${ghost}, which does not resolve it` },
    { ...resolution, detail: `resolved by transfer ${posted.transfers[0]!.id}, which its resolution does not name` },
  ]);
  await db.dataSource.query(`DELETE FROM ledger_idempotency WHERE key = 'hal-ghost'`);
  await db.dataSource.query(`UPDATE ledger_hold_resolution SET "transferId" = $2 WHERE "pendingTransferId" = $1`, [
    hold,
    posted.transfers[0]!.id,
  ]);
  expect(await checkLedger(db.dataSource.manager, { mode: 'full' })).toMatchObject({ ok: true });

  // Incrementally: a new transfer without its claim, and what the missing claim lets happen: the same request written again.
  const burn = () =>
    p.ledger.transfer({
      source: 'test',
      key: 'hal-burn',
      legs: [{ debitAccountId: hal.account.id, creditAccountId: p.program.redemption.id, amount: 5, kind: 'burn' }],
    });
  const burnt = (await burn()).transfers[0]!.id;
  await db.dataSource.query(`UPDATE ledger_idempotency SET key = 'hal-burn-elsewhere' WHERE "transferId" = $1`, [burnt]);
  expect((await checkLedger(db.dataSource.manager, { mode: 'incremental' })).violations).toEqual([
    { ...unclaimed, subject: `transfer ${burnt}`, detail: 'test/hal-burn leg 0 is not claimed' },
  ]);
  expect((await burn()).replayed).toBe(false);
});
