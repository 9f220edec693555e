import type { EntityManager } from 'typeorm';
import { LedgerAccount, Partner } from '../entities/index.js';
import { openPartnerWallet } from './ledger/accounts.js';

export interface PartnerOnboarding {
  code: string;
  name: string;
  kind?: Partner['kind'];
  contactEmail?: string | null;
}

/** Onboards a partner store with its (empty) points wallet. */
export async function onboardPartner(
  manager: EntityManager,
  onboarding: PartnerOnboarding,
): Promise<{ partner: Partner; wallet: LedgerAccount }> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(Partner)
    .values({
      code: onboarding.code,
      name: onboarding.name,
      kind: onboarding.kind ?? 'web_shop',
      contactEmail: onboarding.contactEmail ?? null,
    })
    .orIgnore()
    .execute();
  const partner = await manager.findOneByOrFail(Partner, { code: onboarding.code });
  const wallet = await openPartnerWallet(manager, partner);
  return { partner, wallet };
}
