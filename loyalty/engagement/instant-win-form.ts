import { MoreThan, type EntityManager } from 'typeorm';
import { InstantWinCampaign, InstantWinDraw, type InstantWinMode, type InstantWinStatus } from '../../entities/index.js';
import { given, limits, oneOf, requiredText, text, wholeNumber } from '../field-checks.js';
import { isUuid } from '../ids.js';
import { Refusal } from '../refusal.js';
import { drawRules } from './instant-win.js';
import { newSeed, type DrawRules, type RecordedDraw } from './instant-win-draws.js';

export const instantWinModeLabels: Record<InstantWinMode, string> = {
  probability: 'Each purchase wins with a chance',
  winning_times: 'Pre-drawn winning times',
};
export const instantWinStatusLabels: Record<InstantWinStatus, string> = { draft: 'Draft', live: 'Live', ended: 'Ended' };

/** A campaign the program will not save as asked; `problems` names each field. */
export class InstantWinRefusedError extends Refusal {
  constructor(readonly problems: Record<string, string>) {
    const [field, reason] = Object.entries(problems)[0]!;
    super('instant_win_refused', reason, field, { problems });
  }
}

export class InstantWinNotFoundError extends Refusal {
  constructor(campaignId: string) {
    super('instant_win_not_found', `No instant-win campaign ${campaignId} of yours`, 'campaignId');
  }
}

/** Who saves: the operator's staff (any owner and payer), or a partner user (its own campaigns, paid from its own wallet). */
export type InstantWinEditor = { kind: 'operator' } | { kind: 'partner'; partnerId: string };

type Fields = Pick<
  InstantWinCampaign,
  | 'name'
  | 'partnerId'
  | 'startsAt'
  | 'endsAt'
  | 'segmentId'
  | 'mode'
  | 'winChancePpm'
  | 'winningTimeCount'
  | 'prizePoints'
  | 'prizeBudget'
  | 'pointsBudget'
  | 'fundingPartnerId'
  | 'status'
>;

/** What decides the draws: fixed once a draw was made, so the revealed seed replays them all. */
const drawFields = [
  'partnerId',
  'startsAt',
  'endsAt',
  'segmentId',
  'mode',
  'winChancePpm',
  'winningTimeCount',
  'prizePoints',
  'prizeBudget',
  'pointsBudget',
] as const;

const instant = (value: unknown): Date | null => {
  const parsed = new Date(text(value));
  const year = parsed.getUTCFullYear();
  return given(value) && !Number.isNaN(parsed.getTime()) && year >= 1 && year <= 9999 ? parsed : null;
};
const optionalId = (value: unknown): string | null => (given(value) ? text(value) : null);
const optionalNumber = (value: unknown): number | null => (given(value) ? Number(text(value)) : null);

/** A chance as a person types it: a percentage such as `0.5` or `12.5` (%), kept in millionths. */
function chancePpm(value: unknown): { ppm: number | null; problem?: string } {
  if (!given(value)) return { ppm: null, problem: 'is required: the chance of each purchase to win, in %' };
  const typed = text(value).replace(/%$/, '').trim();
  const percent = Number(typed);
  if (!/^\d+(\.\d+)?$/.test(typed) || percent <= 0 || percent > 100)
    return { ppm: null, problem: 'must be a percentage above 0 and at most 100' };
  const ppm = Math.round(percent * 10_000);
  return ppm < 1 ? { ppm: null, problem: 'must be at least 0.0001 %' } : { ppm };
}

/**
 * Reads a back-office form (strings, as AdminJS sends them) into a campaign's fields, or the
 * problems by field. A partner's campaign is its own: owner and payer are the partner.
 */
export function readInstantWinForm(
  form: Record<string, unknown>,
  editor: InstantWinEditor,
): { fields: Fields; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const check = (field: string, problem: string | undefined) => {
    if (problem) problems[field] = problem;
  };
  check('name', requiredText(form.name) ?? (text(form.name).includes('\u0000') ? 'must not contain a NUL character' : undefined));
  check('mode', oneOf(form.mode, instantWinModeLabels));
  check('prizePoints', wholeNumber(form.prizePoints, { min: 1, max: 10_000_000 }));
  check('prizeBudget', wholeNumber(form.prizeBudget, { min: 1, optional: true }));
  check('pointsBudget', wholeNumber(form.pointsBudget, { min: 1, max: limits.bigint, optional: true }));
  if (!given(form.prizeBudget) && !given(form.pointsBudget)) problems.prizeBudget = 'give a budget: a number of prizes, of points, or both';
  if (given(form.status)) check('status', oneOf(form.status, instantWinStatusLabels));
  let winChancePpm: number | null = null;
  let winningTimeCount: number | null = null;
  if (form.mode === 'probability') {
    const chance = chancePpm(form.winChance);
    check('winChance', chance.problem);
    winChancePpm = chance.ppm;
  } else if (form.mode === 'winning_times') {
    check('winningTimeCount', wholeNumber(form.winningTimeCount, { min: 1, max: 10_000 }));
    winningTimeCount = optionalNumber(form.winningTimeCount);
  }
  const startsAt = instant(form.startsAt);
  if (!startsAt) problems.startsAt = 'is required: a date and time';
  const endsAt = instant(form.endsAt);
  if (!endsAt) problems.endsAt = 'is required: a date and time';
  if (startsAt && endsAt && endsAt <= startsAt) problems.endsAt = 'must be after the start';
  const partnerId = editor.kind === 'partner' ? editor.partnerId : optionalId(form.partnerId);
  // A partner's campaign is paid by that partner, whoever sets it up (the field's help says so).
  const fundingPartnerId = editor.kind === 'partner' ? editor.partnerId : (optionalId(form.fundingPartnerId) ?? partnerId);
  const segmentId = optionalId(form.segmentId);
  if (partnerId && !isUuid(partnerId)) problems.partnerId = 'choose a partner from the list';
  if (fundingPartnerId && !isUuid(fundingPartnerId)) problems.fundingPartnerId = 'choose a partner from the list';
  // Segments are the program's, over all its members: who wins would tell a partner who is in one.
  if (segmentId && editor.kind === 'partner') problems.segmentId = "segments are the program's: leave empty for all your customers";
  else if (segmentId && !isUuid(segmentId)) problems.segmentId = 'choose a segment from the list';
  if (partnerId && fundingPartnerId && partnerId !== fundingPartnerId)
    problems.fundingPartnerId = "a partner's campaign is paid by that partner";
  return {
    fields: {
      name: text(form.name),
      partnerId,
      startsAt: startsAt ?? new Date(0),
      endsAt: endsAt ?? new Date(0),
      segmentId,
      mode: form.mode as InstantWinMode,
      winChancePpm,
      winningTimeCount,
      prizePoints: Number(text(form.prizePoints)),
      prizeBudget: optionalNumber(form.prizeBudget),
      pointsBudget: optionalNumber(form.pointsBudget),
      fundingPartnerId,
      status: given(form.status) ? (form.status as InstantWinStatus) : 'draft',
    },
    problems,
  };
}

async function recordProblems(manager: EntityManager, fields: Fields, found: Record<string, string>) {
  const problems: Record<string, string> = {};
  for (const field of ['partnerId', 'fundingPartnerId'] as const) {
    const id = fields[field];
    if (id && !found[field] && (await manager.query(`SELECT 1 FROM partner WHERE id = $1`, [id])).length === 0)
      problems[field] = 'choose a partner from the list';
  }
  if (fields.segmentId && !found.segmentId && (await manager.query(`SELECT 1 FROM segment WHERE id = $1`, [fields.segmentId])).length === 0)
    problems.segmentId = 'choose a segment from the list';
  return problems;
}

const same = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b);

/**
 * Saves a campaign from its form (a new one, with its secret seed, when `id` is null), or refuses
 * it by field with nothing saved. Once a draw was made what decides the draws stays as it was, so
 * that the revealed seed replays them. A partner changes only its own campaigns.
 */
export async function saveInstantWinCampaign(
  manager: EntityManager,
  form: Record<string, unknown>,
  editor: InstantWinEditor,
  id: string | null = null,
): Promise<InstantWinCampaign> {
  const current = id ? await manager.findOne(InstantWinCampaign, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
  if (id && (!current || (editor.kind === 'partner' && current.partnerId !== editor.partnerId))) throw new InstantWinNotFoundError(id);
  const { fields, problems } = readInstantWinForm(form, editor);
  const all = { ...(await recordProblems(manager, fields, problems)), ...problems };
  if (current && current.drawCount > 0)
    for (const field of drawFields)
      if (!same(fields[field], current[field])) all[field === 'winChancePpm' ? 'winChance' : field] = 'cannot change once draws were made';
  if (current?.status === 'ended' && fields.status !== 'ended') all.status = 'an ended campaign stays ended: its seed is revealed';
  if (Object.keys(all).length > 0) throw new InstantWinRefusedError(all);
  if (current) {
    await manager.update(InstantWinCampaign, { id: current.id }, fields);
    return manager.findOneByOrFail(InstantWinCampaign, { id: current.id });
  }
  const { seed, commitment } = newSeed();
  const saved = await manager.save(manager.create(InstantWinCampaign, { ...fields, seed, seedCommitment: commitment }));
  return manager.findOneByOrFail(InstantWinCampaign, { id: saved.id });
}

/** Whether the campaign is over: draws no longer happen, and its seed may be shown. */
export const instantWinOver = (c: Pick<InstantWinCampaign, 'status' | 'endsAt'>, now: Date) => c.status === 'ended' || c.endsAt <= now;

/** The status as it is read: a campaign past its end is ended, whatever was last saved (nothing needs to run at its end). */
export const instantWinStatus = (c: Pick<InstantWinCampaign, 'status' | 'endsAt'>, now: Date): InstantWinStatus =>
  instantWinOver(c, now) ? 'ended' : c.status;

/** A campaign as staff and partners see it: its budget left, its commitment, and its seed once over. */
export interface InstantWinView {
  campaign: InstantWinCampaign;
  /** Ended once past its end (see instantWinStatus). */
  status: InstantWinStatus;
  prizesLeft: number | null;
  pointsLeft: number | null;
  /** Null until the campaign is over. */
  revealedSeed: string | null;
  rules: DrawRules;
}

/**
 * The program's campaigns a partner reads besides its own: those past their draft (they run at its
 * store too) and those it pays for. Never another partner's.
 */
export const concernsPartner = (c: Pick<InstantWinCampaign, 'partnerId' | 'status' | 'fundingPartnerId'>, partnerId: string) =>
  c.partnerId === null && (c.status !== 'draft' || c.fundingPartnerId === partnerId);

/** concernsPartner as SQL over the campaign's columns, the partner's id in `partnerParameter`. */
export const concernsPartnerSql = (partnerParameter: string) =>
  `"partnerId" IS NULL AND ("status" <> 'draft' OR "fundingPartnerId" = ${partnerParameter})`;

/** One campaign for its owner (a partner sees its own and the program's that concern it, never another's). */
export async function viewInstantWin(
  manager: EntityManager,
  campaignId: string,
  viewer: InstantWinEditor,
  now = new Date(),
): Promise<InstantWinView> {
  const campaign = isUuid(campaignId)
    ? await manager.createQueryBuilder(InstantWinCampaign, 'c').addSelect('c.seed').where('c.id = :campaignId', { campaignId }).getOne()
    : null;
  if (!campaign) throw new InstantWinNotFoundError(campaignId);
  const visible = viewer.kind === 'operator' || campaign.partnerId === viewer.partnerId || concernsPartner(campaign, viewer.partnerId);
  if (!visible) throw new InstantWinNotFoundError(campaignId);
  const { seed, ...shown } = campaign;
  return {
    campaign: Object.assign(new InstantWinCampaign(), shown),
    status: instantWinStatus(campaign, now),
    prizesLeft: campaign.prizeBudget === null ? null : campaign.prizeBudget - campaign.prizesWon,
    pointsLeft: campaign.pointsBudget === null ? null : campaign.pointsBudget - campaign.pointsWon,
    revealedSeed: instantWinOver(campaign, now) ? seed : null,
    rules: drawRules(campaign),
  };
}

/** A page of a campaign's draws, and the number of the last one shown when more follow. */
export interface DrawsPage {
  draws: RecordedDraw[];
  lastDrawNumber: number | null;
}

/**
 * The campaign's draws in order, as anyone replays them (no member in them), a page at a time: the
 * `limit` after draw number `after` (a campaign may draw millions of times).
 */
export async function instantWinDraws(
  manager: EntityManager,
  campaignId: string,
  page: { after: number; limit: number },
): Promise<DrawsPage> {
  const draws = await manager.find(InstantWinDraw, {
    where: { campaignId, drawNumber: MoreThan(page.after) },
    order: { drawNumber: 'ASC' },
    take: page.limit + 1,
  });
  const recorded = draws.map((d) => ({
    drawNumber: d.drawNumber,
    key: d.eventId,
    drawnAt: d.drawnAt,
    randomValue: d.randomValue,
    outcome: d.outcome,
  }));
  const shown = recorded.slice(0, page.limit);
  return { draws: shown, lastDrawNumber: recorded.length > page.limit ? shown.at(-1)!.drawNumber : null };
}
