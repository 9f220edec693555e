import type { EntityManager } from 'typeorm';
import type { Bonus, Campaign } from '../../entities/index.js';
import { FundingSource } from '../../entities/index.js';
import { InsufficientFundsError } from '../ledger/errors.js';
import { Refusal } from '../refusal.js';

/** A funding source as the earn path debits it. */
export interface PayingSource {
  id: string;
  name: string;
  accountId: string;
  /** The partner whose budget it is: its points count as funded by it. */
  ownerPartnerId: string | null;
}

/**
 * Which source pays each earning rule, booster or bonus that has one: the campaign running it
 * says so, or the bonus itself. Mechanisms absent from the map are paid by the earning partner.
 */
export async function payingSources(
  manager: EntityManager,
  campaigns: Pick<Campaign, 'mechanismId' | 'fundingSourceId'>[],
  bonuses: Pick<Bonus, 'id' | 'fundingSourceId'>[],
): Promise<Map<string, PayingSource>> {
  const chosen = new Map<string, string>();
  for (const bonus of bonuses) if (bonus.fundingSourceId) chosen.set(bonus.id, bonus.fundingSourceId);
  for (const campaign of campaigns) if (campaign.fundingSourceId) chosen.set(campaign.mechanismId, campaign.fundingSourceId);
  if (chosen.size === 0) return new Map();
  const sources = await manager
    .createQueryBuilder(FundingSource, 's')
    .where('s.id IN (:...ids)', { ids: [...new Set(chosen.values())] })
    .getMany();
  const byId = new Map(sources.map((s) => [s.id, s]));
  const payers = new Map<string, PayingSource>();
  for (const [mechanismId, sourceId] of chosen) {
    const source = byId.get(sourceId);
    if (source)
      payers.set(mechanismId, { id: source.id, name: source.name, accountId: source.accountId, ownerPartnerId: source.ownerPartnerId });
  }
  return payers;
}

/**
 * Runs the write, turning a source's shortfall into the refusal that names the source: the event is
 * refused whole (the caller's transaction writes nothing), never paid by someone else instead.
 */
export async function refuseSourceShortfall<T>(payers: Map<string, PayingSource>, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof InsufficientFundsError)) throw error;
    const source = [...payers.values()].find((s) => s.accountId === error.accountId);
    if (!source) throw error;
    throw new Refusal(
      'funding_source_short',
      `the funding source "${source.name}" has ${error.available} points available and this event needs ${error.requested} from it`,
      undefined,
      { fundingSource: source.id, available: error.available, requested: error.requested },
    );
  }
}
