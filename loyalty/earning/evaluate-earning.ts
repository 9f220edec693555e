import type { Rounding, RuleExplanation } from '../../entities/index.js';
import { inUnits, typedPrice } from '../money.js';
import type { EarningEvent, MemberStanding } from './earning-event.js';
import type { BoosterTerms, RuleTerms, Scope } from './earning-rule.js';

export interface RuleAward {
  ruleId: string;
  points: number;
}

export interface EarningOutcome {
  points: number;
  /** Every rule, booster, cap and multiplier that changed the result, in words. */
  explanation: RuleExplanation[];
  /** Points per rule, after boosters and caps (what the member's daily and monthly caps count). */
  byRule: RuleAward[];
  /** Points each booster added to a rule's points, after the rule's caps (what a booster campaign's budget counts). */
  byBooster: { boosterId: string; ruleId: string; points: number }[];
}

/** The event's purchase types: what a per-visit rule pays for. */
const visitTypes = new Set(['purchase', 'visit']);

/** Whether a rule, booster or bonus applies to this event of this member. */
export function applies(scope: Scope, event: EarningEvent, standing: MemberStanding): boolean {
  if (scope.partnerIds && !scope.partnerIds.includes(event.partnerId)) return false;
  if (scope.channels && (!event.channel || !scope.channels.includes(event.channel))) return false;
  if (scope.pointOfSaleIds && (!event.pointOfSaleId || !scope.pointOfSaleIds.includes(event.pointOfSaleId))) return false;
  if (scope.tierCodes && (!standing.tierCode || !scope.tierCodes.includes(standing.tierCode))) return false;
  if (scope.validFrom && event.occurredAt < scope.validFrom) return false;
  if (scope.validTo && event.occurredAt >= scope.validTo) return false;
  return true;
}

function round(value: number, rounding: Rounding): number {
  // Guard against binary fractions such as 0.1 * 3 = 0.30000000000000004 before rounding.
  const tidy = Math.round(value * 1e6) / 1e6;
  return rounding === 'up' ? Math.ceil(tidy) : rounding === 'nearest' ? Math.round(tidy) : Math.floor(tidy);
}

interface BasePoints {
  points: number;
  reason: string;
  /** What a booster can target in this result. */
  tags: { actionType: string; reference?: string; category?: string };
}

function basePoints(rule: RuleTerms, event: EarningEvent): BasePoints | undefined {
  const f = rule.formula;
  const lines = event.lines ?? [];
  const tags = { actionType: event.type };
  switch (f.kind) {
    case 'per_amount': {
      if (event.amountCents === undefined) return undefined;
      // Rules pay per euro, per yen, per dinar: units of the program's currency.
      const points = round(inUnits(event.amountCents, event.currency) * f.pointsPerUnit, f.rounding);
      return { points, reason: `spent ${typedPrice(event.amountCents, event.currency)} at ${f.pointsPerUnit} per unit`, tags };
    }
    case 'per_product': {
      const items = lines.filter((l) => l.reference === f.reference).reduce((sum, l) => sum + l.quantity, 0);
      if (items === 0) return undefined;
      const category = lines.find((l) => l.reference === f.reference)?.category;
      return {
        points: items * f.pointsPerItem,
        reason: `${items} × ${f.reference} at ${f.pointsPerItem} each`,
        tags: { ...tags, reference: f.reference, category },
      };
    }
    case 'per_category': {
      const cents = lines.filter((l) => l.category === f.category).reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
      if (cents === 0) return undefined;
      return {
        points: round(inUnits(cents, event.currency) * f.pointsPerUnit, f.rounding),
        reason: `spent ${typedPrice(cents, event.currency)} on ${f.category} at ${f.pointsPerUnit} per unit`,
        tags: { ...tags, category: f.category },
      };
    }
    case 'per_visit':
      return visitTypes.has(event.type) ? { points: f.points, reason: 'visit', tags } : undefined;
    case 'per_action':
      return event.type === f.actionType ? { points: f.points, reason: `action ${f.actionType}`, tags } : undefined;
  }
}

function boosterMatches(booster: BoosterTerms, tags: BasePoints['tags']): boolean {
  const t = booster.target;
  if ('actionType' in t) return t.actionType === tags.actionType;
  if ('reference' in t) return t.reference === tags.reference;
  return t.category === tags.category;
}

/** Cents of the event's lines a product or category target names. */
function targetedCents(target: BoosterTerms['target'], event: EarningEvent): number {
  const lines = event.lines ?? [];
  const matching =
    'reference' in target
      ? lines.filter((l) => l.reference === target.reference)
      : 'category' in target
        ? lines.filter((l) => l.category === target.category)
        : [];
  return matching.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
}

/**
 * The strongest booster on a rule's points, and the share of them it multiplies: all of them when
 * it targets what the rule paid for, or, for a booster on spend, the targeted lines' share of a
 * purchase's amount (boosters do not compound).
 */
function strongestBooster(boosters: BoosterTerms[], rule: RuleTerms, base: BasePoints, event: EarningEvent) {
  const candidates = boosters.flatMap((b) => {
    if (boosterMatches(b, base.tags)) return [{ ...b, share: 1 }];
    const onSpend = 'spend' in b.target && b.target.spend === true;
    if (!onSpend || rule.formula.kind !== 'per_amount' || !event.amountCents) return [];
    const share = Math.min(1, targetedCents(b.target, event) / event.amountCents);
    return share > 0 ? [{ ...b, share }] : [];
  });
  return candidates.sort((a, b) => b.coefficient * b.share - a.coefficient * a.share)[0];
}

/**
 * The points an event earns a member, and why. Stacking rules add up; of the best-only rules only
 * the best-paying counts. A rule's points are multiplied by the strongest booster that targets
 * them (boosters do not compound), then capped; the member's tier multiplier applies last.
 */
export function evaluateEarning(
  event: EarningEvent,
  standing: MemberStanding,
  rules: RuleTerms[],
  boosters: BoosterTerms[],
  /** Points left in the budgets of the campaigns that run these rules and boosters, by rule or booster id. */
  budgets: Record<string, number> = {},
): EarningOutcome {
  const left = { ...budgets };
  // What a booster added to each rule's points, for its budget.
  const extraOf: Record<string, number> = {};
  const activeBoosters = boosters.filter((b) => b.coefficient > 0 && applies(b, event, standing));
  const results: { rule: RuleTerms; points: number; explanation: RuleExplanation[]; boost?: { id: string; points: number } }[] = [];

  for (const rule of [...rules].sort((a, b) => b.priority - a.priority)) {
    if (!applies(rule, event, standing)) continue;
    const base = basePoints(rule, event);
    if (!base || base.points <= 0) continue;
    const explanation: RuleExplanation[] = [{ rule: rule.name, points: base.points, reason: base.reason }];
    let points = base.points;

    const booster = strongestBooster(activeBoosters, rule, base, event);
    if (booster && booster.coefficient !== 1) {
      let extra = Math.floor(points * booster.share * booster.coefficient) - Math.floor(points * booster.share);
      const budget = left[booster.id];
      const part =
        booster.share < 1
          ? ` for its ${'category' in booster.target ? booster.target.category : 'reference' in booster.target ? booster.target.reference : ''} share`
          : '';
      const reason = `booster ×${booster.coefficient} on ${rule.name}${part}${budget !== undefined && extra > budget ? ` (its budget had ${budget} points left)` : ''}`;
      if (budget !== undefined) extra = Math.max(0, Math.min(extra, budget));
      if (extra > 0) {
        explanation.push({ rule: booster.name, points: extra, reason });
        points += extra;
        extraOf[rule.id] = extra;
        if (budget !== undefined) left[booster.id] = budget - extra;
      }
    }

    const caps = rule.caps ?? {};
    const limits: [number | undefined, string][] = [
      [caps.perEvent, `capped at ${caps.perEvent} per event`],
      [
        caps.perMemberPerDay === undefined ? undefined : caps.perMemberPerDay - (standing.awardedToday[rule.id] ?? 0),
        `capped at ${caps.perMemberPerDay} per day (${standing.awardedToday[rule.id] ?? 0} already today)`,
      ],
      [
        caps.perMemberPerMonth === undefined ? undefined : caps.perMemberPerMonth - (standing.awardedThisMonth[rule.id] ?? 0),
        `capped at ${caps.perMemberPerMonth} per month (${standing.awardedThisMonth[rule.id] ?? 0} already this month)`,
      ],
      [left[rule.id], `its campaign's budget had ${left[rule.id]} points left`],
    ];
    for (const [limit, reason] of limits) {
      if (limit === undefined || points <= Math.max(0, limit)) continue;
      const capped = Math.max(0, limit);
      explanation.push({ rule: rule.name, points: capped - points, reason });
      points = capped;
    }
    // A cap cuts the booster's points first: the booster's budget pays only what it still added.
    const extra = extraOf[rule.id] ?? 0;
    const boosted = Math.max(0, extra - (base.points + extra - points));
    if (booster && left[booster.id] !== undefined) left[booster.id]! += extra - boosted;
    if (points > 0)
      results.push({ rule, points, explanation, boost: booster && boosted > 0 ? { id: booster.id, points: boosted } : undefined });
  }

  const stacked = results.filter((r) => r.rule.stacking === 'stack');
  // Sorted by priority already: the first of equally good best-only rules wins.
  const best = results
    .filter((r) => r.rule.stacking === 'best_only')
    .reduce<(typeof results)[number] | undefined>((winner, r) => (!winner || r.points > winner.points ? r : winner), undefined);
  const counted = best ? [...stacked, best] : stacked;

  const explanation = counted.flatMap((r) => r.explanation);
  let points = counted.reduce((sum, r) => sum + r.points, 0);
  if (points > 0 && standing.tierMultiplier !== 1) {
    const extra = Math.floor(points * standing.tierMultiplier) - points;
    explanation.push({ rule: `tier ${standing.tierCode}`, points: extra, reason: `tier multiplier ×${standing.tierMultiplier}` });
    points += extra;
  }
  return {
    points,
    explanation,
    byRule: counted.map((r) => ({ ruleId: r.rule.id, points: r.points })),
    byBooster: counted.flatMap((r) => (r.boost ? [{ boosterId: r.boost.id, ruleId: r.rule.id, points: r.boost.points }] : [])),
  };
}
