import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { RuleExplanation, TransferKind, TransferPhase, TransferReferences } from '../../entities/index.js';
import { pgError } from './database-errors.js';
import { AccountNotFoundError, IdempotencyConflictError, InsufficientFundsError, InvalidTransferError, LedgerFault } from './errors.js';
import { rows } from './sql.js';
import { retried } from './transaction.js';
import type { LedgerResult, TransferRecord } from './transfer-record.js';

/** Which lots a debit takes: `preferred` ones first (a reversed earn takes back its own lot), or `only` these. */
export interface LotChoice {
  preferred?: string[];
  only?: string[];
}

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

/**
 * A planned write as the database applies it: `SELECT ledger_write_v3($1::jsonb)` with `plan`
 * as the parameter (entities/migrations/1796040100000-LedgerWriteFunctionV3.ts), then
 * `readLedgerAnswer` on what it returned. It can be part of a larger statement or function.
 */
export interface LedgerWrite {
  identity: PlanIdentity;
  /** The function's parameter, as JSON text. */
  plan: string;
}

export const ledgerWriteSql = 'SELECT ledger_write_v3($1::jsonb) AS answer';

/** What a plan changes on one account, summed over its legs: the write function locks and checks each account once. */
interface AccountChange {
  id: string;
  /** Posted debits and credits. */
  dp: number;
  cp: number;
  /** Pending debits and credits (negative when a post or a void releases them). */
  dpend: number;
  cpend: number;
  /** Points the account must have available to pay. */
  req: number;
  /** The shard a post or void must use: its pending transfer's. */
  fixed: number | null;
  spread: boolean;
}

/** Accounts in the order the legs first name them, which decides which missing account a refusal names. */
export function accountChanges(plan: PlannedTransfer[]): AccountChange[] {
  const changes = new Map<string, AccountChange>();
  const change = (id: string) => {
    let found = changes.get(id);
    if (!found) {
      found = { id, dp: 0, cp: 0, dpend: 0, cpend: 0, req: 0, fixed: null, spread: false };
      changes.set(id, found);
    }
    return found;
  };
  for (const leg of plan) {
    const posted = leg.phase === 'single' || leg.phase === 'post' ? leg.amount : 0;
    const pending = { single: 0, pending: leg.amount, post: -(leg.releases ?? leg.amount), void: -leg.amount }[leg.phase];
    const debit = change(leg.debitAccountId);
    debit.dp += posted;
    debit.dpend += pending;
    if (leg.phase === 'single' || leg.phase === 'pending') debit.req += leg.amount;
    if (leg.debitShard != null) debit.fixed = Math.max(debit.fixed ?? leg.debitShard, leg.debitShard);
    const credit = change(leg.creditAccountId);
    credit.cp += posted;
    credit.cpend += pending;
    if (leg.creditShard != null) credit.fixed = Math.max(credit.fixed ?? leg.creditShard, leg.creditShard);
    credit.spread ||= leg.spreadCredit ?? false;
  }
  return [...changes.values()];
}

export function ledgerWrite(identity: PlanIdentity, plan: PlannedTransfer[]): LedgerWrite {
  // Ids come from here: Node draws UUIDs from a buffer, cheaper than one random draw per row in the database.
  const legs = plan.map(({ lots, ...transfer }) => ({
    ...transfer,
    id: randomUUID(),
    preferredLots: lots?.preferred,
    onlyLots: lots?.only,
  }));
  return { identity, plan: JSON.stringify({ ...identity, legs, accounts: accountChanges(plan) }) };
}

type TransferJson = Omit<TransferRecord, 'heldUntil' | 'createdAt'> & { heldUntil: string | null; createdAt: string };

/** What ledger_write_v3 (and ledger_replay_v2) return: every result code it has. */
export type LedgerAnswer =
  | { result: 'ok'; replayed: boolean; transfers: TransferJson[] }
  | { result: 'idempotency_conflict' }
  | { result: 'account_not_found'; account: string }
  | { result: 'mixed_units'; leg: number; debitUnit: string; creditUnit: string }
  | { result: 'insufficient_funds'; account: string; code: string; available: number; requested: number }
  | { result: 'lots_short'; available: number; requested: number };

function toRecord(row: TransferJson): TransferRecord {
  return {
    ...row,
    seq: Number(row.seq),
    amount: Number(row.amount),
    heldUntil: row.heldUntil === null ? null : new Date(row.heldUntil),
    createdAt: new Date(row.createdAt),
  };
}

/** Turns the database's answer into the ledger's result, or its refusal into the ledger's error. */
export function readLedgerAnswer(answer: LedgerAnswer, identity: PlanIdentity): LedgerResult {
  switch (answer.result) {
    case 'ok':
      return { transfers: answer.transfers.map(toRecord), replayed: answer.replayed };
    case 'idempotency_conflict':
      throw new IdempotencyConflictError(identity.source, identity.key);
    case 'account_not_found':
      throw new AccountNotFoundError(answer.account);
    case 'mixed_units':
      throw new InvalidTransferError(
        `legs[${answer.leg}].creditAccountId`,
        `counts ${answer.creditUnit} but the debited account counts ${answer.debitUnit}: a transfer never mixes units; convert at a rate instead`,
      );
    case 'insufficient_funds':
      throw new InsufficientFundsError(answer.account, answer.code, Number(answer.available), Number(answer.requested));
    case 'lots_short':
      throw new InvalidTransferError('fromLotIds', `the lots named hold ${answer.available} points, ${answer.requested} requested`);
    default: {
      const unknown: never = answer;
      throw new LedgerFault(`Unknown ledger answer ${JSON.stringify(unknown)}`);
    }
  }
}

/** The function raises LF001 when the ledger breaks a promise of its own (lots that disagree with a balance). */
function asFault(error: unknown): unknown {
  if (pgError(error).code !== 'LF001') return error;
  return new LedgerFault(error instanceof Error ? error.message : String(error));
}

/** Writes a plan inside the caller's transaction (one statement); a replay returns the first result. */
export async function executePlan(manager: EntityManager, identity: PlanIdentity, plan: PlannedTransfer[]): Promise<LedgerResult> {
  const write = ledgerWrite(identity, plan);
  try {
    const [row] = await rows<{ answer: LedgerAnswer }>(manager, ledgerWriteSql, [write.plan]);
    return readLedgerAnswer(row!.answer, identity);
  } catch (error) {
    throw asFault(error);
  }
}

interface PgPool {
  query(text: string, values: unknown[]): Promise<{ rows: { answer: LedgerAnswer }[] }>;
}

/**
 * Writes a plan as its own transaction: the function's one statement is the whole transaction,
 * so an earn or a burn is one round trip. Unnamed statement, so it also runs through PgBouncer
 * in transaction mode. Run again after a deadlock or a lost idempotency race, as every write.
 */
export async function executePlanAlone(dataSource: DataSource, identity: PlanIdentity, plan: PlannedTransfer[]): Promise<LedgerResult> {
  const write = ledgerWrite(identity, plan);
  const pool = (dataSource.driver as unknown as { master: PgPool }).master;
  const answer = await retried(async () => {
    try {
      const result = await pool.query(ledgerWriteSql, [write.plan]);
      return result.rows[0]!.answer;
    } catch (error) {
      throw asFault(error);
    }
  });
  return readLedgerAnswer(answer, identity);
}

/** The first result of a request made before, or undefined; the same rule the write function applies. */
export async function replayOf(manager: EntityManager, identity: PlanIdentity): Promise<LedgerResult | undefined> {
  const [row] = await rows<{ answer: LedgerAnswer | null }>(manager, 'SELECT ledger_replay_v2($1, $2, $3) AS answer', [
    identity.source,
    identity.key,
    identity.hash,
  ]);
  return row?.answer ? readLedgerAnswer(row.answer, identity) : undefined;
}
