import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram, days } from '../../test/support/program.js';
import { InsufficientFundsError } from './errors.js';
import { checkLedger } from './invariants.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
});
afterAll(() => db.drop());

const memberIndex = fc.integer({ min: 0, max: 2 });
const points = fc.integer({ min: 1, max: 60 });
// Earns, holds and their resolutions weigh more: without them holds seldom exist when a resolution comes.
const operation = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('earn' as const),
      to: memberIndex,
      amount: points,
      expiresIn: fc.option(fc.integer({ min: 1, max: 90 })),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant('burn' as const), from: memberIndex, amount: points }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('give' as const), from: memberIndex, to: memberIndex, amount: points }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('hold' as const), from: memberIndex, amount: points }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant('resolve' as const),
      pick: fc.nat(),
      post: fc.boolean(),
      part: fc.option(fc.integer({ min: 1, max: 60 })),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ op: fc.constant('reverse' as const), pick: fc.nat(), part: fc.option(fc.integer({ min: 1, max: 60 })) }),
    weight: 1,
  },
  { arbitrary: fc.record({ op: fc.constant('expire' as const), from: memberIndex }), weight: 1 },
);

interface Moved {
  id: string;
  from: number; // -1: the wallet, -2: a program account
  to: number;
  amount: number;
  reversed: number;
}

it('keeps every invariant and the expected balances through random operation sequences', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
      const { wallet } = await p.partner(500);
      const members = await Promise.all([p.member(), p.member(), p.member()]);
      const ids = members.map((m) => m.account.id);
      // The model: what each account should hold. Index -1 is the partner wallet.
      const available = new Map<number, number>([
        [-1, 500],
        [0, 0],
        [1, 0],
        [2, 0],
      ]);
      const account = (i: number) => (i === -1 ? wallet.id : i === -2 ? p.program.redemption.id : ids[i]!);
      const add = (i: number, n: number) => i >= -1 && available.set(i, available.get(i)! + n);
      const moved: Moved[] = [];
      const pending: { id: string; from: number; amount: number }[] = [];
      const key = () => randomUUID();

      for (const o of operations) {
        // Expected refusals: the model says the debited account cannot pay.
        const attempt = async (from: number, amount: number, run: () => Promise<unknown>) => {
          if (from >= -1 && available.get(from)! < amount) {
            await expect(run()).rejects.toBeInstanceOf(InsufficientFundsError);
            return false;
          }
          await run();
          return true;
        };
        const single = async (from: number, to: number, amount: number, kind: 'earn' | 'burn' | 'transfer', expiresAt?: Date) => {
          let id = '';
          const ok = await attempt(from, amount, async () => {
            const r = await p.ledger.transfer({
              source: 'property',
              key: key(),
              legs: [{ debitAccountId: account(from), creditAccountId: account(to), amount, kind, expiresAt }],
            });
            id = r.transfers[0]!.id;
          });
          if (!ok) return;
          add(from, -amount);
          add(to, amount);
          moved.push({ id, from, to, amount, reversed: 0 });
        };
        switch (o.op) {
          case 'earn':
            await single(-1, o.to, o.amount, 'earn', o.expiresIn === null ? undefined : days(o.expiresIn));
            break;
          case 'burn':
            await single(o.from, -2, o.amount, 'burn');
            break;
          case 'give':
            if (o.from !== o.to) await single(o.from, o.to, o.amount, 'transfer');
            break;
          case 'hold': {
            let id = '';
            // Holds what the member has when it is less than asked, so that holds exist to resolve; one
            // from a member with nothing is still tried, and refused.
            const has = available.get(o.from)!;
            const amount = has > 0 ? Math.min(o.amount, has) : o.amount;
            const ok = await attempt(o.from, amount, async () => {
              const r = await p.ledger.hold({
                source: 'property',
                key: key(),
                until: days(30),
                legs: [{ debitAccountId: account(o.from), creditAccountId: p.program.redemption.id, amount, kind: 'burn' }],
              });
              id = r.transfers[0]!.id;
            });
            if (ok) {
              add(o.from, -amount);
              pending.push({ id, from: o.from, amount });
            }
            break;
          }
          case 'resolve': {
            if (pending.length === 0) break;
            const [hold] = pending.splice(o.pick % pending.length, 1);
            const request = { source: 'property', key: key(), pendingTransferId: hold!.id };
            if (o.post) {
              // A partial post when `part` is less than the hold: the rest returns to the member.
              const amount = Math.min(o.part ?? hold!.amount, hold!.amount);
              const r = await p.ledger.post({ ...request, amount });
              add(hold!.from, hold!.amount - amount);
              moved.push({ id: r.transfers[0]!.id, from: hold!.from, to: -2, amount, reversed: 0 });
            } else {
              await p.ledger.void(request);
              add(hold!.from, hold!.amount);
            }
            break;
          }
          case 'reverse': {
            const open = moved.filter((m) => m.reversed < m.amount);
            if (open.length === 0) break;
            const original = open[o.pick % open.length]!;
            const amount = Math.min(o.part ?? original.amount, original.amount - original.reversed);
            const ok = await attempt(original.to, amount, () =>
              p.ledger.reverse({ source: 'property', key: key(), transferId: original.id, amount }),
            );
            if (ok) {
              add(original.to, -amount);
              add(original.from, amount);
              original.reversed += amount;
            }
            break;
          }
          case 'expire': {
            const [lot] = await db.dataSource.query(
              `SELECT id, remaining FROM point_lot WHERE "memberAccountId" = $1 AND remaining > 0
                ORDER BY "expiresAt" NULLS LAST LIMIT 1`,
              [account(o.from)],
            );
            if (!lot) break;
            await p.ledger.transfer({
              source: 'property',
              key: key(),
              legs: [
                {
                  debitAccountId: account(o.from),
                  creditAccountId: p.program.breakage.id,
                  amount: Number(lot.remaining),
                  kind: 'expire',
                  fromLotIds: [lot.id],
                },
              ],
            });
            add(o.from, -Number(lot.remaining));
            break;
          }
        }
      }

      for (const [index, expected] of available) expect(await p.available(account(index))).toBe(expected);
      const report = await checkLedger(db.dataSource.manager);
      expect(report.violations).toEqual([]);
    }),
    { numRuns: 40 },
  );
});
