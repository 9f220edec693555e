import { BaseEntity, Check, Column, Entity, Generated, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

export const transferKinds = [
  'purchase',
  'earn',
  'bonus',
  'burn',
  'expire',
  'adjust',
  'transfer',
  'reversal',
  'rebalance',
  'merge',
  'allocation',
  'cashback',
  'conversion',
] as const;
export type TransferKind = (typeof transferKinds)[number];

/**
 * single: moves posted points at once. pending: holds them. post / void: resolve a pending
 * transfer (ledger_hold_resolution allows exactly one resolution per pending transfer).
 */
export const transferPhases = ['single', 'pending', 'post', 'void'] as const;
export type TransferPhase = (typeof transferPhases)[number];

/** Why points moved, in words a care agent or a partner can read. */
export interface RuleExplanation {
  rule: string;
  points: number;
  reason: string;
}

/** What caused a transfer: an event, campaign, redemption, care agent, ... */
export type TransferReferences = Record<string, string>;

/**
 * An immutable movement of whole points from one account (shard) to another. The table is
 * partitioned by month of "createdAt" (1796040000000-PartitionedLedgerTransfers), so every unique
 * index must hold "createdAt": the idempotency key and the one resolution per hold are kept unique
 * in ledger_idempotency and ledger_hold_resolution, and seq by its sequence.
 */
@Entity({ name: 'ledger_transfer' })
// Not unique (ledger_idempotency is): lets the readers that look a request's transfers up by key find them.
@Index('ledger_transfer_by_idempotency_key', ['idempotencySource', 'idempotencyKey', 'leg'])
@Check('ledger_transfer_amount_positive', '"amount" > 0')
@Check('ledger_transfer_distinct_sides', '"debitAccountId" <> "creditAccountId" OR "debitShard" <> "creditShard"')
@Check('ledger_transfer_held_until_on_holds', `"heldUntil" IS NULL OR "phase" = 'pending'`)
@Check('ledger_transfer_resolution_has_pending', `("phase" IN ('post', 'void')) = ("pendingTransferId" IS NOT NULL)`)
export class LedgerTransfer extends BaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Monotonic order of insertion, for history pages and cursors; unique as only its sequence sets it. */
  @Index()
  @Column({ type: 'bigint', transformer: bigintNumber })
  @Generated('increment')
  seq: number;

  // No foreign keys to accounts: every earn would take a KEY SHARE lock on the partner's account
  // row, and concurrent sharers of one row cost PostgreSQL a multixact each. The ledger writes
  // only to accounts whose balance rows it has just updated, which proves they exist.
  @Index()
  @Column({ type: 'uuid' })
  debitAccountId: string;

  @Column({ type: 'integer' })
  debitShard: number;

  @Index()
  @Column({ type: 'uuid' })
  creditAccountId: string;

  @Column({ type: 'integer' })
  creditShard: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  amount: number;

  @Column({ type: 'text' })
  kind: TransferKind;

  @Column({ type: 'text', default: 'single' })
  phase: TransferPhase;

  @Index({ where: '"pendingTransferId" IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  pendingTransferId: string | null;

  @Index({ where: '"reversesTransferId" IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  reversesTransferId: string | null;

  /** Who sent the request (`partner:<id>`, `care`, `system`): keys are unique per source. */
  @Column({ type: 'text' })
  idempotencySource: string;

  @Column({ type: 'text' })
  idempotencyKey: string;

  /** Position of this transfer among those one request created atomically. */
  @Column({ type: 'integer', default: 0 })
  leg: number;

  /** Hash of the whole request, so that a reused key with a different request is a conflict. */
  @Column({ type: 'text' })
  requestHash: string;

  /** A pending transfer's time limit: the points go back to the member if nothing settled it by then. */
  @Column({ type: 'timestamptz', nullable: true })
  heldUntil: Date | null;

  @Column({ type: 'jsonb', default: {} })
  references: TransferReferences;

  @Column({ type: 'jsonb', default: [] })
  explanation: RuleExplanation[];

  /** The partition key, so part of the primary key; id alone still names a transfer. */
  @PrimaryColumn({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
