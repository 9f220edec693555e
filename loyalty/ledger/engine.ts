import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { RuleExplanation, TransferKind, TransferPhase, TransferReferences } from '../../entities/index.js';
import { describeAccounts, type AccountMeta } from './accounts.js';
import { InsufficientFundsError, LedgerError } from './errors.js';
import { consumeLots, createLots, restoreLots, type LotMovement } from './lots.js';
import { rows } from './sql.js';
import { toTransferRecord, transferColumns, type TransferRecord } from './transfer-record.js';

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
  reversesTransferId?: string;
  /** Post and void must use the shards their pending transfer used. */
  debitShard?: number;
  creditShard?: number;
  /** For credits to a member. */
  expiresAt?: Date | null;
  fundingPartnerId?: string | null;
  /** Lots to take first when debiting a member (a reversed earn takes back its own lot). */
  preferredLotIds?: string[];
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
        debit.debitsPending -= t.amount;
        debit.debitsPosted += t.amount;
        credit.creditsPending -= t.amount;
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

const applyDelta = `"debitsPosted" = b."debitsPosted" + $2, "creditsPosted" = b."creditsPosted" + $3,
  "debitsPending" = b."debitsPending" + $4, "creditsPending" = b."creditsPending" + $5`;
const deltaParams = (d: Delta) => [d.debitsPosted, d.creditsPosted, d.debitsPending, d.creditsPending];

/** Locks a single-shard account, checks it can pay, and applies the request's change to it. */
async function applyToColdAccount(manager: EntityManager, account: AccountMeta, delta: Delta): Promise<void> {
  const [row]: BalanceRow[] = await manager.query(
    `SELECT shard, "creditsPosted" - "debitsPosted" - "debitsPending" AS available
       FROM ledger_balance WHERE "accountId" = $1 AND shard = 0 FOR UPDATE`,
    [account.id],
  );
  if (!row) throw new LedgerError('account_not_found', `Account ${account.code} has no balance`);
  if (!account.mayGoNegative && Number(row.available) < delta.required) {
    throw new InsufficientFundsError(account.code, Number(row.available), delta.required);
  }
  await manager.query(`UPDATE ledger_balance b SET ${applyDelta} WHERE "accountId" = $1 AND shard = 0`, [
    account.id,
    ...deltaParams(delta),
  ]);
}

/**
 * Applies the request's change to one shard of a sharded (hot) account and returns it. It takes
 * any shard nobody holds that can pay (SKIP LOCKED), so concurrent earns on one partner spread
 * over the shards; only when none is free does it wait, and only when no single shard can pay
 * does it move points between the shards (rebalance).
 */
async function applyToHotAccount(
  manager: EntityManager,
  account: AccountMeta,
  delta: Delta,
  rebalances: PlannedRow[],
): Promise<number> {
  const params = [account.id, ...deltaParams(delta), delta.required];
  if (delta.fixedShard !== undefined) {
    const updated = await rows<BalanceRow>(manager, 
      `UPDATE ledger_balance b SET ${applyDelta} WHERE "accountId" = $1 AND shard = $6 RETURNING shard`,
      [account.id, ...deltaParams(delta), delta.fixedShard],
    );
    if (updated.length === 0) throw new LedgerError('account_not_found', `Account ${account.code} has no shard ${delta.fixedShard}`);
    return delta.fixedShard;
  }
  const canPay = `("mayGoNegative" OR "creditsPosted" - "debitsPosted" - "debitsPending" >= $6)`;
  for (const wait of ['SKIP LOCKED', '']) {
    const updated = await rows<BalanceRow>(manager, 
      `UPDATE ledger_balance b SET ${applyDelta}
         FROM (SELECT shard FROM ledger_balance WHERE "accountId" = $1 AND ${canPay}
                ORDER BY random() LIMIT 1 FOR UPDATE ${wait}) pick
        WHERE b."accountId" = $1 AND b.shard = pick.shard RETURNING b.shard`,
      params,
    );
    if (updated[0]) return updated[0].shard;
  }
  const target = await rebalance(manager, account, delta.required, rebalances);
  await manager.query(`UPDATE ledger_balance b SET ${applyDelta} WHERE "accountId" = $1 AND shard = $6`, [
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
  await manager.query(
    `UPDATE ledger_balance SET "debitsPosted" = "debitsPosted" + $3 WHERE "accountId" = $1 AND shard = $2`,
    [account.id, from, amount],
  );
  await manager.query(
    `UPDATE ledger_balance SET "creditsPosted" = "creditsPosted" + $3 WHERE "accountId" = $1 AND shard = $2`,
    [account.id, to, amount],
  );
  return rebalanceRow(account, from, to, amount);
}

async function lockAllShards(manager: EntityManager, account: AccountMeta) {
  const shards: BalanceRow[] = await manager.query(
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
async function rebalance(
  manager: EntityManager,
  account: AccountMeta,
  required: number,
  rebalances: PlannedRow[],
): Promise<number> {
  const shards = await lockAllShards(manager, account);
  const total = shards.reduce((sum, s) => sum + s.available, 0);
  if (total < required) throw new InsufficientFundsError(account.code, total, required);
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

interface PlannedRow extends PlannedTransfer {
  id: string;
  debitShard: number;
  creditShard: number;
  source: string;
  key: string;
  leg: number;
  hash: string;
}

/** Moves lots for each member a transfer touches; runs under the member accounts' locks. */
async function moveLots(
  manager: EntityManager,
  transfer: PlannedTransfer & { id: string },
  accounts: Map<string, AccountMeta>,
): Promise<void> {
  const debit = accounts.get(transfer.debitAccountId)!;
  const credit = accounts.get(transfer.creditAccountId)!;
  let consumed: LotMovement[] = [];
  if (debit.kind === 'member' && (transfer.phase === 'single' || transfer.phase === 'pending')) {
    consumed = await consumeLots(manager, debit.id, transfer.id, transfer.amount, transfer.preferredLotIds);
  }
  if (transfer.restoresConsumptionOf) {
    const member = transfer.phase === 'void' ? debit : credit;
    if (member.kind === 'member') {
      await restoreLots(manager, member.id, transfer.id, transfer.restoresConsumptionOf, transfer.amount);
      return;
    }
  }
  if (credit.kind !== 'member' || transfer.phase !== 'single') return;
  if (debit.kind === 'member') {
    // Member to member: the points keep their funder and expiry, so attribution stays exact.
    await createLots(
      manager,
      credit.id,
      transfer.id,
      consumed.map((m) => ({ points: m.points, fundingPartnerId: m.fundingPartnerId, expiresAt: m.expiresAt })),
    );
    return;
  }
  const funder = debit.kind === 'partner_wallet' ? debit.partnerId : (transfer.fundingPartnerId ?? null);
  await createLots(manager, credit.id, transfer.id, [
    { points: transfer.amount, fundingPartnerId: funder, expiresAt: transfer.expiresAt ?? null },
  ]);
}

async function insertTransfers(manager: EntityManager, planned: PlannedRow[]): Promise<TransferRecord[]> {
  const columns = [
    'id', 'debitAccountId', 'debitShard', 'creditAccountId', 'creditShard', 'amount', 'kind', 'phase',
    'pendingTransferId', 'reversesTransferId', 'idempotencySource', 'idempotencyKey', 'leg', 'requestHash',
    'references', 'explanation',
  ];
  const values: unknown[] = [];
  const tuples = planned.map((r) => {
    const start = values.length;
    values.push(
      r.id, r.debitAccountId, r.debitShard, r.creditAccountId, r.creditShard, r.amount, r.kind, r.phase,
      r.pendingTransferId ?? null, r.reversesTransferId ?? null, r.source, r.key, r.leg, r.hash,
      JSON.stringify(r.references), JSON.stringify(r.explanation),
    );
    return `(${columns.map((_, i) => `$${start + i + 1}`).join(', ')})`;
  });
  const inserted = await manager.query(
    `INSERT INTO ledger_transfer (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')}
     RETURNING ${transferColumns}`,
    values,
  );
  return inserted.map(toTransferRecord).sort((a: TransferRecord, b: TransferRecord) => a.seq - b.seq);
}

/**
 * Writes a plan atomically inside the caller's transaction. Lock order is fixed: single-shard
 * accounts (members) first in id order, then sharded accounts (partner wallets, program
 * accounts) in id order. Hot rows come last so they are held only for the final inserts and
 * the commit.
 */
export async function executePlan(
  manager: EntityManager,
  identity: PlanIdentity,
  plan: PlannedTransfer[],
): Promise<TransferRecord[]> {
  const accountIds = [...new Set(plan.flatMap((t) => [t.debitAccountId, t.creditAccountId]))];
  const accounts = await describeAccounts(manager, accountIds);
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
  for (const transfer of withIds) await moveLots(manager, transfer, accounts);

  const rebalances: PlannedRow[] = [];
  for (const account of hot) {
    const spread = plan.some((t) => t.spreadCredit && t.creditAccountId === account.id);
    // Spreading locks every shard anyway: take them all up front, in shard order, before picking one.
    if (spread) await lockAllShards(manager, account);
    shards.set(account.id, await applyToHotAccount(manager, account, deltas.get(account.id)!, rebalances));
  }
  for (const account of hot) {
    if (plan.some((t) => t.spreadCredit && t.creditAccountId === account.id)) await spreadEvenly(manager, account, rebalances);
  }
  const planned: PlannedRow[] = withIds.map((t, leg) => ({
    ...t,
    debitShard: shards.get(t.debitAccountId)!,
    creditShard: shards.get(t.creditAccountId)!,
    source: identity.source,
    key: identity.key,
    leg,
    hash: identity.hash,
  }));
  const written = await insertTransfers(manager, [...planned, ...rebalances]);
  return written.filter((t) => t.idempotencySource === identity.source && t.idempotencyKey === identity.key);
}
