import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram, days } from '../../test/support/program.js';
import {
  IdempotencyConflictError,
  InsufficientFundsError,
  InvalidTransferError,
  NotReversibleError,
  PendingTransferResolvedError,
} from './errors.js';
import { balanceOf } from './accounts.js';
import { checkLedger } from './invariants.js';
import { openCreditProgramAccounts, openMemberCreditAccount } from './accounts.js';
import { CreditProgram } from '../../entities/index.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
});
afterAll(() => db.drop());

const key = () => randomUUID();

async function lotsOf(accountId: string) {
  const lots: { points: string; remaining: string; fundingPartnerId: string | null; expiresAt: Date | null }[] = await db.dataSource.query(
    `SELECT points, remaining, "fundingPartnerId", "expiresAt" FROM point_lot WHERE "memberAccountId" = $1 ORDER BY "createdAt", id`,
    [accountId],
  );
  return lots.map((lot) => ({ ...lot, points: Number(lot.points), remaining: Number(lot.remaining) }));
}

async function expectLedgerTrue() {
  const report = await checkLedger(db.dataSource.manager);
  expect(report.violations).toEqual([]);
}

describe('earn, burn, expire, reverse', () => {
  it('moves points between wallet, member and program accounts and keeps lots in step', async () => {
    const { partner, wallet } = await p.partner(10_000);
    const { account: member } = await p.member();
    const earn = (amount: number, expiresAt: Date) =>
      p.ledger.transfer({
        source: `partner:${partner.id}`,
        key: key(),
        legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount, kind: 'earn', expiresAt }],
      });

    const long = await earn(100, days(30));
    await earn(50, days(10));
    expect(await p.available(member.id)).toBe(150);
    expect(await p.available(wallet.id)).toBe(9_850);

    // A burn takes the earliest-expiring lot first.
    const burn = await p.ledger.transfer({
      source: 'api',
      key: key(),
      legs: [{ debitAccountId: member.id, creditAccountId: p.program.redemption.id, amount: 70, kind: 'burn' }],
    });
    expect(await p.available(member.id)).toBe(80);
    expect((await lotsOf(member.id)).map((l: { remaining: number }) => l.remaining)).toEqual([80, 0]);

    // Expiry takes exactly the lot that expired, and the breakage account receives it.
    const [longLot] = await db.dataSource.query(`SELECT id FROM point_lot WHERE "creditTransferId" = $1`, [long.transfers[0]!.id]);
    // ...and nothing else: a lot spent already cannot expire points of another.
    const [spentLot] = await db.dataSource.query(`SELECT id FROM point_lot WHERE "memberAccountId" = $1 AND remaining = 0`, [member.id]);
    await expect(
      p.ledger.transfer({
        source: 'system:expiry',
        key: key(),
        legs: [
          { debitAccountId: member.id, creditAccountId: p.program.breakage.id, amount: 10, kind: 'expire', fromLotIds: [spentLot.id] },
        ],
      }),
    ).rejects.toThrow('fromLotIds: the lots named hold 0 points, 10 requested');
    await p.ledger.transfer({
      source: 'system:expiry',
      key: key(),
      legs: [{ debitAccountId: member.id, creditAccountId: p.program.breakage.id, amount: 30, kind: 'expire', fromLotIds: [longLot.id] }],
    });
    expect(await p.available(member.id)).toBe(50);

    // Reversing the burn gives the points back to the lots they came from.
    const reversal = await p.ledger.reverse({ source: 'care', key: key(), transferId: burn.transfers[0]!.id });
    expect(reversal.transfers[0]).toMatchObject({ kind: 'reversal', amount: 70, reversesTransferId: burn.transfers[0]!.id });
    expect(await p.available(member.id)).toBe(120);
    expect((await lotsOf(member.id)).map((l: { remaining: number }) => l.remaining)).toEqual([70, 50]);
    await expect(p.ledger.reverse({ source: 'care', key: key(), transferId: burn.transfers[0]!.id })).rejects.toBeInstanceOf(
      NotReversibleError,
    );

    // A partial reversal of an earn (a partial refund) takes back from that earn's own lot first.
    await p.ledger.reverse({ source: 'api', key: key(), transferId: long.transfers[0]!.id, amount: 40 });
    expect(await p.available(member.id)).toBe(80);
    expect(await p.available(wallet.id)).toBe(9_890);
    expect((await lotsOf(member.id)).map((l: { remaining: number }) => l.remaining)).toEqual([30, 50]);
    await expect(p.ledger.reverse({ source: 'api', key: key(), transferId: long.transfers[0]!.id, amount: 61 })).rejects.toThrow(
      /amount: must be at most 60/,
    );
    await expectLedgerTrue();
  });

  it('keeps the funding partner and expiry of points a member gives to another member', async () => {
    const { partner, wallet } = await p.partner(1_000);
    const { account: giver } = await p.member();
    const { account: receiver } = await p.member();
    const expiresAt = days(20);
    await p.ledger.transfer({
      source: 'api',
      key: key(),
      legs: [{ debitAccountId: wallet.id, creditAccountId: giver.id, amount: 100, kind: 'earn', expiresAt }],
    });
    await p.ledger.transfer({
      source: 'api',
      key: key(),
      legs: [{ debitAccountId: giver.id, creditAccountId: receiver.id, amount: 60, kind: 'transfer' }],
    });
    const [lot] = await lotsOf(receiver.id);
    expect(lot).toMatchObject({ points: 60, remaining: 60, fundingPartnerId: partner.id });
    expect(new Date(lot!.expiresAt!).getTime()).toBe(expiresAt.getTime());
    expect(await p.available(giver.id)).toBe(40);
    await expectLedgerTrue();
  });
});

describe('idempotency', () => {
  it('returns the first result for a replay and writes nothing', async () => {
    const { wallet } = await p.partner(1_000);
    const { account: member } = await p.member();
    const request = {
      source: 'partner:replay',
      key: key(),
      legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount: 25, kind: 'earn' as const }],
    };
    const first = await p.ledger.transfer(request);
    const count = await p.transferCount();
    const again = await p.ledger.transfer(structuredClone(request));
    expect(again.replayed).toBe(true);
    expect(again.transfers.map((t) => t.id)).toEqual(first.transfers.map((t) => t.id));
    expect(await p.transferCount()).toBe(count);
    expect(await p.available(member.id)).toBe(25);
  });

  it('answers concurrent twins of one request with one transfer', async () => {
    const { wallet } = await p.partner(1_000);
    const { account: member } = await p.member();
    const request = {
      source: 'partner:twins',
      key: key(),
      legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount: 10, kind: 'earn' as const }],
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => p.ledger.transfer(request)));
    expect(new Set(results.map((r) => r.transfers[0]!.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await p.available(member.id)).toBe(10);
  });

  it('answers four concurrent twins of a burn of all the points with the first result: one transfer', async () => {
    const { wallet } = await p.partner(1_000);
    const { account: member } = await p.member();
    await p.ledger.transfer({
      source: 'test',
      key: key(),
      legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount: 40, kind: 'earn' }],
    });
    // Each twin after the first finds the member with nothing left: it must answer the first burn, not a refusal.
    const request = {
      source: 'partner:burn-twins',
      key: key(),
      legs: [{ debitAccountId: member.id, creditAccountId: p.program.redemption.id, amount: 40, kind: 'burn' as const }],
    };
    const count = await p.transferCount();
    const results = await Promise.all(Array.from({ length: 4 }, () => p.ledger.transfer(structuredClone(request))));
    expect(new Set(results.map((r) => r.transfers[0]!.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await p.transferCount()).toBe(count + 1);
    expect(await p.available(member.id)).toBe(0);
    await expectLedgerTrue();
  });

  it('refuses a key reused for a request with more legs, writing none of them', async () => {
    const { wallet } = await p.partner(1_000);
    const { account: member } = await p.member();
    const { account: other } = await p.member();
    const k = key();
    const leg = { debitAccountId: wallet.id, creditAccountId: member.id, amount: 5, kind: 'earn' as const };
    await p.ledger.transfer({ source: 'partner:more-legs', key: k, legs: [leg] });
    const count = await p.transferCount();
    await expect(
      p.ledger.transfer({ source: 'partner:more-legs', key: k, legs: [leg, { ...leg, creditAccountId: other.id }] }),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(await p.transferCount()).toBe(count);
    expect(await p.available(other.id)).toBe(0);
    expect(await p.available(wallet.id)).toBe(995);
    await expectLedgerTrue();
  });

  it('refuses the same key with a different request, writing nothing', async () => {
    const { wallet } = await p.partner(1_000);
    const { account: member } = await p.member();
    const k = key();
    const leg = { debitAccountId: wallet.id, creditAccountId: member.id, amount: 25, kind: 'earn' as const };
    await p.ledger.transfer({ source: 'partner:conflict', key: k, legs: [leg] });
    const count = await p.transferCount();
    await expect(p.ledger.transfer({ source: 'partner:conflict', key: k, legs: [{ ...leg, amount: 26 }] })).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
    // The same key from another source is another request.
    await p.ledger.transfer({ source: 'partner:other', key: k, legs: [leg] });
    expect(await p.transferCount()).toBe(count + 1);
    expect(await p.available(member.id)).toBe(50);
  });
});

describe("within a caller's transaction", () => {
  it('commits with the caller and writes nothing when the caller fails', async () => {
    const { wallet } = await p.partner(1_000);
    const { account: member } = await p.member();
    const leg = { debitAccountId: wallet.id, creditAccountId: member.id, amount: 30, kind: 'earn' as const };
    await expect(
      db.dataSource.transaction(async (manager) => {
        await p.ledger.transfer({ source: 'api', key: key(), legs: [leg] }, manager);
        throw new Error('the invoice could not be numbered');
      }),
    ).rejects.toThrow('the invoice could not be numbered');
    expect(await p.available(member.id)).toBe(0);
    expect(await p.available(wallet.id)).toBe(1_000);

    await db.dataSource.transaction((manager) => p.ledger.transfer({ source: 'api', key: key(), legs: [leg] }, manager));
    expect(await p.available(member.id)).toBe(30);
    await expect(p.ledger.transfer({ source: 'api', key: key(), legs: [leg] }, db.dataSource.manager)).rejects.toThrow(
      /needs that manager to be in a transaction/,
    );
    await expectLedgerTrue();
  });
});

describe('refusals', () => {
  it('refuses an overdraft with a clear error and writes nothing, not even the legs that could pay', async () => {
    const { wallet } = await p.partner(1_000);
    const { account: member } = await p.member();
    await p.ledger.transfer({
      source: 'api',
      key: key(),
      legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount: 80, kind: 'earn' }],
    });
    const count = await p.transferCount();
    const error = await p.ledger
      .transfer({
        source: 'api',
        key: key(),
        legs: [
          { debitAccountId: wallet.id, creditAccountId: member.id, amount: 5, kind: 'bonus' },
          { debitAccountId: member.id, creditAccountId: p.program.redemption.id, amount: 100, kind: 'burn' },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientFundsError);
    expect((error as InsufficientFundsError).message).toMatch(/^Account member:\S+ has 80 points available, 100 requested$/);
    expect(await p.transferCount()).toBe(count);
    expect(await p.available(member.id)).toBe(80);
    expect(await p.available(wallet.id)).toBe(920);
  });

  it('refuses an earn the partner wallet cannot cover, even when spread over shards', async () => {
    const { wallet } = await p.partner(100);
    const { account: member } = await p.member();
    // 100 points over 16 shards: no shard alone can pay 90, so the ledger gathers them first.
    await p.ledger.transfer({
      source: 'api',
      key: key(),
      legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount: 90, kind: 'earn' }],
    });
    await expect(
      p.ledger.transfer({
        source: 'api',
        key: key(),
        legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount: 11, kind: 'earn' }],
      }),
    ).rejects.toThrow(/has 10 points available, 11 requested/);
    expect(await p.available(wallet.id)).toBe(10);
    await expectLedgerTrue();
  });

  it('names the field of a malformed request', async () => {
    const { wallet } = await p.partner();
    await expect(
      p.ledger.transfer({
        source: 'api',
        key: key(),
        legs: [{ debitAccountId: wallet.id, creditAccountId: 'nope', amount: 1, kind: 'earn' }],
      }),
    ).rejects.toThrow(new InvalidTransferError('legs[0].creditAccountId', 'must be a UUID'));
    await expect(
      p.ledger.transfer({
        source: 'api',
        key: key(),
        legs: [{ debitAccountId: wallet.id, creditAccountId: wallet.id, amount: 1.5, kind: 'earn' }],
      }),
    ).rejects.toThrow(/legs\[0\]\.creditAccountId: must differ/);
    await expect(p.ledger.transfer({ source: 'api', key: '', legs: [] })).rejects.toThrow(/idempotencyKey: must be a non-empty string/);
  });
});

describe('holds', () => {
  async function heldMember() {
    const { wallet } = await p.partner(1_000);
    const { account: member } = await p.member();
    await p.ledger.transfer({
      source: 'api',
      key: key(),
      legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount: 100, kind: 'earn', expiresAt: days(5) }],
    });
    const hold = await p.ledger.hold({
      source: 'fulfilment',
      key: key(),
      until: days(30),
      legs: [{ debitAccountId: member.id, creditAccountId: p.program.redemption.id, amount: 60, kind: 'burn' }],
    });
    return { member, pending: hold.transfers[0]! };
  }

  it('hold then post: the points leave for good, and the hold cannot be voided after', async () => {
    const { member, pending } = await heldMember();
    expect(pending.phase).toBe('pending');
    expect(await p.available(member.id)).toBe(40);
    expect(await p.posted(member.id)).toBe(100);
    const posted = await p.ledger.post({ source: 'fulfilment', key: key(), pendingTransferId: pending.id });
    expect(posted.transfers[0]).toMatchObject({ phase: 'post', pendingTransferId: pending.id, amount: 60 });
    expect(await p.posted(member.id)).toBe(40);
    expect(await p.available(member.id)).toBe(40);
    await expect(p.ledger.void({ source: 'fulfilment', key: key(), pendingTransferId: pending.id })).rejects.toBeInstanceOf(
      PendingTransferResolvedError,
    );
    await expectLedgerTrue();
  });

  it('hold then void: the points return to their lots, and the hold cannot be posted after', async () => {
    const { member, pending } = await heldMember();
    await p.ledger.void({ source: 'fulfilment', key: key(), pendingTransferId: pending.id });
    expect(await p.available(member.id)).toBe(100);
    expect((await lotsOf(member.id))[0]!.remaining).toBe(100);
    await expect(p.ledger.post({ source: 'fulfilment', key: key(), pendingTransferId: pending.id })).rejects.toThrow(/already voided/);
    await expectLedgerTrue();
  });

  it('posts or voids a hold once when both race', async () => {
    const { member, pending } = await heldMember();
    const outcomes = await Promise.allSettled([
      p.ledger.post({ source: 'fulfilment', key: key(), pendingTransferId: pending.id }),
      p.ledger.void({ source: 'fulfilment', key: key(), pendingTransferId: pending.id }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect([40, 100]).toContain(await p.available(member.id));
    await expectLedgerTrue();
  });

  describe('partial post', () => {
    /** 100 points in two lots (70 expiring first, 30 later), 90 of them held: 70 from the first lot, 20 from the second. */
    async function twoLotsHeld() {
      const { wallet } = await p.partner(1_000);
      const { account: member } = await p.member();
      for (const [amount, expiresAt] of [
        [70, days(5)],
        [30, days(50)],
      ] as const) {
        await p.ledger.transfer({
          source: 'api',
          key: key(),
          legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount, kind: 'earn', expiresAt }],
        });
      }
      const hold = await p.ledger.hold({
        source: 'checkout',
        key: key(),
        until: days(1),
        legs: [{ debitAccountId: member.id, creditAccountId: p.program.redemption.id, amount: 90, kind: 'burn' }],
      });
      return { member, pending: hold.transfers[0]! };
    }

    it('posts part of a hold and gives the rest back to the very lots the hold took', async () => {
      const { member, pending } = await twoLotsHeld();
      const redemptionBefore = await p.posted(p.program.redemption.id);
      const posted = await p.ledger.post({ source: 'checkout', key: key(), pendingTransferId: pending.id, amount: 50 });
      expect(posted.transfers[0]).toMatchObject({ phase: 'post', pendingTransferId: pending.id, amount: 50 });
      expect(await p.available(member.id)).toBe(50);
      expect(await p.posted(member.id)).toBe(50);
      expect((await p.posted(p.program.redemption.id)) - redemptionBefore).toBe(50);
      // The 40 not posted go back to the lot the hold took last first: the later lot is whole again.
      expect((await lotsOf(member.id)).map((l) => l.remaining)).toEqual([20, 30]);
      await expect(p.ledger.post({ source: 'checkout', key: key(), pendingTransferId: pending.id, amount: 10 })).rejects.toBeInstanceOf(
        PendingTransferResolvedError,
      );
      await expectLedgerTrue();
    });

    it('reverses a partial post to the lots its points came from, never beyond what was posted', async () => {
      const { member, pending } = await twoLotsHeld();
      const posted = await p.ledger.post({ source: 'checkout', key: key(), pendingTransferId: pending.id, amount: 50 });
      await p.ledger.reverse({ source: 'checkout', key: key(), transferId: posted.transfers[0]!.id, amount: 20 });
      expect((await lotsOf(member.id)).map((l) => l.remaining)).toEqual([40, 30]);
      await p.ledger.reverse({ source: 'checkout', key: key(), transferId: posted.transfers[0]!.id });
      expect((await lotsOf(member.id)).map((l) => l.remaining)).toEqual([70, 30]);
      expect(await p.available(member.id)).toBe(100);
      await expect(p.ledger.reverse({ source: 'checkout', key: key(), transferId: posted.transfers[0]!.id })).rejects.toBeInstanceOf(
        NotReversibleError,
      );
      await expectLedgerTrue();
    });

    it('refuses to post more than was held, naming the amount, and writes nothing', async () => {
      const { member, pending } = await twoLotsHeld();
      const before = await p.transferCount();
      await expect(p.ledger.post({ source: 'checkout', key: key(), pendingTransferId: pending.id, amount: 91 })).rejects.toThrow(
        'amount: must be at most 90, the points held',
      );
      await expect(p.ledger.post({ source: 'checkout', key: key(), pendingTransferId: pending.id, amount: 0 })).rejects.toBeInstanceOf(
        InvalidTransferError,
      );
      expect(await p.transferCount()).toBe(before);
      expect(await p.available(member.id)).toBe(10);
      await expectLedgerTrue();
    });

    it('replays a partial post with the same key, and refuses the key for another amount', async () => {
      const { member, pending } = await twoLotsHeld();
      const request = { source: 'checkout', key: key(), pendingTransferId: pending.id, amount: 30 };
      const first = await p.ledger.post(request);
      const again = await p.ledger.post(request);
      expect(again.replayed).toBe(true);
      expect(again.transfers[0]!.id).toBe(first.transfers[0]!.id);
      await expect(p.ledger.post({ ...request, amount: 40 })).rejects.toBeInstanceOf(IdempotencyConflictError);
      expect(await p.available(member.id)).toBe(70);
      await expectLedgerTrue();
    });

    it('lets one of two racing partial posts, or a post and a void, settle the hold', async () => {
      for (const rival of ['post', 'void'] as const) {
        const { member, pending } = await twoLotsHeld();
        const outcomes = await Promise.allSettled([
          p.ledger.post({ source: 'checkout', key: key(), pendingTransferId: pending.id, amount: 40 }),
          rival === 'post'
            ? p.ledger.post({ source: 'checkout', key: key(), pendingTransferId: pending.id, amount: 60 })
            : p.ledger.void({ source: 'checkout', key: key(), pendingTransferId: pending.id }),
        ]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect(outcomes.find((o) => o.status === 'rejected')!.reason).toBeInstanceOf(PendingTransferResolvedError);
        const expected = outcomes[0].status === 'fulfilled' ? 60 : rival === 'post' ? 40 : 100;
        expect(await p.available(member.id)).toBe(expected);
      }
      await expectLedgerTrue();
    });
  });

  it('refuses a hold that would credit a member', async () => {
    const { wallet } = await p.partner(100);
    const { account: member } = await p.member();
    await expect(
      p.ledger.hold({
        source: 'api',
        key: key(),
        until: days(30),
        legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount: 5, kind: 'earn' }],
      }),
    ).rejects.toThrow(/legs\[0\]\.creditAccountId: a hold cannot credit a member/);
  });
});

describe('pending credits (pending points)', () => {
  async function pendingCredit(amount = 80) {
    const { partner, wallet } = await p.partner(1_000);
    const { account: member } = await p.member();
    const hold = await p.ledger.holdCredit({
      source: `partner:${partner.id}`,
      key: key(),
      until: days(14),
      legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount, kind: 'earn' }],
    });
    return { partner, wallet, member, pending: hold.transfers[0]! };
  }

  it('shows the points as incoming, not spendable, and takes them from the payer at once', async () => {
    const { wallet, member } = await pendingCredit();
    expect(await balanceOf(db.dataSource.manager, member.id)).toEqual({ posted: 0, held: 0, available: 0, incoming: 80 });
    expect(await p.available(wallet.id)).toBe(920);
    expect(await lotsOf(member.id)).toEqual([]);
    await expect(
      p.ledger.transfer({
        source: 'api',
        key: key(),
        legs: [{ debitAccountId: member.id, creditAccountId: p.program.redemption.id, amount: 1, kind: 'burn' }],
      }),
    ).rejects.toBeInstanceOf(InsufficientFundsError);
    await expectLedgerTrue();
  });

  it('posted, makes the lot then, funded by the payer and expiring when the post says', async () => {
    const { partner, member, pending } = await pendingCredit();
    const expiresAt = days(400);
    await p.ledger.post({ source: 'timer', key: key(), pendingTransferId: pending.id, expiresAt });
    expect(await p.available(member.id)).toBe(80);
    expect(await lotsOf(member.id)).toEqual([{ points: 80, remaining: 80, fundingPartnerId: partner.id, expiresAt }]);
    await expectLedgerTrue();
  });

  it('posted, keeps the funder a program account named when it held the points (a partner budget pays)', async () => {
    const { partner } = await p.partner(0);
    const { account: member } = await p.member();
    const hold = await p.ledger.holdCredit({
      source: 'api',
      key: key(),
      until: days(14),
      legs: [
        { debitAccountId: p.program.marketing.id, creditAccountId: member.id, amount: 30, kind: 'earn', fundingPartnerId: partner.id },
      ],
    });
    await p.ledger.post({ source: 'timer', key: key(), pendingTransferId: hold.transfers[0]!.id, expiresAt: null });
    expect(await lotsOf(member.id)).toEqual([{ points: 30, remaining: 30, fundingPartnerId: partner.id, expiresAt: null }]);
    await expectLedgerTrue();
  });

  it('voided, gives the payer its points back and leaves the member nothing', async () => {
    const { wallet, member, pending } = await pendingCredit();
    await p.ledger.void({ source: 'refund', key: key(), pendingTransferId: pending.id });
    expect(await balanceOf(db.dataSource.manager, member.id)).toEqual({ posted: 0, held: 0, available: 0, incoming: 0 });
    expect(await p.available(wallet.id)).toBe(1_000);
    expect(await lotsOf(member.id)).toEqual([]);
    await expectLedgerTrue();
  });

  it('refuses a pending credit the payer cannot cover, to anyone but a member, or from a member', async () => {
    const { wallet, member } = await pendingCredit();
    const { account: other } = await p.member();
    const hold = (debitAccountId: string, creditAccountId: string, amount: number) =>
      p.ledger.holdCredit({
        source: 'api',
        key: key(),
        until: days(14),
        legs: [{ debitAccountId, creditAccountId, amount, kind: 'earn' }],
      });
    await expect(hold(wallet.id, other.id, 921)).rejects.toBeInstanceOf(InsufficientFundsError);
    await expect(hold(wallet.id, p.program.redemption.id, 5)).rejects.toThrow(
      /legs\[0\]\.creditAccountId: a pending credit goes to a member/,
    );
    await expect(hold(member.id, other.id, 5)).rejects.toThrow(
      /legs\[0\]\.debitAccountId: a pending credit comes from a partner or the program/,
    );
    await expectLedgerTrue();
  });
});

describe('concurrency', () => {
  it('200 concurrent earns on one wallet and 200 concurrent burns over 20 members end exact', async () => {
    const { wallet } = await p.partner(100_000);
    const members = await Promise.all(Array.from({ length: 20 }, () => p.member()));
    for (const { account } of members) {
      await p.ledger.transfer({
        source: 'seed',
        key: key(),
        legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount: 100, kind: 'earn' }],
      });
    }
    const earns = Array.from({ length: 200 }, (_, i) =>
      p.ledger.transfer({
        source: 'partner:hot',
        key: key(),
        legs: [{ debitAccountId: wallet.id, creditAccountId: members[i % 20]!.account.id, amount: 7, kind: 'earn' }],
      }),
    );
    const burns = Array.from({ length: 200 }, (_, i) =>
      p.ledger.transfer({
        source: 'api',
        key: key(),
        legs: [{ debitAccountId: members[i % 20]!.account.id, creditAccountId: p.program.redemption.id, amount: 3, kind: 'burn' }],
      }),
    );
    await Promise.all([...earns, ...burns]);
    expect(await p.available(wallet.id)).toBe(100_000 - 20 * 100 - 200 * 7);
    for (const { account } of members) expect(await p.available(account.id)).toBe(100 + 10 * 7 - 10 * 3);
    await expectLedgerTrue();
  });
});

describe('units', () => {
  async function euroCredit() {
    const program = await db.dataSource.manager.save(CreditProgram, {
      name: `Club ${randomUUID().slice(0, 8)}`,
      currency: 'EUR',
      partnerIds: [],
      cashbackPercent: 5,
    });
    const accounts = await openCreditProgramAccounts(db.dataSource.manager, program);
    const enrolled = await p.member();
    const credit = await openMemberCreditAccount(db.dataSource.manager, enrolled.member, program);
    return { program, ...accounts, points: enrolled.account, credit };
  }

  it('refuses a transfer whose leg mixes points and euros, naming the leg, and writes nothing', async () => {
    const { wallet } = await p.partner(1_000);
    const { issuance, credit, points } = await euroCredit();
    const before = await p.transferCount();
    await expect(
      p.ledger.transfer({
        source: 'api',
        key: key(),
        legs: [
          { debitAccountId: issuance.id, creditAccountId: credit.id, amount: 200, kind: 'cashback' },
          { debitAccountId: wallet.id, creditAccountId: credit.id, amount: 100, kind: 'earn' },
        ],
      }),
    ).rejects.toThrow(/^legs\[1\]\.creditAccountId: counts EUR but the debited account counts points/);
    const refused = await p.ledger
      .transfer({
        source: 'api',
        key: key(),
        legs: [{ debitAccountId: points.id, creditAccountId: credit.id, amount: 1, kind: 'transfer' }],
      })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidTransferError);
    expect((refused as InvalidTransferError).field).toBe('legs[0].creditAccountId');
    expect((refused as InvalidTransferError).reason).toMatch(/counts EUR but the debited account counts points/);
    expect(await p.transferCount()).toBe(before);
    expect(await p.available(credit.id)).toBe(0);
    await expectLedgerTrue();
  });

  it("converts a member's points to store credit at a recorded rate, both legs or neither, once per key", async () => {
    const { wallet } = await p.partner(1_000);
    const { issuance, credit, points } = await euroCredit();
    await p.ledger.transfer({
      source: 'api',
      key: key(),
      legs: [{ debitAccountId: wallet.id, creditAccountId: points.id, amount: 500, kind: 'earn' }],
    });
    const request = {
      source: 'member',
      key: key(),
      from: { debitAccountId: points.id, creditAccountId: p.program.redemption.id, amount: 300 },
      to: { debitAccountId: issuance.id, creditAccountId: credit.id },
      rate: 0.5,
      rateValidFrom: new Date('2026-11-01T00:00:00Z'),
    };
    const converted = await p.ledger.convert(request);
    expect(converted.transfers.map((t) => [t.kind, t.amount])).toEqual([
      ['conversion', 300],
      ['conversion', 150],
    ]);
    expect(converted.transfers[1]!.references).toMatchObject({
      rate: '0.5',
      rateFrom: 'points',
      rateTo: 'EUR',
      rateValidFrom: '2026-11-01T00:00:00.000Z',
    });
    expect(converted.transfers[1]!.explanation[0]!.reason).toBe('300 points → 150 EUR at 0.5');
    expect(await p.available(points.id)).toBe(200);
    expect(await p.available(credit.id)).toBe(150);
    expect((await p.ledger.convert(structuredClone(request))).replayed).toBe(true);
    expect(await p.available(credit.id)).toBe(150);

    // More points than the member has: neither leg is written.
    await expect(p.ledger.convert({ ...request, key: key(), from: { ...request.from, amount: 201 } })).rejects.toBeInstanceOf(
      InsufficientFundsError,
    );
    // Both sides in one unit is no conversion.
    await expect(
      p.ledger.convert({ ...request, key: key(), to: { debitAccountId: wallet.id, creditAccountId: p.program.breakage.id } }),
    ).rejects.toThrow('to.debitAccountId: counts points as the other side does: nothing to convert');
    expect(await p.available(points.id)).toBe(200);
    expect(await p.available(credit.id)).toBe(150);
    await expectLedgerTrue();
  });
});
