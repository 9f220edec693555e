import type { EntityManager } from 'typeorm';
import { Badge, type BadgeEmblem, type BadgeRule, type BadgeStatus } from '../../entities/index.js';
import { given, oneOf, requiredText, text, wholeNumber } from '../field-checks.js';
import { isUuid } from '../ids.js';
import { Refusal } from '../refusal.js';
import { emblemLabels } from './emblems.js';

export const badgeRuleLabels: Record<BadgeRule, string> = {
  challenge: 'Only by a challenge that awards it',
  first_purchase: 'First purchase',
  purchase_count: 'Number of purchases (lifetime)',
  distinct_partners: 'Different partners visited (lifetime)',
};
export const badgeStatusLabels: Record<BadgeStatus, string> = { draft: 'Draft', live: 'Live', retired: 'Retired' };

/** A badge the program will not save as asked; `problems` names each field. */
export class BadgeRefusedError extends Refusal {
  constructor(readonly problems: Record<string, string>) {
    const [field, reason] = Object.entries(problems)[0]!;
    super('badge_refused', reason, field, { problems });
  }
}

/** Who saves: the operator's staff (any owner), or a partner user (its own badges). */
export type BadgeEditor = { kind: 'operator' } | { kind: 'partner'; partnerId: string };

export type BadgeFields = Pick<Badge, 'name' | 'description' | 'partnerId' | 'emblem' | 'colour' | 'rule' | 'threshold' | 'status'>;

const nul = (value: unknown): string | undefined => (text(value).includes('\u0000') ? 'must not contain a NUL character' : undefined);

/**
 * Reads a back-office form (strings, as AdminJS sends them) into a badge's fields, or the problems
 * by field. A partner's badge is its own, whatever the form says.
 */
export function readBadgeForm(
  form: Record<string, unknown>,
  editor: BadgeEditor,
): { fields: BadgeFields; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const check = (field: string, problem: string | undefined) => {
    if (problem) problems[field] = problem;
  };
  check('name', requiredText(form.name, 80) ?? nul(form.name));
  check('description', (text(form.description).length > 500 ? 'must be at most 500 characters' : undefined) ?? nul(form.description));
  check('emblem', oneOf(form.emblem, emblemLabels));
  check('rule', oneOf(form.rule, badgeRuleLabels));
  if (given(form.status)) check('status', oneOf(form.status, badgeStatusLabels));
  const colour = (text(form.colour) || '#c27c0e').toLowerCase();
  if (!/^#[0-9a-f]{6}$/.test(colour)) problems.colour = 'must be a colour such as #c27c0e';
  const counted = form.rule === 'purchase_count' || form.rule === 'distinct_partners';
  if (counted) check('threshold', wholeNumber(form.threshold, { min: 1, max: 100_000 }));
  else if (given(form.threshold)) problems.threshold = 'only a number of purchases or of partners takes a threshold';
  const partnerId = editor.kind === 'partner' ? editor.partnerId : given(form.partnerId) ? text(form.partnerId) : null;
  if (partnerId && !isUuid(partnerId)) problems.partnerId = 'choose a partner from the list';
  if (partnerId && form.rule === 'distinct_partners')
    problems.rule = "a partner's own badge counts only its purchases: different partners is for the program's badges";
  return {
    fields: {
      name: text(form.name),
      description: text(form.description),
      partnerId,
      emblem: form.emblem as BadgeEmblem,
      colour,
      rule: form.rule as BadgeRule,
      threshold: counted ? Number(text(form.threshold)) : null,
      status: given(form.status) ? (form.status as BadgeStatus) : 'draft',
    },
    problems,
  };
}

/**
 * Saves a badge from its form (a new one when `id` is null), or refuses it by field with nothing
 * saved. A partner changes only its own badges (another's reads as not found).
 */
export async function saveBadge(
  manager: EntityManager,
  form: Record<string, unknown>,
  editor: BadgeEditor,
  id: string | null = null,
): Promise<Badge> {
  if (id) {
    const current = await manager.findOneBy(Badge, { id });
    if (!current || (editor.kind === 'partner' && current.partnerId !== editor.partnerId))
      throw new BadgeRefusedError({ name: 'no such badge of yours' });
  }
  const { fields, problems } = readBadgeForm(form, editor);
  if (
    fields.partnerId &&
    !problems.partnerId &&
    (await manager.query(`SELECT 1 FROM partner WHERE id = $1`, [fields.partnerId])).length === 0
  )
    problems.partnerId = 'choose a partner from the list';
  if (Object.keys(problems).length > 0) throw new BadgeRefusedError(problems);
  if (id) {
    await manager.update(Badge, { id }, fields);
    return manager.findOneByOrFail(Badge, { id });
  }
  return manager.save(manager.create(Badge, fields));
}

/**
 * Whether a challenge may award this badge: a program challenge awards the program's badges, a
 * partner's challenge its own, so a badge never reaches members through a challenge its owner did not set.
 */
export async function badgeProblem(
  manager: EntityManager,
  badgeId: string | null,
  challengePartnerId: string | null,
): Promise<string | undefined> {
  if (!badgeId) return undefined;
  const badge = isUuid(badgeId) ? await manager.findOneBy(Badge, { id: badgeId }) : null;
  if (!badge || badge.status === 'retired') return 'choose a badge from the list';
  if (badge.partnerId !== challengePartnerId)
    return challengePartnerId
      ? "a partner's challenge awards that partner's own badges"
      : "a program challenge awards the program's badges";
  return undefined;
}
