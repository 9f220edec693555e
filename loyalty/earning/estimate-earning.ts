import type { EntityManager } from 'typeorm';
import { Booster, EarningRule, LedgerAccount, Member } from '../../entities/index.js';
import type { EarningEvent } from './earning-event.js';
import { evaluateEarning, type EarningOutcome } from './evaluate-earning.js';
import { memberStanding } from './member-standing.js';
import { programSettings } from './record-event.js';

/** What an event would earn a member now, without writing anything (the widget's cart preview). */
export async function estimateEarning(manager: EntityManager, externalId: string, event: EarningEvent): Promise<EarningOutcome> {
  const member = await manager.findOneBy(Member, { externalId });
  const account = member ? await manager.findOneBy(LedgerAccount, { memberId: member.id }) : null;
  const settings = await programSettings(manager);
  const standing =
    member && account
      ? await memberStanding(manager, { id: member.id, accountId: account.id }, event.occurredAt, settings.tierWindowDays)
      : { tierCode: null, tierMultiplier: 1, awardedToday: {}, awardedThisMonth: {} };
  const [rules, boosters] = await Promise.all([manager.findBy(EarningRule, { active: true }), manager.findBy(Booster, { active: true })]);
  return evaluateEarning(event, standing, rules, boosters);
}
