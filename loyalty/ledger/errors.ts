import { Refusal, type RefusalCode } from '../refusal.js';

/** Base of every refusal the ledger gives: nothing was written when one is thrown. */
export class LedgerError extends Refusal {
  constructor(code: RefusalCode, reason: string, field?: string, details: Record<string, unknown> = {}) {
    super(code, reason, field, details);
  }
}

/**
 * Not a refusal but a broken promise of the ledger's own (lots that disagree with a balance, a
 * write outside a transaction): a fault to fix, never an answer to a caller.
 */
export class LedgerFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerFault';
  }
}

export class InvalidTransferError extends LedgerError {
  constructor(field: string, reason: string) {
    super('invalid_transfer', reason, field);
  }
}

export class AccountNotFoundError extends LedgerError {
  constructor(accountId: string) {
    super('account_not_found', `Account ${accountId} does not exist`, undefined, { accountId });
  }
}

export class InsufficientFundsError extends LedgerError {
  constructor(
    readonly accountId: string,
    readonly accountCode: string,
    readonly available: number,
    readonly requested: number,
  ) {
    super('insufficient_funds', `Account ${accountCode} has ${available} points available, ${requested} requested`, undefined, {
      account: accountCode,
      available,
      requested,
    });
  }
}

export class IdempotencyConflictError extends LedgerError {
  constructor(source: string, key: string) {
    super('idempotency_conflict', `Idempotency key "${key}" of ${source} was already used for a different request`, undefined, {
      source,
      key,
    });
  }
}

export class TransferNotFoundError extends LedgerError {
  constructor(transferId: string) {
    super('transfer_not_found', `Transfer ${transferId} does not exist`, undefined, { transferId });
  }
}

export class PendingTransferResolvedError extends LedgerError {
  constructor(pendingTransferId: string, resolution: string) {
    super(
      'pending_transfer_resolved',
      `Pending transfer ${pendingTransferId} was already ${resolution === 'post' ? 'posted' : 'voided'}`,
      undefined,
      { pendingTransferId, resolution },
    );
  }
}

export class NotReversibleError extends LedgerError {
  constructor(transferId: string, reason: string) {
    super('not_reversible', `Transfer ${transferId} cannot be reversed: ${reason}`, undefined, { transferId });
  }
}

/**
 * Runs a ledger write and turns "not enough points" on `accountId` into the caller's own refusal,
 * so that a client reads what it sent at fault (`reward`, `points`), never an internal account code.
 */
export async function refuseShortfall<T>(
  accountId: string,
  write: () => Promise<T>,
  field: string | undefined,
  reason: (shortfall: InsufficientFundsError) => string,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof InsufficientFundsError) || error.accountId !== accountId) throw error;
    throw new Refusal('insufficient_funds', reason(error), field, { available: error.available, requested: error.requested });
  }
}
