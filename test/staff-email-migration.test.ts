import { afterAll, beforeAll, expect, it } from 'vitest';
import { StaffEmailIgnoresCase1795975588864 } from '../entities/migrations/1795975588864-StaffEmailIgnoresCase.js';
import { signIn } from '../admin/staff-sign-in.js';
import { hashPassword } from '../admin/passwords.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

async function migrate(direction: 'up' | 'down') {
  const runner = db.dataSource.createQueryRunner();
  try {
    await new StaffEmailIgnoresCase1795975588864()[direction](runner);
  } finally {
    await runner.release();
  }
}

it('keeps the oldest of accounts whose emails differ only by case, renames the others for the operator to fix, and says so in the audit log', async () => {
  await migrate('down');
  const add = async (email: string, name: string, createdAt: string) =>
    (
      await db.dataSource.query(
        `INSERT INTO staff_user (email, name, role, "passwordHash", "createdAt") VALUES ($1, $2, 'analyst', $3, $4) RETURNING id`,
        [email, name, await hashPassword(`password of ${name}`), createdAt],
      )
    )[0].id as string;
  const first = await add('analyst@tessera.demo', 'First', '2026-01-01T00:00:00Z');
  const second = await add('Analyst@tessera.demo', 'Second', '2026-02-01T00:00:00Z');
  const third = await add('ANALYST@TESSERA.DEMO', 'Third', '2026-03-01T00:00:00Z');
  const alone = await add('Care@Tessera.demo', 'Alone', '2026-01-15T00:00:00Z');

  await migrate('up');

  const emails = Object.fromEntries(
    ((await db.dataSource.query(`SELECT id, email FROM staff_user`)) as { id: string; email: string }[]).map((r) => [r.id, r.email]),
  );
  expect(emails).toEqual({
    [first]: 'analyst@tessera.demo',
    [second]: 'Analyst@tessera.demo (duplicate 2: set another email)',
    [third]: 'ANALYST@TESSERA.DEMO (duplicate 3: set another email)',
    [alone]: 'Care@Tessera.demo',
  });
  // Nobody was deleted, and sign-in finds the one account the email now names.
  expect((await signIn(db.dataSource.manager, 'ANALYST@tessera.demo', 'password of First'))?.id).toBe(first);
  expect(await signIn(db.dataSource.manager, 'analyst@tessera.demo', 'password of Second')).toBeNull();
  expect((await signIn(db.dataSource.manager, 'care@tessera.demo', 'password of Alone'))?.id).toBe(alone);
  const told = await db.dataSource.query(
    `SELECT "recordId", "staffEmail", action, before, after FROM audit_entry WHERE resource = 'StaffUser' ORDER BY "recordId" = $1`,
    [third],
  );
  expect(told).toEqual([
    {
      recordId: second,
      staffEmail: 'upgrade: one account per email',
      action: 'edit',
      before: { email: 'Analyst@tessera.demo' },
      after: { email: 'Analyst@tessera.demo (duplicate 2: set another email)' },
    },
    {
      recordId: third,
      staffEmail: 'upgrade: one account per email',
      action: 'edit',
      before: { email: 'ANALYST@TESSERA.DEMO' },
      after: { email: 'ANALYST@TESSERA.DEMO (duplicate 3: set another email)' },
    },
  ]);
  // From now on the database itself refuses a second account in another case.
  await expect(add('CARE@tessera.demo', 'Twin', '2026-04-01T00:00:00Z')).rejects.toMatchObject({ driverError: { code: '23505' } });

  // And back: the plain unique constraint returns (the renamed emails stay as they are).
  await migrate('down');
  await expect(add('care@tessera.demo', 'Twin', '2026-04-01T00:00:00Z')).resolves.toBeDefined();
  await expect(add('care@tessera.demo', 'Triplet', '2026-04-01T00:00:00Z')).rejects.toMatchObject({ driverError: { code: '23505' } });
  await db.dataSource.query(`DELETE FROM staff_user WHERE name = 'Twin'`);
  await migrate('up');
});
