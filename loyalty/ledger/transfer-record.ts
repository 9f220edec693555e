import type { RuleExplanation, TransferKind, TransferPhase, TransferReferences } from '../../entities/index.js';

/** A written transfer as the ledger returns it. */
export interface TransferRecord {
  id: string;
  seq: number;
  debitAccountId: string;
  debitShard: number;
  creditAccountId: string;
  creditShard: number;
  amount: number;
  kind: TransferKind;
  phase: TransferPhase;
  pendingTransferId: string | null;
  reversesTransferId: string | null;
  idempotencySource: string;
  idempotencyKey: string;
  leg: number;
  requestHash: string;
  heldUntil: Date | null;
  references: TransferReferences;
  explanation: RuleExplanation[];
  createdAt: Date;
}

export interface LedgerResult {
  transfers: TransferRecord[];
  /** True when the request had been made before: nothing was written this time. */
  replayed: boolean;
}

export const transferColumns = `id, seq, "debitAccountId", "debitShard", "creditAccountId", "creditShard", amount, kind,
  phase, "pendingTransferId", "reversesTransferId", "idempotencySource", "idempotencyKey", leg, "requestHash",
  "heldUntil", "references", explanation, "createdAt"`;

/** A transfer as PostgreSQL returns it: BIGINTs as strings. */
export type TransferRow = Omit<TransferRecord, 'seq' | 'amount'> & { seq: string | number; amount: string | number };

export function toTransferRecord(row: TransferRow): TransferRecord {
  return { ...row, seq: Number(row.seq), amount: Number(row.amount) };
}
