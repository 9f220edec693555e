import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { RuleExplanation, TransferKind, TransferPhase, TransferReferences } from '../../entities/index.js';
import { describeAccounts, type AccountMeta } from './accounts.js';
import { InsufficientFundsError, InvalidTransferError, LedgerFault } from './errors.js';
import { consumeLots, restoreLots, type LotChoice, type LotMovement } from './lots.js';
import { rows } from './sql.js';
import { toTransferRecord, transferColumns, type TransferRecord, type TransferRow } from './transfer-record.js';

/** A transfer about to be written, before its shards are chosen. */
export interface PlannedTransfer {
  debitAccountId: string;
  creditAccountId: string;
  amount: number;
  kind: TransferKind;
  phase: TransferPhase;
  references: TransferReferences;
  explanation: RuleExplanation[];
  pendingTransferId?: string;
  /** For a post: the points its hold releases (all it held); what is not posted returns to the member. */
  releases?: number;
  reversesTransferId?: string;
  /** For a hold: when it gives its points back if nobody settled it. */
  heldUntil?: Date;
  /** Post and void must use the shards their pending transfer used. */
  debitShard?: number;
  creditShard?: number;
  /** For credits to a member (and the post of a pending one). */
  expiresAt?: Date | null;
  fundingPartnerId?: string | null;
  /** Which of the debited member's lots to take (a reversed earn takes back its own lot first). */
  lots?: LotChoice;
  /** Transfers whose lot consumptions this one gives back (void of a hold, reversal of a burn). */
  restoresConsumptionOf?: string[];
  /** Spread the credited sharded account evenly over its shards afterwards (a partner's purchase). */
  spreadCredit?: boolean;
}

export interface PlanIdentity {
  source: string;
  key: string;
  hash: string;
}

interface Delta {
  debitsPosted: number;
  creditsPosted: number;
  debitsPending: number;
  creditsPending: number;
  /** Points this request takes from the account's available balance. */
  required: number;
  fixedShard?: number;
}

const emptyDelta = (): Delta => ({ debitsPosted: 0, creditsPosted: 0, debitsPending: 0, creditsPending: 0, required: 0 });

function deltasOf(plan: PlannedTransfer[]): Map<string, Delta> {
  const deltas = new Map<string, Delta>();
  const of = (id: string) => deltas.get(id) ?? deltas.set(id, emptyDelta()).get(id)!;
  for (const t of plan) {
    const debit = of(t.debitAccountId);
    const credit = of(t.creditAccountId);
    switch (t.phase) {
      case 'single':
        debit.debitsPosted += t.amount;
        debit.required += t.amount;
        credit.creditsPosted += t.amount;
        break;
      case 'pending':
        debit.debitsPending += t.amount;
        debit.required += t.amount;
        credit.creditsPending += t.amount;
        break;
      case 'post':
        debit.debitsPending -= t.releases ?? t.amount;
        debit.debitsPosted += t.amount;
        credit.creditsPending -= t.releases ?? t.amount;
        credit.creditsPosted += t.amount;
        break;
      case 'void':
        debit.debitsPending -= t.amount;
        credit.creditsPending -= t.amount;
        break;
    }
    if (t.debitShard !== undefined) debit.fixedShard = t.debitShard;
    if (t.creditShard !== undefined) credit.fixedShard = t.creditShard;
  }
  return deltas;
}

interface BalanceRow {
  shard: number;
  available: string;
}

/** SET clause adding a delta whose four values are the parameters from `$first` on. */
const addDelta = (first: number) =>
  `"debitsPosted" = b."debitsPosted" + $${first}, "creditsPosted" = b."creditsPosted" + $${first + 1},
   "debitsPending" = b."debitsPending" + $${first + 2}, "creditsPending" = b."creditsPending" + $${first + 3}`;
const deltaParams = (d: Delta) => [d.debitsPosted, d.creditsPosted, d.debitsPending, d.creditsPending];
/** A shard that can pay `$required` points (any shard, for accounts that may go negative). */
const canPay = (required: string) => `("mayGoNegative" OR "creditsPosted" - "debitsPosted" - "debitsPending" >= ${required})`;
/**
 * The UPDATE that takes a free shard able to pay, applies the delta and returns the shard. The
 * shard is chosen by an uncorrelated scalar subquery, which PostgreSQL runs once (an InitPlan):
 * chosen in a joined subquery, a plan that rescans it would pick a new random shard per row and
 * update several.
 */
const takeFreeShard = (account: string, delta: number, required: string, wait: 'SKIP LOCKED' | '') =>
  `UPDATE ledger_balance b SET ${addDelta(delta)}
    WHERE b."accountId" = ${account}
      AND b.shard = (SELECT shard FROM ledger_balance WHERE "accountId" = ${account} AND ${canPay(required)}
                      ORDER BY random() LIMIT 1 FOR UPDATE ${wait})
    RETURNING b.shard`;

/** Applies the request's change to a single-shard account if it can pay, in one locking UPDATE. */
async function applyToColdAccount(manager: EntityManager, account: AccountMeta, delta: Delta): Promise<void> {
  const updated = await rows<BalanceRow>(
    manager,
    `UPDATE ledger_balance b SET ${addDelta(2)} WHERE "accountId" = $1 AND shard = 0 AND ${canPay('$6')} RETURNING shard`,
    [account.id, ...deltaParams(delta), delta.required],
  );
  if (updated.length > 0) return;
  const [row]: BalanceRow[] = await rows(
    manager,
    `SELECT shard, "creditsPosted" - "debitsPosted" - "debitsPending" AS available FROM ledger_balance
      WHERE "accountId" = $1 AND shard = 0`,
    [account.id],
  );
  if (!row) throw new LedgerFault(`Account ${account.code} has no balance`);
  throw new InsufficientFundsError(account.id, account.code, Number(row.available), delta.required);
}

/**
 * Applies the request's change to one shard of a sharded (hot) account and returns it. It takes
 * any shard nobody holds that can pay (SKIP LOCKED), so concurrent earns on one partner spread
 * over the shards; only when none is free does it wait, and only when no single shard can pay
 * does it move points between the shards (rebalance).
 */
async function applyToHotAccount(manager: EntityManager, account: AccountMeta, delta: Delta, rebalances: PlannedRow[]): Promise<number> {
  if (delta.fixedShard !== undefined) {
    const updated = await rows<BalanceRow>(
      manager,
      `UPDATE ledger_balance b SET ${addDelta(2)} WHERE "accountId" = $1 AND shard = $6 RETURNING shard`,
      [account.id, ...deltaParams(delta), delta.fixedShard],
    );
    if (updated.length === 0) throw new LedgerFault(`Account ${account.code} has no shard ${delta.fixedShard}`);
    return delta.fixedShard;
  }
  for (const wait of ['SKIP LOCKED', ''] as const) {
    const updated = await rows<BalanceRow>(manager, takeFreeShard('$1', 2, '$6', wait), [
      account.id,
      ...deltaParams(delta),
      delta.required,
    ]);
    if (updated[0]) return updated[0].shard;
  }
  const target = await rebalance(manager, account, delta.required, rebalances);
  await rows(manager, `UPDATE ledger_balance b SET ${addDelta(2)} WHERE "accountId" = $1 AND shard = $6`, [
    account.id,
    ...deltaParams(delta),
    target,
  ]);
  return target;
}

function rebalanceRow(account: AccountMeta, from: number, to: number, amount: number): PlannedRow {
  const id = randomUUID();
  return {
    id,
    debitAccountId: account.id,
    debitShard: from,
    creditAccountId: account.id,
    creditShard: to,
    amount,
    kind: 'rebalance',
    phase: 'single',
    references: {},
    explanation: [],
    source: 'ledger:rebalance',
    key: id,
    leg: 0,
    hash: '',
  };
}

async function moveBetweenShards(manager: EntityManager, account: AccountMeta, from: number, to: number, amount: number) {
  await rows(manager, `UPDATE ledger_balance SET "debitsPosted" = "debitsPosted" + $3 WHERE "accountId" = $1 AND shard = $2`, [
    account.id,
    from,
    amount,
  ]);
  await rows(manager, `UPDATE ledger_balance SET "creditsPosted" = "creditsPosted" + $3 WHERE "accountId" = $1 AND shard = $2`, [
    account.id,
    to,
    amount,
  ]);
  return rebalanceRow(account, from, to, amount);
}

async function lockAllShards(manager: EntityManager, account: AccountMeta) {
  const shards: BalanceRow[] = await rows(
    manager,
    `SELECT shard, "creditsPosted" - "debitsPosted" - "debitsPending" AS available
       FROM ledger_balance WHERE "accountId" = $1 ORDER BY shard FOR UPDATE`,
    [account.id],
  );
  return shards.map((s) => ({ shard: s.shard, available: Number(s.available) }));
}

/** Evens out an account's available points over its shards, so that every shard can pay earns. */
async function spreadEvenly(manager: EntityManager, account: AccountMeta, rebalances: PlannedRow[]): Promise<void> {
  const shards = await lockAllShards(manager, account);
  const total = shards.reduce((sum, s) => sum + s.available, 0);
  const share = (index: number) => Math.floor(total / shards.length) + (index < total % shards.length ? 1 : 0);
  const surplus = shards.map((s, i) => ({ shard: s.shard, excess: s.available - share(i) }));
  const givers = surplus.filter((s) => s.excess > 0);
  const takers = surplus.filter((s) => s.excess < 0);
  for (const taker of takers) {
    for (const giver of givers) {
      if (taker.excess === 0) break;
      const move = Math.min(giver.excess, -taker.excess);
      if (move <= 0) continue;
      giver.excess -= move;
      taker.excess += move;
      rebalances.push(await moveBetweenShards(manager, account, giver.shard, taker.shard, move));
    }
  }
}

/** Gathers points from every shard of an account into one that can then pay `required`. */
async function rebalance(manager: EntityManager, account: AccountMeta, required: number, rebalances: PlannedRow[]): Promise<number> {
  const shards = await lockAllShards(manager, account);
  const total = shards.reduce((sum, s) => sum + s.available, 0);
  if (total < required) throw new InsufficientFundsError(account.id, account.code, total, required);
  shards.sort((a, b) => b.available - a.available);
  const [target, ...others] = shards as [(typeof shards)[0], ...typeof shards];
  let missing = required - target.available;
  for (const from of others) {
    if (missing <= 0) break;
    const move = Math.min(missing, from.available);
    if (move <= 0) continue;
    missing -= move;
    rebalances.push(await moveBetweenShards(manager, account, from.shard, target.shard, move));
  }
  return target.shard;
}

interface PlannedRow extends Omit<PlannedTransfer, 'debitShard' | 'creditShard'> {
  id: string;
  /** Null: the shard the final statement takes (see insertTransfers). */
  debitShard: number | null;
  creditShard: number | null;
  source: string;
  key: string;
  leg: number;
  hash: string;
}

/**
 * Takes or gives back lots for each member a transfer debits or returns points to, under the
 * member accounts' locks, and says which lots its credit to a member creates (written with the
 * transfer itself).
 */
async function moveLots(
  manager: EntityManager,
  transfer: PlannedTransfer & { id: string },
  accounts: Map<string, AccountMeta>,
): Promise<NewLotRow[]> {
  const debit = accounts.get(transfer.debitAccountId)!;
  const credit = accounts.get(transfer.creditAccountId)!;
  let consumed: LotMovement[] = [];
  if (debit.kind === 'member' && (transfer.phase === 'single' || transfer.phase === 'pending')) {
    consumed = await consumeLots(manager, debit.id, transfer.id, transfer.amount, transfer.lots);
  }
  const unposted = transfer.phase === 'post' ? (transfer.releases ?? transfer.amount) - transfer.amount : 0;
  if (unposted > 0 && debit.kind === 'member') {
    await restoreLots(manager, debit.id, transfer.id, [transfer.pendingTransferId!], unposted);
    return [];
  }
  if (transfer.restoresConsumptionOf) {
    const member = transfer.phase === 'void' ? debit : credit;
    if (member.kind === 'member') {
      await restoreLots(manager, member.id, transfer.id, transfer.restoresConsumptionOf, transfer.amount);
      return [];
    }
  }
  // A pending credit to a member (pending points) makes its lot when it is posted, not before.
  const credited = transfer.phase === 'single' || (transfer.phase === 'post' && debit.kind !== 'member');
  if (credit.kind !== 'member' || !credited) return [];
  const lot = (points: number, fundingPartnerId: string | null, expiresAt: Date | null): NewLotRow => ({
    memberAccountId: credit.id,
    creditTransferId: transfer.id,
    points,
    fundingPartnerId,
    expiresAt,
  });
  // Member to member: the points keep their funder and expiry, so attribution stays exact.
  if (debit.kind === 'member') return consumed.map((m) => lot(m.points, m.fundingPartnerId, m.expiresAt));
  const funder = debit.kind === 'partner_wallet' ? debit.partnerId : (transfer.fundingPartnerId ?? null);
  return [lot(transfer.amount, funder, transfer.expiresAt ?? null)];
}

interface NewLotRow {
  memberAccountId: string;
  creditTransferId: string;
  points: number;
  fundingPartnerId: string | null;
  expiresAt: Date | null;
}

const transferInsertColumns = [
  ['id', 'uuid'],
  ['debitAccountId', 'uuid'],
  ['debitShard', 'int'],
  ['creditAccountId', 'uuid'],
  ['creditShard', 'int'],
  ['amount', 'bigint'],
  ['kind', 'text'],
  ['phase', 'text'],
  ['pendingTransferId', 'uuid'],
  ['reversesTransferId', 'uuid'],
  ['idempotencySource', 'text'],
  ['idempotencyKey', 'text'],
  ['leg', 'int'],
  ['requestHash', 'text'],
  ['heldUntil', 'timestamptz'],
  ['references', 'jsonb'],
  ['explanation', 'jsonb'],
] as const;

/**
 * Writes the transfers and the lots they create in one statement. With `hot`, the same statement
 * first takes a free shard of that account and applies its change (transfers whose shard is
 * null get it): the hot row is then held for one round trip and the commit. When no shard is
 * free to pay, nothing is written and the result is empty.
 */
async function insertTransfers(
  manager: EntityManager,
  planned: PlannedRow[],
  lots: NewLotRow[],
  hot?: { account: AccountMeta; delta: Delta },
): Promise<TransferRecord[]> {
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  let pick = 'SELECT NULL::int AS shard';
  if (hot) {
    const account = param(hot.account.id);
    const first = values.length + 1;
    deltaParams(hot.delta).forEach(param);
    pick = takeFreeShard(account, first, param(hot.delta.required), 'SKIP LOCKED');
  }
  const tuples = planned.map((r) => {
    const row = [
      r.id,
      r.debitAccountId,
      r.debitShard,
      r.creditAccountId,
      r.creditShard,
      r.amount,
      r.kind,
      r.phase,
      r.pendingTransferId ?? null,
      r.reversesTransferId ?? null,
      r.source,
      r.key,
      r.leg,
      r.hash,
      r.heldUntil ?? null,
      JSON.stringify(r.references),
      JSON.stringify(r.explanation),
    ];
    return `(${row.map((value, i) => `${param(value)}::${transferInsertColumns[i]![1]}`).join(', ')})`;
  });
  const names = transferInsertColumns.map(([name]) => `"${name}"`).join(', ');
  const selected = transferInsertColumns
    .map(([name]) => (name.endsWith('Shard') ? `COALESCE(v."${name}", pick.shard)` : `v."${name}"`))
    .join(', ');
  const lotArrays = [
    param(lots.map((l) => l.memberAccountId)),
    param(lots.map((l) => l.creditTransferId)),
    param(lots.map((l) => l.fundingPartnerId)),
    param(lots.map((l) => l.points)),
    param(lots.map((l) => l.expiresAt)),
  ];
  const inserted = await rows<TransferRow>(
    manager,
    `WITH pick AS (${pick}),
     written AS (
       INSERT INTO ledger_transfer (${names})
       SELECT ${selected} FROM (VALUES ${tuples.join(', ')}) AS v(${names}) CROSS JOIN pick
       RETURNING ${transferColumns}
     ),
     lots AS (
       INSERT INTO point_lot ("memberAccountId", "creditTransferId", "fundingPartnerId", points, remaining, "expiresAt")
       SELECT m, c, f, p, p, e
         FROM unnest(${lotArrays[0]}::uuid[], ${lotArrays[1]}::uuid[], ${lotArrays[2]}::uuid[], ${lotArrays[3]}::bigint[], ${lotArrays[4]}::timestamptz[])
           AS n(m, c, f, p, e)
        WHERE EXISTS (SELECT 1 FROM written)
     )
     SELECT * FROM written`,
    values,
  );
  return inserted.map(toTransferRecord).sort((a, b) => a.seq - b.seq);
}

/** A transfer moves one unit: points to points, euros to euros. Changing units is a conversion (two legs). */
function refuseMixedUnits(plan: PlannedTransfer[], accounts: Map<string, AccountMeta>): void {
  plan.forEach((t, index) => {
    const debit = accounts.get(t.debitAccountId)!;
    const credit = accounts.get(t.creditAccountId)!;
    if (debit.unit !== credit.unit) {
      throw new InvalidTransferError(
        `legs[${index}].creditAccountId`,
        `counts ${credit.unit} but the debited account counts ${debit.unit}: a transfer never mixes units; convert at a rate instead`,
      );
    }
  });
}

/**
 * Writes a plan atomically inside the caller's transaction. Lock order is fixed: single-shard
 * accounts (members) first in id order, then sharded accounts (partner wallets, program
 * accounts) in id order. Hot rows come last so they are held only for the final statement and
 * the commit.
 */
export async function executePlan(manager: EntityManager, identity: PlanIdentity, plan: PlannedTransfer[]): Promise<TransferRecord[]> {
  const accountIds = [...new Set(plan.flatMap((t) => [t.debitAccountId, t.creditAccountId]))];
  const accounts = await describeAccounts(manager, accountIds);
  refuseMixedUnits(plan, accounts);
  const deltas = deltasOf(plan);
  const byId = (a: AccountMeta, b: AccountMeta) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const cold = [...accounts.values()].filter((a) => a.shardCount === 1).sort(byId);
  const hot = [...accounts.values()].filter((a) => a.shardCount > 1).sort(byId);

  const shards = new Map<string, number>();
  for (const account of cold) {
    await applyToColdAccount(manager, account, deltas.get(account.id)!);
    shards.set(account.id, 0);
  }
  const withIds = plan.map((t) => ({ ...t, id: randomUUID() }));
  const lots: NewLotRow[] = [];
  for (const transfer of withIds) lots.push(...(await moveLots(manager, transfer, accounts)));

  const spread = new Set(plan.filter((t) => t.spreadCredit).map((t) => t.creditAccountId));
  // The common case (an earn, a burn): one hot account, taken in the final statement itself.
  const last = hot.at(-1);
  const fast = last && deltas.get(last.id)!.fixedShard === undefined && !spread.has(last.id) ? last : undefined;
  const rebalances: PlannedRow[] = [];
  for (const account of hot) {
    if (account === fast) continue;
    // Spreading locks every shard anyway: take them all up front, in shard order, before picking one.
    if (spread.has(account.id)) await lockAllShards(manager, account);
    shards.set(account.id, await applyToHotAccount(manager, account, deltas.get(account.id)!, rebalances));
  }
  for (const account of hot) if (spread.has(account.id)) await spreadEvenly(manager, account, rebalances);

  const rowsFor = (): PlannedRow[] =>
    withIds.map((t, leg) => ({
      ...t,
      debitShard: shards.get(t.debitAccountId) ?? null,
      creditShard: shards.get(t.creditAccountId) ?? null,
      source: identity.source,
      key: identity.key,
      leg,
      hash: identity.hash,
    }));
  let written = await insertTransfers(manager, [...rowsFor(), ...rebalances], lots, fast && { account: fast, delta: deltas.get(fast.id)! });
  if (written.length === 0 && fast) {
    shards.set(fast.id, await applyToHotAccount(manager, fast, deltas.get(fast.id)!, rebalances));
    written = await insertTransfers(manager, [...rowsFor(), ...rebalances], lots);
  }
  return written.filter((t) => t.idempotencySource === identity.source && t.idempotencyKey === identity.key);
}
