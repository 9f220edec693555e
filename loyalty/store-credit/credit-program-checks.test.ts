import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreditProgram, EarningRule, ProgramSettings } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { recordEvent } from '../earning/record-event.js';
import { checkCreditProgram } from './credit-program-checks.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shopId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, currency: 'EUR' });
  await db.dataSource.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  shopId = (await p.partner(10_000)).partner.id;
});
afterAll(() => db.drop());

const form = (program: CreditProgram, changes: Record<string, unknown>) =>
  checkCreditProgram(
    db.dataSource.manager,
    {
      name: program.name,
      currency: program.currency,
      partnerIds: program.partnerIds,
      cashbackPercent: program.cashbackPercent,
      active: program.active,
      ...changes,
    },
    { id: program.id },
  );

it("refuses to change the currency of a program whose members hold credit in it: their cents would be read as another currency's", async () => {
  const program = await db.dataSource.manager.save(
    db.dataSource.manager.create(CreditProgram, { name: 'Euro cashback', currency: 'EUR', partnerIds: [shopId], cashbackPercent: 5 }),
  );
  // Nothing earned yet: the currency may still be corrected.
  expect(await form(program, { currency: 'USD' })).toEqual({});
  await db.dataSource.transaction((manager) =>
    recordEvent(manager, p.ledger, {
      partnerId: shopId,
      member: { externalId: 'checks-ann' },
      type: 'purchase',
      amountCents: 4_000,
      currency: 'EUR',
      occurredAt: new Date(),
      receivedAt: new Date(),
    }),
  );
  expect(await form(program, { currency: 'USD' })).toEqual({
    currency: 'never changes once members have credit accounts in the program (counted in EUR): make a new program for another currency',
  });
  expect(await form(program, { name: 'Euro cashback club' })).toEqual({});
});

it('a program whose members have credit accounts cannot be deleted: their credit would vanish from every balance and report', async () => {
  const program = await db.dataSource.manager.findOneByOrFail(CreditProgram, { name: 'Euro cashback' });
  await expect(db.dataSource.manager.delete(CreditProgram, { id: program.id })).rejects.toThrow(
    /violates RESTRICT setting of foreign key constraint/,
  );
  expect(await db.dataSource.manager.existsBy(CreditProgram, { id: program.id })).toBe(true);
});
