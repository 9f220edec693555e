import type { EntityManager } from 'typeorm';
import { Challenge, Segment, type ChallengeMetric, type ChallengePeriod } from '../../entities/index.js';
import { isUuid } from '../ids.js';
import { Refusal } from '../refusal.js';
import { programSettings } from '../earning/program-settings.js';
import { inSegment } from '../segments/segment-query.js';
import { periodEndAfter, periodKeyAt } from './challenge-periods.js';

/** Not a challenge the viewer may see: none by that id, or another partner's private one (the same answer, so its existence does not leak). */
export class ChallengeNotFoundError extends Refusal {
  constructor(id: string) {
    super('challenge_not_found', 'no such challenge is open to you', 'challengeId', { id });
  }
}

/** Who looks: a partner through the API (the program's challenges and its own), or the member (every challenge they take part in). */
export type ChallengeViewer = { partnerId: string } | 'member';

export interface MemberChallenge {
  id: string;
  name: string;
  description: string;
  owner: 'program' | 'partner';
  metric: ChallengeMetric;
  category: string | null;
  target: number;
  period: ChallengePeriod;
  /** The current period (`once`, `2026-11`, `2026-W48`), or null once the challenge is over. */
  periodKey: string | null;
  periodEndsAt: Date | null;
  progress: number;
  completed: boolean;
  completedAt: Date | null;
  rewardPoints: number;
  /** The program's currency, that a spend counts in (minor units). */
  currency: string;
  /** The time zone the challenge's periods are cut in. */
  timeZone: string;
}

const visibleTo = (challenge: Challenge, viewer: ChallengeViewer) =>
  viewer === 'member' || challenge.partnerId === null || challenge.partnerId === viewer.partnerId;

async function inAudience(manager: EntityManager, challenge: Challenge, memberId: string, at: Date): Promise<boolean> {
  if (!challenge.segmentId) return true;
  const segment = await manager.findOneBy(Segment, { id: challenge.segmentId });
  return segment !== null && (await inSegment(manager, segment.conditions, memberId, at));
}

async function view(manager: EntityManager, challenge: Challenge, memberId: string, now: Date, currency: string): Promise<MemberChallenge> {
  const periodKey = challenge.status === 'live' ? periodKeyAt(challenge, now) : null;
  // A one-off challenge has one period: what the member made of it stays readable once it is over.
  const shownPeriod = periodKey ?? (challenge.period === 'once' ? 'once' : null);
  const [row] = shownPeriod
    ? await manager.query(
        `SELECT value, "completedAt" FROM challenge_progress WHERE "challengeId" = $1 AND "memberId" = $2 AND "periodKey" = $3`,
        [challenge.id, memberId, shownPeriod],
      )
    : [];
  return {
    id: challenge.id,
    name: challenge.name,
    description: challenge.description,
    owner: challenge.partnerId === null ? 'program' : 'partner',
    metric: challenge.metric,
    category: challenge.category,
    target: challenge.target,
    period: challenge.period,
    periodKey,
    periodEndsAt: periodKey ? periodEndAfter(challenge, now) : null,
    progress: Number(row?.value ?? 0),
    completed: Boolean(row?.completedAt),
    completedAt: row?.completedAt ? new Date(row.completedAt) : null,
    rewardPoints: challenge.rewardPoints,
    currency,
    timeZone: challenge.timeZone,
  };
}

/** The live challenges open to the viewer that the member takes part in (their audience), with the member's progress in the current period. */
export async function memberChallenges(
  manager: EntityManager,
  memberId: string,
  viewer: ChallengeViewer,
  now = new Date(),
): Promise<MemberChallenge[]> {
  const live = await manager.find(Challenge, { where: { status: 'live' }, order: { startsAt: 'ASC', name: 'ASC' } });
  const shown: MemberChallenge[] = [];
  const { currency } = await programSettings(manager);
  for (const challenge of live) {
    if (!visibleTo(challenge, viewer) || periodKeyAt(challenge, now) === null) continue;
    if (!(await inAudience(manager, challenge, memberId, now))) continue;
    shown.push(await view(manager, challenge, memberId, now, currency));
  }
  return shown;
}

/** One challenge and the member's progress on it, if the viewer may see it; otherwise ChallengeNotFoundError. */
export async function memberChallenge(
  manager: EntityManager,
  memberId: string,
  challengeId: string,
  viewer: ChallengeViewer,
  now = new Date(),
): Promise<MemberChallenge> {
  const challenge = isUuid(challengeId) ? await manager.findOneBy(Challenge, { id: challengeId }) : null;
  if (!challenge || challenge.status === 'draft' || !visibleTo(challenge, viewer)) throw new ChallengeNotFoundError(challengeId);
  return view(manager, challenge, memberId, now, (await programSettings(manager)).currency);
}
