import type { EntityManager } from 'typeorm';
import {
  Challenge,
  Leaderboard,
  type LeaderboardMetric,
  type LeaderboardPeriod,
  type LeaderboardPrize,
  type LeaderboardStatus,
} from '../../entities/index.js';
import { knownZone } from '../campaigns/zoned-time.js';
import { given, oneOf, requiredText, text } from '../field-checks.js';
import { isUuid } from '../ids.js';
import { Refusal } from '../refusal.js';

export const leaderboardMetricLabels: Record<LeaderboardMetric, string> = {
  points_earned: 'Points earned in the period',
  challenge: "A challenge's progress",
};
export const leaderboardPeriodLabels: Record<LeaderboardPeriod, string> = {
  once: 'Once, between its dates',
  weekly: 'Every week (Monday to Sunday)',
  monthly: 'Every calendar month',
};
export const leaderboardStatusLabels: Record<LeaderboardStatus, string> = { draft: 'Draft', live: 'Live', ended: 'Ended' };

/** A leaderboard the program will not save as asked; `problems` names each field. */
export class LeaderboardRefusedError extends Refusal {
  constructor(readonly problems: Record<string, string>) {
    const [field, reason] = Object.entries(problems)[0]!;
    super('leaderboard_refused', reason, field, { problems });
  }
}

/** Who saves: the operator's staff (any owner and payer), or a partner user (its own leaderboards, paid from its own wallet). */
export type LeaderboardEditor = { kind: 'operator' } | { kind: 'partner'; partnerId: string };

export type LeaderboardFields = Pick<
  Leaderboard,
  | 'name'
  | 'description'
  | 'partnerId'
  | 'metric'
  | 'challengeId'
  | 'period'
  | 'timeZone'
  | 'startsAt'
  | 'endsAt'
  | 'segmentId'
  | 'companyId'
  | 'prizes'
  | 'fundingPartnerId'
  | 'status'
>;

const instant = (value: unknown): Date | null => {
  const parsed = new Date(text(value));
  const year = parsed.getUTCFullYear();
  return given(value) && !Number.isNaN(parsed.getTime()) && year >= 1 && year <= 9999 ? parsed : null;
};
const nul = (value: unknown): string | undefined => (text(value).includes('\u0000') ? 'must not contain a NUL character' : undefined);
const optionalId = (value: unknown): string | null => (given(value) ? text(value) : null);

const prizeFormat = 'write places and points such as "1: 1000, 2-3: 500, 4-10: 100"';

export const prizesText = (prizes: LeaderboardPrize[]): string =>
  prizes.map((p) => `${p.fromRank === p.toRank ? p.fromRank : `${p.fromRank}-${p.toRank}`}: ${p.points}`).join(', ');

/** Prizes as a person writes them: `1: 1000, 2-3: 500` (places, then points), ranges in order and apart. */
export function readPrizes(value: unknown): { prizes: LeaderboardPrize[]; problem?: string } {
  if (Array.isArray(value)) return readPrizes(prizesText(value as LeaderboardPrize[]));
  const written = text(value);
  if (written === '') return { prizes: [] };
  const prizes: LeaderboardPrize[] = [];
  for (const part of written.split(',')) {
    const match = /^\s*(\d{1,6})\s*(?:-\s*(\d{1,6}))?\s*:\s*(\d{1,9})\s*$/.exec(part);
    if (!match) return { prizes: [], problem: prizeFormat };
    const fromRank = Number(match[1]);
    const toRank = Number(match[2] ?? match[1]);
    const points = Number(match[3]);
    if (fromRank < 1 || toRank < fromRank) return { prizes: [], problem: `places ${part.trim()} must start at 1 or more and go up` };
    if (points < 1 || points > 10_000_000) return { prizes: [], problem: 'each prize must be 1 to 10,000,000 points' };
    const previous = prizes.at(-1);
    if (previous && fromRank <= previous.toRank) return { prizes: [], problem: 'places must be in order and not overlap' };
    prizes.push({ fromRank, toRank, points });
  }
  return { prizes };
}

/**
 * Reads a back-office form (strings, as AdminJS sends them) into a leaderboard's fields, or the
 * problems by field. A partner's leaderboard is its own: owner and payer are the partner.
 */
export function readLeaderboardForm(
  form: Record<string, unknown>,
  editor: LeaderboardEditor,
): { fields: LeaderboardFields; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const check = (field: string, problem: string | undefined) => {
    if (problem) problems[field] = problem;
  };
  check('name', requiredText(form.name) ?? nul(form.name));
  check('description', nul(form.description));
  check('metric', oneOf(form.metric, leaderboardMetricLabels));
  check('period', oneOf(form.period, leaderboardPeriodLabels));
  if (given(form.status)) check('status', oneOf(form.status, leaderboardStatusLabels));
  const timeZone = text(form.timeZone) || 'UTC';
  if (!knownZone(timeZone)) problems.timeZone = 'must be a time zone such as Europe/Amsterdam';
  const startsAt = instant(form.startsAt);
  if (!startsAt) problems.startsAt = 'is required: a date and time';
  const endsAt = given(form.endsAt) ? instant(form.endsAt) : null;
  if (given(form.endsAt) && !endsAt) problems.endsAt = 'must be a date and time';
  if (form.period === 'once' && !given(form.endsAt)) problems.endsAt = 'is required for a one-off leaderboard';
  if (startsAt && endsAt && endsAt <= startsAt) problems.endsAt = 'must be after the start';
  const { prizes, problem } = readPrizes(form.prizes);
  check('prizes', problem);
  const partnerId = editor.kind === 'partner' ? editor.partnerId : optionalId(form.partnerId);
  // A partner's leaderboard is paid by that partner, whoever sets it up (the field's help says so).
  const fundingPartnerId = editor.kind === 'partner' ? editor.partnerId : (optionalId(form.fundingPartnerId) ?? partnerId);
  const segmentId = optionalId(form.segmentId);
  const companyId = optionalId(form.companyId);
  // Segments and companies are the program's, over all its members: ranks would tell a partner who is in one.
  if (segmentId && editor.kind === 'partner') problems.segmentId = "segments are the program's: leave empty for all your customers";
  if (companyId && editor.kind === 'partner') problems.companyId = "companies are the program's: leave empty for all your customers";
  const challengeId = form.metric === 'challenge' ? optionalId(form.challengeId) : null;
  if (form.metric === 'challenge' && !challengeId) problems.challengeId = 'choose the challenge whose progress ranks';
  if (form.metric !== 'challenge' && given(form.challengeId))
    problems.challengeId = "only a leaderboard ranked by a challenge's progress names one";
  for (const [field, id, what] of [
    ['partnerId', partnerId, 'partner'],
    ['fundingPartnerId', fundingPartnerId, 'partner'],
    ['segmentId', segmentId, 'segment'],
    ['companyId', companyId, 'company'],
    ['challengeId', challengeId, 'challenge'],
  ] as const)
    if (id && !isUuid(id) && !problems[field]) problems[field] = `choose a ${what} from the list`;
  if (partnerId && fundingPartnerId && partnerId !== fundingPartnerId)
    problems.fundingPartnerId = "a partner's leaderboard is paid by that partner";
  return {
    fields: {
      name: text(form.name),
      description: text(form.description),
      partnerId,
      metric: form.metric as LeaderboardMetric,
      challengeId,
      period: form.period as LeaderboardPeriod,
      timeZone,
      startsAt: startsAt ?? new Date(0),
      endsAt,
      segmentId,
      companyId,
      prizes,
      fundingPartnerId,
      status: given(form.status) ? (form.status as LeaderboardStatus) : 'draft',
    },
    problems,
  };
}

/** Problems only the records can tell: partners, segments, companies and challenges that exist and may be used. */
async function recordProblems(manager: EntityManager, fields: LeaderboardFields, found: Record<string, string>, editor: LeaderboardEditor) {
  const problems: Record<string, string> = {};
  const missing = async (table: string, id: string) => (await manager.query(`SELECT 1 FROM "${table}" WHERE id = $1`, [id])).length === 0;
  for (const field of ['partnerId', 'fundingPartnerId'] as const) {
    const id = fields[field];
    if (id && !found[field] && (await missing('partner', id))) problems[field] = 'choose a partner from the list';
  }
  if (fields.segmentId && !found.segmentId && (await missing('segment', fields.segmentId)))
    problems.segmentId = 'choose a segment from the list';
  if (fields.companyId && !found.companyId && (await missing('company', fields.companyId)))
    problems.companyId = 'choose a company from the list';
  if (fields.challengeId && !found.challengeId) {
    const challenge = await manager.findOneBy(Challenge, { id: fields.challengeId });
    // A partner ranks by its own challenges or the program's, never another partner's.
    if (!challenge || (editor.kind === 'partner' && challenge.partnerId !== null && challenge.partnerId !== editor.partnerId))
      problems.challengeId = 'choose a challenge from the list';
    else if (challenge.period !== fields.period || challenge.timeZone !== fields.timeZone)
      problems.period = `must match the challenge's periods (${leaderboardPeriodLabels[challenge.period]}, ${challenge.timeZone})`;
  }
  return problems;
}

/**
 * Saves a leaderboard from its form (a new one when `id` is null), or refuses it by field with
 * nothing saved. A partner changes only its own leaderboards (another's reads as not found).
 */
export async function saveLeaderboard(
  manager: EntityManager,
  form: Record<string, unknown>,
  editor: LeaderboardEditor,
  id: string | null = null,
): Promise<Leaderboard> {
  const current = id ? await manager.findOneBy(Leaderboard, { id }) : null;
  if (id && (!current || (editor.kind === 'partner' && current.partnerId !== editor.partnerId)))
    throw new LeaderboardRefusedError({ name: 'no such leaderboard of yours' });
  // A form without the prizes field leaves them as they are; an empty one clears them.
  const { fields, problems } = readLeaderboardForm(current && !('prizes' in form) ? { ...form, prizes: current.prizes } : form, editor);
  const all = { ...(await recordProblems(manager, fields, problems, editor)), ...problems };
  if (Object.keys(all).length > 0) throw new LeaderboardRefusedError(all);
  if (id) {
    await manager.update(Leaderboard, { id }, fields);
    return manager.findOneByOrFail(Leaderboard, { id });
  }
  return manager.save(manager.create(Leaderboard, fields));
}
