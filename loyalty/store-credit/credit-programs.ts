import type { EntityManager } from 'typeorm';
import { CreditProgram } from '../../entities/index.js';

/** The active store-credit program the partner's stores take part in, if any (one at most: see the form's checks). */
export async function creditProgramOfPartner(manager: EntityManager, partnerId: string): Promise<CreditProgram | null> {
  return manager
    .createQueryBuilder(CreditProgram, 'c')
    .where('c.active AND :partnerId = ANY(c."partnerIds")', { partnerId })
    .orderBy('c."createdAt"')
    .getOne();
}
