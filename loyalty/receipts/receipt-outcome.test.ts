import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiRequest, EarningRule, MemberLink, PointOfSale, ProgramSettings, Receipt } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { receiptSent } from '../../test/support/receipt-sent.js';
import { forgetProgramConfiguration } from '../earning/program-configuration.js';
import { checkLedger } from '../ledger/invariants.js';
import { requestHash } from '../ledger/request.js';
import { recordEvent } from '../earning/record-event.js';
import { inTransaction } from '../ledger/transaction.js';
import { memberReceipts } from './member-receipts.js';
import { settleReceiptReading } from './receipt-outcome.js';
import { acceptReceipt, receiptReviewReasonExplanations, rejectReceipt } from './receipt-review.js';

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

/** A receipt `memberId` sent, waiting for its reading. */
const sentBy = (memberId: string) => receiptSent(db.dataSource.manager, memberId);

async function uploaded(externalId: string) {
  const member = await p.member(externalId);
  return { receipt: await sentBy(member.member.id), account: member.account.id, memberId: member.member.id };
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

it('sends a second receipt of the same store, day and total to care as a likely duplicate, however differently it reads', async () => {
  const { receipt, account, memberId } = await uploaded('rc-near');
  expect((await read(receipt.id, receiptText('23.40'))).outcome).toBe('awarded');
  expect(await p.available(account)).toBe(23);

  // Another photo of the same purchase: lines read this time, so another text hash.
  const again = await sentBy(memberId);
  const secondPhoto = `GREEN GROCER\n12 Market Street\nDate: ${yesterday()}\nApples 10.40\nPears 13.00\nTOTAL 23.40\n`;
  expect((await read(again.id, secondPhoto)).outcome).toBe('review');
  const held = await receiptOf(again.id);
  expect(held).toMatchObject({ status: 'review', reviewReason: 'likely_duplicate', points: null });
  expect(held.fingerprint).not.toBe((await receiptOf(receipt.id)).fingerprint);
  expect(receiptReviewReasonExplanations.likely_duplicate).toBe(
    "Same store, date and total as a purchase already paid to this member (a receipt, or the store's own).",
  );
  expect(await p.available(account)).toBe(23);

  // Another total the same day at the same store is another purchase: it pays.
  const other = await sentBy(memberId);
  expect((await read(other.id, receiptText('5.00'))).outcome).toBe('awarded');
  expect(await p.available(account)).toBe(28);
  // So does another member's purchase of the same store, day and total.
  const friend = await uploaded('rc-near-friend');
  const friendsReceipt = `GREEN GROCER\n12 Market Street\nDate: ${yesterday()}\nCheese 23.40\nTOTAL 23.40\n`;
  expect((await read(friend.receipt.id, friendsReceipt)).outcome).toBe('awarded');
  expect(await p.available(friend.account)).toBe(23);

  // Care looked at it: a second purchase after all, and it pays once.
  const accepted = await acceptReceipt(db.dataSource, p.ledger, { receiptId: again.id, agentId: careAgent, corrections: {} });
  expect(accepted.points).toBe(23);
  expect(await p.available(account)).toBe(51);
  await ledgerTrue();
});

it("pays the member who sent the receipt, never a customer of the store whose id looks like the receipt's link", async () => {
  // Ann's reference is the id another store knows her by; Green Grocer has a customer of its own
  // literally called receipt-<that reference>, and another whose id is receipt-<Ann's member id>.
  const ann = await uploaded('rc-link-ann');
  const bob = await p.member('receipt-rc-link-ann', green.partner.id);
  const carol = await p.member('rc-link-carol');
  await db.dataSource.manager.insert(MemberLink, {
    partnerId: green.partner.id,
    customerId: `receipt-${ann.memberId}`,
    memberId: carol.member.id,
    cause: 'store',
  });

  expect((await read(ann.receipt.id, receiptText('31.00'))).outcome).toBe('awarded');
  expect(await p.available(ann.account)).toBe(31);
  expect(await p.available(bob.account.id)).toBe(0);
  expect(await p.available(carol.account.id)).toBe(0);
  // Her next receipt at the store goes the same way, through the link the first one made.
  const next = await sentBy(ann.memberId);
  expect((await read(next.id, receiptText('9.00'))).outcome).toBe('awarded');
  expect(await p.available(ann.account)).toBe(40);
  const annLinks = await db.dataSource.manager.findBy(MemberLink, { partnerId: green.partner.id, memberId: ann.memberId });
  expect(annLinks).toHaveLength(1);
  expect(await p.available(carol.account.id)).toBe(0);
  await ledgerTrue();
});

/** Care accepts the receipt as read: the points it paid, or the message care reads instead. */
const accepted = (receiptId: string) =>
  acceptReceipt(db.dataSource, p.ledger, { receiptId, agentId: careAgent, corrections: {} }).then(
    (paid) => paid.points,
    (error: { problems?: Record<string, string> }) => {
      if (!error.problems) throw error;
      return error.problems;
    },
  );

it('pays two copies of one receipt that care accepts at once only once, and refuses a copy of a paid receipt naming what was paid', async () => {
  const { receipt: first, account, memberId } = await uploaded('rc-copies');
  // Hard to read the first time: it waits for care, and its copy waits as a copy.
  const text = receiptText('17.25');
  expect((await settleReceiptReading(db.dataSource, p.ledger, first.id, { text, confidence: 30 })).outcome).toBe('review');
  const second = await sentBy(memberId);
  expect((await read(second.id, text)).outcome).toBe('review');
  expect(await receiptOf(second.id)).toMatchObject({ reviewReason: 'duplicate' });

  // Two agents, one copy each, at the same moment.
  const answers = await Promise.all([accepted(first.id), accepted(second.id)]);
  expect(answers.filter((a) => a === 17)).toHaveLength(1);
  const refused = answers.find((a) => a !== 17) as Record<string, string>;
  expect(refused.receipt).toMatch(/^Not paid: the same receipt was already paid: 17 points, sent on \d{4}-\d{2}-\d{2}\. Reject it/);
  expect(await p.available(account)).toBe(17);

  // A third copy sent after the payment waits as a copy; care is told the same and rejects it.
  const third = await sentBy(memberId);
  expect((await read(third.id, text)).outcome).toBe('review');
  expect(await accepted(third.id)).toMatchObject({ receipt: expect.stringContaining('the same receipt was already paid: 17 points') });
  const unpaid = answers[0] === 17 ? second : first;
  for (const copy of [unpaid, third]) {
    expect(await receiptOf(copy.id)).toMatchObject({ status: 'review', points: null });
    await rejectReceipt(db.dataSource, {
      receiptId: copy.id,
      agentId: careAgent,
      reason: 'You sent this receipt before: it was paid once.',
    });
  }
  const seen = await memberReceipts(db.dataSource.manager, memberId);
  expect(seen.filter((r) => r.status === 'rejected').map((r) => r.rejectionReason)).toEqual([
    'You sent this receipt before: it was paid once.',
    'You sent this receipt before: it was paid once.',
  ]);
  expect(seen.filter((r) => r.status === 'awarded').map((r) => r.points)).toEqual([17]);
  expect(await p.available(account)).toBe(17);
  await ledgerTrue();
});

/** The store's own purchase for the member, sent through the partner API as `POST /events` records it. */
function storeSent(externalId: string, amountCents: number, occurredAt: Date) {
  return inTransaction(db.dataSource, (manager) =>
    recordEvent(manager, p.ledger, {
      partnerId: green.partner.id,
      member: { externalId },
      type: 'purchase',
      amountCents,
      occurredAt,
      receivedAt: new Date(),
    }),
  );
}

it("sends a receipt of a purchase the store sent itself to care as a likely duplicate, and refuses care's acceptance naming it", async () => {
  const member = await p.member('rc-store-sent', green.partner.id);
  const purchasedAt = new Date(Date.now() - 86_400_000);
  purchasedAt.setUTCHours(12, 0, 0, 0);
  await storeSent('rc-store-sent', 1_840, purchasedAt);
  expect(await p.available(member.account.id)).toBe(18);

  const receipt = await sentBy(member.member.id);
  expect((await read(receipt.id, receiptText('18.40'))).outcome).toBe('review');
  expect(await receiptOf(receipt.id)).toMatchObject({ status: 'review', reviewReason: 'likely_duplicate', points: null });
  expect(await accepted(receipt.id)).toEqual({
    receipt: `Not paid: the store already sent this purchase (18.40 at ${purchasedAt.toISOString().slice(0, 10)} 12:00 UTC) and it paid 18 points. Reject it with a reason for the member, or accept it anyway if it is another purchase.`,
    anotherPurchase: 'if it is another purchase, say why here',
  });
  expect(await receiptOf(receipt.id)).toMatchObject({ status: 'review', points: null });
  expect(await p.available(member.account.id)).toBe(18);

  // Another total that day is another purchase: it pays by itself.
  const other = await sentBy(member.member.id);
  expect((await read(other.id, receiptText('6.10'))).outcome).toBe('awarded');
  expect(await p.available(member.account.id)).toBe(24);
  await ledgerTrue();
});

it("sees the store's purchase on the receipt's local day on either side of UTC midnight (Amsterdam after midnight, New York in the evening)", async () => {
  // The receipt is dated D, two days ago: both store purchases below lie in the past whenever the test runs.
  const day = new Date(Date.now() - 2 * 86_400_000);
  day.setUTCHours(0, 0, 0, 0);
  const dated = `${String(day.getUTCDate()).padStart(2, '0')}/${String(day.getUTCMonth() + 1).padStart(2, '0')}/${day.getUTCFullYear()}`;
  for (const [name, occurredAt, total] of [
    ['amsterdam', new Date(day.getTime() - 30 * 60_000), '9.99'], // 00:30 on D in Amsterdam: 23:30 UTC the day before
    ['new-york', new Date(day.getTime() + 86_400_000 + 30 * 60_000), '7.49'], // 19:30 on D in New York: 00:30 UTC the day after
  ] as const) {
    const member = await p.member(`rc-midnight-${name}`, green.partner.id);
    await storeSent(`rc-midnight-${name}`, Math.round(Number(total) * 100), occurredAt);
    const paidByStore = await p.available(member.account.id);
    const receipt = await sentBy(member.member.id);
    const text = `GREEN GROCER\n12 Market Street\nDate: ${dated}\nTOTAL ${total}\nCARD ${total}\n`;
    expect((await read(receipt.id, text)).outcome).toBe('review');
    expect(await receiptOf(receipt.id)).toMatchObject({ status: 'review', reviewReason: 'likely_duplicate', points: null });
    expect(await accepted(receipt.id)).toMatchObject({ receipt: expect.stringContaining('the store already sent this purchase') });
    expect(await p.available(member.account.id)).toBe(paidByStore);
  }
  await ledgerTrue();
});

it('lets care accept anyway a receipt of another purchase of the same day and total as the store sent, with its reason recorded, paying once however often it is accepted', async () => {
  const member = await p.member('rc-two-coffees', green.partner.id);
  const purchasedAt = new Date(Date.now() - 86_400_000);
  purchasedAt.setUTCHours(9, 0, 0, 0);
  await storeSent('rc-two-coffees', 350, purchasedAt);
  expect(await p.available(member.account.id)).toBe(3);
  const receipt = await sentBy(member.member.id);
  expect((await read(receipt.id, receiptText('3.50'))).outcome).toBe('review');
  const anyway = (reason: unknown) =>
    acceptReceipt(db.dataSource, p.ledger, { receiptId: receipt.id, agentId: careAgent, corrections: { anotherPurchase: reason } }).then(
      (paid) => paid,
      (error: { problems?: Record<string, string> }) => error.problems ?? Promise.reject(error),
    );
  // Without a reason it is refused as before; a reason too short is refused under its field.
  expect(await accepted(receipt.id)).toMatchObject({ receipt: expect.stringContaining('the store already sent this purchase') });
  expect(await anyway('   ')).toEqual({ anotherPurchase: 'say why it is another purchase (at least 5 characters)' });
  expect(await anyway('two')).toEqual({ anotherPurchase: 'say why it is another purchase (at least 5 characters)' });
  expect(await p.available(member.account.id)).toBe(3);

  // Two agents (or a double click) accept at once: it pays once, the other is told it was settled.
  const reason = 'Two coffees: one through the app, one paid cash (the till roll shows both)';
  const results = await Promise.all([anyway(reason), anyway(reason)]);
  expect(results.filter((r) => 'points' in r)).toEqual([expect.objectContaining({ points: 3, acceptedAnywayReason: reason })]);
  expect(results.filter((r) => !('points' in r))).toEqual([{ receipt: 'was already settled: points awarded' }]);
  expect(await receiptOf(receipt.id)).toMatchObject({ status: 'awarded', points: 3, acceptedAnywayReason: reason, reviewedBy: careAgent });
  expect(await p.available(member.account.id)).toBe(6);

  // A copy of the paper it accepted is never another purchase.
  const copy = await sentBy(member.member.id);
  expect((await read(copy.id, receiptText('3.50'))).outcome).toBe('review');
  expect(
    await acceptReceipt(db.dataSource, p.ledger, {
      receiptId: copy.id,
      agentId: careAgent,
      corrections: { anotherPurchase: reason },
    }).catch((e: { problems: unknown }) => e.problems),
  ).toEqual({
    anotherPurchase: 'the same receipt cannot be another purchase: reject it',
  });
  expect(await p.available(member.account.id)).toBe(6);
  await ledgerTrue();
});

it("counts a yen program's receipts in yen, as its stores' purchases are: the receipt of the store's own ¥1,200 purchase is seen as it, and care types whole yen", async () => {
  await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { currency: 'JPY' });
  forgetProgramConfiguration(db.dataSource);
  try {
    const member = await p.member('rc-yen', green.partner.id);
    const purchasedAt = new Date(Date.now() - 86_400_000);
    purchasedAt.setUTCHours(12, 0, 0, 0);
    await storeSent('rc-yen', 1_200, purchasedAt);
    const paid = await p.available(member.account.id);
    // A point a yen, as a point a euro: the rules count units of the program's currency.
    expect(paid).toBe(1_200);

    const copy = await sentBy(member.member.id);
    expect((await read(copy.id, receiptText('1200.00'))).outcome).toBe('review');
    expect(await receiptOf(copy.id)).toMatchObject({ totalCents: 1_200, reviewReason: 'likely_duplicate', points: null });
    // Care reads the store's purchase in yen.
    expect(
      await acceptReceipt(db.dataSource, p.ledger, { receiptId: copy.id, agentId: careAgent, corrections: {} }).catch(
        (e: { problems: Record<string, string> }) => e.problems.receipt,
      ),
    ).toMatch(/^Not paid: the store already sent this purchase \(1200 at /);

    const unread = await sentBy(member.member.id);
    expect((await read(unread.id, 'GREEN GROCER\nTOTAL ~~\n')).outcome).toBe('review');
    const accept = (total: string) =>
      acceptReceipt(db.dataSource, p.ledger, {
        receiptId: unread.id,
        agentId: careAgent,
        corrections: { store: `partner:${green.partner.id}`, purchasedOn: purchasedAt.toISOString().slice(0, 10), total },
      });
    expect(await accept('980.50').catch((e: { problems: unknown }) => e.problems)).toEqual({
      total: 'must be a whole amount: JPY has no decimals',
    });
    const accepted = await accept('980');
    expect(accepted.points).toBe(980);
    expect(await receiptOf(unread.id)).toMatchObject({ status: 'awarded', totalCents: 980 });
    expect(await p.available(member.account.id)).toBe(paid + accepted.points);
    // The member reads their receipt's total in yen too.
    const [shown] = await memberReceipts(db.dataSource.manager, member.member.id);
    expect(shown).toMatchObject({ id: unread.id, total: '¥980' });
    await ledgerTrue();
  } finally {
    await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { currency: 'EUR' });
    forgetProgramConfiguration(db.dataSource);
  }
});
