import type { EntityManager } from 'typeorm';
import { Challenge, type ChallengeMetric, type ChallengePeriod, type ChallengeStatus } from '../../entities/index.js';
import { knownZone, zonedInstant } from '../campaigns/zoned-time.js';
import { given, limits, oneOf, requiredText, text, wholeNumber } from '../field-checks.js';
import { isUuid } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import { Refusal } from '../refusal.js';
import { payReachedPeriods } from './challenge-progress.js';
import { badgeProblem } from './badge-form.js';

export const challengeMetricLabels: Record<ChallengeMetric, string> = {
  purchase_count: 'Number of purchases',
  spend: 'Amount spent (minor units)',
  distinct_partners: 'Different partners visited',
  referrals: 'Friends referred who buy',
};
export const challengePeriodLabels: Record<ChallengePeriod, string> = {
  once: 'Once, between its dates',
  weekly: 'Every week (Monday to Sunday)',
  monthly: 'Every calendar month',
};
export const challengeStatusLabels: Record<ChallengeStatus, string> = { draft: 'Draft', live: 'Live', ended: 'Ended' };

/** A challenge the program will not save as asked; `problems` names each field. */
export class ChallengeRefusedError extends Refusal {
  constructor(readonly problems: Record<string, string>) {
    const [field, reason] = Object.entries(problems)[0]!;
    super('challenge_refused', reason, field, { problems });
  }
}

/** Who saves: the operator's staff (any owner and payer), or a partner user (its own challenges, paid from its own wallet). */
export type ChallengeEditor = { kind: 'operator' } | { kind: 'partner'; partnerId: string };

export type ChallengeFields = Pick<
  Challenge,
  | 'name'
  | 'description'
  | 'partnerId'
  | 'metric'
  | 'category'
  | 'target'
  | 'period'
  | 'timeZone'
  | 'startsAt'
  | 'endsAt'
  | 'segmentId'
  | 'rewardPoints'
  | 'fundingPartnerId'
  | 'status'
  | 'badgeId'
>;

/** PostgreSQL's timestamps end where JavaScript's do not: a date a person means is within years 1 to 9999. */
/** A date and time: with an offset (as the back office's picker sends it), that instant; without ("2026-12-01T14:00"), on the challenge's clock. */
const instant = (value: unknown, timeZone: string): Date | null => {
  const typed = text(value);
  const parsed = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(typed) ? (zonedInstant(typed, timeZone) ?? new Date(NaN)) : new Date(typed);
  const year = parsed.getUTCFullYear();
  return given(value) && !Number.isNaN(parsed.getTime()) && year >= 1 && year <= 9999 ? parsed : null;
};
/** PostgreSQL text cannot hold a NUL. */
const nul = (value: unknown): string | undefined => (text(value).includes('\u0000') ? 'must not contain a NUL character' : undefined);
const optionalId = (value: unknown): string | null => (given(value) ? text(value) : null);

/**
 * Reads a back-office form (strings, as AdminJS sends them) into a challenge's fields, or the
 * problems by field, in words for the person who typed them. A partner's challenge is its own:
 * owner and payer are the partner, whatever the form says.
 */
export function readChallengeForm(
  form: Record<string, unknown>,
  editor: ChallengeEditor,
): { fields: ChallengeFields; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const check = (field: string, problem: string | undefined) => {
    if (problem) problems[field] = problem;
  };
  check('name', requiredText(form.name) ?? nul(form.name));
  check('description', nul(form.description));
  check('category', nul(form.category));
  check('metric', oneOf(form.metric, challengeMetricLabels));
  check('period', oneOf(form.period, challengePeriodLabels));
  check('target', wholeNumber(form.target, { min: 1, max: limits.bigint }));
  check('rewardPoints', wholeNumber(form.rewardPoints, { min: 1, max: 10_000_000 }));
  if (given(form.status)) check('status', oneOf(form.status, challengeStatusLabels));
  const timeZone = text(form.timeZone) || 'UTC';
  if (!knownZone(timeZone)) problems.timeZone = 'must be a time zone such as Europe/Amsterdam';
  const startsAt = instant(form.startsAt, timeZone);
  if (!startsAt) problems.startsAt = 'is required: a date and time';
  const endsAt = given(form.endsAt) ? instant(form.endsAt, timeZone) : null;
  if (given(form.endsAt) && !endsAt) problems.endsAt = 'must be a date and time';
  if (form.period === 'once' && !given(form.endsAt)) problems.endsAt = 'is required for a one-off challenge';
  if (startsAt && endsAt && endsAt <= startsAt) problems.endsAt = 'must be after the start';
  // One-off challenges may be short (a happy hour), but not shorter than anyone could take part in.
  else if (form.period === 'once' && startsAt && endsAt && endsAt.getTime() - startsAt.getTime() < 3_600_000)
    problems.endsAt = 'a one-off challenge lasts at least an hour';
  const category = text(form.category) || null;
  if (category && form.metric !== 'spend') problems.category = 'only an amount spent can be limited to a category';
  const partnerId = editor.kind === 'partner' ? editor.partnerId : optionalId(form.partnerId);
  // A partner's challenge is paid by that partner, whoever sets it up (the field's help says so).
  const fundingPartnerId = editor.kind === 'partner' ? editor.partnerId : (optionalId(form.fundingPartnerId) ?? partnerId);
  const segmentId = optionalId(form.segmentId);
  const badgeId = optionalId(form.badgeId);
  if (badgeId && !isUuid(badgeId)) problems.badgeId = 'choose a badge from the list';
  if (partnerId && !isUuid(partnerId)) problems.partnerId = 'choose a partner from the list';
  if (fundingPartnerId && !isUuid(fundingPartnerId)) problems.fundingPartnerId = 'choose a partner from the list';
  // Segments are the program's, over all its members (as for campaigns): a partner does not aim through them.
  if (segmentId && editor.kind === 'partner') problems.segmentId = "segments are the program's: leave empty for all your customers";
  else if (segmentId && !isUuid(segmentId)) problems.segmentId = 'choose a segment from the list';
  if (partnerId && form.metric === 'distinct_partners')
    problems.metric = "a partner's own challenge counts only its purchases: different partners is for the program's challenges";
  if (partnerId && fundingPartnerId && partnerId !== fundingPartnerId)
    problems.fundingPartnerId = "a partner's challenge is paid by that partner";
  return {
    fields: {
      name: text(form.name),
      description: text(form.description),
      partnerId,
      metric: form.metric as ChallengeMetric,
      category,
      target: Number(text(form.target)),
      period: form.period as ChallengePeriod,
      timeZone,
      startsAt: startsAt ?? new Date(0),
      endsAt,
      segmentId,
      rewardPoints: Number(text(form.rewardPoints)),
      fundingPartnerId,
      status: given(form.status) ? (form.status as ChallengeStatus) : 'draft',
      badgeId,
    },
    problems,
  };
}

/** Problems only the records can tell: partners and segments that exist. */
async function recordProblems(manager: EntityManager, fields: ChallengeFields, found: Record<string, string>) {
  const problems: Record<string, string> = {};
  for (const field of ['partnerId', 'fundingPartnerId'] as const) {
    const id = fields[field];
    if (id && !found[field] && (await manager.query(`SELECT 1 FROM partner WHERE id = $1`, [id])).length === 0)
      problems[field] = 'choose a partner from the list';
  }
  if (fields.segmentId && !found.segmentId && (await manager.query(`SELECT 1 FROM segment WHERE id = $1`, [fields.segmentId])).length === 0)
    problems.segmentId = 'choose a segment from the list';
  const badge = found.badgeId ? undefined : await badgeProblem(manager, fields.badgeId, fields.partnerId);
  if (badge) problems.badgeId = badge;
  return problems;
}

/** What decides what a member's purchases count for: fixed once members have progress, or it would pay the old counts against the new rules. */
const countingFields = ['metric', 'category', 'period', 'startsAt', 'timeZone'] as const;

const same = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b);

const hasProgress = async (manager: EntityManager, challengeId: string) =>
  (await manager.query(`SELECT 1 FROM challenge_contribution WHERE "challengeId" = $1 LIMIT 1`, [challengeId])).length > 0 ||
  (await manager.query(`SELECT 1 FROM challenge_progress WHERE "challengeId" = $1 LIMIT 1`, [challengeId])).length > 0;

/**
 * Saves a challenge from its form (a new one when `id` is null), or refuses it by field with
 * nothing saved. A partner changes only its own challenges (another's reads as not found).
 */
export async function saveChallenge(
  manager: EntityManager,
  ledger: Ledger,
  form: Record<string, unknown>,
  editor: ChallengeEditor,
  id: string | null = null,
): Promise<Challenge> {
  const current = id ? await manager.findOne(Challenge, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
  if (id && (!current || (editor.kind === 'partner' && current.partnerId !== editor.partnerId)))
    throw new ChallengeRefusedError({ name: 'no such challenge of yours' });
  const { fields, problems } = readChallengeForm(form, editor);
  const all = { ...(await recordProblems(manager, fields, problems)), ...problems };
  if (current && (await hasProgress(manager, current.id)))
    for (const field of countingFields)
      if (!same(fields[field], current[field])) all[field] = 'members are already on their way: end it and start a new one';
  if (Object.keys(all).length > 0) throw new ChallengeRefusedError(all);
  if (!id) return manager.save(manager.create(Challenge, fields));
  await manager.update(Challenge, { id }, fields);
  const saved = await manager.findOneByOrFail(Challenge, { id });
  // A lower target (or a challenge gone live) completes whoever already reaches it, now; any save
  // pays who waited for their payer, if it can now.
  const waiting = await payReachedPeriods(manager, ledger, saved);
  // Only the edit that makes members reach is refused for a short payer: a rename is not held up by a reward already waiting.
  const reaches = !current || current.target !== saved.target || current.status !== saved.status;
  if (waiting > 0 && reaches) {
    throw new ChallengeRefusedError({
      target: `${waiting} members already reach this target, and the paying wallet cannot pay their ${waiting * saved.rewardPoints} points: top it up first`,
    });
  }
  return saved;
}
