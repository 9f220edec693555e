import type { DataSource, EntityManager } from 'typeorm';
import { rows } from './sql.js';
import { describeAccounts } from './accounts.js';
import { lockMemberAccounts } from './member-locks.js';
import { lotLineage, lotsToRestore } from './lot-lineage.js';
import { executePlan, executePlanAlone, ledgerWrite, replayOf, type LedgerWrite, type PlannedTransfer } from './engine.js';
import { LedgerFault, InvalidTransferError, NotReversibleError, PendingTransferResolvedError, TransferNotFoundError } from './errors.js';
import {
  requestHash,
  requirePoints,
  requireUuid,
  validateIdempotency,
  validateHoldRequest,
  validateTransferRequest,
  validateConvertRequest,
  convertedAmount,
  type ConvertRequest,
  type HoldRequest,
  type Idempotency,
  type LegRequest,
  type PostRequest,
  type ResolveRequest,
  type ReverseRequest,
  type TransferRequest,
} from './request.js';
import { inTransaction } from './transaction.js';
import { toTransferRecord, transferColumns, type LedgerResult, type TransferRecord, type TransferRow } from './transfer-record.js';

/**
 * Locks a transfer (its row never changes: the lock serialises its post, void and reversals), after
 * the members it moved points for: members first, as everywhere, so that a reversal never waits on
 * a member while holding the transfer that a refund, holding that member, waits for.
 */
async function lockTransfer(manager: EntityManager, field: string, id: string): Promise<TransferRecord> {
  requireUuid(field, id);
  const [found] = await rows<TransferRow>(manager, `SELECT ${transferColumns} FROM ledger_transfer WHERE id = $1`, [id]);
  if (!found) throw new TransferNotFoundError(id);
  const accounts = await describeAccounts(manager, [found.debitAccountId, found.creditAccountId]);
  await lockMemberAccounts(
    manager,
    [...accounts.values()].filter((a) => a.kind === 'member').map((a) => a.id),
  );
  const [row] = await rows<TransferRow>(manager, `SELECT ${transferColumns} FROM ledger_transfer WHERE id = $1 FOR NO KEY UPDATE`, [id]);
  return toTransferRecord(row!);
}

/**
 * The points ledger. Every method is one database transaction that is idempotent on
 * (source, key): a replay returns the first result and writes nothing; the same key with a
 * different request is refused. A refusal (LedgerError) leaves nothing written.
 */
export class Ledger {
  constructor(private readonly dataSource: DataSource) {}

  /** Moves posted points at once, every leg or none. */
  async transfer(request: TransferRequest, within?: EntityManager): Promise<LedgerResult> {
    const { identity, plan } = plannedTransfer(request);
    if (!within) return executePlanAlone(this.dataSource, identity, plan);
    requireTransaction(within);
    return executePlan(within, identity, plan);
  }

  /**
   * Holds points (pending) until they are posted or voided, e.g. while a reward ships. Every hold
   * has a time limit (`until`): nothing stays held because a process died.
   */
  async hold(request: HoldRequest, within?: EntityManager): Promise<LedgerResult> {
    validateHoldRequest(request);
    const accounts = await describeAccounts(
      within ?? this.dataSource.manager,
      request.legs.map((leg) => leg.creditAccountId),
    );
    request.legs.forEach((leg, index) => {
      if (accounts.get(leg.creditAccountId)?.kind === 'member') {
        throw new InvalidTransferError(
          `legs[${index}].creditAccountId`,
          'a hold cannot credit a member; members receive posted points only',
        );
      }
    });
    return this.apply(
      'hold',
      request,
      request.legs.map((leg) => ({ ...leg, phase: 'pending', heldUntil: request.until, ...described(leg) })),
      within,
    );
  }

  /**
   * Holds points on their way to members (pending points, e.g. a purchase's during its return
   * window): the payer's points are held at once, the member sees them as incoming but cannot spend
   * them, and no lot exists until the hold is posted. Only credits to members from other accounts.
   */
  async holdCredit(request: HoldRequest, within?: EntityManager): Promise<LedgerResult> {
    validateHoldRequest(request);
    const accounts = await describeAccounts(
      within ?? this.dataSource.manager,
      request.legs.flatMap((leg) => [leg.debitAccountId, leg.creditAccountId]),
    );
    request.legs.forEach((leg, index) => {
      if (accounts.get(leg.creditAccountId)?.kind !== 'member') {
        throw new InvalidTransferError(`legs[${index}].creditAccountId`, 'a pending credit goes to a member');
      }
      if (accounts.get(leg.debitAccountId)?.kind === 'member') {
        throw new InvalidTransferError(
          `legs[${index}].debitAccountId`,
          'a pending credit comes from a partner or the program, not a member',
        );
      }
    });
    return this.apply(
      'hold-credit',
      request,
      request.legs.map((leg) => {
        const plan = { ...leg, phase: 'pending' as const, heldUntil: request.until, ...described(leg) };
        // The row keeps no funder of its own: the post that makes the lot reads it from here.
        return leg.fundingPartnerId ? { ...plan, references: { ...plan.references, fundingPartner: leg.fundingPartnerId } } : plan;
      }),
      within,
    );
  }

  /**
   * Converts between units at the request's rate, both legs or neither: e.g. a member's points to
   * store credit (points to the program, the program's credit to the member). The rate and its date
   * stay on both transfers.
   */
  async convert(request: ConvertRequest, within?: EntityManager): Promise<LedgerResult> {
    validateConvertRequest(request);
    const converted = convertedAmount(request.from.amount, request.rate);
    if (converted < 1) throw new InvalidTransferError('from.amount', `converts to less than one unit at ${request.rate}`);
    const accounts = await describeAccounts(within ?? this.dataSource.manager, [request.from.debitAccountId, request.to.debitAccountId]);
    const fromUnit = accounts.get(request.from.debitAccountId)!.unit;
    const toUnit = accounts.get(request.to.debitAccountId)!.unit;
    if (fromUnit === toUnit)
      throw new InvalidTransferError('to.debitAccountId', `counts ${toUnit} as the other side does: nothing to convert`);
    const references = {
      ...request.references,
      rate: String(request.rate),
      rateFrom: fromUnit,
      rateTo: toUnit,
      rateValidFrom: request.rateValidFrom.toISOString(),
    };
    const explanation = [
      {
        rule: 'conversion',
        points: converted,
        reason: `${request.from.amount} ${fromUnit} → ${converted} ${toUnit} at ${request.rate}`,
      },
    ];
    const leg = { kind: 'conversion' as const, phase: 'single' as const, references, explanation };
    return this.apply(
      'convert',
      request,
      [
        { ...leg, ...request.from },
        { ...leg, ...request.to, amount: converted, fundingPartnerId: request.fundingPartnerId ?? null },
      ],
      within,
    );
  }

  /**
   * Completes a hold: the held points move for good, or only `amount` of them (a partial capture),
   * the rest going back to the very lots the hold took.
   */
  async post(request: PostRequest, within?: EntityManager): Promise<LedgerResult> {
    if (request.amount !== undefined) requirePoints('amount', request.amount);
    return this.resolve('post', request, within);
  }

  /** Cancels a hold: the held points return to their lots. */
  void(request: ResolveRequest, within?: EntityManager): Promise<LedgerResult> {
    return this.resolve('void', request, within);
  }

  /**
   * Moves points back along a posted transfer, all of it or part (partial refunds). Points taken
   * from a member return to the very lots they came from; points a member received are taken
   * back from the lot that transfer created first. A member merged since holds nothing any more:
   * what they received is taken back from the member they became (through every merge since),
   * from the lots the merges carried over first; what they gave comes back to that member, as new
   * lots of the funder and expiry of the lots it came from.
   */
  async reverse(request: ReverseRequest, within?: EntityManager): Promise<LedgerResult> {
    validateIdempotency(request);
    requireUuid('transferId', request.transferId);
    if (request.amount !== undefined) requirePoints('amount', request.amount);
    return this.write(
      'reverse',
      request,
      async (manager) => {
        const original = await lockTransfer(manager, 'transferId', request.transferId);
        if (original.phase !== 'single' && original.phase !== 'post') {
          throw new NotReversibleError(original.id, `it is a ${original.phase} transfer; void a hold instead`);
        }
        // A merge is not undone: the merged member is gone, and the points are the survivor's.
        if (original.kind === 'reversal' || original.kind === 'rebalance' || original.kind === 'merge') {
          throw new NotReversibleError(original.id, `a ${original.kind} is not reversed; make a new transfer`);
        }
        const prior = await rows<{ id: string; amount: string }>(
          manager,
          `SELECT id, amount FROM ledger_transfer WHERE "reversesTransferId" = $1`,
          [original.id],
        );
        const left = original.amount - prior.reduce((sum, r) => sum + Number(r.amount), 0);
        if (left === 0) throw new NotReversibleError(original.id, 'it was already reversed in full');
        const amount = request.amount ?? left;
        if (amount > left) throw new InvalidTransferError('amount', `must be at most ${left}, the part not yet reversed`);

        const accounts = await describeAccounts(manager, [original.debitAccountId, original.creditAccountId]);
        const creditedMember = accounts.get(original.creditAccountId)!.kind === 'member';
        const debitedMember = accounts.get(original.debitAccountId)!.kind === 'member';
        const holder = creditedMember ? await survivingAccount(manager, original.creditAccountId) : original.creditAccountId;
        const payee = debitedMember ? await survivingAccount(manager, original.debitAccountId) : original.debitAccountId;
        const ownLots = creditedMember
          ? (await lotLineage(manager, original.id)).filter((lot) => lot.memberAccountId === holder).map((lot) => lot.id)
          : [];
        // A post's hold took the points; a partial post gave some back itself.
        const consumedBy = original.phase === 'post' ? [original.pendingTransferId!, original.id] : [original.id];
        const reversal: PlannedTransfer = {
          debitAccountId: holder,
          creditAccountId: payee,
          amount,
          kind: 'reversal',
          phase: 'single',
          reversesTransferId: original.id,
          references: { ...original.references, ...request.references },
          explanation: request.explanation ?? [],
          lots: { preferred: ownLots },
        };
        if (!debitedMember) return [reversal];
        if (payee === original.debitAccountId) {
          return [{ ...reversal, restoresConsumptionOf: [...consumedBy, ...prior.map((r) => r.id)] }];
        }
        // Between members, the holder's lots go to the survivor as any transfer's do.
        if (creditedMember) return [reversal];
        const lots = await lotsToRestore(
          manager,
          [...consumedBy, ...prior.map((r) => r.id)],
          prior.map((r) => r.id),
          amount,
        );
        return lots.map((lot) => ({
          ...reversal,
          amount: lot.points,
          references: { ...reversal.references, restoresLot: lot.lotId },
          expiresAt: lot.expiresAt,
          fundingPartnerId: lot.fundingPartnerId,
        }));
      },
      within,
    );
  }

  private async resolve(phase: 'post' | 'void', request: PostRequest, within?: EntityManager): Promise<LedgerResult> {
    validateIdempotency(request);
    requireUuid('pendingTransferId', request.pendingTransferId);
    if (request.expiresAt != null && (!(request.expiresAt instanceof Date) || Number.isNaN(request.expiresAt.getTime()))) {
      throw new InvalidTransferError('expiresAt', 'must be a valid date');
    }
    return this.write(
      phase,
      request,
      async (manager) => {
        const pending = await lockTransfer(manager, 'pendingTransferId', request.pendingTransferId);
        if (pending.phase !== 'pending') {
          throw new InvalidTransferError('pendingTransferId', `transfer ${pending.id} is not a pending transfer`);
        }
        const [resolution] = await rows<{ phase: string }>(manager, `SELECT phase FROM ledger_transfer WHERE "pendingTransferId" = $1`, [
          pending.id,
        ]);
        if (resolution) throw new PendingTransferResolvedError(pending.id, resolution.phase);
        const amount = request.amount ?? pending.amount;
        if (amount > pending.amount) throw new InvalidTransferError('amount', `must be at most ${pending.amount}, the points held`);
        return [
          {
            debitAccountId: pending.debitAccountId,
            creditAccountId: pending.creditAccountId,
            debitShard: pending.debitShard,
            creditShard: pending.creditShard,
            amount,
            releases: pending.amount,
            kind: pending.kind,
            phase,
            pendingTransferId: pending.id,
            references: pending.references,
            explanation: [],
            restoresConsumptionOf: phase === 'void' ? [pending.id] : undefined,
            expiresAt: request.expiresAt ?? null,
            fundingPartnerId: pending.references.fundingPartner ?? null,
          },
        ];
      },
      within,
    );
  }

  /**
   * Writes a plan that needs nothing read under a lock: the database function checks
   * idempotency, locks, applies and records it in one statement. Without `within`, that
   * statement is the whole transaction (one round trip).
   */
  private async apply(
    operation: string,
    request: Idempotency,
    plan: PlannedTransfer[],
    within: EntityManager | undefined,
  ): Promise<LedgerResult> {
    const identity = { source: request.source, key: request.key, hash: requestHash(operation, request) };
    if (!within) return executePlanAlone(this.dataSource, identity, plan);
    requireTransaction(within);
    return executePlan(within, identity, plan);
  }

  /**
   * Writes a plan that depends on rows read under locks first (a hold to post, a transfer to
   * reverse): one transaction, where a replay is found before anything is read.
   */
  private async write(
    operation: string,
    request: Idempotency,
    body: (manager: EntityManager) => Promise<PlannedTransfer[]>,
    within: EntityManager | undefined,
  ): Promise<LedgerResult> {
    const identity = { source: request.source, key: request.key, hash: requestHash(operation, request) };
    const run = async (manager: EntityManager): Promise<LedgerResult> =>
      (await replayOf(manager, identity)) ?? executePlan(manager, identity, await body(manager));
    if (!within) return inTransaction(this.dataSource, run);
    requireTransaction(within);
    return run(within);
  }
}

function plannedTransfer(request: TransferRequest) {
  validateTransferRequest(request);
  const identity = { source: request.source, key: request.key, hash: requestHash('transfer', request) };
  // A partner's purchase is spread over its wallet's shards so that every shard can pay earns.
  const plan: PlannedTransfer[] = request.legs.map((leg) => ({
    ...leg,
    phase: 'single',
    spreadCredit: leg.kind === 'purchase',
    ...described(leg),
  }));
  return { identity, plan };
}

/**
 * `Ledger.transfer`'s write, for a caller that puts it into a statement or function of its own
 * (an event, its ledger write and its outbox row in one round trip): run
 * `SELECT ledger_write_v3($1::jsonb)` (or call it inside a PL/pgSQL function) with `plan` as the
 * parameter, then `readLedgerAnswer(answer, identity)` gives the same result or error as
 * `Ledger.transfer` would. Replays are shared with `Ledger.transfer`: same key, same hash.
 */
export function transferWrite(request: TransferRequest): LedgerWrite {
  const { identity, plan } = plannedTransfer(request);
  return ledgerWrite(identity, plan);
}

function requireTransaction(within: EntityManager): void {
  if (!within.queryRunner?.isTransactionActive) {
    throw new LedgerFault('A ledger write within a manager needs that manager to be in a transaction');
  }
}

function described(leg: LegRequest) {
  return { references: leg.references ?? {}, explanation: leg.explanation ?? [], lots: leg.fromLotIds && { only: leg.fromLotIds } };
}

/** The account of the same unit (and credit program) of the member a member account's owner was merged into, or the account itself. */
export async function survivingAccount(manager: EntityManager, accountId: string): Promise<string> {
  const [owner] = await rows<{ mergedIntoId: string | null }>(
    manager,
    `SELECT m."mergedIntoId" FROM ledger_account a JOIN member m ON m.id = a."memberId" WHERE a.id = $1`,
    [accountId],
  );
  let memberId = owner?.mergedIntoId ?? null;
  if (memberId === null) return accountId;
  // Merges are never undone and each target was live when merged into: the chain ends.
  for (;;) {
    const found: { mergedIntoId: string | null }[] = await rows(manager, `SELECT "mergedIntoId" FROM member WHERE id = $1`, [memberId]);
    const next: string | null = found[0]?.mergedIntoId ?? null;
    if (next === null) break;
    memberId = next;
  }
  const [survivor] = await rows<{ id: string }>(
    manager,
    `SELECT s.id FROM ledger_account a JOIN ledger_account s
        ON s."memberId" = $2 AND s.unit = a.unit AND s."creditProgramId" IS NOT DISTINCT FROM a."creditProgramId"
      WHERE a.id = $1`,
    [accountId, memberId],
  );
  return survivor?.id ?? accountId;
}
