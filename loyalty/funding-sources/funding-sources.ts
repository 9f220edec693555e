import type { EntityManager } from 'typeorm';
import { FundingSource, LedgerAccount, LedgerBalance, type FundingSourceKind } from '../../entities/index.js';
import { accountByCode, hotAccountShards, partnerWallet, programAccounts } from '../ledger/accounts.js';
import { refuseShortfall } from '../ledger/errors.js';
import type { Ledger } from '../ledger/ledger.js';
import type { LedgerResult } from '../ledger/transfer-record.js';
import { isUuid } from '../ids.js';
import { Refusal } from '../refusal.js';

export interface NewFundingSource {
  code: string;
  name: string;
  kind: FundingSourceKind;
  ownerPartnerId: string | null;
  lowBalanceThreshold: number;
  alertEmail: string | null;
}

/** The ledger account code of a source: its points are nobody's but the source's. */
export const sourceAccountCode = (code: string) => `funding:${code}`;

/**
 * Makes a funding source with its own ledger account (empty until points are allocated to it). It
 * is debited by every earn of the campaigns it pays, so it is sharded like a partner's wallet.
 */
export async function createFundingSource(manager: EntityManager, fields: NewFundingSource): Promise<FundingSource> {
  const account = manager.create(LedgerAccount, {
    code: sourceAccountCode(fields.code),
    kind: 'funding_source',
    memberId: null,
    partnerId: null,
    mayGoNegative: false,
    shardCount: hotAccountShards,
  });
  await manager.insert(LedgerAccount, account);
  await manager.insert(
    LedgerBalance,
    Array.from({ length: hotAccountShards }, (_, shard) => ({ accountId: account.id, shard, mayGoNegative: false })),
  );
  const source = manager.create(FundingSource, { ...fields, accountId: account.id });
  await manager.insert(FundingSource, source);
  return source;
}

export interface Allocation {
  sourceId: string;
  points: number;
  /** Unique per allocation: a retried one allocates once. */
  key: string;
  /** Who allocated it (a staff member's email), kept on the transfer for the audit. */
  by: string;
  note?: string;
}

/**
 * Puts points in a source by a ledger transfer: from the owner partner's wallet for a partner's
 * budget (the partner bought them), from the program's issuance for a brand's or the operator's
 * (their money comes outside the ledger). A wallet short of the points refuses and writes nothing.
 */
export async function allocateToSource(manager: EntityManager, ledger: Ledger, allocation: Allocation): Promise<LedgerResult> {
  if (!Number.isSafeInteger(allocation.points) || allocation.points <= 0)
    throw new Refusal('funding_source_refused', 'must be a whole number of points above 0', 'points');
  const source = await manager.findOneBy(FundingSource, { id: allocation.sourceId });
  if (!source) throw new Refusal('funding_source_not_found', 'no such funding source', 'source');
  const from = source.ownerPartnerId
    ? await partnerWallet(manager, source.ownerPartnerId)
    : await accountByCode(manager, programAccounts.issuance);
  return refuseShortfall(
    from.id,
    () =>
      ledger.transfer(
        {
          source: 'funding-source',
          key: allocation.key,
          legs: [
            {
              debitAccountId: from.id,
              creditAccountId: source.accountId,
              amount: allocation.points,
              kind: 'allocation',
              references: { fundingSource: source.id, by: allocation.by, ...(allocation.note ? { note: allocation.note } : {}) },
            },
          ],
        },
        manager,
      ),
    'points',
    (short) => `the partner's wallet has ${short.available} points available, ${short.requested} asked`,
  );
}

/** The sources a partner may choose for its campaigns: its own. */
export function sourcesOwnedBy(manager: EntityManager, partnerId: string): Promise<FundingSource[]> {
  return manager.find(FundingSource, { where: { ownerPartnerId: partnerId }, order: { name: 'ASC' } });
}

/**
 * What is wrong with a campaign's or bonus's choice of source, or undefined: it must exist and, for
 * a partner's campaign, be the partner's own.
 */
export async function fundingSourceChoiceProblem(
  manager: EntityManager,
  sourceId: string | null | undefined,
  ownerPartnerId: string | null,
): Promise<string | undefined> {
  if (sourceId === null || sourceId === undefined || sourceId === '') return undefined;
  const source = isUuid(sourceId) ? await manager.findOneBy(FundingSource, { id: sourceId }) : null;
  if (!source) return 'choose a funding source from the list';
  if (ownerPartnerId !== null && source.ownerPartnerId !== ownerPartnerId) return 'choose one of your own funding sources';
  return undefined;
}
