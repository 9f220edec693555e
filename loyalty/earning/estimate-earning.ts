import type { EntityManager } from 'typeorm';
import { LedgerAccount, Member, pointsUnit } from '../../entities/index.js';
import type { EarningEvent } from './earning-event.js';
import { evaluateEarning, type EarningOutcome } from './evaluate-earning.js';
import { memberStanding } from './member-standing.js';
import { programConfiguration } from './program-configuration.js';

/** What an event in the program's currency would earn a member now, without writing anything (the widget's cart preview). */
export async function estimateEarning(
  manager: EntityManager,
  memberId: string | null,
  inProgramCurrency: Omit<EarningEvent, 'currency'>,
): Promise<EarningOutcome> {
  const member = memberId ? await manager.findOneBy(Member, { id: memberId }) : null;
  const account = member ? await manager.findOneBy(LedgerAccount, { memberId: member.id, unit: pointsUnit }) : null;
  const { rules, boosters, tiers, settings } = await programConfiguration(manager);
  const event: EarningEvent = { ...inProgramCurrency, currency: settings.currency };
  const standing =
    member && account
      ? await memberStanding(manager, { id: member.id, accountId: account.id }, event.occurredAt, {
          tiers,
          tierWindowDays: settings.tierWindowDays,
          rules,
        })
      : { tierCode: null, tierMultiplier: 1, awardedToday: {}, awardedThisMonth: {} };
  return evaluateEarning(event, standing, rules, boosters);
}
