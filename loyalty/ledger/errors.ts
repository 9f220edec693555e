/** Base of every refusal the ledger gives: nothing was written when one is thrown. */
export class LedgerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidTransferError extends LedgerError {
  constructor(field: string, message: string) {
    super('invalid_transfer', `${field}: ${message}`, { field });
  }
}

export class AccountNotFoundError extends LedgerError {
  constructor(accountId: string) {
    super('account_not_found', `Account ${accountId} does not exist`, { accountId });
  }
}

export class InsufficientFundsError extends LedgerError {
  constructor(accountCode: string, available: number, requested: number) {
    super('insufficient_funds', `Account ${accountCode} has ${available} points available, ${requested} requested`, {
      account: accountCode,
      available,
      requested,
    });
  }
}

export class IdempotencyConflictError extends LedgerError {
  constructor(source: string, key: string) {
    super('idempotency_conflict', `Idempotency key "${key}" of ${source} was already used for a different request`, { source, key });
  }
}

export class TransferNotFoundError extends LedgerError {
  constructor(transferId: string) {
    super('transfer_not_found', `Transfer ${transferId} does not exist`, { transferId });
  }
}

export class PendingTransferResolvedError extends LedgerError {
  constructor(pendingTransferId: string, resolution: string) {
    super('pending_transfer_resolved', `Pending transfer ${pendingTransferId} was already ${resolution === 'post' ? 'posted' : 'voided'}`, {
      pendingTransferId,
      resolution,
    });
  }
}

export class NotReversibleError extends LedgerError {
  constructor(transferId: string, reason: string) {
    super('not_reversible', `Transfer ${transferId} cannot be reversed: ${reason}`, { transferId });
  }
}
