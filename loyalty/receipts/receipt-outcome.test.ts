import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiRequest, EarningRule, PointOfSale, ProgramSettings, Receipt } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { forgetProgramConfiguration } from '../earning/program-configuration.js';
import { checkLedger } from '../ledger/invariants.js';
import { requestHash } from '../ledger/request.js';
import { settleReceiptReading } from './receipt-outcome.js';
import { acceptReceipt } from './receipt-review.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let green: Awaited<ReturnType<typeof p.partner>>;
const careAgent = randomUUID();

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, eventBackdateDays: 62 });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  forgetProgramConfiguration(db.dataSource);
  green = await p.partner(100_000_000);
  await m.insert(PointOfSale, {
    partnerId: green.partner.id,
    code: 'high-street',
    name: 'High Street',
    channel: 'store',
    receiptNames: ['Green Grocer'],
  });
});
afterAll(() => db.drop());

const yesterday = () => {
  const d = new Date(Date.now() - 86_400_000);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
};
const receiptText = (total: string) => `GREEN GROCER\n12 Market Street\nDate: ${yesterday()}\nTOTAL ${total}\nCARD ${total}\n`;

async function uploaded(externalId: string) {
  const member = await p.member(externalId);
  const receipt = await db.dataSource.manager.save(
    db.dataSource.manager.create(Receipt, {
      memberId: member.member.id,
      source: 'dashboard',
      imageKey: externalId,
      imageType: 'image/jpeg',
    }),
  );
  return { receipt, account: member.account.id };
}
const read = (id: string, text: string) => settleReceiptReading(db.dataSource, p.ledger, id, { text, confidence: 95 });
const receiptOf = (id: string) => db.dataSource.manager.findOneByOrFail(Receipt, { id });
const ledgerTrue = async () => expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);

it('sends a total above what a purchase may be to care as unreadable, paying nothing, however many digits it has', async () => {
  for (const [name, total] of [
    ['big', '2000000.00'],
    ['huge', '12345678901234567.00'],
  ] as const) {
    const { receipt, account } = await uploaded(`rc-${name}`);
    expect((await read(receipt.id, receiptText(total))).outcome).toBe('review');
    expect(await receiptOf(receipt.id)).toMatchObject({ status: 'review', reviewReason: 'unreadable', points: null });
    expect(await p.available(account)).toBe(0);
  }
  // The largest purchase the API takes still pays by itself.
  const { receipt, account } = await uploaded('rc-largest');
  expect((await read(receipt.id, receiptText('1000000.00'))).outcome).toBe('awarded');
  expect(await p.available(account)).toBe(1_000_000);
  await ledgerTrue();
});

it("refuses care's total above what a purchase may be, under the field, paying nothing", async () => {
  const { receipt, account } = await uploaded('rc-care');
  expect((await read(receipt.id, 'GREEN GROCER\nTOTAL ~~\n')).outcome).toBe('review');
  const accept = (total: string) =>
    acceptReceipt(db.dataSource, p.ledger, {
      receiptId: receipt.id,
      agentId: careAgent,
      corrections: { store: `partner:${green.partner.id}`, purchasedOn: new Date().toISOString().slice(0, 10), total },
    });
  await expect(accept('2000000')).rejects.toMatchObject({ problems: { total: expect.stringContaining('at most 1000000') } });
  expect(await receiptOf(receipt.id)).toMatchObject({ status: 'review', points: null });
  expect(await p.available(account)).toBe(0);
  expect((await accept('12.50')).points).toBe(12);
  await ledgerTrue();
});

it("pays a receipt whatever Idempotency-Key the store's own API requests used", async () => {
  const claimKey = (id: string) =>
    db.dataSource.manager.insert(ApiRequest, {
      partnerId: green.partner.id,
      idempotencyKey: `receipt-${id}`,
      requestHash: requestHash('POST /api/v1/events', { id }),
      status: 201,
      response: null,
    });
  const read1 = await uploaded('rc-key-read');
  await claimKey(read1.receipt.id);
  expect((await read(read1.receipt.id, receiptText('14.63'))).outcome).toBe('awarded');
  expect(await p.available(read1.account)).toBe(14);

  const reviewed = await uploaded('rc-key-care');
  await claimKey(reviewed.receipt.id);
  expect((await read(reviewed.receipt.id, 'GREEN GROCER\nTOTAL ~~\n')).outcome).toBe('review');
  const accepted = await acceptReceipt(db.dataSource, p.ledger, {
    receiptId: reviewed.receipt.id,
    agentId: careAgent,
    corrections: { store: `partner:${green.partner.id}`, purchasedOn: new Date().toISOString().slice(0, 10), total: '20' },
  });
  expect(accepted.points).toBe(20);
  // Read again (a replayed activity): nothing more.
  expect((await read(read1.receipt.id, receiptText('14.63'))).outcome).toBe('already_settled');
  expect(await p.available(read1.account)).toBe(14);
  await ledgerTrue();
});
