import { createHash } from 'node:crypto';
import { transferKinds, type RuleExplanation, type TransferKind, type TransferReferences } from '../../entities/index.js';
import { InvalidTransferError } from './errors.js';

/** One movement of points asked for; a request's legs are written atomically. */
export interface LegRequest {
  debitAccountId: string;
  creditAccountId: string;
  amount: number;
  kind: TransferKind;
  references?: TransferReferences;
  explanation?: RuleExplanation[];
  /** For a credit to a member: when the new lot expires; null or absent never expires. */
  expiresAt?: Date | null;
  /** For a credit to a member from a program account: who paid for the points, if a partner did. */
  fundingPartnerId?: string | null;
  /** For a debit from a member: take from these lots only (expiry takes exactly the lot that expired), or refuse. */
  fromLotIds?: string[];
}

/** Identifies a request: replaying the same (source, key) returns the first result. */
export interface Idempotency {
  /** Who asks (`partner:<id>`, `care`, `system:expiry`, ...): keys are unique per source. */
  source: string;
  key: string;
}

export interface TransferRequest extends Idempotency {
  legs: LegRequest[];
}

/** Points held until they are posted or voided, or given back at `until` if nobody settled them. */
export interface HoldRequest extends TransferRequest {
  until: Date;
}

export interface ResolveRequest extends Idempotency {
  pendingTransferId: string;
  /** For the post of a pending credit to a member: when the lot it creates expires; null or absent never expires. */
  expiresAt?: Date | null;
}

/** A post may take less than was held (a partial capture): the rest goes back to the member's lots. */
export interface PostRequest extends ResolveRequest {
  /** Points to post, at most the held amount; all of it when absent. */
  amount?: number;
}

export interface ReverseRequest extends Idempotency {
  transferId: string;
  /** Points to reverse; the rest of the original when absent. */
  amount?: number;
  references?: TransferReferences;
  explanation?: RuleExplanation[];
}

/**
 * Changes units at a recorded rate: `from.amount` moves between two accounts of one unit, and
 * `from.amount × rate` (rounded down) between two accounts of another, in one request.
 */
export interface ConvertRequest extends Idempotency {
  from: { debitAccountId: string; creditAccountId: string; amount: number };
  to: { debitAccountId: string; creditAccountId: string };
  /** Units of `to` one unit of `from` is worth. */
  rate: number;
  /** Since when the rate applies, recorded with it. */
  rateValidFrom: Date;
  references?: TransferReferences;
  /** For a credit to a member: who paid for what they receive. */
  fundingPartnerId?: string | null;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function requireUuid(field: string, value: unknown): void {
  if (typeof value !== 'string' || !uuidPattern.test(value)) throw new InvalidTransferError(field, 'must be a UUID');
}

export function requirePoints(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidTransferError(field, 'must be a whole number of points greater than zero');
  }
}

export function validateIdempotency({ source, key }: Idempotency): void {
  if (typeof source !== 'string' || source.trim() === '' || source.length > 200) {
    throw new InvalidTransferError('source', 'must be a non-empty string of at most 200 characters');
  }
  if (typeof key !== 'string' || key.trim() === '' || key.length > 200) {
    throw new InvalidTransferError('idempotencyKey', 'must be a non-empty string of at most 200 characters');
  }
}

export function validateTransferRequest(request: TransferRequest): void {
  validateIdempotency(request);
  if (!Array.isArray(request.legs) || request.legs.length === 0) {
    throw new InvalidTransferError('legs', 'must hold at least one transfer');
  }
  if (request.legs.length > 100) throw new InvalidTransferError('legs', 'must hold at most 100 transfers');
  request.legs.forEach((leg, index) => {
    const at = `legs[${index}]`;
    requireUuid(`${at}.debitAccountId`, leg.debitAccountId);
    requireUuid(`${at}.creditAccountId`, leg.creditAccountId);
    if (leg.debitAccountId === leg.creditAccountId) {
      throw new InvalidTransferError(`${at}.creditAccountId`, 'must differ from debitAccountId');
    }
    requirePoints(`${at}.amount`, leg.amount);
    if (!transferKinds.includes(leg.kind) || leg.kind === 'reversal' || leg.kind === 'rebalance') {
      throw new InvalidTransferError(
        `${at}.kind`,
        `must be one of ${transferKinds.filter((k) => k !== 'reversal' && k !== 'rebalance').join(', ')}`,
      );
    }
    if (leg.expiresAt != null && (!(leg.expiresAt instanceof Date) || Number.isNaN(leg.expiresAt.getTime()))) {
      throw new InvalidTransferError(`${at}.expiresAt`, 'must be a valid date');
    }
    if (leg.fundingPartnerId != null) requireUuid(`${at}.fundingPartnerId`, leg.fundingPartnerId);
    if (leg.fromLotIds !== undefined) {
      if (!Array.isArray(leg.fromLotIds)) throw new InvalidTransferError(`${at}.fromLotIds`, 'must be a list of lot ids');
      leg.fromLotIds.forEach((id, i) => requireUuid(`${at}.fromLotIds[${i}]`, id));
    }
  });
}

export function validateHoldRequest(request: HoldRequest): void {
  validateTransferRequest(request);
  if (!(request.until instanceof Date) || Number.isNaN(request.until.getTime()))
    throw new InvalidTransferError('until', 'must be a valid date');
}

export function validateConvertRequest(request: ConvertRequest): void {
  validateIdempotency(request);
  for (const side of ['from', 'to'] as const) {
    const pair = request[side];
    if (!pair || typeof pair !== 'object') throw new InvalidTransferError(side, 'must name a debit and a credit account');
    requireUuid(`${side}.debitAccountId`, pair.debitAccountId);
    requireUuid(`${side}.creditAccountId`, pair.creditAccountId);
    if (pair.debitAccountId === pair.creditAccountId)
      throw new InvalidTransferError(`${side}.creditAccountId`, 'must differ from debitAccountId');
  }
  requirePoints('from.amount', request.from.amount);
  if (typeof request.rate !== 'number' || !Number.isFinite(request.rate) || request.rate <= 0) {
    throw new InvalidTransferError('rate', 'must be a number greater than zero');
  }
  if (!(request.rateValidFrom instanceof Date) || Number.isNaN(request.rateValidFrom.getTime())) {
    throw new InvalidTransferError('rateValidFrom', 'must be a valid date');
  }
  if (request.fundingPartnerId != null) requireUuid('fundingPartnerId', request.fundingPartnerId);
}

/** `amount × rate` in whole units, rounded down (tidied first: 0.1 × 3 is 0.3, not 0.30000000000000004). */
export function convertedAmount(amount: number, rate: number): number {
  return Math.floor(Math.round(amount * rate * 1e6) / 1e6);
}

function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** A fingerprint of what was asked, independent of key order, to tell a replay from a conflict. */
export function requestHash(operation: string, request: object): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical({ operation, request })))
    .digest('hex');
}
