import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  const p = await createProgram(db.dataSource);
  const { wallet } = await p.partner(5_000);
  for (const name of ['check-ann', 'check-bob']) {
    const { account } = await p.member(name);
    await p.ledger.transfer({
      source: 'test',
      key: `earn-${name}`,
      legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount: 300, kind: 'earn' }],
    });
  }
});
afterAll(() => db.drop());

function ledgerCheck() {
  const result = spawnSync('npm', ['run', '--silent', 'ledger:check'], {
    env: { ...process.env, DATABASE_URL: db.url },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

it('exits 0 on a sound ledger and 1, naming the account at fault, after a balance is tampered with', async () => {
  const sound = ledgerCheck();
  expect(sound.output).toContain('All invariants hold.');
  expect(sound.status).toBe(0);

  await db.dataSource.query(
    `UPDATE ledger_balance b SET "creditsPosted" = "creditsPosted" + 50
       FROM ledger_account a WHERE a.id = b."accountId" AND a.code = 'member:check-bob'`,
  );
  const tampered = ledgerCheck();
  expect(tampered.status).toBe(1);
  expect(tampered.output).toMatch(/member:check-bob: cached balance equals the sum of transfers — shard 0: .*credits posted 350 \(300\)/);
  expect(tampered.output).toMatch(
    /member:check-bob: member balance equals the sum of their lots' remaining points — available 350, lots hold 300/,
  );
  expect(tampered.output).toContain('all accounts sum to zero');
  expect(tampered.output).not.toContain('member:check-ann');
});
